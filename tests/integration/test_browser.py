"""The web authenticator and the login pages in a real browser.

Debian's headless Chromium, driven by playwright-core from
tests/browser/run.mjs: one browser context is the phone (it registers
/app/ from the account page's link and approves), another the terminal
(it signs in to the demo SAML SP of tools/demo-sp.py, and to its
OpenID Connect side). With MUTUA_SCREENSHOTS=1 the login scenario writes
the screenshots of docs/screenshots/.
"""
import json
import re
import os
import shutil
import subprocess
import time

import pytest
import requests

from mutua_server import ROOT, free_port
from test_oob import PASSWORD, add_user

PYTHON = os.environ.get("PYTHON", "/usr/bin/python3")
DEMO_SP = os.path.join(ROOT, "tools", "demo-sp.py")
DEMO_RP = os.path.join(ROOT, "tests", "oidc", "demo_rp.mjs")
RUN = os.path.join(ROOT, "tests", "browser", "run.mjs")
SHOTS = os.environ.get("MUTUA_SCREENSHOTS_DIR") or os.path.join(ROOT, "docs", "screenshots")


class DemoSP:
    """tools/demo-sp.py on a free port, published in the IdP's sp_dir."""

    def __init__(self, sp_dir):
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        os.makedirs(sp_dir, exist_ok=True)
        md = subprocess.run([PYTHON, DEMO_SP, "--metadata", "--base",
                             self.base], check=True, capture_output=True,
                            text=True).stdout
        with open(os.path.join(sp_dir, "demo-sp.xml"), "w") as f:
            f.write(md)
        shutil.copy(os.path.join(ROOT, "federation", "sp", "demo-sp.conf"),
                    sp_dir)
        self.proc = None

    def start(self, idp, log):
        self.log = open(log, "w")
        self.proc = subprocess.Popen(
            [PYTHON, DEMO_SP, "--port", str(self.port), "--idp", idp],
            stdout=self.log, stderr=subprocess.STDOUT)
        wait_ready(self.base + "/", self.proc, "the demo SP")

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None
            self.log.close()


class DemoRP:
    """tests/oidc/demo_rp.mjs on a free port, registered as client demo."""

    def __init__(self, clients_dir):
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.clients_dir = clients_dir
        self.proc = None

    def register(self, server):
        os.makedirs(self.clients_dir, exist_ok=True)
        secret, hashed = server.mutuactl("client", "secret").stdout.split()
        self.secret_file = server.path("demo-client-secret.txt")
        with open(self.secret_file, "w") as f:
            f.write(secret + "\n")
        with open(os.path.join(self.clients_dir, "demo.json"), "w") as f:
            json.dump({
                "client_id": "demo", "client_name": "mutua demo client",
                "token_endpoint_auth_method": "client_secret_basic",
                "client_secret_hash": hashed,
                "redirect_uris": [self.base + "/callback"],
                "post_logout_redirect_uris": [self.base + "/"],
                "scope": "openid profile email",
                "grant_types": ["authorization_code"]}, f)

    def start(self, idp, log):
        self.log = open(log, "w")
        self.proc = subprocess.Popen(
            ["node", DEMO_RP, idp], cwd=ROOT, stdout=self.log,
            stderr=subprocess.STDOUT, env=dict(
                os.environ, DEMO_RP_PORT=str(self.port),
                DEMO_SECRET=self.secret_file))
        wait_ready(self.base + "/", self.proc, "the demo RP")

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None
            self.log.close()


def wait_ready(url, proc, what):
    deadline = time.time() + 15
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(what + " exited")
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError(what + " did not start")


@pytest.fixture
def fed(new_server, tmp_path):
    """A server whose federation holds the demo SP (and, with oidc, the
    demo OAuth client); alice with a password.

    Returns a function of extra idp.conf lines that starts them and
    returns (server, demo SP, demo RP or None)."""
    peers = []

    def make(extra="", oidc=False):
        sp = DemoSP(str(tmp_path / "sp"))
        peers.append(sp)
        rp = DemoRP(str(tmp_path / "clients")) if oidc else None
        if rp is not None:
            peers.append(rp)
            extra += "\nclients_dir %s" % rp.clients_dir
            os.makedirs(rp.clients_dir)
        s = new_server("sp_dir %s\n%s" % (tmp_path / "sp", extra))
        if rp is not None:
            rp.register(s)
        s.start()
        add_user(s)
        sp.start(s.base, s.path("demo-sp.log"))
        if rp is not None:
            rp.start(s.base, s.path("demo-rp.log"))
        return s, sp, rp
    yield make
    for p in peers:
        p.stop()


def browser(scenario, server, sp, rp=None, shots=None, timeout=240, **kw):
    """Runs one scenario of tests/browser/run.mjs; returns its JSON."""
    args = {"base": server.base, "sp": sp.base,
            "rp": rp.base if rp is not None else None,
            "user": "alice", "password": PASSWORD, "shots": shots}
    args.update(kw)
    p = subprocess.run(["node", RUN, scenario, json.dumps(args)],
                       capture_output=True, text=True, timeout=timeout,
                       cwd=ROOT)
    try:
        out = json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise AssertionError("run.mjs: %s\n%s" % (p.stdout, p.stderr))
    assert out["ok"], json.dumps(out, indent=2) + "\n" + \
        server.read_log()[-3000:]
    return out


def keys_are_wrapped(out):
    """The phone keeps its keys only wrapped under the PIN."""
    assert len(out["keys"]) == 1
    k = out["keys"][0]
    assert not k["device_is_key"] and k["device_bytes"] > 100 and \
        k["k_bytes"] == 32 + 16


def test_phone_registers_and_approves_saml_and_oidc_logins(fed):
    server, sp, rp = fed(oidc=True)
    shots = SHOTS if os.environ.get("MUTUA_SCREENSHOTS") else None
    out = browser("login", server, sp, rp, shots=shots)
    keys_are_wrapped(out)
    # The phone showed what the offset says: the SP by the name of its
    # metadata and its entity ID, the terminal's address and browser
    # (the terminal's User-Agent, summarised).
    assert out["phone"]["name"] == "mutua demo service"
    assert out["phone"]["rp"] == sp.base + "/metadata"
    assert out["phone"]["ip"] == "127.0.0.1"
    assert out["phone"]["browser"] == "Chrome 131 on Linux"
    assert out["phone_shows_code"] is False
    assert out["saml"]["status"].startswith("Logged in as Alice Example")
    assert out["saml"]["acr"]
    # The OpenID Connect client: its client_name and client_id.
    assert out["oidc_phone_name"] == "mutua demo client"
    assert out["oidc_phone_rp"] == "demo"
    assert out["oidc"]["sub"] and out["oidc"]["acr"]


def test_compare_mode_shows_the_same_code_on_both_screens(fed):
    """...on a 360 px wide terminal used with the keyboard only."""
    server, sp, _ = fed("comparison compare")
    shots = SHOTS if os.environ.get("MUTUA_SCREENSHOTS") else None
    out = browser("compare", server, sp, shots=shots, narrow=True)
    assert out["phone_code"] == out["terminal_code"]
    assert out["code_page_fits"] and out["code_font_px"] >= 32
    assert out["saml"].startswith("Logged in as")


def test_deny_and_mismatch_are_shown_on_the_terminal(fed):
    server, sp, _ = fed()
    out = browser("deny", server, sp)
    assert out["status"]["live"] == "polite"
    assert "Denied" in out["status"]["text"]
    assert out["retry_visible"]
    assert "do not match" in out["mismatch"]


def test_code_expires_with_the_countdown_and_retry_gives_a_new_one(fed):
    server, sp, _ = fed("oob_code_lifetime 30")
    out = browser("expiry", server, sp)
    # The terminal said "expired" when the request expired, not later
    # than the poll interval and the browser's timers allow.
    assert -0.5 <= out["expired_late"] < 2.5, out
    assert out["bar"] == "0"
    assert "expired" in out["status"]["text"]
    assert out["new_code"]


def test_wrong_pin_keeps_the_authenticator_locked(fed):
    server, sp, _ = fed()
    out = browser("wrong_pin", server, sp)
    assert out["locked_requests_hidden"]
    assert out["error"] == "Wrong PIN." and out["still_locked"]
    assert out["sw"] and out["offline_shell"], out
    assert out["qr_text_ok"], out
    assert out["check_filled"] and out["check_hash_gone"]


def test_select_mode_offers_the_code_among_decoys(fed):
    server, sp, _ = fed("comparison select")
    out = browser("select", server, sp)
    assert out["choices"] == 4 and out["listed"]
    assert out["marked"] is False
    assert out["saml"].startswith("Logged in as")


def test_backup_phone_suspends_the_lost_one_and_sign_out_everywhere(fed):
    server, sp, _ = fed()
    shots = SHOTS if os.environ.get("MUTUA_SCREENSHOTS") else None
    out = browser("backup", server, sp, shots=shots)
    assert out["marked"]
    assert re.search(r"Test phone\s+LoA2\s+suspended", out["table"]), out
    assert re.search(r"Backup phone\s+LoA2\s+active", out["table"]), out
    assert "help desk" in out["refusal"]
    assert out["signed_out"] == "Signed out everywhere"
    assert out["after"] == server.base + "/login"


def test_help_desk_case_view(fed):
    server, sp, _ = fed()
    server.mutuactl("user", "add", "-p", "sam", input=PASSWORD + "\n")
    server.mutuactl("role", "grant", "sam", "helpdesk")
    shots = SHOTS if os.environ.get("MUTUA_SCREENSHOTS") else None
    out = browser("helpdesk", server, sp, shots=shots, staff="sam")
    assert out["applicant"] == "alice"
    assert out["state"] not in ("", "failed")


def test_readme_walk_through(fed):
    """README.md, "With the web authenticator, at the demo service
    provider", as a person would do it (no sign-out in between)."""
    server, sp, _ = fed()
    out = browser("readme", server, sp)
    assert out["status"].startswith("Logged in as Alice Example")


def test_terminal_without_javascript_signs_in(fed):
    server, sp, _ = fed()
    out = browser("nojs", server, sp, nojs=True)
    assert out["status_before"].startswith("Waiting for approval")
    assert out["saml"].startswith("Logged in as")


def test_app_is_served_with_the_pages_headers(server):
    """/app/ is a closed list of files, with the strict CSP."""
    for path, ctype in (("/app/", "text/html"),
                        ("/app/app.js", "text/javascript"),
                        ("/app/sw.js", "text/javascript"),
                        ("/app/manifest.webmanifest",
                         "application/manifest+json"),
                        ("/app/icon-192.png", "image/png")):
        r = requests.get(server.base + path, allow_redirects=False)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith(ctype), path
        csp = r.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "default-src 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
    assert requests.get(server.base + "/app/../kore.conf").status_code == 404
    assert requests.get(server.base + "/app/nothing.js").status_code == 404
    r = requests.get(server.base + "/app", allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/app/"
    assert requests.post(server.base + "/app/").status_code == 405
    manifest = requests.get(server.base + "/app/manifest.webmanifest").json()
    assert manifest["scope"] == "/app/" and manifest["start_url"] == "/app/"


def test_two_accounts_on_one_phone(fed):
    server, sp, _ = fed()
    add_user(server, "bob")
    out = browser("two_accounts", server, sp, user2="bob")
    assert out["accounts"] == 2 and len(out["keys"]) == 2
    assert out["user_shown"] == "bob (Phone for bob)"
    assert out["saml"].startswith("Logged in as Bob Example")
