"""TLS in front of mutua: nginx, configured from the shipped template
federation/nginx/mutua.conf.in, terminates TLS and forwards to Kore.

nginx connects to Kore from 127.0.0.2, the harness's trusted_proxy, so
mutua believes the X-Forwarded-For header nginx sets. Test clients connect
to nginx from other loopback addresses so that the address mutua logs
shows where it came from.
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
import warnings

import pytest
import requests

from mutua_server import ROOT, MutuaServer, free_port
from oob_client import Authenticator, parse_offset
from terminal import Terminal

TEMPLATE = os.path.join(ROOT, "federation", "nginx", "mutua.conf.in")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PROXY = "127.0.0.2"       # nginx's source address towards Kore (trusted)
CLIENT = "127.0.0.3"      # an ordinary client of nginx
INJECTED = "203.0.113.9"  # what a client writes into X-Forwarded-For


def make_certificates(d):
    """A test CA and a server certificate for 127.0.0.1 signed by it."""
    def openssl(*args):
        subprocess.run(["openssl"] + list(args), check=True,
                       capture_output=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl("req", "-x509", *ec, "-sha256", "-days", "2",
            "-subj", "/CN=mutua test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign",
            "-keyout", d + "/ca.key", "-out", d + "/ca.crt")
    with open(d + "/server.ext", "w") as f:
        f.write("basicConstraints = critical,CA:FALSE\n"
                "extendedKeyUsage = serverAuth\n"
                "subjectAltName = IP:127.0.0.1,DNS:localhost\n")
    openssl("req", "-new", *ec, "-subj", "/CN=127.0.0.1",
            "-keyout", d + "/server.key", "-out", d + "/server.csr")
    openssl("x509", "-req", "-sha256", "-days", "2",
            "-in", d + "/server.csr", "-CA", d + "/ca.crt",
            "-CAkey", d + "/ca.key", "-CAcreateserial",
            "-extfile", d + "/server.ext", "-out", d + "/server.crt")


class TLSMutuaServer(MutuaServer):
    """A MutuaServer with an https base_url, behind its own nginx."""

    def __init__(self):
        self.https_port = free_port()
        self.http_port = free_port()
        self.https_base = "https://127.0.0.1:%d" % self.https_port
        self.http_base = "http://127.0.0.1:%d" % self.http_port
        self.nginx = None
        super().__init__()
        self.tls = self.path("nginx")
        os.makedirs(self.tls)
        self.ca = os.path.join(self.tls, "ca.crt")
        make_certificates(self.tls)
        self._write_nginx_conf()

    def _write_conf(self, extra):
        super()._write_conf(extra)
        with open(self.conf) as f:
            text = f.read()
        # The IdP's public URLs are the https ones nginx serves.
        for key in ("entity_id", "base_url"):
            old = "%s %s" % (key, self.base)
            assert old in text
            text = text.replace(old, "%s %s" % (key, self.https_base))
        with open(self.conf, "w") as f:
            f.write(text)

    def _write_nginx_conf(self):
        d = self.tls
        with open(TEMPLATE) as f:
            server = f.read()
        for name, value in (
            ("LISTEN", "127.0.0.1:%d" % self.https_port),
            ("HTTP_LISTEN", "127.0.0.1:%d" % self.http_port),
            ("SERVER_NAME", "127.0.0.1"),
            ("BASE_URL", self.https_base),
            ("CERT", d + "/server.crt"),
            ("KEY", d + "/server.key"),
            ("CHAIN", d + "/ca.crt"),
            ("STAPLING", "off"),
            ("RESOLVER", "127.0.0.1"),
            ("UPSTREAM", "127.0.0.1:%d" % self.port),
        ):
            server = server.replace("@%s@" % name, value)
        assert not re.search(r"@[A-Z_]+@", server), "unrendered placeholder"
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(f"""worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 64; }}
http {{
access_log {d}/access.log;
client_body_temp_path {d}/body;
proxy_temp_path {d}/proxy;
fastcgi_temp_path {d}/fastcgi;
uwsgi_temp_path {d}/uwsgi;
scgi_temp_path {d}/scgi;
# Reach Kore from the harness's trusted_proxy address.
proxy_bind {PROXY};
{server}
}}
""")

    def start(self):
        super().start()
        d = self.tls
        cmd = [NGINX, "-p", d + "/", "-c", d + "/nginx.conf",
               "-e", d + "/error.log"]
        subprocess.run(cmd + ["-t", "-q"], check=True, capture_output=True)
        self.nginx = subprocess.Popen(cmd + ["-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.nginx.poll() is not None:
                raise RuntimeError("nginx exited:\n" + self.nginx_log())
            try:
                r = requests.get(self.https_base + "/healthz", verify=self.ca,
                                 timeout=1)
                if r.ok:
                    return 0
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        raise RuntimeError("nginx did not become ready:\n" + self.nginx_log())

    def nginx_log(self):
        with open(os.path.join(self.tls, "error.log")) as f:
            return f.read()

    def stop(self):
        if self.nginx is not None:
            self.nginx.send_signal(signal.SIGTERM)
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait()
            self.nginx = None
        super().stop()

    def wait_for_log(self, pattern, timeout=5):
        """The first log line matching pattern: a request is logged when
        Kore frees it, which may be just after the answer was sent."""
        deadline = time.time() + timeout
        while True:
            for line in self.read_log().splitlines():
                if re.search(pattern, line):
                    return line
            if time.time() > deadline:
                raise AssertionError("no log line matches %r:\n%s" %
                                     (pattern, self.read_log()))
            time.sleep(0.05)


@pytest.fixture(scope="module")
def front():
    s = TLSMutuaServer()
    try:
        s.start()
        yield s
    finally:
        s.cleanup()


def tls_context(front, version, seclevel=None):
    ctx = ssl.create_default_context(cafile=front.ca)
    if seclevel is not None:
        # OpenSSL 3 offers TLS 1.0 and 1.1 only at security level 0: lower
        # it so that the client really offers them and nginx must refuse.
        ctx.set_ciphers("DEFAULT:@SECLEVEL=%d" % seclevel)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = version
        ctx.maximum_version = version
    return ctx


def get(front, path, ctx=None, source=None, headers=None):
    """GET over https from an optional source address; returns the
    response, its body and the TLS session's protocol version."""
    if ctx is None:
        ctx = ssl.create_default_context(cafile=front.ca)
    conn = http.client.HTTPSConnection(
        "127.0.0.1", front.https_port, context=ctx, timeout=5,
        source_address=(source, 0) if source else None)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r, r.read(), conn.sock.version()
    finally:
        conn.close()


@pytest.mark.parametrize("version,name", [
    (ssl.TLSVersion.TLSv1_2, "TLSv1.2"),
    (ssl.TLSVersion.TLSv1_3, "TLSv1.3"),
])
def test_tls_handshake_reaches_mutua(front, version, name):
    r, body, negotiated = get(front, "/healthz", tls_context(front, version))
    assert negotiated == name
    assert r.status == 200
    assert json.loads(body) == {"status": "ok", "store": "ok"}


def test_tls12_uses_forward_secret_aead_suites_only(front):
    ctx = tls_context(front, ssl.TLSVersion.TLSv1_2)
    with socket.create_connection(("127.0.0.1", front.https_port)) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            cipher = s.cipher()[0]
    assert cipher.startswith("ECDHE-")
    assert "GCM" in cipher or "CHACHA20" in cipher


@pytest.mark.parametrize("version", [
    ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1,
])
def test_tls10_and_tls11_are_refused(front, version):
    ctx = tls_context(front, version, seclevel=0)
    with socket.create_connection(("127.0.0.1", front.https_port)) as raw:
        with pytest.raises(ssl.SSLError) as e:
            ctx.wrap_socket(raw, server_hostname="127.0.0.1")
    # Refused by nginx with an alert, not given up by the client before
    # offering anything.
    assert "NO_PROTOCOLS_AVAILABLE" not in str(e.value)
    assert "ALERT_PROTOCOL_VERSION" in str(e.value) or \
        "UNSUPPORTED_PROTOCOL" in str(e.value), str(e.value)


def test_http2_is_negotiated(front):
    ctx = ssl.create_default_context(cafile=front.ca)
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", front.https_port)) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            assert s.selected_alpn_protocol() == "h2"


def test_healthz_through_nginx_carries_mutuas_headers_once(front):
    r = requests.get(front.https_base + "/healthz", verify=front.ca)
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "store": "ok"}
    # HSTS comes from mutua (base_url is https), not a second time from
    # nginx; nginx does not announce its version.
    assert r.headers["strict-transport-security"] == "max-age=31536000"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["server"] == "nginx"


def test_client_address_is_the_one_nginx_forwards(front):
    r, _, _ = get(front, "/healthz", source=CLIENT,
                  headers={"X-Forwarded-For": INJECTED})
    assert r.status == 200
    line = front.wait_for_log(r"path=/healthz .*client=%s$" %
                              re.escape(CLIENT))
    assert "status=200" in line
    # Neither the client's own entry nor the proxy's address.
    log = front.read_log()
    assert INJECTED not in log
    assert "client=%s" % PROXY not in log


def test_client_in_a_trusted_range_cannot_inject_an_address(front):
    # A client whose own address is a trusted proxy: had nginx appended to
    # the header, mutua would walk past it to the injected entry.
    r, _, _ = get(front, "/healthz", source=PROXY,
                  headers={"X-Forwarded-For": INJECTED})
    assert r.status == 200
    front.wait_for_log(r"path=/healthz .*client=%s$" % re.escape(PROXY))
    assert INJECTED not in front.read_log()


def test_plain_http_redirects_to_the_https_base_url(front):
    r = requests.get(front.http_base + "/login?user=demo",
                     allow_redirects=False)
    assert r.status_code == 301
    assert r.headers["location"] == front.https_base + "/login?user=demo"
    # The target is the configured base URL, never the client's Host.
    r = requests.get(front.http_base + "/", allow_redirects=False,
                     headers={"Host": "evil.example"})
    assert r.headers["location"] == front.https_base + "/"


def test_body_limit_is_kores_http_body_max(front):
    with open(os.path.join(ROOT, "kore.conf")) as f:
        limit = int(re.search(r"^http_body_max\s+(\d+)", f.read(),
                              re.M).group(1))
    with open(TEMPLATE) as f:
        size = re.search(r"client_max_body_size\s+(\d+)k;", f.read())
    assert int(size.group(1)) * 1024 == limit
    r = requests.post(front.https_base + "/login", data=b"x" * (limit + 1),
                      verify=front.ca)
    assert r.status_code == 413


def test_x1280_login_through_nginx_binds_the_forwarded_address(front,
                                                               monkeypatch):
    """Registration, long poll and approval over TLS; the offset the user
    compares names the terminal's address as nginx saw it, not nginx."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", front.ca)   # Authenticator
    password = "correct horse battery"
    front.mutuactl("user", "add", "-p", "bob", input=password + "\n")
    t = Terminal(front.https_base)
    t.s.verify = front.ca
    r = t.password_login("bob", password)
    assert r.headers["location"] == "/account"
    assert "secure" in r.headers["set-cookie"].lower()
    a = Authenticator(front.https_base)
    assert a.register(t.registration_code()).status_code == 201

    # The long poll is waiting in nginx's unbuffered location when the
    # login starts.
    threading.Timer(1.0, lambda: t.start("bob")).start()
    started = time.time()
    r = a.pending(wait=10)
    assert r.status_code == 200, r.text
    assert 0.8 < time.time() - started < 5
    (req,) = r.json()["requests"]
    assert parse_offset(req["offset"])["tpub"] == "127.0.0.1"

    assert a.decide(req["request_id"], req["offset"]).status_code == 200
    assert t.continue_login().headers["location"] == "/account"
