"""/account: a backup authenticator, suspension of a lost one with the
other (X.1280 9.2.2), and "sign out everywhere"."""
import re

from oob_client import Authenticator
from terminal import Terminal, field
from test_oob import enrol


def login(server, authenticators, user="alice"):
    """Signs in with the first of authenticators that can: the login
    page offers the most recently used one, "Use another authenticator"
    the next. Returns the terminal and the authenticator that approved."""
    t = Terminal(server.base)
    assert t.start(user).headers["location"] == "/login/code"
    for _ in range(4):
        for a in authenticators:
            r = a.pending()
            reqs = r.json()["requests"] if r.status_code == 200 else []
            if reqs:
                r = a.decide(reqs[0]["request_id"], reqs[0]["offset"])
                assert r.status_code == 200, r.text
                assert t.continue_login().headers["location"] == \
                    "/account"
                return t, a
        csrf = field(t.get("/login/code").text, "csrf")
        assert t.post("/login/switch", {"csrf": csrf}).status_code == 303
    raise AssertionError("no authenticator got the request")


def add_backup(server, t):
    """The account page's 'Add a backup authenticator', registered."""
    page = t.get("/account").text
    assert 'id="add">Add a backup authenticator<' in page
    b = Authenticator(server.base)
    assert b.register(t.registration_code(), label="backup phone",
                      auth_id="dev-2").status_code == 201
    return b


def suspend(t, binding):
    csrf = field(t.get("/account").text, "csrf")
    return t.post("/account/suspend", {"csrf": csrf, "binding": binding})


def test_suspend_needs_another_authenticator(server):
    a = enrol(server)
    t, used = login(server, [a])
    b = add_backup(server, t)
    # Signed in with a: a cannot vouch for itself.
    r = suspend(t, a.binding)
    assert r.status_code == 403 and "help desk" in r.text
    assert "test phone" in r.text
    assert a.pending().status_code == 200

    # Signed in with the backup, the lost one is suspended at once.
    t2, used = login(server, [b])
    assert used is b
    assert suspend(t2, a.binding).headers["location"] == "/account"
    r = a.pending()
    assert r.status_code == 403 and r.json()["error"] == "binding_inactive"
    page = t2.get("/account").text
    assert re.search(r"<td>test phone</td><td>LoA2</td><td>suspended</td>",
                     page), page
    audit = server.mutuactl("audit", "export", check=False).stdout
    if audit:
        assert "binding.suspend.refused" in audit
        assert "binding.suspended" in audit

    # The next login goes to the backup, the only active one.
    t3, used = login(server, [a, b])
    assert used is b


def test_suspend_refuses_a_password_session_and_foreign_bindings(server):
    a = enrol(server)
    other = enrol(server, "bob")
    t, _ = login(server, [a])
    r = suspend(t, other.binding)
    assert r.status_code == 404
    assert other.pending().status_code == 200
    r = suspend(t, "0" * 32)
    assert r.status_code == 404
    r = t.post("/account/suspend", {"csrf": "0" * 64, "binding": a.binding})
    assert r.status_code == 403 and "Form expired" in r.text


def test_sign_out_everywhere_ends_every_session(server):
    a = enrol(server)
    t1, _ = login(server, [a])
    t2, _ = login(server, [a])
    assert t1.get("/account").status_code == 200
    csrf = field(t2.get("/account").text, "csrf")
    r = t2.post("/account/signout-all", {"csrf": csrf})
    assert r.status_code == 200 and "Signed out everywhere" in r.text
    for t in (t1, t2):
        r = t.get("/account")
        assert r.status_code == 303 and r.headers["location"] == "/login"
