"""IdP-initiated (unsolicited) SAML SSO, Shibboleth's request form
(/saml/unsolicited?providerId=&shire=&target=&time=), against a pysaml2
SP that accepts unsolicited responses (allow_unsolicited)."""
import base64
import re
import time
import urllib.parse

import pytest
import requests
from saml2 import BINDING_HTTP_POST

from saml_sp import ACS, SLO, SP_ENTITY, post_form
from terminal import Terminal, login_from
from test_saml import fed, sso  # noqa: F401 (fixture)


@pytest.fixture
def unsolicited_fed(fed):  # noqa: F811
    return fed(sp_conf="unsolicited yes\n", allow_unsolicited=True)


def unsolicited(server, **params):
    return server.base + "/saml/unsolicited?" + urllib.parse.urlencode(
        params)


def sp_accepts(sp, fields):
    """pysaml2 takes the response with no request outstanding."""
    authn = sp.client.parse_authn_request_response(
        fields["SAMLResponse"], BINDING_HTTP_POST)
    assert authn is not None
    return authn


def test_unsolicited_sso_logs_in_then_posts_to_the_default_acs(
        unsolicited_fed):
    server, sp, a = unsolicited_fed
    t = Terminal(server.base)
    r = t.s.get(unsolicited(server, providerId=SP_ENTITY,
                            target="/welcome", time=int(time.time())),
                allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    r = login_from(t, r.headers["location"], "alice", a)
    assert r.rp == SP_ENTITY        # the authenticator showed the SP
    assert r.headers["location"].startswith("/saml/sso/resume?r=")
    action, fields = post_form(t.get(r.headers["location"]).text)
    assert action == ACS
    assert fields["RelayState"] == "/welcome"
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert "InResponseTo" not in xml
    assert "xmldsig-more#rsa-sha256" in xml and "rsa-sha1" not in xml
    assert len(re.findall(r"<(\w+:)?SignatureValue>", xml)) == 2
    authn = sp_accepts(sp, fields)
    assert authn.ava["mail"] == ["alice@example.org"]
    server.stop()
    log = server.read_log()
    assert "event=saml.unsolicited sp=%s" % SP_ENTITY in log
    assert "event=saml.assertion sp=%s user=alice" % SP_ENTITY in log


def test_unsolicited_sso_with_a_session_and_an_explicit_shire(
        unsolicited_fed):
    server, sp, a = unsolicited_fed
    t, _, _, _ = sso(server, sp, a)
    r = t.s.get(unsolicited(server, providerId=SP_ENTITY, shire=ACS),
                allow_redirects=False)
    action, fields = post_form(r.text)
    assert action == ACS and not fields.get("RelayState")
    sp_accepts(sp, fields)
    # No second out-of-band login was asked for.
    assert a.pending().json()["requests"] == []


def test_pysaml2_refuses_unsolicited_unless_it_allows_them(fed):
    """Why it is off by default: an SP that did not ask refuses it."""
    server, sp, a = fed(sp_conf="unsolicited yes\n")
    t, _, _, _ = sso(server, sp, a)
    r = t.s.get(unsolicited(server, providerId=SP_ENTITY),
                allow_redirects=False)
    _, fields = post_form(r.text)
    from saml2.response import UnsolicitedResponse
    with pytest.raises(UnsolicitedResponse):
        sp.client.parse_authn_request_response(fields["SAMLResponse"],
                                               BINDING_HTTP_POST)


def test_unsolicited_is_off_by_default(fed):
    server, sp, a = fed(allow_unsolicited=True)
    t, _, _, _ = sso(server, sp, a)
    r = t.s.get(unsolicited(server, providerId=SP_ENTITY),
                allow_redirects=False)
    assert r.status_code == 403
    assert "did not ask for" in r.text and "SAMLResponse" not in r.text
    server.stop()
    assert "event=saml.unsolicited.rejected sp=%s" % SP_ENTITY in \
        server.read_log()


@pytest.mark.parametrize("params,words", [
    ({"providerId": "https://unknown.test/sp"}, "not in the federation"),
    ({"providerId": SP_ENTITY, "shire": "https://evil.test/acs"},
     "shire"),
    # An endpoint of the metadata that is not an ACS (lasso.md §1).
    ({"providerId": SP_ENTITY, "shire": SLO}, "shire"),
    ({"providerId": SP_ENTITY, "time": "1000000000"}, "expired"),
    ({"providerId": SP_ENTITY, "time": str(int(time.time()) + 3600)},
     "expired"),
    ({}, "providerId"),
    ({"providerId": "https://sp.test/" + "x" * 600}, "providerId"),
    ({"providerId": SP_ENTITY, "target": "/" + "x" * 100}, "target"),
    ({"providerId": SP_ENTITY, "time": "soon"}, "time"),
    ({"providerId": SP_ENTITY, "shire": "javascript:alert(1)"}, "shire"),
])
def test_bad_unsolicited_requests_get_an_error_page(unsolicited_fed,
                                                    params, words):
    server, sp, a = unsolicited_fed
    r = requests.get(unsolicited(server, **params), allow_redirects=False)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert words in r.text and "SAMLResponse" not in r.text
    assert requests.get(server.base + "/healthz").status_code == 200


def test_oversized_unsolicited_query_is_dropped_and_server_lives(
        unsolicited_fed):
    server, sp, a = unsolicited_fed
    try:
        r = requests.get(unsolicited(server, providerId="x" * 40000),
                         allow_redirects=False)
        assert r.status_code >= 400 and "SAMLResponse" not in r.text
    except requests.ConnectionError:
        pass        # Kore closes a connection whose headers are too large
    assert requests.get(server.base + "/healthz").status_code == 200
