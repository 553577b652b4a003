"""Crash safety under load (docs/deployment.md §7, "What a crash or a
power loss can cost").

Sign-ins approved by the Python authenticator, OIDC code redemptions and
refresh-token rotations, help-desk vetting actions and authenticator
registrations run at the same time from threads, while the server is
killed with SIGKILL at random moments: a worker (kore.conf's
worker_death_policy terminate then stops the server, and the test starts
it again as systemd would), then the whole process group, several times.
Afterwards every answer a client got is checked against the store:

- every acknowledged audit record and vetting event is there exactly
  once, sequence numbers are dense, and both hash chains verify;
- every acknowledged registration left one whole binding (listed by its
  user's index, active), and no in-flight one left half of one;
- no authorization code and no rotated refresh token is accepted again,
  and a code whose redemption was cut off is accepted at most once.

The load runs for ROUNDS kills of 0.7 to 1.5 s each; the whole test takes
well under a minute.
"""
import json
import random
import os
import signal
import socket
import subprocess
import threading
import time

import pytest
import requests
import requests.adapters

from oob_client import Authenticator
from terminal import Terminal, field
from test_helpdesk import (Desk, PASSWORD, add_user, case_id, oob_login,
                           self_service_enrol)
from test_oidc import OP, query

ROUNDS = 4
# Anything slower than this is a hung server, not load.
HTTP_TIMEOUT = 15
# mutua_server.py's trusted_proxy: browsers come "through" it, each
# sign-in from another address, so that the per-address rate limits
# (30 login starts, 20 passwords, 10 registrations) do not end the load.
PROXY = "127.0.0.2"
CLIENT_NETS = ("192.0.2.", "198.51.100.", "203.0.113.")


class ProxyAdapter(requests.adapters.HTTPAdapter):
    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (PROXY, 0)
        super().init_poolmanager(*args, **kw)


def browser(base, net, n):
    """A Terminal whose requests arrive from the proxy for client n."""
    t = Terminal(base)
    t.s.mount("http://", ProxyAdapter())
    t.s.headers["X-Forwarded-For"] = "%s%d" % (CLIENT_NETS[net],
                                               n % 254 + 1)
    return t


class Down(Exception):
    """The server did not answer: the operation's outcome is unknown."""


def call(fn, *args, **kw):
    """fn's answer; Down when the server did not give one."""
    try:
        return fn(*args, **kw)
    except requests.RequestException as e:
        raise Down(str(e))


class Load:
    """What the clients were told, and the threads telling it."""

    def __init__(self):
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.failures = []
        self.created = []       # request IDs whose login start was answered
        self.approved = []      # request IDs whose approval was answered
        self.completed = []     # request IDs whose continue was answered
        self.redeemed = []      # codes redeemed (200)
        self.unknown_codes = []  # codes whose redemption was cut off
        self.rotated = []       # refresh tokens rotated (200)
        self.vetted = []        # (case, action) answered 303
        self.bound = []         # (user, binding ID) answered 201
        self.unknown_users = []  # users whose registration was cut off
        self.threads = []

    def add(self, name, item):
        with self.lock:
            getattr(self, name).append(item)

    def run(self, name, step):
        """Calls step() until stopped; Down only means "try again"."""
        def loop():
            n = 0
            while not self.stop.is_set():
                n += 1
                try:
                    step(n)
                except Down:
                    time.sleep(0.05)
                except Exception as e:   # noqa: BLE001 (reported below)
                    self.failures.append("%s: %r" % (name, e))
                    return
        t = threading.Thread(target=loop, name=name, daemon=True)
        self.threads.append(t)
        t.start()

    def join(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)
            assert not t.is_alive(), t.name
        assert not self.failures, self.failures


def sign_in_step(load, base, net, users):
    """One X.1280 sign-in of one of users ((user ID, authenticator), in
    turn: each may start 10 logins in 10 minutes); a request left
    pending by a crash is approved first (one pending request per user,
    X.1280 9.2.4)."""
    def step(n):
        user, a = users[n % len(users)]
        r = call(a.pending)
        if r.status_code != 200:
            raise Down(r.status_code)
        for req in r.json()["requests"]:
            if call(a.decide, req["request_id"],
                    req["offset"]).status_code == 200:
                load.add("approved", req["request_id"])
        t = browser(base, net, n)
        r = call(t.s.get, base + "/login", allow_redirects=False,
                 timeout=HTTP_TIMEOUT)
        csrf = field(r.text, "csrf")
        r = call(t.s.post, base + "/login/start",
                 data={"csrf": csrf, "user": user}, allow_redirects=False,
                 timeout=HTTP_TIMEOUT)
        if r.status_code in (409, 429):
            time.sleep(0.1)
            return
        assert r.headers.get("location") == "/login/code", r.status_code
        reqs = call(a.pending).json()["requests"]
        if len(reqs) != 1:
            raise Down("request not visible yet")
        rid = reqs[0]["request_id"]
        load.add("created", rid)
        r = call(a.decide, rid, reqs[0]["offset"])
        assert r.status_code == 200, r.text
        load.add("approved", rid)
        page = call(t.s.get, base + "/login/code",
                    timeout=HTTP_TIMEOUT).text
        r = call(t.s.post, base + "/login/continue",
                 data={"csrf": field(page, "csrf")}, allow_redirects=False,
                 timeout=HTTP_TIMEOUT)
        assert r.status_code == 303 and r.headers["location"] == "/account"
        load.add("completed", rid)
    return step


def oidc_step(load, op):
    """A code for the signed-in browser, redeemed, then refreshed."""
    def step(n):
        r = call(op.authorize, scope="openid", state="s%d" % n)
        assert r.status_code == 302, (r.status_code, r.text[:200])
        code = query(r.headers["location"])["code"]
        load.add("unknown_codes", code)
        r = call(op.redeem, code, timeout=HTTP_TIMEOUT)
        assert r.status_code == 200, r.text
        load.add("redeemed", code)
        refresh = r.json()["refresh_token"]
        r = call(op.token, {"grant_type": "refresh_token",
                            "refresh_token": refresh}, timeout=HTTP_TIMEOUT)
        assert r.status_code == 200, r.text
        load.add("rotated", refresh)
    return step


def vetting_step(load, desk):
    """Opens a case for a new user and records two actions in it."""
    def step(n):
        user = "v%03d" % n
        add_user(desk.server, user)
        page = call(desk.t.get, "/helpdesk/user?u=" + user).text
        r = call(desk.t.post, "/helpdesk/user/open", {
            "csrf": field(page, "csrf"), "user": user, "purpose": "enrol",
            "channel": "desk"})
        assert r.status_code == 303, r.text[:300]
        cid = case_id(r.headers["location"])
        # A cut-off action is not tried again in its case (step n + 1
        # opens another), so each acknowledged one must be there once.
        for action, detail in (("C_CHECK_ELIGIBILITY", "directory"),
                               ("V_PRESENT_PROOF", "passport")):
            page = call(desk.t.get, "/helpdesk/case?id=" + cid).text
            r = call(desk.t.post, "/helpdesk/case/action", {
                "csrf": field(page, "csrf"), "id": cid,
                "v": field(page, "v"), "action": action, "outcome": "ok",
                "detail": detail})
            assert r.status_code == 303, (action, r.status_code)
            load.add("vetted", (cid, action))
    return step


def register_step(load, server):
    """A new user binds an authenticator after a password sign-in."""
    def step(n):
        user = "r%03d" % n
        add_user(server, user)
        load.add("unknown_users", user)
        t = browser(server.base, 2, n)
        try:
            code = t.registration_code() if t.password_login(
                user, PASSWORD).headers["location"] == "/account" else None
        except (requests.RequestException, AssertionError, KeyError):
            raise Down("registration page")
        a = Authenticator(server.base)
        a.http = t.s
        r = call_register(a, code)
        assert r.status_code == 201, r.text
        load.add("bound", (user, a.binding))
    return step


def call_register(a, code):
    try:
        return a.register(code)
    except requests.RequestException as e:
        raise Down(str(e))


def worker_pids(parent):
    """Kore's workers: the children of the parent process."""
    pids = []
    with open("/proc/%d/task/%d/children" % (parent, parent)) as f:
        pids = [int(p) for p in f.read().split()]
    return pids


def crash(server, whole):
    """SIGKILL a worker (the parent then stops the rest) or the whole
    process group; waits for the server to be gone, starts it again."""
    proc = server.proc
    if whole:
        os_killpg(proc.pid)
    else:
        pids = worker_pids(proc.pid)
        assert pids, "no workers"
        os_kill(random.choice(pids))
        # The parent stops the other worker (SIGTERM) and exits. A
        # sanitizer-built worker can hang in p11-kit's exit handler after
        # its last request (mutua_server.py): killed as systemd would.
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            os_killpg(proc.pid)
    proc.wait()
    # The sanitizers report to the log, which start() opens again.
    check_log(server)
    server.proc = None
    port_free(server.port)
    server.start()


def port_free(port):
    """Waits until no process of the killed server holds the listening
    socket: SIGKILLed sanitizer-built workers take a moment to go, and a
    new server would fail to bind."""
    deadline = time.time() + 10
    while True:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
                return
            except OSError:
                assert time.time() < deadline, "port %d still held" % port
        time.sleep(0.02)


def os_kill(pid):
    os.kill(pid, signal.SIGKILL)


def os_killpg(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def check_log(server):
    log = server.read_log()
    for marker in ("ERROR: AddressSanitizer", "runtime error:",
                   "sandbox violation"):
        assert marker not in log, log


def export(server, what):
    out = server.mutuactl(what, "export").stdout
    return [json.loads(line) for line in out.splitlines()]


def exactly_once(records, pred, what):
    n = sum(1 for r in records if pred(r))
    assert n == 1, "%s: %d records" % (what, n)


@pytest.fixture
def op(tmp_path):
    o = OP(str(tmp_path))
    yield o
    o.server.cleanup()


def test_no_acknowledged_record_lost_or_duplicated_across_crashes(op):
    server = op.server
    # More users signing in, and staff at the help desk.
    signing = [("alice", op.authenticator)]
    for user in ("bob", "carol", "dave"):
        add_user(server, user)
        signing.append((user, self_service_enrol(server, user)))
    add_user(server, "sam")
    server.mutuactl("role", "grant", "sam", "helpdesk")
    sam = self_service_enrol(server, "sam")
    desk = Desk(server, oob_login(server, "sam", sam, path="/helpdesk"))
    # The OIDC browser signs in once; its codes need no new login.
    op.code()

    load = Load()
    load.run("sign-in 1", sign_in_step(load, server.base, 0, signing[:2]))
    load.run("sign-in 2", sign_in_step(load, server.base, 1, signing[2:]))
    load.run("oidc", oidc_step(load, op))
    load.run("desk", vetting_step(load, desk))
    load.run("register", register_step(load, server))

    rng = random.Random()
    for rnd in range(ROUNDS):
        time.sleep(rng.uniform(0.7, 1.5))
        crash(server, whole=rnd % 2 == 1)
    time.sleep(1)
    load.join()

    # Enough happened for the test to mean something.
    assert len(load.completed) >= 3 and len(load.redeemed) >= 3
    assert len(load.vetted) >= 3 and len(load.bound) >= 1

    # Audit: both chains verify, numbers are dense, nothing acknowledged
    # is missing or twice.
    verify = server.mutuactl("audit", "verify")
    assert "chain intact" in verify.stdout, verify.stdout
    audit = export(server, "audit")
    assert [r["seq"] for r in audit] == list(range(1, len(audit) + 1))
    for rid in load.created:
        exactly_once(audit, lambda r: r["event"] == "oob.request.created"
                     and r["detail"] == rid, "created " + rid)
    for rid in load.approved:
        exactly_once(audit, lambda r: r["event"] == "oob.request.approved"
                     and ("request=%s " % rid) in r["detail"],
                     "approved " + rid)
    for rid in load.completed:
        exactly_once(audit, lambda r: r["event"] == "login.completed"
                     and r["detail"] == rid, "completed " + rid)

    vetting = export(server, "vetting")
    assert [r["seq"] for r in vetting] == list(range(1, len(vetting) + 1))
    for cid, action in load.vetted:
        exactly_once(vetting, lambda r: r["case"] == cid and
                     r["action"] == action, "vetting %s %s" % (cid, action))

    # Bindings: whole, once, in their user's index.
    for user, bid in load.bound:
        rows = server.mutuactl("binding", "list", user).stdout.splitlines()
        assert len(rows) == 1 and rows[0].startswith(bid + "\t"), rows
        assert "\tactive\t" in rows[0] + "\t", rows
    bound_users = {u for u, _ in load.bound}
    for user in load.unknown_users:
        if user not in bound_users:
            rows = server.mutuactl("binding", "list", user).stdout
            assert len(rows.splitlines()) <= 1, rows

    # Single use across crashes: codes and rotated refresh tokens.
    for code in load.redeemed:
        r = op.redeem(code)
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    for code in set(load.unknown_codes) - set(load.redeemed):
        ok = [op.redeem(code).status_code for _ in range(2)].count(200)
        assert ok <= 1, code
    for refresh in load.rotated:
        r = op.token({"grant_type": "refresh_token",
                      "refresh_token": refresh})
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
