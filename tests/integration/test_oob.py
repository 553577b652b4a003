"""X.1280 login end to end: registration, the code on two screens,
signed approval, and the failure paths of docs/protocol.md."""
import hashlib
import json
import time

import pytest
import requests

from oob_client import Authenticator, parse_offset
from terminal import Terminal

PASSWORD = "correct horse battery"


def add_user(server, user="alice"):
    server.mutuactl("user", "add", "-p", "-e", user + "@example.org", "-n",
                    user.capitalize() + " Example", user,
                    input=PASSWORD + "\n")


def enrol(server, user="alice"):
    """Password login, registration code from /account, registration."""
    add_user(server, user)
    t = Terminal(server.base)
    assert t.password_login(user, PASSWORD).headers["location"] == "/account"
    code = t.registration_code()
    a = Authenticator(server.base)
    r = a.register(code)
    assert r.status_code == 201, r.text
    return a


def pending_one(a):
    r = a.pending()
    assert r.status_code == 200, r.text
    reqs = r.json()["requests"]
    assert len(reqs) == 1, reqs
    return reqs[0]


@pytest.fixture
def alice(server):
    return enrol(server)


def test_login_code_on_terminal_equals_authenticator_code(server, alice):
    t = Terminal(server.base, user_agent="Mozilla/5.0 TestTerminal")
    assert t.start("alice").headers["location"] == "/login/code"
    terminal_code, page = t.code()
    assert terminal_code and "<svg" in page

    req = pending_one(alice)
    f = parse_offset(req["offset"])
    assert f["uid"] == "alice" and f["tpub"] == "127.0.0.1"
    assert f["ua"] == "Mozilla/5.0 TestTerminal"
    assert f["rp"] == server.base and f["tpriv"] == "-"
    assert alice.code_for(req["offset"]) == terminal_code
    assert 0 < req["expires_at"] - time.time() <= 120

    r = alice.decide(req["request_id"], req["offset"])
    assert r.status_code == 200 and r.json() == {"status": "approved"}
    assert t.get("/login/status").json()["state"] == "approved"
    old_cookie = t.s.cookies.get("mutua")
    r = t.continue_login()
    assert r.status_code == 303 and r.headers["location"] == "/account"
    assert t.s.cookies.get("mutua") != old_cookie   # no session fixation
    page = t.get("/account").text
    assert 'id="loa">2<' in page and "test phone" in page


def test_registration_code_is_single_use(server):
    add_user(server)
    t = Terminal(server.base)
    t.password_login("alice", PASSWORD)
    code = t.registration_code()
    assert Authenticator(server.base).register(code).status_code == 201
    r = Authenticator(server.base).register(code)
    assert r.status_code == 400 and r.json()["error"] == "invalid_code"


def test_registration_without_proof_of_key_is_refused(server):
    add_user(server)
    t = Terminal(server.base)
    t.password_login("alice", PASSWORD)
    code = t.registration_code()
    a, other = Authenticator(server.base), Authenticator(server.base)
    a.sign = other.sign          # signed with a key it does not present
    r = a.register(code)
    assert r.status_code == 401 and r.json()["error"] == "invalid_signature"
    # The code was not consumed by the failed attempt.
    assert Authenticator(server.base).register(code).status_code == 201


def test_password_never_completes_login_with_active_binding(server, alice):
    t = Terminal(server.base)
    csrf = t.csrf()
    r = t.post("/login/password", {"csrf": csrf, "user": "alice",
                                   "password": PASSWORD})
    assert r.status_code == 401
    assert "authenticator only" in r.text
    assert t.get("/account").headers["location"] == "/login"


def test_wrong_code_is_rejected_and_login_stays_pending(server, alice):
    t = Terminal(server.base)
    t.start("alice")
    code, _ = t.code()
    req = pending_one(alice)
    wrong = "%06d" % ((int(code) + 1) % 10 ** 6)
    r = alice.decide(req["request_id"], req["offset"], code=wrong)
    assert r.status_code == 400 and r.json()["error"] == "wrong_code"
    assert t.get("/login/status").json()["state"] == "pending"


def test_replayed_approval_is_refused(server, alice):
    t = Terminal(server.base)
    t.start("alice")
    req = pending_one(alice)
    assert alice.decide(req["request_id"], req["offset"]).status_code == 200
    r = alice.decide(req["request_id"], req["offset"])
    assert r.status_code == 409 and r.json()["error"] == "not_pending"


def test_approval_signed_by_another_users_device_is_refused(server, alice):
    bob = enrol(server, "bob")
    t = Terminal(server.base)
    t.start("alice")
    req = pending_one(alice)
    # Bob's device cannot see or decide Alice's request.
    assert bob.pending().json()["requests"] == []
    r = bob.decide(req["request_id"], req["offset"], code=alice.code_for(
        req["offset"]))
    assert r.status_code == 404
    # Alice's binding with Bob's key over the approval: bad signature.
    r = alice.decide(req["request_id"], req["offset"], signer=bob)
    assert r.status_code == 401 and r.json()["error"] == "invalid_signature"
    assert t.get("/login/status").json()["state"] == "pending"


def test_tampered_offset_fails_the_signature(server, alice):
    t = Terminal(server.base)
    t.start("alice")
    req = pending_one(alice)
    forged = req["offset"].replace("tpub=127.0.0.1", "tpub=198.51.100.7")
    r = alice.decide(req["request_id"], forged,
                     code=alice.code_for(req["offset"]))
    assert r.status_code == 401


def test_denial_is_shown_and_recorded(server, alice):
    t = Terminal(server.base)
    t.start("alice")
    req = pending_one(alice)
    r = alice.decide(req["request_id"], req["offset"], decision="deny",
                     reason="not_me")
    assert r.json() == {"status": "denied"}
    assert t.get("/login/status").json()["state"] == "denied"
    assert t.continue_login().headers["location"] == "/login/code"
    audit = server.mutuactl("audit", "export").stdout
    assert "oob.request.denied" in audit and "oob.alert.not_me" in audit


def test_second_concurrent_request_is_refused(server, alice):
    t1, t2 = Terminal(server.base), Terminal(server.base)
    assert t1.start("alice").status_code == 303
    r = t2.start("alice")
    assert r.status_code == 409 and "already waiting" in r.text
    # The same session asking again sees its own request.
    assert t1.start("alice").status_code == 303
    assert "oob.request.refused" in server.mutuactl("audit", "export").stdout


def test_expired_request_cannot_be_approved(new_server):
    s = new_server("oob_code_lifetime 30")
    s.start()
    a = enrol(s)
    t = Terminal(s.base)
    t.start("alice")
    req = pending_one(a)
    # Wait the request out; the lifetime's minimum is 30 s.
    time.sleep(31)
    r = a.decide(req["request_id"], req["offset"])
    assert r.status_code == 410 and r.json()["error"] == "expired"
    assert t.get("/login/status").json()["state"] == "expired"


def test_revoked_binding_cannot_fetch_or_approve(server, alice):
    t = Terminal(server.base)
    t.start("alice")
    req = pending_one(alice)
    server.mutuactl("binding", "revoke", alice.binding)
    assert alice.pending().status_code == 403
    assert alice.decide(req["request_id"], req["offset"]).status_code == 403


def test_stale_device_timestamp_is_refused(server, alice):
    alice.clock_offset = -120
    r = alice.pending()
    assert r.status_code == 401 and r.json()["error"] == "stale_request"


def test_login_starts_are_rate_limited_per_user(server, alice):
    t = Terminal(server.base)
    codes = [t.start("alice").status_code for _ in range(12)]
    assert codes[:10] == [303] * 10 and codes[10] == 429


def test_approval_failures_are_rate_limited(server, alice):
    t = Terminal(server.base)
    t.start("alice")
    req = pending_one(alice)
    statuses = [alice.decide(req["request_id"], req["offset"],
                             code="000000" if i % 2 else "111111").status_code
                for i in range(11)]
    assert 429 in statuses
    # Even the right code is refused while the binding is limited.
    assert alice.decide(req["request_id"], req["offset"]).status_code == 429


@pytest.mark.parametrize("body", [b"{", b"[]", b'{"request_id": 5}',
                                  b'{"a":1,"a":2}', b"\xff\xfe"])
def test_malformed_json_is_rejected(server, alice, body):
    h = alice.headers("POST", "/oob/v1/approve", body)
    r = requests.post(server.base + "/oob/v1/approve", data=body, headers=h)
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request"


def test_oversized_body_is_rejected(server, alice):
    body = b'{"x":"' + b"a" * 20000 + b'"}'
    h = alice.headers("POST", "/oob/v1/approve", body)
    r = requests.post(server.base + "/oob/v1/approve", data=body, headers=h)
    assert r.status_code == 413


def test_long_poll_returns_when_a_request_arrives(server, alice):
    import threading
    t = Terminal(server.base)
    threading.Timer(1.0, lambda: t.start("alice")).start()
    started = time.time()
    r = alice.pending(wait=10)
    assert r.status_code == 200 and len(r.json()["requests"]) == 1
    assert 0.8 < time.time() - started < 5


def test_store_consistent_after_failures(server, alice):
    """After the failure paths, a normal login still works."""
    t = Terminal(server.base)
    t.start("alice")
    req = pending_one(alice)
    alice.decide(req["request_id"], req["offset"], code="999999")
    alice.decide(req["request_id"], req["offset"] + "x")
    r = alice.decide(req["request_id"], req["offset"])
    assert r.status_code == 200
    assert t.continue_login().headers["location"] == "/account"
