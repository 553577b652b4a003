"""SAML 2.0 Web SSO against pysaml2, an SP implementation independent of
lasso: its own metadata, its own signature checks (xmlsec1)."""
import base64
import os
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
    assert action == ACS, page[:500]
    return t, reqid, fields, r.rp


def test_sp_initiated_sso_redirect_binding(fed):
    server, sp, a = fed()
    t, reqid, fields, rp = sso(server, sp, a)
    assert rp == SP_ENTITY          # the authenticator showed the SP
    assert fields["RelayState"] == "/x"
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert "xmldsig-more#rsa-sha256" in xml and "rsa-sha1" not in xml
    authn = sp.parse_response(fields["SAMLResponse"], reqid)
    assert authn is not None
    assert authn.name_id.format == TRANSIENT
    assert authn.ava["mail"] == ["alice@example.org"]
    assert authn.ava["displayName"] == ["Alice Example"]
    assert authn.ava["eduPersonPrincipalName"] == ["alice@127.0.0.1"]
    classref = authn.authn_info()[0][0]
    # The harness keeps the default LoA2 URI of config.c.
    assert classref == LOA2
