"""SAML Web SSO with Apache mod_auth_mellon, an SP built on lasso as
deployed: the X.1280 login, then an assertion it decrypts (AES-GCM by
default, CBC when configured) and accepts, with the attributes it
passes on to the protected page."""
import os
import tempfile

import pytest

from mellon_sp import MellonSP
from terminal import Terminal, login_through
from test_oob import enrol
from saml_sp import post_form


@pytest.fixture
def mellon(new_server):
    """A server whose federation holds one mellon SP; alice enrolled."""
    peers = []

    def make(sp_conf=None):
        d = tempfile.mkdtemp(prefix="mutua-mellon-")
        sp = MellonSP(os.path.join(d, "apache"))
        peers.append(sp)
        sp.publish(os.path.join(d, "federation"),
                   extra_conf=sp_conf)
        s = new_server("sp_dir %s" % os.path.join(d, "federation"))
        s.start()
        sp.start(s.base)
        return s, sp, enrol(s)
    yield make
    for sp in peers:
        sp.stop()


def to_idp(t, sp, server):
    """Asks mellon for /secret/index.html; returns where it sends the browser at
    mutua (through its /mellon/login)."""
    r = t.s.get(sp.base + "/secret/index.html", allow_redirects=False)
    assert r.status_code in (302, 303), (r.status_code, sp.log()[-2000:])
    r = t.s.get(r.headers["location"], allow_redirects=False)
    assert r.status_code in (302, 303), (r.status_code, sp.log()[-2000:])
    assert r.headers["location"].startswith(server.base + "/saml/sso?")
    return r.headers["location"]


def sign_in(server, sp, a):
    """The browser asks mellon for a protected page, signs in at mutua, posts
    the answer to mellon and comes back; returns the last response."""
    t = Terminal(server.base)
    r = login_through(t, to_idp(t, sp, server), "alice", a)
    page = t.get(r.headers["location"]).text
    action, fields = post_form(page)
    assert action == sp.base + "/mellon/postResponse", page[:300]
    r = t.s.post(action, data=fields, allow_redirects=False)
    assert r.status_code in (302, 303), (r.status_code, sp.log()[-2000:])
    return t, fields, t.s.get(r.headers["location"], allow_redirects=False)


@pytest.mark.parametrize("conf,method", [
    (None, "xmlenc11#aes256-gcm"),
    ("encryption_method aes256-cbc\n", "xmlenc#aes256-cbc"),
])
def test_mellon_decrypts_and_accepts_the_assertion(mellon, conf, method):
    import base64
    server, sp, a = mellon(conf)
    t, fields, r = sign_in(server, sp, a)
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert method in xml and "alice@example.org" not in xml
    assert r.status_code == 200 and r.text == "secret\n", \
        (r.status_code, sp.log()[-2000:])
    assert r.headers["X-mail"] == "alice@example.org"
    assert r.headers["X-displayName"] == "Alice Example"
    assert r.headers["X-eppn"] == "alice@127.0.0.1"
    assert r.headers["X-Name-ID"]
    # The mellon session holds: no second login.
    again = t.s.get(sp.base + "/secret/index.html", allow_redirects=False)
    assert again.status_code == 200


def test_mellon_refuses_an_altered_response(mellon):
    import base64
    server, sp, a = mellon()
    t = Terminal(server.base)
    r = login_through(t, to_idp(t, sp, server), "alice", a)
    action, fields = post_form(t.get(r.headers["location"]).text)
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    fields["SAMLResponse"] = base64.b64encode(
        xml.replace("Success", "Successs").encode()).decode()
    r = t.s.post(action, data=fields, allow_redirects=False)
    assert r.status_code >= 400
    assert t.s.get(sp.base + "/secret/index.html",
                   allow_redirects=False).status_code in (302, 303)
