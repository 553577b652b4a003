"""Users from an LDAP directory (docs/configuration.md, LDAP user source):
a real OpenLDAP slapd on 127.0.0.1 with a small test tree (ldap_server.py).
Passwords are checked by a bind as the user, the local record is keyed by
entryUUID, a disabled or missing entry cannot sign in whatever it holds,
and a directory that is down stops only its own users."""
import os
import re

import pytest

from ldap_server import LdapServer, PEOPLE, SERVICE_PW
from oob_client import Authenticator
from terminal import Terminal, field
from test_oob import add_user, PASSWORD, pending_one


@pytest.fixture
def ldap():
    d = LdapServer()
    d.start()
    yield d
    d.cleanup()


def password_file(server, secret=SERVICE_PW, mode=0o600):
    path = server.path("ldap.pw")
    with open(path, "w") as f:
        f.write(secret + "\n")
    os.chmod(path, mode)
    return path


@pytest.fixture
def dserver(new_server, ldap):
    """A started mutua whose user source is the test directory."""
    def make(extra=""):
        s = new_server()
        with open(s.conf, "a") as f:
            f.write(ldap.conf_for_mutua(password_file(s), extra))
        s.start()
        return s
    return make


def password(t, user, secret):
    """The password step (after the user ID step) as a browser does it."""
    csrf = t.csrf()
    r = t.post("/login/start", {"csrf": csrf, "user": user})
    assert r.status_code == 200 and "Enter your password" in r.text, r.text
    return t.post("/login/password", {"csrf": csrf, "user": user,
                                      "password": secret})


def enrol_dir(server, user, secret):
    """Directory password, then an authenticator from /account."""
    t = Terminal(server.base)
    r = password(t, user, secret)
    assert r.headers.get("location") == "/account", r.text[:300]
    a = Authenticator(server.base)
    assert a.register(t.registration_code()).status_code == 201
    return a


def oob_login(server, user, a):
    t = Terminal(server.base)
    r = t.start(user)
    assert r.headers.get("location") == "/login/code", r.text[:300]
    req = pending_one(a)
    assert a.decide(req["request_id"], req["offset"]).status_code == 200
    r = t.continue_login()
    assert r.status_code == 303, r.text[:300]
    return t


def users(server):
    return {line.split("\t")[0]: line.split("\t")
            for line in server.mutuactl("user", "list").stdout.splitlines()}


def test_directory_password_creates_local_record_from_entry(dserver):
    s = dserver()
    t = Terminal(s.base)
    assert "alice" not in users(s)
    r = password(t, "alice", "alice-secret")
    assert r.headers.get("location") == "/account", r.text[:300]
    row = users(s)["alice"]
    # Name and e-mail come from the entry; no password hash is kept.
    assert row[2:4] == ["alice@example.org", "Alice Smith"]
    assert "alice-secret" not in s.read_log()


def test_directory_wrong_password_refused(dserver):
    s = dserver()
    r = password(Terminal(s.base), "alice", "not-her-password")
    assert r.status_code == 401 and "Wrong user ID or password" in r.text
    # An empty password would be an unauthenticated bind that succeeds.
    r = password(Terminal(s.base), "alice", " ")
    assert r.status_code == 401
    assert "alice" not in users(s)


def test_directory_user_signs_in_with_authenticator_and_password_no_more(
        dserver):
    s = dserver()
    a = enrol_dir(s, "alice", "alice-secret")
    oob_login(s, "alice", a)
    # X.1280 9.2.1: with an authenticator, the password is not enough.
    r = Terminal(s.base).post("/login/password", {
        "csrf": Terminal(s.base).csrf(), "user": "alice",
        "password": "alice-secret"})
    assert r.status_code in (400, 401, 403)


def test_disabled_entry_refused_even_with_authenticator(dserver, ldap):
    s = dserver()
    a = enrol_dir(s, "bob", "bob-secret")
    oob_login(s, "bob", a)
    ldap.modify(f"dn: uid=bob,{PEOPLE}\nchangetype: modify\n"
                "add: employeeType\nemployeeType: disabled\n")
    t = Terminal(s.base)
    r = t.start("bob")
    # No code is shown and no request reaches the authenticator.
    assert "Enter your password" in r.text and r.status_code == 200
    assert a.pending().json()["requests"] == []
    r = password(Terminal(s.base), "bob", "bob-secret")
    assert r.status_code == 401


def test_deleted_entry_refused(dserver, ldap):
    s = dserver()
    a = enrol_dir(s, "bob", "bob-secret")
    subprocess_delete(ldap, f"uid=bob,{PEOPLE}")
    r = Terminal(s.base).start("bob")
    assert "Enter your password" in r.text
    assert a.pending().json()["requests"] == []


def subprocess_delete(ldap, dn):
    ldap.modify(f"dn: {dn}\nchangetype: delete\n")


def test_renamed_entry_keeps_its_authenticator(dserver, ldap):
    s = dserver()
    a = enrol_dir(s, "alice", "alice-secret")
    ldap.modify(f"dn: uid=alice,{PEOPLE}\nchangetype: modrdn\n"
                "newrdn: uid=alicia\ndeleteoldrdn: 1\n")
    # The new name reaches the same record (entryUUID) and its binding.
    t = oob_login(s, "alicia", a)
    assert "alice" in t.get("/account").text
    assert "alicia" not in users(s)
    # The old name is no one's any more.
    assert "Enter your password" in Terminal(s.base).start("alice").text


def test_directory_down_clear_page_log_line_local_users_served(
        dserver, ldap):
    s = dserver()
    a = enrol_dir(s, "alice", "alice-secret")
    add_user(s, "carol")
    ldap.stop()
    r = Terminal(s.base).start("alice")
    assert r.status_code == 503 and "Directory unavailable" in r.text
    assert a.pending().json()["requests"] == []
    assert re.search(r"event=directory .*outcome=unreachable", s.read_log())
    r = Terminal(s.base).password_login("carol", PASSWORD)
    assert r.headers.get("location") == "/account"
    # Back up: the workers connect again.
    ldap.start()
    oob_login(s, "alice", a)


def test_wrong_service_password_is_fatal_at_start(new_server, ldap):
    s = new_server()
    with open(s.conf, "a") as f:
        f.write(ldap.conf_for_mutua(password_file(s, "wrong")))
    assert s.start(expect_failure=True) != 0
    assert "the service bind as \"cn=mutua service,ou=system," in \
        s.read_log()


def test_readable_service_password_file_is_fatal(new_server, ldap):
    s = new_server()
    with open(s.conf, "a") as f:
        f.write(ldap.conf_for_mutua(password_file(s, mode=0o644)))
    assert s.start(expect_failure=True) != 0
    assert "must not be accessible by group or others" in s.read_log()


def test_unreachable_directory_at_start_is_logged_local_users_served(
        new_server, ldap):
    ldap.stop()
    s = new_server()
    with open(s.conf, "a") as f:
        f.write(ldap.conf_for_mutua(password_file(s)))
    s.start()
    assert "directory=unreachable" in s.read_log()
    add_user(s, "carol")
    r = Terminal(s.base).password_login("carol", PASSWORD)
    assert r.headers.get("location") == "/account"


@pytest.mark.parametrize("user", ["*", "al*", "alice)(uid=*",
                                  "alice\\2a", "(uid=*)"])
def test_ldap_injection_in_user_id_refused(dserver, user):
    s = dserver()
    t = Terminal(s.base)
    r = t.start(user)
    # Kore's validator drops it, or login_user_normalize() refuses it.
    assert r.status_code == 400 and ("not a valid user ID" in r.text or
                                     "Enter your user ID" in r.text)
    r = t.post("/login/password", {"csrf": t.csrf(), "user": user,
                                   "password": "alice-secret"})
    assert r.status_code == 400
    assert users(s) == {}
