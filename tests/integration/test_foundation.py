"""The server as a whole: start-up, health, logging, headers."""
import re

import requests


def test_healthz_reports_store_ok(server):
    r = requests.get(server.base + "/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "store": "ok"}


def test_login_page_is_served_with_strict_headers(server):
    r = requests.get(server.base + "/")
    assert r.status_code == 200
    assert "User ID" in r.text
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    # Plain HTTP on loopback: no HSTS (it is sent only over https).
    assert "strict-transport-security" not in r.headers


def test_every_request_is_logged_once_with_an_id(server):
    requests.get(server.base + "/healthz")
    server.stop()
    lines = [l for l in server.read_log().splitlines()
             if "event=request" in l and "path=/healthz" in l]
    assert lines
    for line in lines:
        assert re.search(r" id=[0-9a-f]{16} ", line)
        assert re.search(r" method=GET path=/healthz status=200 ms=\d+ "
                         r"client=127\.0\.0\.1$", line)


def test_x_forwarded_for_is_ignored_from_untrusted_peer(server):
    requests.get(server.base + "/healthz",
                 headers={"X-Forwarded-For": "203.0.113.9"})
    server.stop()
    log = server.read_log()
    assert "client=203.0.113.9" not in log
    assert "client=127.0.0.1" in log


def test_start_fails_on_unknown_config_key(new_server):
    s = new_server("colour blue")
    assert s.start(expect_failure=True) != 0
    assert re.search(r"idp\.conf:\d+: unknown key \"colour\"", s.read_log())


def test_start_fails_on_world_readable_master_key(new_server):
    import os
    s = new_server()
    os.chmod(s.path("keys", "master.key"), 0o644)
    assert s.start(expect_failure=True) != 0
    assert "must not be accessible by group or others" in s.read_log()


def test_asset_directory_request_does_not_kill_a_worker(server):
    # Kore's filemap calls realpath() (faccessat2) inside the sandbox.
    r = requests.get(server.base + "/assets/")
    assert r.status_code in (403, 404)
    assert requests.get(server.base + "/assets/mutua.css").status_code == 200
    assert requests.get(server.base + "/healthz").status_code == 200
