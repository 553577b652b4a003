"""X.1280 Annex A, user password automatic renewal (password_renewal in
idp.conf, docs/security.md): after an out-of-band login the password a
phisher may have taken no longer works; with the option off it does.
The password only matters once no authenticator is bound (X.1280
9.2.1), so each test revokes the binding before trying it."""
import pytest

from mutua_server import MutuaServer
from terminal import Terminal
from test_oob import PASSWORD, enrol, pending_one


def oob_login_then_revoke(server):
    alice = enrol(server)
    t = Terminal(server.base)
    assert t.start("alice").headers["location"] == "/login/code"
    req = pending_one(alice)
    assert alice.decide(req["request_id"], req["offset"]).status_code == 200
    assert t.continue_login().headers["location"] == "/account"
    server.mutuactl("binding", "revoke", alice.binding)


@pytest.mark.parametrize("renewal", ["yes", "no"])
def test_password_after_oob_login(renewal):
    server = MutuaServer("password_renewal %s" % renewal)
    try:
        server.start()
        oob_login_then_revoke(server)
        r = Terminal(server.base).password_login("alice", PASSWORD)
        audit = server.mutuactl("audit", "export").stdout
        if renewal == "yes":
            assert r.status_code == 401 and "Wrong user ID or password" \
                in r.text, r.text[:300]
            assert "password.renewed" in audit
        else:
            assert r.headers["location"] == "/account", r.text[:300]
            assert "password.renewed" not in audit
    finally:
        server.cleanup()
