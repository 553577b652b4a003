"""pam_mutua.so with pamtester against a running mutua (docs/pam.md):
the operating-system login of X.1280 Appendix II.3, approved, denied,
expired, and the failures that must refuse the login: a wrong host key,
an unknown host, mutua unreachable, a user without an authenticator."""
import json
import os
import re
import subprocess
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from mutua_server import BUILD, ROOT, MutuaServer, free_port, sanitizer_env
from oob_client import b64url, parse_offset
from test_oob import enrol

HOST = "build-3.example"
HOST_NAME = "Build server 3"
MODULE = os.path.join(ROOT, BUILD, "pam_mutua.so")


def host_key(path):
    """A P-256 host key in PEM, private to its owner; returns its point."""
    key = ec.generate_private_key(ec.SECP256R1())
    with open(path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    os.chmod(path, 0o600)
    return key.public_key().public_bytes(
        serialization.Encoding.X962,
        serialization.PublicFormat.UncompressedPoint)


@pytest.fixture
def server():
    """mutua with a hosts_dir where HOST is registered with host.key."""
    s = MutuaServer("oob_code_lifetime 30\npassword_renewal yes")
    os.mkdir(s.path("hosts"))
    with open(s.conf, "a") as f:
        f.write("hosts_dir %s\n" % s.path("hosts"))
    point = host_key(s.path("host.key"))
    with open(s.path("hosts", HOST + ".json"), "w") as f:
        json.dump({"display_name": HOST_NAME, "public_key": b64url(point)},
                  f)
    s.start()
    yield s
    s.cleanup()


@pytest.fixture
def service():
    """Writes /etc/pam.d/<service> for a test and removes it after."""
    name = "mutua-test-" + uuid.uuid4().hex[:12]
    path = os.path.join("/etc/pam.d", name)

    def write(options):
        with open(path, "w") as f:
            f.write("auth required %s %s\naccount required pam_permit.so\n"
                    % (MODULE, options))
        return name
    yield write
    if os.path.exists(path):
        os.unlink(path)


def options(server, key=None, url=None, host=HOST, extra=""):
    return "url=%s host=%s key=%s %s" % (
        url or server.base, host, key or server.path("host.key"), extra)


def pamtester(name, user):
    """Starts pamtester; Enter is typed at once (the module then polls)."""
    env = dict(os.environ, **sanitizer_env())
    p = subprocess.Popen(["pamtester", "-v", name, user, "authenticate"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    p.stdin.write("\n")
    p.stdin.flush()
    return p


def finish(p, timeout=60):
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out, err


def pending_host_request(alice):
    r = alice.pending(wait=20)
    assert r.status_code == 200, r.text
    reqs = r.json()["requests"]
    assert len(reqs) == 1, reqs
    return reqs[0]


def test_pam_login_succeeds_after_approval(server, service):
    alice = enrol(server)
    p = pamtester(service(options(server)), "alice")
    req = pending_host_request(alice)
    f = parse_offset(req["offset"])
    # The offset names the host: its identity and its display name.
    assert f["rp"] == "host:" + HOST and f["rpn"] == HOST_NAME
    assert f["uid"] == "alice" and f["tpub"] == "127.0.0.1"
    assert "pam_mutua service=mutua-test-" in f["ua"]
    code = alice.code_for(req["offset"])
    assert alice.decide(req["request_id"], req["offset"]).status_code == 200
    rc, out, err = finish(p)
    assert rc == 0, out + err
    assert "successfully authenticated" in out + err
    # What the user compared: the code the authenticator computes.
    assert "Code: %s " % code in out, out
    assert HOST_NAME in out and "sign-in as alice" in out
    # Taken once; Annex A renews the password after a host login too.
    log = server.mutuactl("audit", "export").stdout
    assert "login.completed" in log and "password.renewed" in log


def test_pam_login_refused_on_deny(server, service):
    alice = enrol(server)
    p = pamtester(service(options(server)), "alice")
    req = pending_host_request(alice)
    r = alice.decide(req["request_id"], req["offset"], decision="deny")
    assert r.json() == {"status": "denied"}
    rc, out, err = finish(p)
    assert rc != 0
    assert "denied on your authenticator" in err, err


def test_pam_login_refused_when_the_code_expires(server, service):
    alice = enrol(server)
    p = pamtester(service(options(server)), "alice")
    req = pending_host_request(alice)
    assert 0 < req["expires_at"] - int(req["offset"].split("&t=")[1]
                                          .split("&")[0]) <= 30
    rc, out, err = finish(p, timeout=90)
    assert rc != 0
    assert "code expired" in err, err


def test_pam_timeout_option_ends_the_wait(server, service):
    alice = enrol(server)
    p = pamtester(service(options(server, extra="timeout=10")), "alice")
    pending_host_request(alice)
    rc, out, err = finish(p)
    assert rc != 0
    assert "no approval in time" in err, err


def test_pam_refused_with_a_wrong_host_key(server, service):
    enrol(server)
    host_key(server.path("other.key"))
    p = pamtester(service(options(server, key=server.path("other.key"))),
                  "alice")
    rc, out, err = finish(p)
    assert rc != 0
    assert "does not accept this computer" in err, err
    assert "Code:" not in out


def test_pam_refused_for_an_unregistered_host(server, service):
    enrol(server)
    p = pamtester(service(options(server, host="stranger")), "alice")
    rc, out, err = finish(p)
    assert rc != 0
    assert "does not accept this computer" in err, err


def test_pam_refused_when_mutua_is_unreachable(server, service):
    url = "http://127.0.0.1:%d" % free_port()
    p = pamtester(service(options(server, url=url)), "alice")
    rc, out, err = finish(p)
    assert rc != 0
    assert "cannot be reached" in err, err


def test_pam_refused_for_a_user_without_authenticator(server, service):
    enrol(server)
    p = pamtester(service(options(server)), "bob")
    rc, out, err = finish(p)
    assert rc != 0
    assert "no authenticator is registered for bob" in err, err


def test_pam_refuses_a_user_name_that_is_no_mutua_id(server, service):
    """Names come from whoever connects: not sent, not echoed."""
    p = pamtester(service(options(server)), "Root\x1b[2J")
    rc, out, err = finish(p)
    assert rc != 0
    assert "no authenticator is registered for this account" in err, err
    assert all("Root" not in line for line in err.splitlines()
               if line.startswith("mutua:"))
    assert "oob.request" not in server.mutuactl("audit", "export").stdout


def test_pam_refuses_a_host_key_others_can_read(server, service):
    enrol(server)
    os.chmod(server.path("host.key"), 0o644)
    p = pamtester(service(options(server)), "alice")
    rc, out, err = finish(p)
    assert rc != 0
    assert "host key cannot be read" in err, err


def test_pam_one_pending_request_per_user(server, service):
    """X.1280 9.2.4 holds for hosts too: a second login waits its turn."""
    alice = enrol(server)
    name = service(options(server, extra="timeout=10"))
    first = pamtester(name, "alice")
    pending_host_request(alice)
    rc, out, err = finish(pamtester(name, "alice"))
    assert rc != 0
    assert "waiting for approval" in err, err
    finish(first)


def test_pam_misconfigured_line_fails_closed(server, service):
    p = pamtester(service("url=%s host=%s" % (server.base, HOST)), "alice")
    rc, out, err = finish(p)
    assert rc != 0
    assert re.search(r"fail|error", out + err, re.I), out + err
