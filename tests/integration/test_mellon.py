"""SAML Web SSO with Apache mod_auth_mellon, an SP built on lasso as
deployed: the X.1280 login, then an assertion it decrypts (AES-GCM by
default, CBC when configured) and accepts, with the attributes it
passes on to the protected page; also as one of 10,000 SPs of a
federation's aggregate served over HTTP, the only place mutua knows it
from."""
import os
import tempfile

import pytest

from mellon_sp import MellonSP
from terminal import Terminal, login_through
from test_oob import enrol
from saml_sp import post_form
from test_saml_metadata import Federation, Publisher, wait_log


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


def test_mellon_known_only_from_a_10000_entity_aggregate(new_server):
    """The UK federation's size (docs/performance.md): the aggregate,
    signed with xmlsec1, comes over HTTP; mellon's metadata is nowhere
    else."""
    d = tempfile.mkdtemp(prefix="mutua-mellon-fed-")
    fed = Federation(d)
    pub = Publisher(d)
    sp = MellonSP(os.path.join(d, "apache"))
    try:
        fed.publish([sp], count=9999)
        os.makedirs(os.path.join(d, "empty"))
        server = new_server(fed.conf(url=pub.url) + "sp_dir %s\n" %
                            os.path.join(d, "empty"))
        server.start()
        wait_log(server, "event=saml.metadata.loaded source=fed "
                 "entities=10000", timeout=180)
        sp.start(server.base)
        t, fields, r = sign_in(server, sp, enrol(server))
        assert r.status_code == 200 and r.text == "secret\n", \
            (r.status_code, sp.log()[-2000:])
        assert r.headers["X-mail"] == "alice@example.org"
    finally:
        sp.stop()
        pub.close()


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
