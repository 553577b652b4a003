"""mutuactl(8) against a running server's LMDB environment: users, roles,
bindings, vetting records, JSON exports, and an online backup taken while
the server writes, restored into an empty data directory."""
import copy
import json
import os
import re
import shutil
import subprocess
import threading
import time

from mutua_server import MutuaServer
from oob_client import Authenticator
from terminal import Terminal

PASSWORD = "correct horse battery"
ACTIONS = {
    "C_USE_EXISTING_FACTOR", "C_SELECT_NEW_FACTOR", "C_USE_NEW_FACTOR",
    "C_CHECK_ELIGIBILITY", "I_REQUEST_FACTOR", "I_FACTOR_DELIVERY",
    "I_ARRANGE_VETTING", "V_COMMENCE", "V_PRESENT_PROOF",
    "V_CREATE_DIGITAL_IDENTITY", "V_HAND_OVER_FACTOR", "V_VERIFY_IDENTITY",
    "V_VET_PROOF", "V_SOURCE", "V_CHECK_LIVENESS",
    "V_RECORD_PROOF_AUDIT_DATA", "V_PREREGISTER_FACTOR", "B_FACTOR_AND_ID",
    "B_ACTIVATE", "B_CONFIRMATION", "R_RELEASE_FACTOR"}


def ctl(server, *args, input=None):
    return server.mutuactl(*args, input=input, check=False)


def enrol(server, user):
    server.mutuactl("user", "add", "-p", "-e", user + "@example.org", user,
                    input=PASSWORD + "\n")
    t = Terminal(server.base)
    t.password_login(user, PASSWORD)
    a = Authenticator(server.base)
    assert a.register(t.registration_code()).status_code == 201
    return a


def test_usage_and_bad_input_fail_clearly(server):
    for args in ([], ["nosuch"], ["user"], ["user", "add"],
                 ["binding", "list"], ["vetting", "show"],
                 ["user", "add", "-x", "bob"], ["backup"]):
        r = ctl(server, *args)
        assert r.returncode == 1, args
        assert "usage: mutuactl" in r.stderr, (args, r.stderr)
    r = ctl(server, "user", "add", "Bad User")
    assert r.returncode == 1 and "invalid user ID" in r.stderr
    r = ctl(server, "user", "disable", "nobody")
    assert r.returncode == 1 and "no such user" in r.stderr
    r = ctl(server, "vetting", "show", "0" * 32)
    assert r.returncode == 1 and "no such vetting case" in r.stderr
    r = ctl(server, "vetting", "list", "-u", "Not Valid")
    assert r.returncode == 1 and "invalid user ID" in r.stderr
    r = ctl(server, "binding", "revoke", "f" * 32)
    assert r.returncode == 1 and "no such binding" in r.stderr
    r = MutuaServer.mutuactl(server, "-c", "/nonexistent.conf", "user",
                             "list", check=False)
    assert r.returncode == 1 and "/nonexistent.conf" in r.stderr


def test_users_and_passwords(server):
    assert ctl(server, "user", "add", "-n", "Bob B", "-e", "bob@example.org",
               "bob").returncode == 0
    r = ctl(server, "user", "add", "bob")
    assert r.returncode == 1 and "exists" in r.stderr
    r = ctl(server, "user", "set-password", "bob", input="short\n")
    assert r.returncode == 1 and "at least 8" in r.stderr
    assert ctl(server, "user", "set-password", "bob",
               input=PASSWORD + "\n").returncode == 0
    t = Terminal(server.base)
    assert t.password_login("bob", PASSWORD).status_code == 303
    lines = ctl(server, "user", "list").stdout.splitlines()
    assert "bob\tactive\tbob@example.org\tBob B\t-" in lines
    assert ctl(server, "user", "disable", "bob").returncode == 0
    assert "bob\tdisabled\t" in ctl(server, "user", "list").stdout
    t = Terminal(server.base)
    assert t.password_login("bob", PASSWORD).status_code == 401


def test_roles_bootstrap_the_first_helpdesk_admin(server):
    ctl(server, "user", "add", "root")
    assert ctl(server, "role", "grant", "root", "admin").returncode == 0
    assert ctl(server, "role", "grant", "root", "helpdesk").returncode == 0
    assert "root\tactive\t-\t-\thelpdesk,admin" in ctl(
        server, "user", "list").stdout
    r = ctl(server, "role", "grant", "root", "superuser")
    assert r.returncode == 1 and "unknown role" in r.stderr
    r = ctl(server, "role", "grant", "nobody", "helpdesk")
    assert r.returncode == 1 and "no such user" in r.stderr
    assert ctl(server, "role", "revoke", "root", "admin").returncode == 0
    assert "root\tactive\t-\t-\thelpdesk" in ctl(
        server, "user", "list").stdout
    audit = ctl(server, "audit", "export").stdout
    assert "role.admin.granted" in audit and "role.admin.revoked" in audit


def test_bindings_suspend_and_revoke(server):
    a = enrol(server, "carol")
    lst = ctl(server, "binding", "list", "carol").stdout
    assert lst.startswith(a.binding + "\tactive\tLoA2\tprimary\t")
    assert ctl(server, "binding", "suspend", a.binding).returncode == 0
    assert a.pending().status_code == 403
    assert ctl(server, "binding", "revoke", a.binding).returncode == 0
    r = ctl(server, "binding", "revoke", a.binding)
    assert r.returncode == 1 and "revoked already" in r.stderr
    assert "\trevoked\t" in ctl(server, "binding", "list", "carol").stdout


def test_vetting_list_show_and_json_exports(server):
    a = enrol(server, "dave")
    t = Terminal(server.base)
    t.start("dave")
    req = a.pending().json()["requests"][0]
    a.decide(req["request_id"], req["offset"])
    t.continue_login()

    lines = ctl(server, "vetting", "list").stdout.splitlines()
    mine = [l for l in lines if l.split("\t")[1] == "dave"]
    assert len(mine) == 1
    cid, user, loa, purpose, channel, state, _ = mine[0].split("\t")
    assert (loa, purpose, channel, state) == ("LoA2", "enrol",
                                              "self-service", "complete")
    assert ctl(server, "vetting", "list", "-u", "dave").stdout.splitlines() \
        == mine
    show = ctl(server, "vetting", "show", cid).stdout
    assert "applicant\tdave\n" in show and "B_CONFIRMATION" in show

    events = [json.loads(l) for l in
              ctl(server, "vetting", "export").stdout.splitlines()]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert all(e["action"] in ACTIONS for e in events)
    mine = [e for e in events if e["case"] == cid]
    assert [e["action"] for e in mine] == [
        "C_USE_EXISTING_FACTOR", "I_REQUEST_FACTOR", "B_FACTOR_AND_ID",
        "B_ACTIVATE", "C_USE_NEW_FACTOR", "B_CONFIRMATION"]
    assert mine[0]["actor"] == "dave" and mine[0]["role"] == "applicant"
    assert mine[0]["evidence"] == "method=pwd"
    audit = [json.loads(l) for l in
             ctl(server, "audit", "export").stdout.splitlines()]
    assert {"vetting.B_FACTOR_AND_ID", "binding.created"} <= {
        r["event"] for r in audit}


def verify_heads(server, *args):
    """`audit verify` output as {log: (records, "seq:link")}; checks rc."""
    r = ctl(server, "audit", "verify", *args)
    assert r.returncode == 0, r.stdout + r.stderr
    heads = {}
    for line in r.stdout.splitlines():
        m = re.fullmatch(r"(audit|vetting): (\d+) records, chain intact, "
                         r"head (\d+:[0-9a-f]{64})", line)
        if m:
            heads[m.group(1)] = (int(m.group(2)), m.group(3))
    assert set(heads) == {"audit", "vetting"}, r.stdout
    return heads, r.stdout


def tamper_audit_record(data_dir, seq):
    """Changes one byte of audit record seq with lmdb-utils, as someone
    with write access to the files could, and leaves its link alone."""
    dump = subprocess.run(["mdb_dump", "-p", "-s", "audit", data_dir],
                          check=True, capture_output=True, text=True).stdout
    lines = dump.splitlines()
    key = " " + "".join("\\%02x" % b for b in seq.to_bytes(8, "big"))
    value = lines[lines.index(key) + 1]
    forged = value.replace("ok", "OK", 1)
    assert forged != value
    subprocess.run(["mdb_load", "-T", "-s", "audit", data_dir],
                   input=key[1:] + "\n" + forged[1:] + "\n", text=True,
                   check=True, capture_output=True)


def test_audit_verify_checks_both_chains_and_an_anchor(server, tmp_path):
    enrol(server, "frank")
    heads, _ = verify_heads(server)
    records, head = heads["audit"]
    audit = [json.loads(l) for l in
             ctl(server, "audit", "export").stdout.splitlines()]
    assert len(audit) == records and records > 1
    assert head == "%d:%s" % (audit[-1]["seq"], audit[-1]["chain"])
    assert len({r["chain"] for r in audit}) == records
    events = [json.loads(l) for l in
              ctl(server, "vetting", "export").stdout.splitlines()]
    assert heads["vetting"][1] == "%d:%s" % (events[-1]["seq"],
                                             events[-1]["chain"])

    # A head kept earlier is still in the chain after more records.
    enrol(server, "grace")
    later, out = verify_heads(server, "-a", head)
    assert later["audit"][0] > records
    assert "head %s given with -a is in the chain" % head.split(":")[0] in out
    wrong = head[:-1] + ("0" if head[-1] != "0" else "1")
    r = ctl(server, "audit", "verify", "-a", wrong)
    assert r.returncode == 1 and "is not in the chain" in r.stdout
    for bad in ("x", "0:" + "0" * 64, "1:abc", "1:" + "g" * 64):
        r = ctl(server, "audit", "verify", "-a", bad)
        assert r.returncode == 1 and "-a wants seq:link" in r.stderr

    # A record changed in a copy of the store is found, with its number.
    assert ctl(server, "backup", str(tmp_path / "b")).returncode == 0
    other = MutuaServer()
    try:
        other.mutuactl("restore", str(tmp_path / "b"))
        verify_heads(other)
        tamper_audit_record(other.path("db"), 2)
        r = other.mutuactl("audit", "verify", check=False)
        assert r.returncode == 1
        assert "audit: chain broken at record 2: record or link altered" \
            in r.stdout
        assert re.search(r"^vetting: \d+ records, chain intact", r.stdout,
                         re.M)
    finally:
        other.cleanup()


def test_backup_refuses_a_non_empty_directory(server, tmp_path):
    (tmp_path / "x").write_text("keep")
    r = ctl(server, "backup", str(tmp_path))
    assert r.returncode == 1 and "not an empty directory" in r.stderr
    assert (tmp_path / "x").read_text() == "keep"


def test_restore_refuses_a_non_empty_data_dir(server, tmp_path):
    assert ctl(server, "backup", str(tmp_path / "b")).returncode == 0
    r = ctl(server, "restore", str(tmp_path / "b"))
    assert r.returncode == 1 and "not empty" in r.stderr
    r = ctl(server, "restore", str(tmp_path / "nothing"))
    assert r.returncode == 1 and "data.mdb" in r.stderr


def test_backup_while_the_server_writes_then_restore(server, tmp_path):
    """mdb_env_copy2 in one read transaction: each copy is a consistent,
    gap-free prefix of what the server wrote, and restores into a new
    instance that serves the same bindings (with the same master key)."""
    a = enrol(server, "erin")
    stop = threading.Event()
    count = [0]

    def writer():
        # Every password attempt is an audit record written by a worker.
        t = Terminal(server.base)
        csrf = t.csrf()
        while not stop.is_set():
            t.post("/login/password", {"csrf": csrf, "user": "erin",
                                       "password": "wrong password"})
            count[0] += 1
    threads = [threading.Thread(target=writer) for _ in range(2)]
    for th in threads:
        th.start()
    backups = []
    try:
        time.sleep(1.0)
        for i in range(3):
            d = tmp_path / ("b%d" % i)
            r = ctl(server, "backup", str(d))
            assert r.returncode == 0, r.stderr
            backups.append(d)
            time.sleep(0.5)
    finally:
        stop.set()
        for th in threads:
            th.join()
    assert count[0] > 10
    live = ctl(server, "audit", "export").stdout.splitlines()
    seen = []
    for d in backups:
        assert sorted(os.listdir(d)) == ["data.mdb"]
        other = MutuaServer()
        try:
            r = other.mutuactl("restore", str(d), check=False)
            assert r.returncode == 0, r.stderr
            restored = other.mutuactl("audit", "export").stdout.splitlines()
            assert 0 < len(restored) <= len(live)
            assert restored == live[:len(restored)]
            seen.append(len(restored))
            if d != backups[-1]:
                continue
            # The wrapped keys need the instance's master key, which is
            # not in the store: it is backed up on its own.
            shutil.copy(server.path("keys", "master.key"),
                        other.path("keys", "master.key"))
            other.start()
            b = copy.copy(a)
            b.base = other.base
            t = Terminal(other.base)
            assert t.start("erin").headers["location"] == "/login/code"
            req = b.pending().json()["requests"][0]
            assert b.decide(req["request_id"], req["offset"]).status_code \
                == 200
            assert t.continue_login().headers["location"] == "/account"
            assert 'id="loa">2<' in t.get("/account").text
        finally:
            other.cleanup()
    # The server kept writing between the copies.
    assert seen == sorted(seen) and seen[0] < seen[-1]
