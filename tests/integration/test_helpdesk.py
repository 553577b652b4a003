"""The help desk over HTTP, as a browser does it: staff sign in with their
own authenticator, open a vetting case by code or by user, walk the X.1254
actions through the console's forms (cookies, CSRF tokens, versions) and
bind a LoA3 authenticator that then signs in at LoA3. And the refusals:
wrong or expired codes, staff without the role, forged tokens, a full
document number, replayed posts."""
import glob
import html
import json
import os
import re
import time

import pytest

from mutua_server import MutuaServer
from oob_client import Authenticator
from terminal import Terminal, field

PASSWORD = "correct horse battery"
# The default URIs of config.c.
LOA2 = "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered"
LOA3 = "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract"


def add_user(server, user, email=None):
    args = ["user", "add", "-p"]
    if email:
        args += ["-e", email]
    server.mutuactl(*(args + [user]), input=PASSWORD + "\n")


def self_service_enrol(server, user):
    """Password login, LoA2 registration on /account: the authenticator."""
    t = Terminal(server.base)
    assert t.password_login(user, PASSWORD).headers["location"] == "/account"
    a = Authenticator(server.base)
    assert a.register(t.registration_code()).status_code == 201
    return a


def approve(a):
    r = a.pending()
    assert r.status_code == 200, r.text
    reqs = r.json()["requests"]
    assert len(reqs) == 1, reqs
    r = a.decide(reqs[0]["request_id"], reqs[0]["offset"])
    assert r.status_code == 200, r.text


def oob_login(server, user, a, path="/account"):
    """An X.1280 login that starts from path; returns the terminal."""
    t = Terminal(server.base)
    r = t.get(path)
    if path != "/account":
        assert r.status_code == 303, r.text
        login = r.headers["location"]
        assert login.startswith("/login?c=")
        c = login.split("=", 1)[1]
        csrf = field(t.get(login).text, "csrf")
        r = t.post("/login/start", {"csrf": csrf, "user": user, "c": c})
    else:
        r = t.start(user)
    assert r.headers["location"] == "/login/code", r.text
    approve(a)
    r = t.continue_login()
    assert r.status_code == 303, r.text
    assert r.headers["location"] == path
    return t


def case_id(location):
    m = re.match(r"/helpdesk/case\?id=([0-9a-f]{32})$", location)
    assert m, location
    return m.group(1)


class Desk:
    """A staff member at the console."""

    def __init__(self, server, t):
        self.server = server
        self.t = t

    def csrf(self, path="/helpdesk"):
        return field(self.t.get(path).text, "csrf")

    def open_code(self, code):
        return self.t.post("/helpdesk/open", {"csrf": self.csrf(),
                                              "code": code})

    def case(self, cid):
        r = self.t.get("/helpdesk/case?id=" + cid)
        assert r.status_code == 200, r.text
        return r.text

    def form(self, cid):
        page = self.case(cid)
        return {"csrf": field(page, "csrf"), "id": cid,
                "v": field(page, "v")}

    def act(self, cid, action, outcome="ok", expect=303, **fields):
        data = self.form(cid)
        data.update(action=action, outcome=outcome, **fields)
        r = self.t.post("/helpdesk/case/action", data)
        assert r.status_code == expect, (action, r.status_code, r.text)
        return r

    def state(self, cid):
        m = re.search(r'id="state">([a-z]+)<', self.case(cid))
        return m.group(1)


@pytest.fixture(scope="module")
def server():
    """One server for the module, its e-mail outbox in its directory."""
    s = MutuaServer(extra_conf="outbox_dir {outbox}")
    with open(s.conf) as f:
        conf = f.read().replace("{outbox}", s.path("outbox"))
    with open(s.conf, "w") as f:
        f.write(conf)
    os.makedirs(s.path("outbox"))
    s.start()
    yield s
    s.cleanup()


@pytest.fixture(scope="module")
def desk(server):
    """Staff member sam: own authenticator, help-desk role, signed in."""
    add_user(server, "sam")
    server.mutuactl("role", "grant", "sam", "helpdesk")
    a = self_service_enrol(server, "sam")
    t = oob_login(server, "sam", a, path="/helpdesk")
    assert "Help desk" in t.get("/helpdesk").text
    return Desk(server, t)


def request_vetting(server, user):
    """Self-service LoA3 request: I_ARRANGE_VETTING, the vetting code."""
    t = Terminal(server.base)
    assert t.password_login(user, PASSWORD).headers["location"] == "/account"
    page = t.get("/account").text
    assert 'action="/account/vetting"' in page
    r = t.post("/account/vetting", {"csrf": field(page, "csrf")})
    assert r.status_code == 200, r.text
    m = re.search(r'id="vetting-code">([A-Z0-9-]{14})<', r.text)
    assert m, r.text
    assert "<svg" in r.text
    return m.group(1)


def vet_in_person(desk, cid):
    """The LoA3 vetting actions, as the operator walks down the page."""
    desk.act(cid, "C_CHECK_ELIGIBILITY", detail="directory")
    desk.act(cid, "V_PRESENT_PROOF", detail="passport")
    desk.act(cid, "V_VET_PROOF", detail="visual")
    desk.act(cid, "V_RECORD_PROOF_AUDIT_DATA", doc_type="passport",
             country="fi", expiry="2034-05-01", doc_number="AB1234")
    desk.act(cid, "V_VERIFY_IDENTITY")
    assert desk.state(cid) == "verified"


def preregister(desk, cid):
    r = desk.act(cid, "V_PREREGISTER_FACTOR", expect=200)
    m = re.search(r"mutua-authenticator register \S+ ([0-9a-f]{64})", r.text)
    assert m, r.text
    assert "<svg" in r.text
    return m.group(1)


def test_desk_flow_binds_loa3_and_logs_in_with_loa3(server, desk):
    add_user(server, "alice", email="alice@example.org")
    code = request_vetting(server, "alice")
    # The vetting code went to the outbox too (development e-mail).
    mails = [open(p).read() for p in glob.glob(server.path("outbox", "*"))]
    assert any(code in m and "alice@example.org" in m for m in mails)

    r = desk.open_code(code)
    assert r.status_code == 303, r.text
    cid = case_id(r.headers["location"])
    page = desk.case(cid)
    assert 'id="applicant">alice<' in page and 'id="loa">LoA3<' in page
    # Only the allowed steps are shown: binding is not possible yet.
    assert re.search(r'id="s-B_ACTIVATE" hidden', page)
    assert re.search(r'id="s-V_PRESENT_PROOF" hidden', page)  # eligibility
    assert re.search(r'id="s-C_CHECK_ELIGIBILITY">', page)

    vet_in_person(desk, cid)
    desk.act(cid, "C_SELECT_NEW_FACTOR", detail="terminal-app")
    reg = preregister(desk, cid)
    a = Authenticator(server.base)
    assert a.register(reg, label="alice desk phone").status_code == 201
    assert desk.state(cid) == "bound"
    # Registered at the desk but not active before B_ACTIVATE.
    assert a.pending().status_code == 403
    lst = server.mutuactl("binding", "list", "alice").stdout
    assert "pending\tLoA3" in lst

    desk.act(cid, "B_ACTIVATE")
    desk.act(cid, "B_CONFIRMATION", detail="in-person")
    assert desk.state(cid) == "complete"
    page = desk.case(cid)
    for code_ in ("C_USE_EXISTING_FACTOR", "I_REQUEST_FACTOR",
                  "I_ARRANGE_VETTING", "V_COMMENCE", "C_CHECK_ELIGIBILITY",
                  "V_PRESENT_PROOF", "V_VET_PROOF",
                  "V_RECORD_PROOF_AUDIT_DATA", "V_VERIFY_IDENTITY",
                  "C_SELECT_NEW_FACTOR", "V_PREREGISTER_FACTOR",
                  "B_FACTOR_AND_ID", "B_ACTIVATE", "B_CONFIRMATION"):
        assert "<td>%s</td>" % code_ in page, code_
    assert "number_last6=AB1234" in page

    # The LoA3 binding signs in at LoA3, and records C_USE_NEW_FACTOR.
    t = oob_login(server, "alice", a)
    assert 'id="loa">3<' in t.get("/account").text
    show = server.mutuactl("vetting", "show", cid).stdout
    assert "C_USE_NEW_FACTOR" not in show      # the case was closed
    audit = server.mutuactl("audit", "export").stdout
    assert "vetting.V_VERIFY_IDENTITY" in audit
    assert "binding.activated" in audit


def test_self_service_binding_stays_loa2(server):
    add_user(server, "lena")
    a = self_service_enrol(server, "lena")
    t = oob_login(server, "lena", a)
    assert 'id="loa">2<' in t.get("/account").text
    cases = server.mutuactl("vetting", "list", "-u", "lena").stdout
    assert "\tLoA2\tenrol\tself-service\tcomplete\t" in cases
    cid = cases.split("\t")[0]
    show = server.mutuactl("vetting", "show", cid).stdout
    order = [l.split("\t")[2] for l in show.splitlines() if l.startswith("  ")]
    assert order == ["C_USE_EXISTING_FACTOR", "I_REQUEST_FACTOR",
                     "B_FACTOR_AND_ID", "B_ACTIVATE", "C_USE_NEW_FACTOR",
                     "B_CONFIRMATION"]


def test_wrong_vetting_code_is_refused(server, desk):
    r = desk.open_code("ABCD-EFGH-JKMN")
    assert r.status_code == 404
    assert "no vetting request has this code" in r.text
    r = desk.open_code("not a code")
    assert r.status_code == 404
    assert "vetting.code" in server.mutuactl("audit", "export").stdout


def test_vetting_code_is_single_use(server, desk):
    add_user(server, "carl")
    code = request_vetting(server, "carl")
    assert desk.open_code(code.lower().replace("-", " ")).status_code == 303
    assert desk.open_code(code).status_code == 404


def test_expired_vetting_code_is_refused():
    s = MutuaServer(extra_conf="vetting_code_lifetime 5")
    try:
        s.start()
        add_user(s, "staff1")
        s.mutuactl("role", "grant", "staff1", "helpdesk")
        a = self_service_enrol(s, "staff1")
        d = Desk(s, oob_login(s, "staff1", a, path="/helpdesk"))
        add_user(s, "dora")
        code = request_vetting(s, "dora")
        time.sleep(6)
        r = d.open_code(code)
        assert r.status_code == 410 and "expired" in r.text
    finally:
        s.cleanup()


def test_staff_without_role_is_refused(server):
    add_user(server, "mallory")
    a = self_service_enrol(server, "mallory")
    t = oob_login(server, "mallory", a)
    r = t.get("/helpdesk")
    assert r.status_code == 403 and "help-desk role" in r.text
    r = t.post("/helpdesk/open", {"csrf": field(t.get("/account").text,
                                                "csrf"), "code": "X"})
    assert r.status_code == 403
    assert "helpdesk.denied" in server.mutuactl("audit", "export").stdout
    # A password session is not enough, even with the role.
    add_user(server, "pat")
    server.mutuactl("role", "grant", "pat", "helpdesk")
    t = Terminal(server.base)
    t.password_login("pat", PASSWORD)
    r = t.get("/helpdesk")
    assert r.status_code == 303 and r.headers["location"].startswith(
        "/login?c=")


def test_forged_csrf_token_is_refused(server, desk):
    add_user(server, "fred")
    cid = open_user_case(desk, "fred")
    data = desk.form(cid)
    data.update(action="C_CHECK_ELIGIBILITY", outcome="ok",
                detail="directory", csrf="0" * 64)
    r = desk.t.post("/helpdesk/case/action", data)
    assert r.status_code == 403
    # Without a token at all: the same.
    del data["csrf"]
    assert desk.t.post("/helpdesk/case/action", data).status_code == 403
    assert "C_CHECK_ELIGIBILITY" not in server.mutuactl(
        "vetting", "show", cid).stdout


def open_user_case(desk, user, purpose="enrol", binding=None):
    page = desk.t.get("/helpdesk/user?u=" + user).text
    data = {"csrf": field(page, "csrf"), "user": user, "purpose": purpose,
            "channel": "desk"}
    if binding:
        data["binding"] = binding
    r = desk.t.post("/helpdesk/user/open", data)
    assert r.status_code == 303, r.text
    return case_id(r.headers["location"])


def test_full_document_number_is_refused(server, desk):
    add_user(server, "gwen")
    cid = open_user_case(desk, "gwen")
    desk.act(cid, "C_CHECK_ELIGIBILITY", detail="directory")
    desk.act(cid, "V_PRESENT_PROOF", detail="id-card")
    r = desk.act(cid, "V_RECORD_PROOF_AUDIT_DATA", expect=400,
                 doc_type="id-card", country="SE", expiry="2033-01-31",
                 doc_number="XP1234567")
    assert "last 6 characters" in html.unescape(r.text)
    export = server.mutuactl("vetting", "export").stdout
    assert "1234567" not in export
    assert "1234567" not in server.mutuactl("audit", "export").stdout
    assert "vetting.refused" in server.mutuactl("audit", "export").stdout
    # The last six are accepted.
    desk.act(cid, "V_RECORD_PROOF_AUDIT_DATA", doc_type="id-card",
             country="SE", expiry="2033-01-31", doc_number="234567")
    events = [json.loads(l) for l in server.mutuactl(
        "vetting", "export").stdout.splitlines()]
    rec = [e for e in events if e["case"] == cid and
           e["action"] == "V_RECORD_PROOF_AUDIT_DATA"]
    assert len(rec) == 1
    assert rec[0]["evidence"] == ("doc_type=id-card country=SE "
                                  "expiry=2033-01-31 number_last6=234567")


def test_replayed_form_post_is_refused(server, desk):
    add_user(server, "hugo")
    cid = open_user_case(desk, "hugo")
    data = desk.form(cid)
    data.update(action="C_CHECK_ELIGIBILITY", outcome="ok",
                detail="directory")
    assert desk.t.post("/helpdesk/case/action", data).status_code == 303
    r = desk.t.post("/helpdesk/case/action", data)
    assert r.status_code == 409 and "submitted already" in r.text
    show = server.mutuactl("vetting", "show", cid).stdout
    assert show.count("C_CHECK_ELIGIBILITY") == 1
    # An action out of order is refused by the state machine.
    r = desk.act(cid, "B_ACTIVATE", expect=409)
    assert "refused" in r.text


def test_walk_in_identity_is_undone_when_vetting_fails(server, desk):
    r = desk.t.post("/helpdesk/walkin", {"csrf": desk.csrf(),
                                         "channel": "desk"})
    assert r.status_code == 303
    cid = case_id(r.headers["location"])
    desk.act(cid, "C_CHECK_ELIGIBILITY", detail="institution-letter")
    desk.act(cid, "V_PRESENT_PROOF", detail="passport")
    r = desk.act(cid, "V_CREATE_DIGITAL_IDENTITY", expect=200,
                 new_user="walker", name="Wanda Walker",
                 email="walker@example.org")
    assert re.search(r'id="password">[0-9a-f]{16}<', r.text)
    assert "walker\t" in server.mutuactl("user", "list").stdout
    desk.act(cid, "V_VET_PROOF", outcome="failed")
    assert desk.state(cid) == "failed"
    assert "walker\t" not in server.mutuactl("user", "list").stdout
    page = desk.case(cid)
    assert re.search(r"<td>V_CREATE_DIGITAL_IDENTITY</td><td>undone</td>",
                     page)
    # A closed case shows no step and takes none.
    assert not re.search(r'id="s-[A-Z_]+">', page)
    desk.act(cid, "V_VERIFY_IDENTITY", expect=409)


def test_backup_and_release_for_a_vetted_user(server, desk):
    add_user(server, "iris")
    first = self_service_enrol(server, "iris")
    # A backup authenticator, vetted at the desk.
    cid = open_user_case(desk, "iris", purpose="backup")
    vet_in_person(desk, cid)
    backup = Authenticator(server.base)
    assert backup.register(preregister(desk, cid),
                           label="iris backup").status_code == 201
    desk.act(cid, "C_USE_NEW_FACTOR", detail="shown-to-staff")
    desk.act(cid, "B_ACTIVATE")
    desk.act(cid, "B_CONFIRMATION", detail="in-person")
    lst = server.mutuactl("binding", "list", "iris").stdout
    assert "active\tLoA3\tbackup\tiris backup" in lst

    # The first one is lost: re-vetting, then revocation (X.1280 9.2.2).
    rel = open_user_case(desk, "iris", purpose="release",
                         binding=first.binding)
    r = desk.act(rel, "R_RELEASE_FACTOR", detail="revoke", expect=409)
    vet_in_person(desk, rel)
    desk.act(rel, "R_RELEASE_FACTOR", detail="revoke")
    assert desk.state(rel) == "complete"
    lst = server.mutuactl("binding", "list", "iris").stdout
    assert "%s\trevoked" % first.binding in lst
    assert first.pending().status_code == 403
    t = oob_login(server, "iris", backup)
    assert 'id="loa">3<' in t.get("/account").text


def test_not_me_alert_is_worked_at_the_desk(server, desk):
    """X.1280 9.1.5: an intruder types kim's ID; kim's authenticator says
    "this was not me"; staff see the alert with its context, suspend the
    authenticator and close the alert with an outcome, all audited."""
    add_user(server, "kim", email="kim@example.org")
    a = self_service_enrol(server, "kim")
    intruder = Terminal(server.base, user_agent="Intruder/1.0")
    assert intruder.start("kim").headers["location"] == "/login/code"
    (req,) = a.pending().json()["requests"]
    r = a.decide(req["request_id"], req["offset"], "deny", reason="not_me")
    assert r.json() == {"status": "denied"}

    home = desk.t.get("/helpdesk").text
    m = re.search(r'<a href="/helpdesk/alert\?id=([0-9a-f]{32})">[^<]*</a>'
                  r'</td><td>kim</td>', home)
    assert m, home
    aid = m.group(1)
    page = desk.t.get("/helpdesk/alert?id=" + aid).text
    assert 'id="state">open<' in page
    assert 'id="browser">Intruder/1.0<' in page
    assert 'id="address">127.0.0.1 ' in page
    assert 'href="mailto:kim@example.org"' in page
    assert 'id="raised-by">test phone<' in page
    assert 'id="service">%s' % html.escape(server.base) in page

    def post(expect, **fields):
        data = {"csrf": field(desk.t.get("/helpdesk/alert?id=" + aid).text,
                              "csrf"), "id": aid}
        data.update(fields)
        r = desk.t.post("/helpdesk/alert/action", data)
        assert r.status_code == expect, (fields, r.status_code, r.text)
        return r

    # Refusals change nothing.
    assert "Refused: not an authenticator" in post(
        400, action="suspend", binding="0" * 32).text
    assert "Refused: choose an outcome" in post(
        400, action="close", outcome="maybe").text
    post(400, action="close", outcome="attack", note="x" * 201)
    r = desk.t.post("/helpdesk/alert/action", {
        "csrf": "0" * 64, "id": aid, "action": "close", "outcome": "user"})
    assert r.status_code == 403
    assert 'id="state">open<' in desk.t.get(
        "/helpdesk/alert?id=" + aid).text

    post(303, action="suspend", binding=a.binding)
    assert "\tsuspended\t" in server.mutuactl("binding", "list",
                                               "kim").stdout
    assert a.pending().status_code == 403
    note = "Called kim: not her. Password reset advised, é ok"
    post(303, action="close", outcome="attack", note=note)
    page = desk.t.get("/helpdesk/alert?id=" + aid).text
    assert 'id="state">closed<' in page and 'id="outcome">attack<' in page
    assert 'id="closed-by">sam,' in page
    assert 'id="note">%s<' % html.escape(note) in page
    assert re.search(r'id="close" hidden', page)
    assert aid not in desk.t.get("/helpdesk").text
    assert "Refused: the alert is closed already" in post(
        409, action="close", outcome="user").text
    post(409, action="suspend", binding=a.binding)

    audit = [json.loads(l) for l in
             server.mutuactl("audit", "export").stdout.splitlines()]
    raised = [r for r in audit if r["event"] == "oob.alert.not_me" and
              "alert=" + aid in r["detail"]]
    assert len(raised) == 1 and raised[0]["subject"] == "kim"
    (closed,) = [r for r in audit if r["event"] == "alert.closed" and
                 r["detail"] == "alert=%s outcome=attack" % aid]
    assert closed["actor"] == "sam" and closed["subject"] == "kim"
    (susp,) = [r for r in audit if r["event"] == "binding.suspended" and
               ("alert=" + aid) in r["detail"]]
    assert susp["actor"] == "sam"
    assert desk.t.get("/helpdesk/alert?id=" + "f" * 32).status_code == 404


def test_user_search_and_pages(server, desk):
    add_user(server, "jules", email="jules@example.org")
    r = desk.t.get("/helpdesk/search?q=JULES@")
    assert r.status_code == 200
    assert 'href="/helpdesk/user?u=jules"' in r.text
    page = desk.t.get("/helpdesk/user?u=jules").text
    assert 'id="user">jules<' in page
    assert desk.t.get("/helpdesk/user?u=nobody").status_code == 404
    assert desk.t.get("/helpdesk/case?id=" + "0" * 32).status_code == 404


def test_vetted_binding_yields_loa3_authn_context(tmp_path):
    """DESIGN.md §5: a desk-vetted binding signs in to a SAML SP with the
    LoA3 AuthnContextClassRef; a self-service one with LoA2 only."""
    from saml_sp import SamlSP, post_form, ACS
    from terminal import login_through
    sp = SamlSP(str(tmp_path / "sp"))
    sp.publish(str(tmp_path / "federation"))
    s = MutuaServer(extra_conf="sp_dir %s" % (tmp_path / "federation"))
    try:
        s.start()
        sp.connect(s.base)
        add_user(s, "staff1")
        s.mutuactl("role", "grant", "staff1", "helpdesk")
        d = Desk(s, oob_login(s, "staff1", self_service_enrol(s, "staff1"),
                              path="/helpdesk"))
        add_user(s, "vera")
        cid = open_user_case(d, "vera")
        vet_in_person(d, cid)
        a = Authenticator(s.base)
        assert a.register(preregister(d, cid)).status_code == 201
        d.act(cid, "B_ACTIVATE")
        d.act(cid, "B_CONFIRMATION", detail="in-person")
        add_user(s, "lena")
        lena = self_service_enrol(s, "lena")

        def classref(user, auth):
            t = Terminal(s.base)
            reqid, where = sp.authn_request()
            r = login_through(t, where, user, auth)
            page = t.get(r.headers["location"]).text
            action, fields = post_form(page)
            assert action == ACS
            authn = sp.parse_response(fields["SAMLResponse"], reqid)
            return authn.authn_info()[0][0]
        assert classref("vera", a) == LOA3
        assert classref("lena", lena) == LOA2
    finally:
        s.cleanup()
