"""Users from an LDAP directory (docs/configuration.md, LDAP user source):
a real OpenLDAP slapd on 127.0.0.1 with a small test tree (ldap_server.py).
Passwords are checked by a bind as the user, the local record is keyed by
entryUUID, a disabled or missing entry cannot sign in whatever it holds,
and a directory that is down stops only its own users."""
import base64
import html
import json
import os
import re
import subprocess
import tempfile

import pytest

from ldap_server import LdapServer, PEOPLE, SERVICE_PW, self_signed
from oob_client import Authenticator
from saml_sp import SamlSP, post_form
from terminal import Terminal, field, login_through
from test_oidc import CALLBACK, RP, SECRET, scrypt_hash
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
    ldap.modify(f"dn: uid=bob,{PEOPLE}\nchangetype: delete\n")
    r = Terminal(s.base).start("bob")
    assert "Enter your password" in r.text
    assert a.pending().json()["requests"] == []


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


def directory_federation(new_server, ldap, sp_conf, clients=None):
    """mutua with the test directory, one pysaml2 SP whose release policy
    is sp_conf, and OAuth clients (name -> JSON document)."""
    d = tempfile.mkdtemp(prefix="mutua-dir-fed-")
    sp = SamlSP(os.path.join(d, "sp"))
    sp.publish(os.path.join(d, "federation"), extra_conf=sp_conf)
    os.makedirs(os.path.join(d, "clients"))
    for name, doc in (clients or {}).items():
        with open(os.path.join(d, "clients", name + ".json"), "w") as f:
            json.dump(doc, f)
    s = new_server("sp_dir %s\nclients_dir %s" % (
        os.path.join(d, "federation"), os.path.join(d, "clients")))
    with open(s.conf, "a") as f:
        f.write(ldap.conf_for_mutua(password_file(s)))
    s.start()
    sp.connect(s.base)
    return s, sp


def saml_ava(server, sp, a, user="alice"):
    t = Terminal(server.base)
    reqid, where = sp.authn_request()
    r = login_through(t, where, user, a)
    page = t.get(r.headers["location"]).text
    action, fields = post_form(page)
    authn = sp.parse_response(fields["SAMLResponse"], reqid)
    assert authn is not None
    return authn.ava


def test_directory_attributes_reach_saml_sp_and_group_change_shows(
        new_server, ldap):
    ldap.group("staff", "alice", "bob")
    s, sp = directory_federation(
        new_server, ldap, "attributes givenName sn mail displayName "
        "eduPersonAffiliation eduPersonEntitlement isMemberOf\n")
    a = enrol_dir(s, "alice", "alice-secret")
    ava = saml_ava(s, sp, a)
    assert ava["givenName"] == ["Alice"] and ava["sn"] == ["Smith"]
    assert ava["mail"] == ["alice@example.org"]
    assert ava["displayName"] == ["Alice Smith"]
    assert sorted(ava["eduPersonAffiliation"]) == ["member", "staff"]
    assert ava["eduPersonEntitlement"] == [
        "urn:mace:example.org:entitlement:wiki"]
    assert ava["isMemberOf"] == ["staff"]
    # The SP's policy does not list cn or ePPN: not released.
    assert "cn" not in ava and "eduPersonPrincipalName" not in ava
    # Fetched at sign-in: a new group shows at the next one.
    ldap.group("wiki-admins", "alice")
    assert sorted(saml_ava(s, sp, a)["isMemberOf"]) == ["staff",
                                                        "wiki-admins"]
    # Nothing from the directory in the log.
    log = s.read_log()
    assert "wiki-admins" not in log and "Alice Smith" not in log


def rp(step, **a):
    p = subprocess.run(["node", RP, step, json.dumps(a)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["ok"], out
    return out


def userinfo(server, a, client_id, scope):
    args = {"issuer": server.base, "client_id": client_id,
            "auth": "basic", "client_secret": SECRET,
            "redirect_uri": CALLBACK}
    start = rp("authorize_url", scope=scope, **args)
    t = Terminal(server.base)
    r = login_through(t, start["url"], "alice", a)
    r = t.get(r.headers["location"])
    m = re.search(r'id="continue" href="([^"]*)"', r.text)
    assert m, r.text[:500]
    out = rp("code", callback=html.unescape(m.group(1)),
             code_verifier=start["code_verifier"], state=start["state"],
             nonce=start["nonce"], **args)
    return rp("userinfo", access_token=out["tokens"]["access_token"],
              sub=out["claims"]["sub"], **args)["userinfo"]


def test_directory_claims_reach_openid_client_under_client_policy(
        new_server, ldap):
    ldap.group("staff", "alice")
    base = {"redirect_uris": [CALLBACK],
            "scope": "openid profile email groups",
            "grant_types": ["authorization_code"],
            "client_secret_hash": scrypt_hash(SECRET)}
    s, sp = directory_federation(new_server, ldap, None, {
        "rp-all": dict(base, client_id="rp-all"),
        "rp-mail": dict(base, client_id="rp-mail", claims=["email"])})
    a = enrol_dir(s, "alice", "alice-secret")
    info = userinfo(s, a, "rp-all", "openid profile email groups")
    assert info["given_name"] == "Alice" and info["family_name"] == "Smith"
    assert info["name"] == "Alice Smith"
    assert info["email"] == "alice@example.org"
    assert info["groups"] == ["staff"]
    # Another client, allowed e-mail only, same scopes asked.
    info = userinfo(s, a, "rp-mail", "openid profile email groups")
    assert info["email"] == "alice@example.org"
    assert not {"given_name", "family_name", "name", "groups"} & set(info)


def request_vetting_page(server, user, secret):
    t = Terminal(server.base)
    assert password(t, user, secret).headers.get("location") == "/account"
    page = t.get("/account").text
    return t.post("/account/vetting", {"csrf": field(page, "csrf")})


def vetting_events(server, user):
    """The X.1254 events of user's cases, as mutuactl shows them."""
    cases = server.mutuactl("vetting", "list", "-u", user).stdout
    out = []
    for line in cases.splitlines():
        out += server.mutuactl("vetting", "show",
                               line.split("\t")[0]).stdout.splitlines()
    return cases, "\n".join(out)


def test_eligibility_filter_decides_loa3_request_and_is_recorded(dserver):
    s = dserver("ldap_eligibility_filter (businessCategory=staff)\n")
    # alice is staff: the request goes on, eligibility ok in the case.
    r = request_vetting_page(s, "alice", "alice-secret")
    assert r.status_code == 200 and 'id="vetting-code"' in r.text
    cases, events = vetting_events(s, "alice")
    assert re.search(r"C_CHECK_ELIGIBILITY\tok\tsystem:\S+\t"
                     r"source=directory", events), events
    # bob is not: refused, and the refusal is the case's record.
    r = request_vetting_page(s, "bob", "bob-secret")
    assert r.status_code == 403 and "Not eligible" in r.text
    assert 'id="vetting-code"' not in r.text
    cases, events = vetting_events(s, "bob")
    assert "\tfailed\t" in cases, cases
    assert re.search(r"C_CHECK_ELIGIBILITY\tfailed\tsystem:\S+\t"
                     r"source=directory", events), events
    assert "I_ARRANGE_VETTING" not in events


def test_binary_directory_id_like_objectguid(dserver, ldap):
    """A binary stable ID (Active Directory's objectGUID; here an octet
    string with NUL bytes, ldap_server.TEST_SCHEMA) keys the record and
    finds the entry."""
    guid = bytes([0x00, 0x11, 0x28, 0x29, 0x2a, 0x5c, 0xff, 0x00] * 2)
    ldap.modify(f"dn: uid=alice,{PEOPLE}\nchangetype: modify\n"
                "add: objectClass\nobjectClass: testGUIDObject\n-\n"
                "add: testGUID\ntestGUID:: %s\n" %
                base64.b64encode(guid).decode())
    s = dserver("ldap_id_attribute testGUID\n"
                "ldap_eligibility_filter (businessCategory=staff)\n")
    r = request_vetting_page(s, "alice", "alice-secret")
    assert r.status_code == 200 and 'id="vetting-code"' in r.text
    assert "C_CHECK_ELIGIBILITY\tok" in vetting_events(s, "alice")[1]
    # bob has no such ID: he cannot be bound to anything.
    r = password(Terminal(s.base), "bob", "bob-secret")
    assert r.status_code == 401


def found(server, text):
    r = server.mutuactl("user", "find", text)
    return {line.split("\t")[0]: line.split("\t")[1:]
            for line in r.stdout.splitlines()}, r.stderr


def test_mutuactl_and_help_desk_find_directory_users(dserver, ldap):
    from test_helpdesk import oob_login as desk_login
    s = dserver()
    add_user(s, "sam")
    s.mutuactl("role", "grant", "sam", "helpdesk")
    t = Terminal(s.base)
    assert t.password_login("sam", PASSWORD).headers["location"] == "/account"
    a = Authenticator(s.base)
    assert a.register(t.registration_code()).status_code == 201
    desk = desk_login(s, "sam", a, path="/helpdesk")

    # By name, e-mail or ID; before the first sign-in, directory only.
    res, _ = found(s, "smith")
    assert res == {"alice": ["directory-only", "alice@example.org",
                             "Alice Smith"]}
    assert set(found(s, "@example.org")[0]) == {"sam", "alice", "bob",
                                                 "alan"}
    assert set(found(s, "AL")[0]) == {"alice", "alan"}
    page = desk.get("/helpdesk/search?q=Jones").text
    assert "directory, not signed in yet" in page and ">bob<" in page
    assert 'href="/helpdesk/user?u=bob"' not in page

    # Signed in once: the local record, named by its ID, listed once.
    enrol_dir(s, "bob", "bob-secret")
    assert found(s, "jones")[0] == {"bob": ["directory", "bob@example.org",
                                            "Bob Jones"]}
    page = desk.get("/helpdesk/search?q=Jones").text
    assert page.count('href="/helpdesk/user?u=bob"') == 1

    # RFC 4515: "*" and ")(" are text to find, not filter syntax.
    assert found(s, "*")[0] == {}
    assert found(s, "a*)(uid=*")[0] == {}

    # The directory down: local users, and a word about it.
    ldap.stop()
    res, err = found(s, "s")
    assert set(res) == {"sam", "bob"} and "did not answer" in err
    page = desk.get("/helpdesk/search?q=sam").text
    assert "cannot be reached" in page and ">sam<" in page


@pytest.fixture
def tls_ldap():
    d = LdapServer(tls=True)
    d.start()
    yield d
    d.cleanup()


def tls_server(new_server, ldap, ca, url, starttls):
    s = new_server()
    with open(s.conf, "a") as f:
        f.write(ldap.conf_for_mutua(
            password_file(s), "ldap_ca_file %s\n%s" % (
                ca, "ldap_starttls yes\n" if starttls else ""), url=url))
    return s


@pytest.mark.parametrize("starttls", [True, False])
def test_tls_to_the_directory_checks_its_certificate(new_server, tls_ldap,
                                                     starttls):
    url = tls_ldap.url if starttls else tls_ldap.ldaps_url
    s = tls_server(new_server, tls_ldap, tls_ldap.ca, url, starttls)
    s.start()
    r = password(Terminal(s.base), "alice", "alice-secret")
    assert r.headers.get("location") == "/account"
    # A certificate that does not chain to ldap_ca_file: no start.
    _, other = self_signed(s.path(), "other-ca")
    s2 = tls_server(new_server, tls_ldap, other, url, starttls)
    assert s2.start(expect_failure=True) != 0
    assert "TLS: the certificate of %s does not verify" % url in \
        s2.read_log()


def test_directory_lookups_rate_limited_per_address(dserver):
    """Each typed user ID costs the directory a search: 60 per address in
    ten minutes (ratelimit.c), then 429; local users are not looked up."""
    s = dserver()
    add_user(s, "carol")
    t = Terminal(s.base)
    csrf = t.csrf()
    for i in range(60):
        r = t.post("/login/start", {"csrf": csrf, "user": "nobody%d" % i})
        assert r.status_code == 200, (i, r.status_code)
    r = t.post("/login/start", {"csrf": csrf, "user": "alice"})
    assert r.status_code == 429
    assert Terminal(s.base).password_login(
        "carol", PASSWORD).headers["location"] == "/account"
