"""mutua-authenticator against a real server: what the command adds to the
protocol (PIN, state file, enter-mode comparison, QR check), see
docs/mutua-authenticator.1. The wire format itself is test_oob.py's."""
import json
import os
import re
import shlex
import stat
import subprocess
import time

import pytest

from mutua_server import BUILD, ROOT, sanitizer_env_tools
from oob_client import Authenticator
from terminal import Terminal

PASSWORD = "correct horse battery"
PIN = "2468"


class Cli:
    """One mutua-authenticator state file and its PIN file."""

    def __init__(self, tmp_path, name="cli"):
        self.state = str(tmp_path / ("%s.state" % name))
        self.pin = str(tmp_path / ("%s.pin" % name))
        write_secret(self.pin, PIN + "\n")

    def run(self, *args, pin=None, check=False, env=None):
        cmd = [os.path.join(ROOT, BUILD, "mutua-authenticator"),
               "-f", self.state, "-P", pin or self.pin] + list(args)
        full = dict(os.environ, **sanitizer_env_tools())
        full.pop("CURL_CA_BUNDLE", None)    # only the CA a test gives
        full.update(env or {})
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL, env=full)
        # A sanitizer report fails the test whatever the exit status.
        assert "Sanitizer" not in r.stderr, r.stderr
        if check:
            assert r.returncode == 0, r.stdout + r.stderr
        return r

    def requests(self, *args):
        """pending, as a list of dicts (one per request line)."""
        r = self.run(*args, "pending", check=True)
        return [kv(line) for line in r.stdout.splitlines()
                if line.startswith("request_id=")]


def write_secret(path, text, mode=0o600):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def kv(line):
    """key=value pairs, values quoted when not plain."""
    return dict(w.split("=", 1) for w in shlex.split(line) if "=" in w)


def add_user(server, user):
    server.mutuactl("user", "add", "-p", user, input=PASSWORD + "\n")


def register(server, cli, user="alice", label="CLI test"):
    """Password login, registration code from /account, CLI register."""
    add_user(server, user)
    t = Terminal(server.base)
    assert t.password_login(user, PASSWORD).headers["location"] == "/account"
    r = cli.run("register", server.base, t.registration_code(), label,
                check=True)
    assert "binding_id=" in r.stdout
    return r


def audit(server):
    return server.mutuactl("audit", "export").stdout


@pytest.fixture
def alice(server, tmp_path):
    cli = Cli(tmp_path)
    register(server, cli)
    return cli


def test_register_stores_binding_in_private_file_without_k(server, tmp_path):
    cli = Cli(tmp_path)
    out = register(server, cli).stdout
    st = os.stat(cli.state)
    assert stat.S_IMODE(st.st_mode) == 0o600
    doc = json.load(open(cli.state))
    (b,) = doc["bindings"]
    assert b["issuer"] == server.base and b["user_id"] == "alice"
    assert b["label"] == "CLI test" and b["binding_id"] in out
    # K and the device key exist only sealed under the PIN.
    assert set(b["secret"]) == {"kdf", "n", "r", "p", "salt", "sealed"}
    assert "verification_key" not in json.dumps(doc)
    assert b["binding_id"] in server.mutuactl("binding", "list",
                                              "alice").stdout

    s = kv(cli.run("status", check=True).stdout)
    assert s == {"issuer": server.base, "user": "alice",
                 "binding_id": b["binding_id"], "label": "CLI test",
                 "comparison": "enter", "loa": str(b["loa"]),
                 "created": str(b["created"])}


def test_pending_shows_the_context_from_the_offset(server, alice):
    ua = 'Mozilla/5.0 (X11) "quoted" & 100% = ~'
    t = Terminal(server.base, user_agent=ua)
    t.start("alice")
    (req,) = alice.requests()
    assert req["mode"] == "enter"
    assert req["ua"] == ua and req["uid"] == "alice"
    assert req["rp"] == server.base and req["tpub"] == "127.0.0.1"
    assert req["rp_name"] == ""     # mutua's own pages have no name
    assert req["tpriv"] == "-"
    assert 0 < int(req["expires_in"]) <= 120
    assert abs(int(req["time"]) - time.time()) < 30


@pytest.mark.parametrize("mode", ["enter", "select", "compare"])
def test_the_code_is_shown_only_in_compare_mode(new_server, tmp_path,
                                                mode):
    """In enter and select modes the user must read the code on the
    terminal: no command prints it or marks the right choice."""
    server = new_server("comparison %s" % mode)
    server.start()
    cli = Cli(tmp_path)
    register(server, cli)
    t = Terminal(server.base)
    t.start("alice")
    code, _ = t.code()
    pending = cli.run("pending", check=True)
    (req,) = [kv(line) for line in pending.stdout.splitlines()
              if line.startswith("request_id=")]
    assert req["mode"] == mode
    approve = cli.run("approve", req["request_id"], "-c", code, check=True)
    if mode == "compare":
        assert req["code"] == code
    else:
        assert "code" not in req
        # Only among the choices of select mode, which are unmarked.
        for r in (pending, approve):
            assert code not in re.sub(r"choices=\S+", "", r.stdout)
            assert code not in r.stderr
    if mode == "select":
        choices = req["choices"].split(",")
        assert len(set(choices)) == 4 and code in choices
    assert "status=approved" in approve.stdout
    assert t.get("/login/status").json()["state"] == "approved"


def test_approve_with_terminal_code_completes_login(server, alice):
    t = Terminal(server.base)
    t.start("alice")
    code, _ = t.code()
    (req,) = alice.requests()
    r = alice.run("approve", req["request_id"], "-c", code, check=True)
    assert "status=approved" in r.stdout
    assert t.get("/login/status").json()["state"] == "approved"


def test_wrong_pin_sends_nothing(server, alice, tmp_path):
    t = Terminal(server.base)
    t.start("alice")
    code, page = t.code()
    bad = str(tmp_path / "bad.pin")
    write_secret(bad, "1357\n")
    for args in (["pending"], ["deny", "0" * 32],
                 ["approve", "0" * 32, "-c", code]):
        r = alice.run(*args, pin=bad)
        assert r.returncode == 1
        assert "wrong PIN" in r.stderr and "nothing was sent" in r.stderr
    assert t.get("/login/status").json()["state"] == "pending"
    server.stop()
    log = server.read_log()
    assert "path=/oob/v1/pending" not in log
    assert "path=/oob/v1/approve" not in log


def test_state_and_pin_files_open_to_others_are_refused(server, alice):
    os.chmod(alice.state, 0o640)
    r = alice.run("status")
    assert r.returncode == 1 and "chmod 600" in r.stderr
    os.chmod(alice.state, 0o600)
    os.chmod(alice.pin, 0o644)
    r = alice.run("pending")
    assert r.returncode == 1 and "chmod 600" in r.stderr
    os.chmod(alice.pin, 0o600)
    assert alice.run("pending").returncode == 0


def test_enter_mode_mismatch_warns_and_denies(server, alice):
    t = Terminal(server.base)
    t.start("alice")
    code, _ = t.code()
    (req,) = alice.requests()
    wrong = "%06d" % ((int(code) + 1) % 10 ** 6)
    r = alice.run("approve", req["request_id"], "-c", wrong)
    assert r.returncode == 1
    assert "NOT the genuine" in r.stderr and "status=denied" in r.stdout
    assert t.get("/login/status").json()["state"] == "denied"
    assert "reason=mismatch" in audit(server)


def test_check_compares_qr_code(server, alice):
    t = Terminal(server.base)
    t.start("alice")
    code, _ = t.code()
    (req,) = alice.requests()
    qr = "%s/app/#check=%s.%s" % (server.base, req["request_id"], code)
    r = alice.run("check", qr)
    assert r.returncode == 0 and r.stdout.startswith("MATCH\n")
    assert kv(r.stdout.splitlines()[1])["request_id"] == req["request_id"]

    wrong = "%06d" % ((int(code) + 1) % 10 ** 6)
    r = alice.run("check", qr[:-6] + wrong)
    assert r.returncode == 1 and r.stdout.startswith("MISMATCH\n")
    assert "NOT the genuine" in r.stderr

    # A genuine code shown by another site: the base URL must be ours.
    other = "https://idp.example.net/app/#check=%s.%s" % (
        req["request_id"], code)
    r = alice.run("check", other)
    assert r.returncode == 1 and r.stdout.startswith("MISMATCH")
    # check decides nothing.
    assert t.get("/login/status").json()["state"] == "pending"


def test_deny_not_me_is_an_alert_on_other_authenticators(server, alice):
    # A second authenticator, registered after a login with the CLI.
    t = Terminal(server.base)
    t.start("alice")
    code, _ = t.code()
    (req,) = alice.requests()
    alice.run("approve", req["request_id"], "-c", code, check=True)
    assert t.continue_login().headers["location"] == "/account"
    phone = Authenticator(server.base)
    time.sleep(1.1)   # most recently used: the phone gets the next request
    assert phone.register(t.registration_code()).status_code == 201

    intruder = Terminal(server.base, user_agent="Intruder/1.0")
    intruder.start("alice")
    (preq,) = phone.pending().json()["requests"]
    assert phone.decide(preq["request_id"], preq["offset"], "deny",
                        reason="not_me").json() == {"status": "denied"}
    r = alice.run("pending", check=True)
    (line,) = [l for l in r.stdout.splitlines() if l.startswith("alert")]
    a = kv(line)
    assert a["event"] == "denied_not_me" and a["ua"] == "Intruder/1.0"



def test_deny_not_me_from_the_command_line_raises_alert(server, alice):
    t = Terminal(server.base)
    t.start("alice")
    (req,) = alice.requests()
    r = alice.run("deny", "-r", "not_me", req["request_id"], check=True)
    assert "status=denied" in r.stdout
    assert t.get("/login/status").json()["state"] == "denied"
    assert "oob.alert.not_me" in audit(server)


def test_several_accounts_are_chosen_with_a(server, tmp_path):
    cli = Cli(tmp_path)
    register(server, cli, "alice")
    register(server, cli, "bob")
    lines = cli.run("status", check=True).stdout.splitlines()
    assert [kv(l)["user"] for l in lines] == ["alice", "bob"]
    r = cli.run("pending")
    assert r.returncode == 1 and "-a" in r.stderr

    Terminal(server.base).start("bob")
    (req,) = cli.requests("-a", "bob@" + server.base)
    assert req["uid"] == "bob"
    (again,) = cli.requests("-a", kv(lines[1])["binding_id"])
    assert again["request_id"] == req["request_id"]
    assert cli.requests("-a", "alice@" + server.base) == []


def test_plain_http_is_refused_off_loopback(tmp_path):
    cli = Cli(tmp_path)
    r = cli.run("register", "http://idp.example.org", "ab" * 32)
    assert r.returncode == 1 and "https://" in r.stderr
    assert not os.path.exists(cli.state)


def test_registration_error_is_reported_from_json(server, tmp_path):
    cli = Cli(tmp_path)
    r = cli.run("register", server.base, "ab" * 32)
    assert r.returncode == 1
    assert "error: invalid_code: " in r.stderr
    assert not os.path.exists(cli.state)


def test_tls_needs_a_certificate_from_a_trusted_ca(tmp_path):
    tls = pytest.importorskip("test_tls")
    if not os.path.exists(tls.NGINX):
        pytest.skip("nginx is not installed")
    front = tls.TLSMutuaServer()
    try:
        front.start()
        add_user(front, "alice")
        t = Terminal(front.https_base)
        t.s.verify, t.s.trust_env = front.ca, False
        t.password_login("alice", PASSWORD)
        code = t.registration_code()
        cli = Cli(tmp_path)
        # The test CA is not in the system store: verification fails.
        r = cli.run("register", front.https_base, code)
        assert r.returncode == 1 and "certificate" in r.stderr.lower()
        assert not os.path.exists(cli.state)
        cli.run("-C", front.ca, "register", front.https_base, code,
                check=True)

        t2 = Terminal(front.https_base)
        t2.s.verify, t2.s.trust_env = front.ca, False
        t2.start("alice")
        assert cli.run("pending").returncode == 1
        r = cli.run("pending", check=True, env={"CURL_CA_BUNDLE": front.ca})
        assert kv(r.stdout)["uid"] == "alice"
    finally:
        front.cleanup()
