"""SAML 2.0 Web SSO against pysaml2, an SP implementation independent of
lasso: its own metadata, its own signature checks (xmlsec1)."""
import base64
import os
import re
import tempfile
import urllib.parse
import zlib

import pytest
import requests
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT

from saml_sp import SamlSP, post_form, SP_ENTITY, ACS
from terminal import Terminal, login_from, login_through
from test_oob import enrol

PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
LOA2 = "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered"
LOA3 = "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract"


@pytest.fixture
def fed(new_server):
    """A server whose federation holds one pysaml2 SP; alice enrolled."""
    def make(sp_conf=None, **sp_kw):
        d = tempfile.mkdtemp(prefix="mutua-sp-")
        sp = SamlSP(os.path.join(d, "sp"), **sp_kw)
        sp.publish(os.path.join(d, "federation"), extra_conf=sp_conf)
        s = new_server("sp_dir %s" % os.path.join(d, "federation"))
        s.start()
        sp.connect(s.base)
        a = enrol(s)
        s.mutuactl("user", "list")
        return s, sp, a
    return make


def sso(server, sp, a, binding=BINDING_HTTP_REDIRECT, **kw):
    """SP-initiated SSO through the login; returns the SP's view."""
    t = Terminal(server.base)
    reqid, where = sp.authn_request(binding=binding, **kw)
    if binding == BINDING_HTTP_REDIRECT:
        r = login_through(t, where, "alice", a)
    else:
        url, fields = where
        r = t.s.post(url, data=fields, allow_redirects=False)
        assert r.status_code == 303, r.text[:300]
        r = login_from(t, r.headers["location"], "alice", a)
    assert r.status_code == 303 and r.headers["location"].startswith(
        "/saml/sso/resume?r="), r.headers
    page = t.get(r.headers["location"]).text
    action, fields = post_form(page)
    assert action == sp.acs, page[:500]
    return t, reqid, fields, r


def test_sp_initiated_sso_redirect_binding(fed):
    server, sp, a = fed()
    t, reqid, fields, login = sso(server, sp, a)
    assert login.rp == SP_ENTITY    # the authenticator showed the SP
    assert login.rp_name == ""      # which has no name in its metadata
    assert fields["RelayState"] == "/x"
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert "xmldsig-more#rsa-sha256" in xml and "rsa-sha1" not in xml
    assert len(re.findall(r"<(\w+:)?X509Certificate>", xml)) == 2
    assert "RSAKeyValue" not in xml
    authn = sp.parse_response(fields["SAMLResponse"], reqid)
    assert authn is not None
    assert authn.name_id.format == TRANSIENT
    assert authn.ava["mail"] == ["alice@example.org"]
    assert authn.ava["displayName"] == ["Alice Example"]
    assert authn.ava["eduPersonPrincipalName"] == ["alice@127.0.0.1"]
    classref = authn.authn_info()[0][0]
    # The harness keeps the default LoA2 URI of config.c.
    assert classref == LOA2


def test_the_sp_is_shown_by_the_name_in_its_metadata(fed):
    """mdui:DisplayName reaches the login page and, signed into the
    offset, the authenticator; the entity ID stays beside it."""
    server, sp, a = fed(display_name="Bibliothek \u00e4 & <Co>")
    t, reqid, fields, login = sso(server, sp, a)
    assert login.rp == SP_ENTITY
    assert login.rp_name == "Bibliothek \u00e4 & <Co>"
    assert "to Bibliothek \u00e4 &amp; &lt;Co&gt; (%s)." % SP_ENTITY in \
        login.code_page
    assert sp.parse_response(fields["SAMLResponse"], reqid) is not None


def raw_request(server, acs=ACS, issuer=SP_ENTITY, req_id=None,
                instant=None, extra="", dtd="", endpoint=None):
    """An unsigned AuthnRequest built by hand, for the failure paths and
    the optional parts of SAML 2.0 core §3.4.1. endpoint replaces the
    AssertionConsumerServiceURL and ProtocolBinding attributes."""
    import datetime
    import uuid
    req_id = req_id or "_" + uuid.uuid4().hex
    instant = instant or datetime.datetime.utcnow().strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    if endpoint is None:
        endpoint = ('AssertionConsumerServiceURL="%s" ProtocolBinding="'
                    'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"' % acs)
    return req_id, (
        '%s<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:'
        'protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        'ID="%s" Version="2.0" IssueInstant="%s" %s><saml:Issuer>%s'
        '</saml:Issuer>%s</samlp:AuthnRequest>' % (
            dtd, req_id, instant, endpoint, issuer, extra))


def redirect_url(server, xml, relay=None):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = c.compress(xml.encode() if isinstance(xml, str) else xml) + \
        c.flush()
    q = {"SAMLRequest": base64.b64encode(data).decode()}
    if relay:
        q["RelayState"] = relay
    return server.base + "/saml/sso?" + urllib.parse.urlencode(q)


@pytest.fixture
def open_fed(fed):
    """An SP that does not sign its requests, for hand-made requests."""
    return fed(sign_requests=False)


def assert_refused(server, r, words):
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert words in r.text
    assert "SAMLResponse" not in r.text


def test_post_binding_and_persistent_nameid_is_stable(fed):
    server, sp, a = fed()
    ids = []
    for _ in range(2):
        t, reqid, fields, _ = sso(server, sp, a, binding=BINDING_HTTP_POST,
                                  nameid_format=PERSISTENT)
        authn = sp.parse_response(fields["SAMLResponse"], reqid)
        assert authn.name_id.format == PERSISTENT
        ids.append(authn.name_id.text)
    assert ids[0] == ids[1] and "alice" not in ids[0]


def test_attribute_release_follows_sp_policy(fed):
    server, sp, a = fed(sp_conf="attributes uid\nnameid_format email\n")
    t, reqid, fields, _ = sso(server, sp, a)
    authn = sp.parse_response(fields["SAMLResponse"], reqid)
    assert authn.ava == {"uid": ["alice"]}
    assert authn.name_id.text == "alice@example.org"


def test_keyinfo_key_signs_without_the_certificate(fed):
    """signature_keyinfo key: both signatures carry the RSA key, not the
    certificate; pysaml2 (xmlsec1) verifies them against the metadata and
    still refuses an altered response."""
    server, sp, a = fed(sp_conf="signature_keyinfo key\n")
    t, reqid, fields, _ = sso(server, sp, a)
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert len(re.findall(r"<(\w+:)?RSAKeyValue>", xml)) == 2
    assert "X509Certificate" not in xml
    altered = base64.b64encode(xml.replace(
        "alice@example.org", "mallory@example.org").encode()).decode()
    with pytest.raises(Exception):
        sp.parse_response(altered, reqid)
    authn = sp.parse_response(fields["SAMLResponse"], reqid)
    assert authn.ava["mail"] == ["alice@example.org"]


XMLENC11 = "http://www.w3.org/2009/xmlenc11#"
XMLENC = "http://www.w3.org/2001/04/xmlenc#"


@pytest.mark.parametrize("conf,method", [
    (None, XMLENC11 + "aes256-gcm"),        # the default
    ("encryption_method aes128-gcm\n", XMLENC11 + "aes128-gcm"),
    ("encryption_method aes256-gcm\nsignature_keyinfo key\n",
     XMLENC11 + "aes256-gcm"),
    ("encryption_method aes256-cbc\n", XMLENC + "aes256-cbc"),   # fallback
])
def test_encrypted_assertion_when_sp_publishes_a_key(fed, conf, method):
    """pysaml2 (xmlsec1) decrypts what mutua (GCM) or lasso (CBC)
    encrypted, and checks both signatures; the key travels by RSA-OAEP
    and nothing of the assertion is readable in the response."""
    server, sp, a = fed(sp_conf=conf, encrypt=True)
    t, reqid, fields, _ = sso(server, sp, a)
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert "EncryptedAssertion" in xml and 'Algorithm="%s"' % method in xml
    assert XMLENC + "rsa-oaep-mgf1p" in xml
    assert "alice@example.org" not in xml and "<saml:Assertion" not in xml
    assert ("RSAKeyValue" in xml) == ("signature_keyinfo key" in (conf or ""))
    authn = sp.parse_response(fields["SAMLResponse"], reqid)
    assert authn.ava["mail"] == ["alice@example.org"]
    assert authn.assertion.signature is not None


def test_encrypted_assertion_is_refused_when_altered(fed):
    """AES-GCM authenticates the ciphertext, and the Response signature
    covers it: a changed byte is refused either way."""
    server, sp, a = fed(encrypt=True)
    t, reqid, fields, _ = sso(server, sp, a)
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    cipher = re.findall(r"<(?:\w+:)?CipherValue>([^<]+)<", xml)[-1]
    flipped = cipher[:40] + ("A" if cipher[40] != "A" else "B") + \
        cipher[41:]
    altered = base64.b64encode(xml.replace(cipher, flipped).encode())
    with pytest.raises(Exception):
        sp.parse_response(altered.decode(), reqid)


def test_session_is_reused_without_a_second_login(fed):
    server, sp, a = fed()
    t, _, _, _ = sso(server, sp, a)
    reqid, url = sp.authn_request()
    r = t.s.get(url, allow_redirects=False)
    action, fields = post_form(r.text)
    assert action == ACS
    assert sp.parse_response(fields["SAMLResponse"], reqid) is not None
    assert a.pending().json()["requests"] == []


def test_force_authn_requires_a_new_out_of_band_login(fed):
    server, sp, a = fed()
    t, _, _, _ = sso(server, sp, a)
    reqid, url = sp.authn_request(force_authn="true")
    r = t.s.get(url, allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(
        "/login?c=")


def test_is_passive_without_session_answers_no_passive(fed):
    server, sp, a = fed()
    t = Terminal(server.base)
    reqid, url = sp.authn_request(is_passive="true")
    action, fields = post_form(t.s.get(url, allow_redirects=False).text)
    assert action == ACS
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert "status:NoPassive" in xml and "Assertion" not in xml


def test_unmet_authn_context_answers_no_authn_context(fed):
    from saml2.samlp import RequestedAuthnContext
    from saml2.saml import AuthnContextClassRef
    server, sp, a = fed()
    rac = RequestedAuthnContext(
        authn_context_class_ref=[AuthnContextClassRef(LOA3)],
        comparison="minimum")
    t = Terminal(server.base)
    reqid, url = sp.authn_request(requested_authn_context=rac)
    r = login_through(t, url, "alice", a)
    action, fields = post_form(t.get(r.headers["location"]).text)
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert "status:NoAuthnContext" in xml and "<saml:Assertion" not in xml


def test_unknown_sp_gets_an_error_page(open_fed):
    server, sp, a = open_fed
    _, xml = raw_request(server, issuer="https://unknown.test/sp")
    assert_refused(server, requests.get(redirect_url(server, xml),
                   allow_redirects=False), "not in the federation")


def test_acs_url_not_in_metadata_gets_an_error_page(open_fed):
    server, sp, a = open_fed
    _, xml = raw_request(server, acs="https://evil.test/acs")
    assert_refused(server, requests.get(redirect_url(server, xml),
                   allow_redirects=False), "AssertionConsumerServiceURL")


def test_unsigned_request_refused_when_sp_signs(fed):
    server, sp, a = fed(sign_requests=True)
    _, xml = raw_request(server)
    assert_refused(server, requests.get(redirect_url(server, xml),
                   allow_redirects=False), "must sign")


def test_replayed_request_id_is_refused(open_fed):
    server, sp, a = open_fed
    rid, xml = raw_request(server)
    url = redirect_url(server, xml)
    assert requests.get(url, allow_redirects=False).status_code == 303
    assert_refused(server, requests.get(url, allow_redirects=False),
                   "replay")


def test_expired_request_is_refused(open_fed):
    server, sp, a = open_fed
    _, xml = raw_request(server, instant="2020-01-01T00:00:00Z")
    assert_refused(server, requests.get(redirect_url(server, xml),
                   allow_redirects=False), "expired")


def test_doctype_and_external_entities_are_refused(open_fed):
    server, sp, a = open_fed
    dtd = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
           '"file:///etc/passwd">]>')
    _, xml = raw_request(server, dtd=dtd, extra="<x>&e;</x>")
    r = requests.get(redirect_url(server, xml), allow_redirects=False)
    assert_refused(server, r, "malformed")
    assert "root:" not in r.text


def test_deflate_bomb_is_refused(open_fed):
    server, sp, a = open_fed
    # About 1.5 KB on the wire (Kore caps URIs at 2000 bytes: 414 above),
    # 1 MB once inflated; lasso inflates at most 20 times the input.
    bomb = b"<" + b"a" * (1024 * 1024) + b">"
    url = redirect_url(server, bomb)
    assert len(url) < 2000
    assert_refused(server, requests.get(url, allow_redirects=False),
                   "malformed")
    assert requests.get(server.base + "/healthz").status_code == 200


def test_oversized_redirect_is_dropped_and_server_lives(open_fed):
    server, sp, a = open_fed
    url = server.base + "/saml/sso?SAMLRequest=" + "A" * 40000
    try:
        r = requests.get(url, allow_redirects=False)
        assert r.status_code >= 400 and "SAMLResponse" not in r.text
    except requests.ConnectionError:
        pass        # Kore closes a connection whose headers are too large
    assert requests.get(server.base + "/healthz").status_code == 200


def test_oversized_post_is_refused(open_fed):
    server, sp, a = open_fed
    r = requests.post(server.base + "/saml/sso",
                      data={"SAMLRequest": "A" * 100000})
    assert r.status_code in (400, 413)
    assert "SAMLResponse" not in r.text


def test_malformed_messages_are_refused(open_fed):
    server, sp, a = open_fed
    for q in ("SAMLRequest=%%%", "SAMLRequest=bm90IHhtbA==", "x=1", ""):
        r = requests.get(server.base + "/saml/sso?" + q,
                         allow_redirects=False)
        assert r.status_code == 400, q
    r = requests.post(server.base + "/saml/sso",
                      data={"SAMLRequest": "PHg+PC94Pg=="})
    assert r.status_code == 400


def test_metadata_is_signed_and_cacheable(open_fed):
    import subprocess
    server, sp, a = open_fed
    r = requests.get(server.base + "/saml/metadata")
    assert r.status_code == 200
    assert "max-age=3600" in r.headers["cache-control"]
    assert "validUntil=" in r.text and "SingleLogoutService" in r.text
    path = server.path("md.xml")
    with open(path, "w") as f:
        f.write(r.text)
    out = subprocess.run(
        ["xmlsec1", "--verify", "--pubkey-cert-pem",
         server.path("keys", "saml-signing.crt"), "--id-attr:ID",
         "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor", path],
        capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    tampered = r.text.replace("/saml/sso", "/saml/evil")
    with open(path, "w") as f:
        f.write(tampered)
    out = subprocess.run(
        ["xmlsec1", "--verify", "--pubkey-cert-pem",
         server.path("keys", "saml-signing.crt"), "--id-attr:ID",
         "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor", path],
        capture_output=True, text=True)
    assert out.returncode != 0


def test_broken_sp_file_is_reported_and_others_load(new_server):
    d = tempfile.mkdtemp(prefix="mutua-sp-")
    fdir = os.path.join(d, "federation")
    sp = SamlSP(os.path.join(d, "sp"))
    sp.publish(fdir)
    with open(os.path.join(fdir, "broken.xml"), "w") as f:
        f.write("<md:EntityDescriptor")
    with open(os.path.join(fdir, "badconf.xml"), "w") as f:
        f.write(SamlSP(os.path.join(d, "sp2"),
                       entity="https://sp2.test/md").metadata())
    with open(os.path.join(fdir, "badconf.conf"), "w") as f:
        f.write("attributes mail shoeSize\n")
    s = new_server("sp_dir %s" % fdir)
    s.start()
    sp.connect(s.base)
    reqid, url = sp.authn_request()
    assert requests.get(url, allow_redirects=False).status_code == 303
    s.stop()
    log = s.read_log()
    assert "event=saml.sp.error file=%s/broken.xml" % fdir in log
    assert "badconf.conf:1 reason=" in log
    assert "entity_id=https://sp.test/metadata" in log


def test_sp_initiated_single_logout(fed):
    from saml2.sigver import verify_redirect_signature
    from saml_sp import SLO
    server, sp, a = fed()
    t, reqid, fields, _ = sso(server, sp, a)
    authn = sp.parse_response(fields["SAMLResponse"], reqid)
    assert sp.client.is_logged_in(authn.name_id)
    out = sp.client.global_logout(authn.name_id)
    binding, info = out[sp.idp]
    r = t.s.get(dict(info["headers"])["Location"], allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(SLO)
    qs = urllib.parse.parse_qs(urllib.parse.urlsplit(
        r.headers["location"]).query)
    assert verify_redirect_signature(
        {k: v[0] for k, v in qs.items()}, sp.client.sec.sec_backend,
        cert=sp.client.metadata.certs(sp.idp, "idpsso", "signing")[0])
    lr = sp.client.parse_logout_request_response(qs["SAMLResponse"][0],
                                                  BINDING_HTTP_REDIRECT)
    assert sp.client.handle_logout_response(lr)[0] == 0
    assert not sp.client.is_logged_in(authn.name_id)
    # The IdP session is gone too: the next request needs a login.
    assert t.get("/account").headers["location"] == "/login"
    assert "saml.logout.from_sp" in (server.stop() or server.read_log())


def test_idp_initiated_logout_from_account(fed):
    from saml_sp import SLO
    from terminal import field
    server, sp, a = fed()
    t, reqid, fields, _ = sso(server, sp, a)
    authn = sp.parse_response(fields["SAMLResponse"], reqid)
    csrf = field(t.get("/account").text, "csrf")
    r = t.post("/logout", {"csrf": csrf})
    assert r.status_code == 303 and r.headers["location"].startswith(SLO)
    qs = urllib.parse.parse_qs(urllib.parse.urlsplit(
        r.headers["location"]).query)
    req = sp.client.parse_logout_request(qs["SAMLRequest"][0],
                                         BINDING_HTTP_REDIRECT)
    assert req.message.name_id.text == authn.name_id.text
    resp = sp.client.handle_logout_request(
        qs["SAMLRequest"][0], authn.name_id, BINDING_HTTP_REDIRECT)
    back = dict(resp["headers"])["Location"]
    r = t.s.get(back, allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert t.get("/account").headers["location"] == "/login"


def test_unsigned_logout_request_is_refused(fed):
    server, sp, a = fed()
    t, reqid, fields, _ = sso(server, sp, a)
    xml = ('<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:'
           'protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
           'ID="_x1" Version="2.0" IssueInstant="2030-01-01T00:00:00Z">'
           '<saml:Issuer>%s</saml:Issuer><saml:NameID>x</saml:NameID>'
           '</samlp:LogoutRequest>' % SP_ENTITY)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    q = urllib.parse.urlencode({"SAMLRequest": base64.b64encode(
        c.compress(xml.encode()) + c.flush()).decode()})
    r = t.s.get(server.base + "/saml/slo?" + q, allow_redirects=False)
    assert r.status_code == 400
    # The IdP session survived the forged request.
    assert t.get("/account").status_code == 200


def test_replay_refused_when_answered_from_a_session(fed):
    # The ID is recorded in the same commit as the answer.
    server, sp, a = fed()
    t, _, _, _ = sso(server, sp, a)
    reqid, url = sp.authn_request()
    action, fields = post_form(t.s.get(url, allow_redirects=False).text)
    assert action == ACS
    r = t.s.get(url, allow_redirects=False)
    assert_refused(server, r, "replay")


def sso_raw(server, sp, a, xml):
    """A hand-made request through the login; returns the SP's form."""
    t = Terminal(server.base)
    r = login_through(t, redirect_url(server, xml), "alice", a)
    assert r.status_code == 303, (r.status_code, r.text[:300])
    page = t.get(r.headers["location"])
    assert page.status_code == 200, (page.status_code, page.text[:300])
    return post_form(page.text)


# SAML 2.0 core §3.4.1: everything below is optional in an AuthnRequest.
OPTIONAL_PARTS = {
    "no NameIDPolicy, ACS by URL": (None, ""),
    "NameIDPolicy without Format": (None, '<samlp:NameIDPolicy '
                                    'AllowCreate="true"/>'),
    "ACS by index, no ProtocolBinding":
        ('AssertionConsumerServiceIndex="1"', ""),
    "no ACS and no binding: the default ACS": ("", ""),
    "AttributeConsumingServiceIndex":
        ('AttributeConsumingServiceIndex="0"', ""),
    "Scoping with ProxyCount 0": (None, '<samlp:Scoping ProxyCount="0"/>'),
}


@pytest.mark.parametrize("part", sorted(OPTIONAL_PARTS))
def test_optional_parts_of_an_authn_request(open_fed, part):
    server, sp, a = open_fed
    endpoint, extra = OPTIONAL_PARTS[part]
    rid, xml = raw_request(server, endpoint=endpoint, extra=extra)
    action, fields = sso_raw(server, sp, a, xml)
    assert action == ACS
    authn = sp.parse_response(fields["SAMLResponse"], rid)
    # The SP's default format (TRANSIENT unless its .conf says).
    assert authn.name_id.format == TRANSIENT
    assert authn.ava["mail"] == ["alice@example.org"]


def subject(name, fmt=None):
    return ('<saml:Subject><saml:NameID%s>%s</saml:NameID></saml:Subject>'
            % (' Format="%s"' % fmt if fmt else "", name))


UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"


@pytest.mark.parametrize("named,matches", [
    (subject("alice"), True),
    (subject("alice", UNSPECIFIED), True),
    (subject("Alice@Example.org", EMAIL), True),
    (subject("bob"), False),
    (subject("bob@example.org", EMAIL), False),
    (subject("alice", TRANSIENT), False),
    (subject("_0123456789abcdef", PERSISTENT), False),
])
def test_subject_in_the_request_must_be_the_user(open_fed, named,
                                                 matches):
    """SAML 2.0 core §3.4.1: an assertion only about the named subject;
    anyone else gets AuthnFailed and no assertion."""
    server, sp, a = open_fed
    rid, xml = raw_request(server, extra=named)
    action, fields = sso_raw(server, sp, a, xml)
    response = base64.b64decode(fields["SAMLResponse"]).decode()
    if matches:
        assert sp.parse_response(fields["SAMLResponse"], rid) is not None
    else:
        assert "status:AuthnFailed" in response, response[:800]
        assert "<saml:Assertion" not in response


def test_subject_named_by_its_persistent_id(open_fed):
    server, sp, a = open_fed
    policy = '<samlp:NameIDPolicy Format="%s"/>' % PERSISTENT
    rid, xml = raw_request(server, extra=policy)
    _, fields = sso_raw(server, sp, a, xml)
    pseudonym = sp.parse_response(fields["SAMLResponse"], rid).name_id.text
    rid, xml = raw_request(server, extra=subject(pseudonym, PERSISTENT) +
                           policy)
    _, fields = sso_raw(server, sp, a, xml)
    authn = sp.parse_response(fields["SAMLResponse"], rid)
    assert authn.name_id.text == pseudonym
