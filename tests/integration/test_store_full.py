"""A full store: the LMDB map (map_size_mb) or the disk under data_dir.

Writes fail as a whole with a page or protocol error that says so (503,
Retry-After) and an event=store log line; nothing half-written is left
(no login in progress without its audit record, the audit chain
verifies), and sign-ins work again once there is room, without a
restart. The sweep's part (deleting expired records from a map with no
page left) is tests/unit/test_store_full.c.
"""
import os
import re
import signal
import subprocess
import time

import pytest
import requests

from mutua_server import MutuaServer
from oob_client import parse_offset
from terminal import Terminal
from test_oob import enrol, pending_one

FILL_MAX = 20000


def set_conf(server, key, value):
    with open(server.conf) as f:
        text = f.read()
    text = re.sub(r"(?m)^%s .*$" % key, "%s %s" % (key, value), text)
    with open(server.conf, "w") as f:
        f.write(text)


def fill_until_full(server):
    """Failed password sign-ins (an audit record each) until the store
    refuses one; returns that response."""
    t = Terminal(server.base)
    csrf = t.csrf()
    for i in range(FILL_MAX):
        r = t.post("/login/password", {"csrf": csrf, "user": "u%06d" % i,
                                       "password": "wrong"})
        if r.status_code not in (401, 429):
            return r
    raise AssertionError("the store never filled up")


def assert_full_answers(server, alice):
    """Sign-in start, approval and the log while the store is full."""
    r = fill_until_full(server)
    assert r.status_code == 503, (r.status_code, r.text[:300])
    assert r.headers["retry-after"] == "60"
    assert "storage is full, so nothing was changed" in r.text

    # A sign-in start writes its login (volatile) and its audit record
    # (durable) in one transaction: refused whole, nothing half-done.
    t = Terminal(server.base)
    r = t.start("alice")
    assert r.status_code == 503 and "Temporarily unavailable" in r.text
    assert alice.pending().json()["requests"] == []
    log = server.read_log()
    assert re.search(r"event=store id=\w+ path=/login/start outcome=full "
                     r"reason=\"durable: ", log), log[-2000:]
    assert server.mutuactl("audit", "verify").returncode == 0


def sign_in(server, alice):
    t = Terminal(server.base)
    assert t.start("alice").headers["location"] == "/login/code"
    req = pending_one(alice)
    assert parse_offset(req["offset"])["uid"] == "alice"
    assert alice.decide(req["request_id"], req["offset"]).status_code == 200
    r = t.continue_login()
    assert r.status_code == 303 and r.headers["location"] == "/account"


def reload(server):
    """SIGHUP; waits until the workers answer with the new store."""
    with open(server.pidfile) as f:
        os.kill(int(f.read()), signal.SIGHUP)
    time.sleep(1.5)


def test_full_map_refuses_writes_clearly_and_resumes_after_reload(
        new_server):
    s = new_server()
    set_conf(s, "map_size_mb", "1")
    s.start()
    alice = enrol(s)
    assert_full_answers(s, alice)
    # Reads go on: signed-in users, the health check, exports.
    assert requests.get(s.base + "/healthz").status_code == 200

    # The operator gives the map room: no restart, a reload.
    set_conf(s, "map_size_mb", "2")
    reload(s)
    sign_in(s, alice)
    verify = s.mutuactl("audit", "verify")
    assert "chain intact" in verify.stdout


@pytest.fixture
def tmpfs_server():
    """A server whose durable environment is on a 3 MB tmpfs and whose
    volatile one is on a tmpfs of its own, so that only the durable one
    runs out of disk."""
    s = MutuaServer()
    db = s.path("db")
    mounted = []
    try:
        for path, size in ((db, "3m"), (os.path.join(db, "volatile"),
                                        "16m")):
            os.makedirs(path, mode=0o700, exist_ok=True)
            p = subprocess.run(["mount", "-t", "tmpfs", "-o",
                                "size=%s,mode=0700" % size, "tmpfs", path],
                               capture_output=True, text=True)
            if p.returncode != 0:
                pytest.skip("cannot mount a tmpfs: " + p.stderr.strip())
            mounted.append(path)
        s.start()
        yield s
    finally:
        s.stop()
        for path in reversed(mounted):
            umount(path)
        s.cleanup()


def umount(path):
    """Unmounts path once the killed workers, which take a moment to go
    under the sanitizers, no longer hold files on it."""
    deadline = time.time() + 10
    while subprocess.run(["umount", path], capture_output=True).returncode:
        assert time.time() < deadline, "cannot unmount " + path
        time.sleep(0.1)


def test_full_disk_refuses_writes_clearly_and_resumes_with_room(
        tmpfs_server):
    s = tmpfs_server
    alice = enrol(s)
    ballast = s.path("db", "ballast")
    with open(ballast, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    assert_full_answers(s, alice)
    assert re.search(r"reason=\"durable: No space left on device\"",
                     s.read_log())

    # Room again: the next sign-in works, no restart.
    os.unlink(ballast)
    sign_in(s, alice)
    assert "chain intact" in s.mutuactl("audit", "verify").stdout
