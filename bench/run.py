"""make bench: mutua against the machine's signing limits and a peer.

Starts the real server (2 workers, 127.0.0.1, BUILD=build/bench: optimised,
no sanitizers) in a temporary directory, seeds benchmark users with
bench/seed, drives every row with wrk (bench/wrk/bench.lua) or, for the
X.1280 round trip, with an in-process Python authenticator; measures the
peer (node oidc-provider, bench/peer.mjs) in the same run; prints one table
and writes it as JSON under bench/results/. Nothing leaves 127.0.0.1.

Environment: BENCH_SECONDS (per row, default 8), BENCH_CONNECTIONS (16).
"""
import base64
import datetime
import hashlib
import http.client
import json
import multiprocessing
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
import zlib

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.setdefault("BUILD", "build/bench")
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

from cryptography.hazmat.primitives import hashes, serialization  # noqa
from cryptography.hazmat.primitives.asymmetric import ec  # noqa
from cryptography.hazmat.primitives.asymmetric.utils import (  # noqa
    decode_dss_signature)

from mutua_server import MutuaServer, free_port  # noqa
from oob_client import ocra_qh64, unb64url, b64url  # noqa
from saml_sp import SamlSP, SP_ENTITY, ACS  # noqa

SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONNS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
THREADS = 2
WORKERS = 2
CALLBACK = "http://127.0.0.1:9/callback"
SP_BARE = SP_ENTITY + "/bare"
SECRET = "bench-" + b64url(os.urandom(24))
VERIFIER = "v" * 43
CHALLENGE = b64url(hashlib.sha256(VERIFIER.encode()).digest())
LUA = os.path.join(ROOT, "bench", "wrk", "bench.lua")
RESULTS = os.path.join(ROOT, "bench", "results")


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- limits

def openssl_speed(alg, pattern):
    out = subprocess.run(["openssl", "speed", "-seconds", "2", alg],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        m = re.match(pattern, line.strip())
        if m:
            return float(m.group(1))
    raise RuntimeError("openssl speed %s: no result in\n%s" % (alg, out))


def machine():
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) // 1024
    ver = subprocess.run(["openssl", "version"], capture_output=True,
                         text=True).stdout.strip()
    return {"cpu": model, "cpus": os.cpu_count(), "mem_mb": mem,
            "kernel": platform.release(), "openssl": ver,
            "node": subprocess.run(["node", "--version"], capture_output=True,
                                   text=True).stdout.strip()}


# ------------------------------------------------------------------ wrk

def wrk(name, url, lines=None, per_thread=None, xff=False, capture=None,
        seconds=SECONDS, conns=CONNS, tmp=None, chain=False):
    """Runs one wrk row; returns its summary dict (+ captured values)."""
    env = dict(os.environ, BENCH_OUT=os.path.join(tmp, name + ".json"))
    if lines is not None or per_thread is not None:
        prefix = os.path.join(tmp, name + ".lines")
        if per_thread is not None:
            for t, ls in enumerate(per_thread):
                with open(prefix + str(t), "w") as f:
                    f.write("\n".join(ls) + "\n")
        else:
            with open(prefix, "w") as f:
                f.write("\n".join(lines) + "\n")
        env["BENCH_LINES"] = prefix
    if xff:
        env["BENCH_XFF"] = "1"
    capout = os.path.join(tmp, name + ".capture")
    if chain:
        env["BENCH_CHAIN"] = "1"
    if capture:
        env["BENCH_CAPTURE"] = capture
        env["BENCH_CAPTURE_OUT"] = capout
    p = subprocess.run(["wrk", "-t%d" % THREADS, "-c%d" % conns,
                        "-d%ds" % seconds, "--timeout", "5s", "-s", LUA, url],
                       env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("wrk %s: %s" % (name, p.stderr))
    with open(env["BENCH_OUT"]) as f:
        r = json.load(f)
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["ok"] = r["s2xx"] + r["s3xx"]
    r["ok_rps"] = r["ok"] / (r["duration_us"] / 1e6)
    if capture:
        vals = []
        for t in range(THREADS):
            try:
                with open(capout + str(t)) as f:
                    vals += [v for v in f.read().split("\n") if v]
            except OSError:
                pass
        # wrk hands response() a header value cut at a read boundary now
        # and then: keep only whole tokens (32 random bytes, b64url).
        r["captured"] = [v for v in vals if re.fullmatch(
            r"[A-Za-z0-9_-]{43}", v)]
        r["captured_cut"] = len(vals) - len(r["captured"])
    for t in range(THREADS):
        try:
            with open(env["BENCH_OUT"] + ".err" + str(t)) as f:
                r.setdefault("error_samples", []).extend(
                    f.read().splitlines())
        except OSError:
            pass
    if r.get("error_samples"):
        log("%s: first errors: %s" % (name, r["error_samples"][:2]))
    log("%-22s %8.0f req/s ok %d/%d p50 %.2f ms p99 %.2f ms" % (
        name, r["rps"], r["ok"], r["requests"], r["p50_us"] / 1000,
        r["p99_us"] / 1000))
    return r


def line(method, path, headers=None, body=""):
    return "\t".join([method, path, "|".join(
        "%s: %s" % kv for kv in (headers or {}).items()), body])


# ---------------------------------------------------------------- setup

def scrypt_hash(secret):
    salt = os.urandom(16)
    h = hashlib.scrypt(secret.encode(), salt=salt, n=32768, r=8, p=1,
                       maxmem=1 << 26, dklen=32)
    return "scrypt$32768$8$1$%s$%s" % (salt.hex(), h.hex())


class Device:
    """The seeded authenticators: one device key for every binding."""

    def __init__(self, tmp):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.pem = os.path.join(tmp, "device.pem")
        with open(self.pem, "wb") as f:
            f.write(self.key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption()))

    def sign(self, text):
        r, s = decode_dss_signature(self.key.sign(
            text.encode(), ec.ECDSA(hashes.SHA256())))
        return b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def seed(server, device, prefix, n):
    p = subprocess.run([os.path.join(ROOT, BUILD, "seed"), server.conf,
                        device.pem, prefix, str(n)], capture_output=True,
                       text=True, cwd=ROOT)
    if p.returncode != 0:
        raise RuntimeError("seed: " + p.stderr)
    users = []
    for ln in p.stdout.splitlines():
        u, b, k = ln.split()
        users.append((u, b, unb64url(k)))
    return users


class Client:
    """A keep-alive HTTP/1.1 client with a cookie and an address."""

    def __init__(self, port, addr="127.0.0.1"):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.cookie = None
        self.addr = addr

    def req(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        h["X-Forwarded-For"] = self.addr
        if self.cookie:
            h["Cookie"] = self.cookie
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        self.c.request(method, path, body=body, headers=h)
        r = self.c.getresponse()
        data = r.read().decode("utf-8", "replace")
        sc = r.getheader("Set-Cookie")
        if sc and sc.startswith("mutua=") and "Max-Age=0" not in sc:
            self.cookie = sc.split(";", 1)[0]
        return r.status, r.getheader("Location"), data


def csrf_of(page):
    m = re.search(r'name="csrf" value="([^"]*)"', page)
    return m.group(1) if m else None


def approve(cl, device, binding, k, expect=1):
    """The authenticator side: pending, then approve each request."""
    path = "/oob/v1/pending?wait=0"
    ts = str(int(time.time()))
    text = "mutua-device-v1\nGET\n%s\n%s\n%s" % (
        path, ts, hashlib.sha256(b"").hexdigest())
    st, _, data = cl.req("GET", path, headers={
        "X-Mutua-Binding": binding, "X-Mutua-Timestamp": ts,
        "X-Mutua-Signature": device.sign(text)})
    if st != 200:
        return False
    reqs = json.loads(data)["requests"]
    if len(reqs) < expect:
        return False
    for rq in reqs:
        offset = rq["offset"]
        code = ocra_qh64(k, offset)
        sig = device.sign("mutua-approve-v1\n%s\n%s\n%s\n%s" % (
            rq["request_id"], hashlib.sha256(offset.encode()).hexdigest(),
            "approve", code))
        body = json.dumps({"request_id": rq["request_id"],
                           "decision": "approve", "code": code,
                           "reason": "", "signature": sig}).encode()
        ts = str(int(time.time()))
        text = "mutua-device-v1\nPOST\n/oob/v1/approve\n%s\n%s" % (
            ts, hashlib.sha256(body).hexdigest())
        st, _, _ = cl.req("POST", "/oob/v1/approve", body=body, headers={
            "Content-Type": "application/json",
            "X-Mutua-Binding": binding, "X-Mutua-Timestamp": ts,
            "X-Mutua-Signature": device.sign(text)})
        if st != 200:
            return False
    return True


def login_once(cl, device, user, binding, k, start_path="/login"):
    """One full X.1280 login on a fresh cookie; returns True when signed
    in (the continue step redirects away from the login)."""
    cl.cookie = None
    st, loc, page = cl.req("GET", start_path)
    csrf = csrf_of(page)
    st, loc, _ = cl.req("POST", "/login/start", {"csrf": csrf, "user": user})
    if st != 303 or loc != "/login/code":
        return False
    st, _, page = cl.req("GET", "/login/code")
    if st != 200:
        return False
    if not approve(cl, device, binding, k):
        return False
    st, loc, _ = cl.req("POST", "/login/continue", {"csrf": csrf})
    return st in (302, 303) and loc is not None and \
        not loc.startswith("/login")


def round_trip_worker(args):
    port, pem, users, seconds, index = args
    from cryptography.hazmat.primitives.serialization import (
        load_pem_private_key)
    dev = Device.__new__(Device)
    with open(pem, "rb") as f:
        dev.key = load_pem_private_key(f.read(), None)
    cl = Client(port, "10.200.%d.1" % index)
    lat, ok, fail, n = [], 0, 0, 0
    end = time.time() + seconds
    while time.time() < end:
        u, b, k = users[n % len(users)]
        cl.addr = "10.%d.%d.%d" % (200 + index, (n >> 8) & 255, n & 255)
        n += 1
        t0 = time.perf_counter()
        try:
            good = login_once(cl, dev, u, b, k)
        except (http.client.HTTPException, OSError):
            cl = Client(port, cl.addr)
            good = False
        if good:
            ok += 1
            lat.append(time.perf_counter() - t0)
        else:
            fail += 1
    return ok, fail, lat


def pct(values, p):
    if not values:
        return 0
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p / 100))]


def mdb_used(dbdir):
    """Bytes in use: (durable environment, volatile environment)."""
    used = []
    for env in (dbdir, os.path.join(dbdir, "volatile")):
        out = subprocess.run(["mdb_stat", "-e", env], capture_output=True,
                             text=True, check=True).stdout
        page = int(re.search(r"Page size: (\d+)", out).group(1))
        pages = int(re.search(r"Number of pages used: (\d+)", out).group(1))
        used.append(page * pages)
    return tuple(used)


def worker_hwm(server):
    with open(server.pidfile) as f:
        pid = int(f.read())
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        kids = [int(w) for w in f.read().split()]
    out = []
    for k in kids:
        with open("/proc/%d/status" % k) as f:
            for ln in f:
                if ln.startswith("VmHWM:"):
                    out.append(int(ln.split()[1]) // 1024)
    return out


# ------------------------------------------------------------------ main

def saml_urls(n, relay="/x", entity=SP_ENTITY):
    now = datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    out = []
    for _ in range(n):
        xml = ('<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:'
               '2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:'
               'assertion" ID="_%s" Version="2.0" IssueInstant="%s" '
               'AssertionConsumerServiceURL="%s" ProtocolBinding="urn:oasis:'
               'names:tc:SAML:2.0:bindings:HTTP-POST"><saml:Issuer>%s'
               '</saml:Issuer></samlp:AuthnRequest>' % (
                   uuid.uuid4().hex, now, ACS, entity))
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        data = c.compress(xml.encode()) + c.flush()
        out.append("/saml/sso?" + urllib.parse.urlencode(
            {"SAMLRequest": base64.b64encode(data).decode(),
             "RelayState": relay}))
    return out


def token_lines(codes, basic):
    return [line("POST", "/oauth2/token", {"Authorization": basic},
                 urllib.parse.urlencode({
                     "grant_type": "authorization_code", "code": c,
                     "redirect_uri": CALLBACK, "code_verifier": VERIFIER}))
            for c in codes]


def refresh_lines(tokens, basic, path="/oauth2/token"):
    """One rotation per token; the last line is the template for the
    rotated tokens (BENCH_CHAIN)."""
    return [line("POST", path, {"Authorization": basic},
                 urllib.parse.urlencode({"grant_type": "refresh_token",
                                         "refresh_token": t}))
            for t in tokens + ["CHAINVALUE"]]


def main():
    t_start = time.time()
    tmp = tempfile.mkdtemp(prefix="mutua-bench-")
    res = {"machine": machine(), "seconds_per_row": SECONDS,
           "connections": CONNS, "wrk_threads": THREADS, "workers": WORKERS,
           "date": datetime.datetime.utcnow().isoformat() + "Z", "rows": {}}
    rows = res["rows"]

    log("reference limits (openssl speed, one core)")
    rsa = openssl_speed("rsa2048", r"rsa\s+2048 bits\s+\S+\s+\S+\s+([\d.]+)")
    ecdsa = openssl_speed("ecdsap256",
                          r"256 bits ecdsa \(nistp256\)\s+\S+\s+\S+\s+([\d.]+)")
    res["limits"] = {"rsa2048_sign_per_s": rsa, "ecdsap256_sign_per_s": ecdsa}
    log("rsa2048 %.0f sign/s, ecdsap256 %.0f sign/s" % (rsa, ecdsa))

    # Federation: one pysaml2 SP that does not sign its requests, one
    # confidential OIDC client (client_secret_basic, ES256 ID tokens).
    sp = SamlSP(os.path.join(tmp, "sp"), sign_requests=False)
    sp.publish(os.path.join(tmp, "federation"))
    # The same SP again, whose signatures carry the key, not the
    # certificate (signature_keyinfo key, docs/saml.md).
    SamlSP(os.path.join(tmp, "sp-bare"), entity=SP_BARE,
           sign_requests=False).publish(os.path.join(tmp, "federation"),
                                        name="sp-bare",
                                        extra_conf="signature_keyinfo key\n")
    clients = os.path.join(tmp, "clients")
    os.makedirs(clients)
    with open(os.path.join(clients, "rp-basic.json"), "w") as f:
        json.dump({"client_id": "rp-basic", "client_name": "Bench RP",
                   "redirect_uris": [CALLBACK],
                   "scope": "openid profile email",
                   "grant_types": ["authorization_code", "refresh_token"],
                   "client_secret_hash": scrypt_hash(SECRET)}, f)
    server = MutuaServer("sp_dir %s\nclients_dir %s\ntrusted_proxy 127.0.0.1"
                         % (os.path.join(tmp, "federation"), clients),
                         workers=WORKERS)
    with open(server.conf) as f:
        conf = f.read().replace("map_size_mb 64", "map_size_mb 2048")
    with open(server.conf, "w") as f:
        f.write(conf)
    peer = None
    try:
        server.start()
        port = server.port
        base = server.base
        device = Device(tmp)
        t0 = time.time()
        # Users: one for the logged-in session, a pool for login starts
        # (each takes 4 pending starts: OOB_PENDING_MAX), a pool for round
        # trips (each up to 10 logins per 10 minutes: login.user).
        n_start = int(os.environ.get("BENCH_START_USERS", "3000"))
        n_rt = int(os.environ.get("BENCH_RT_USERS", "800"))
        alice = seed(server, device, "alice", 1)[0]
        start_users = seed(server, device, "ls", n_start)
        rt_users = seed(server, device, "rt", n_rt)
        log("seeded %d users in %.1f s" % (1 + n_start + n_rt,
                                           time.time() - t0))

        cl = Client(port, "10.255.0.1")
        assert login_once(cl, device, *alice), "alice cannot sign in"
        cookie = cl.cookie
        basic = "Basic " + base64.b64encode(
            ("rp-basic:" + SECRET).encode()).decode()

        url = base + "/"
        rows["discovery"] = wrk("discovery",
                                base + "/.well-known/openid-configuration",
                                tmp=tmp)
        rows["jwks"] = wrk("jwks", base + "/oauth2/jwks", tmp=tmp)

        # SAML: unique AuthnRequest IDs, one logged-in session.
        n = 30000
        urls = [line("GET", u, {"Cookie": cookie}) for u in saml_urls(n)]
        rows["saml_sso"] = wrk("saml_sso", url, per_thread=[
            urls[t::THREADS] for t in range(THREADS)], tmp=tmp)
        urls = [line("GET", u, {"Cookie": cookie})
                for u in saml_urls(n, entity=SP_BARE)]
        rows["saml_sso_bare"] = wrk("saml_sso_bare", url, per_thread=[
            urls[t::THREADS] for t in range(THREADS)], tmp=tmp)

        # OIDC: codes from the authorization endpoint with the session,
        # then each redeemed once, then each refresh token rotated once.
        q = urllib.parse.urlencode({
            "response_type": "code", "client_id": "rp-basic",
            "redirect_uri": CALLBACK, "scope": "openid profile email",
            "state": "st-1", "nonce": "n-1", "code_challenge": CHALLENGE,
            "code_challenge_method": "S256"})
        rows["oidc_authorize"] = wrk(
            "oidc_authorize", url,
            lines=[line("GET", "/oauth2/authorize?" + q, {"Cookie": cookie})],
            capture=r"location: [^\n]*[?&]code=([^&\n]+)", tmp=tmp)
        codes = rows["oidc_authorize"].pop("captured")
        # Redemption is faster than authorization: one more (unmeasured)
        # pass so that no code is sent twice. Codes live 60 s.
        for extra in range(3):
            if len(codes) >= 3000 * SECONDS:
                break
            codes += wrk(
                "oidc_authorize_more%d" % extra, url, lines=[
                    line("GET", "/oauth2/authorize?" + q,
                         {"Cookie": cookie})],
                capture=r"location: [^\n]*[?&]code=([^&\n]+)",
                tmp=tmp, seconds=max(2, SECONDS // 2))["captured"]
        rows["oidc_code"] = wrk(
            "oidc_code", url, per_thread=[
                token_lines(codes[t::THREADS], basic)
                for t in range(THREADS)],
            capture=r'"refresh_token":"([^"]+)"', tmp=tmp)
        rts = rows["oidc_code"].pop("captured")
        rows["oidc_refresh"] = wrk(
            "oidc_refresh", url, per_thread=[
                refresh_lines(rts[t::THREADS], basic)
                for t in range(THREADS)],
            capture=r'"refresh_token":"([^"]+)"', tmp=tmp, chain=True)
        rows["oidc_refresh"].pop("captured")

        # X.1280 login starts: POST /login/start (request created, code
        # computed) then GET /login/code (page rendered, QR code), distinct
        # users and client addresses (X-Forwarded-For from a trusted
        # proxy, as behind nginx).
        per = []
        for t in range(THREADS):
            c = Client(port, "10.254.%d.1" % t)
            st, _, page = c.req("GET", "/login")
            csrf = csrf_of(page)
            ls = []
            for rep in range(4):
                for u in start_users[t::THREADS]:
                    ls.append(line("POST", "/login/start",
                                   {"Cookie": c.cookie},
                                   urllib.parse.urlencode(
                                       {"csrf": csrf, "user": u[0]})))
                    ls.append(line("GET", "/login/code",
                                   {"Cookie": c.cookie}))
            per.append(ls)
        rows["x1280_start"] = r = wrk("x1280_start", url, per_thread=per,
                                      xff=True, tmp=tmp)
        # One login start = the POST and the code page.
        r["unit_rps"] = r["ok_rps"] / 2

        # X.1280 full round trips: GET /login, POST /login/start, GET
        # /login/code, authenticator pending + approve (ECDSA, OCRA),
        # POST /login/continue.
        dbdir = server.path("db")
        before = mdb_used(dbdir)
        nproc = 2
        t0 = time.time()
        with multiprocessing.Pool(nproc) as pool:
            outs = pool.map(round_trip_worker, [
                (port, device.pem, rt_users[i::nproc], SECONDS, i)
                for i in range(nproc)])
        dt = time.time() - t0
        ok = sum(o[0] for o in outs)
        lat = [x for o in outs for x in o[2]]
        after = mdb_used(dbdir)
        rows["x1280_round_trip"] = {
            "ok": ok, "failed": sum(o[1] for o in outs),
            "unit_rps": ok / dt, "p50_us": pct(lat, 50) * 1e6,
            "p99_us": pct(lat, 99) * 1e6, "client": "python, %d procs" % nproc}
        log("x1280_round_trip       %8.0f logins/s (%d failed)" % (
            ok / dt, rows["x1280_round_trip"]["failed"]))
        res["lmdb"] = {
            "logins": ok,
            "used_before": sum(before), "used_after": sum(after),
            "bytes_per_10k_logins":
                (sum(after) - sum(before)) * 10000 / max(ok, 1),
            "durable_bytes_per_10k_logins":
                (after[0] - before[0]) * 10000 / max(ok, 1),
            "volatile_bytes_per_10k_logins":
                (after[1] - before[1]) * 10000 / max(ok, 1)}
        res["worker_peak_rss_mb"] = worker_hwm(server)

        # The peer, same machine, same run, same wrk settings.
        pport = free_port()
        env = dict(os.environ, BENCH_CHALLENGE=CHALLENGE)
        peer = subprocess.Popen(
            ["node", os.path.join(ROOT, "bench", "peer.mjs"), str(pport),
             SECRET, CALLBACK], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=env, text=True,
            cwd=os.path.join(ROOT, "bench"))
        wait_line(peer, "listening")
        pbase = "http://127.0.0.1:%d" % pport
        prows = res["peer"] = {"name": "oidc-provider 9.13.3, node " +
                               res["machine"]["node"]}
        prows["discovery"] = wrk("peer_discovery",
                                 pbase + "/.well-known/openid-configuration",
                                 tmp=tmp)
        prows["jwks"] = wrk("peer_jwks", pbase + "/jwks", tmp=tmp)
        ncodes = max(4000, int(rows["oidc_code"]["ok_rps"] * SECONDS * 2))
        cfile = os.path.join(tmp, "peer-codes")
        peer.stdin.write("mint %d %s\n" % (ncodes, cfile))
        peer.stdin.flush()
        wait_line(peer, "ok")
        with open(cfile) as f:
            pcodes = f.read().split()
        prows["oidc_code"] = wrk(
            "peer_oidc_code", pbase + "/", per_thread=[
                [line("POST", "/token", {"Authorization": basic},
                      urllib.parse.urlencode({
                          "grant_type": "authorization_code", "code": c,
                          "redirect_uri": CALLBACK,
                          "code_verifier": VERIFIER}))
                 for c in pcodes[t::THREADS]] for t in range(THREADS)],
            capture=r'"refresh_token":"([^"]+)"', tmp=tmp)
        prts = prows["oidc_code"].pop("captured")
        prows["oidc_refresh"] = wrk(
            "peer_oidc_refresh", pbase + "/", per_thread=[
                refresh_lines(prts[t::THREADS], basic, "/token")
                for t in range(THREADS)],
            capture=r'"refresh_token":"([^"]+)"', tmp=tmp, chain=True)
        prows["oidc_refresh"].pop("captured")
    finally:
        if peer is not None:
            peer.kill()
            peer.wait()
        server.stop()
    res["total_seconds"] = time.time() - t_start

    table = report(res)
    os.makedirs(RESULTS, exist_ok=True)
    name = os.path.join(RESULTS, "bench-%s.json" % time.strftime(
        "%Y%m%d-%H%M%S"))
    res["table"] = table
    with open(name, "w") as f:
        json.dump(res, f, indent=2)
    print(table)
    print("\nwritten to %s (%.0f s)" % (os.path.relpath(name, ROOT),
                                        res["total_seconds"]))
    shutil.rmtree(tmp, ignore_errors=True)
    server.cleanup()


def wait_line(proc, word):
    """Reads the peer's stdout up to a line that is exactly word."""
    while True:
        ln = proc.stdout.readline()
        if not ln:
            raise RuntimeError("peer exited before printing " + word)
        if ln.strip() == word:
            return


def rate(r):
    return r.get("unit_rps", r.get("ok_rps", 0))


def report(res):
    L = res["limits"]
    rows = res["rows"]
    peer = res.get("peer", {})
    out = []
    m = res["machine"]
    out.append("mutua bench: %s, %d CPUs, %s; %d workers, wrk -t%d -c%d, "
               "%d s per row" % (m["cpu"], m["cpus"], m["openssl"],
                                 res["workers"], res["wrk_threads"],
                                 res["connections"], res["seconds_per_row"]))
    out.append("limits (one core): RSA-2048 %.0f sign/s, ECDSA P-256 "
               "%.0f sign/s" % (L["rsa2048_sign_per_s"],
                                L["ecdsap256_sign_per_s"]))
    out.append("")
    hdr = "%-26s %10s %9s %9s %7s %10s %9s %8s" % (
        "row", "per s", "p50 ms", "p99 ms", "errors", "vs limit",
        "peer /s", "vs peer")
    out.append(hdr)
    out.append("-" * len(hdr))
    limits = {
        "saml_sso": L["rsa2048_sign_per_s"] * res["workers"],
        "saml_sso_bare": L["rsa2048_sign_per_s"] * res["workers"],
        "oidc_code": L["ecdsap256_sign_per_s"] * res["workers"],
    }
    names = [("saml_sso", "SAML SSO response"),
             ("saml_sso_bare", "SAML SSO, KeyInfo: key"),
             ("discovery", "OIDC discovery"),
             ("jwks", "OIDC JWKS"),
             ("oidc_authorize", "OIDC authorize (session)"),
             ("oidc_code", "OIDC code -> tokens"),
             ("oidc_refresh", "OIDC refresh rotation"),
             ("x1280_start", "X.1280 login start"),
             ("x1280_round_trip", "X.1280 login round trip")]
    for key, label in names:
        r = rows.get(key)
        if r is None:
            continue
        errs = r.get("failed", r.get("requests", 0) - r.get("ok", 0))
        lim = ("%.2f" % (rate(r) / limits[key])) if key in limits else ""
        p = peer.get(key)
        pr = ("%.0f" % rate(p)) if p else ""
        vs = ("%.1fx" % (rate(r) / rate(p))) if p and rate(p) else ""
        out.append("%-26s %10.0f %9.2f %9.2f %7d %10s %9s %8s" % (
            label, rate(r), r["p50_us"] / 1000, r["p99_us"] / 1000, errs,
            lim, pr, vs))
    if peer:
        out.append("")
        out.append("peer: %s; p50/p99 ms: %s" % (peer["name"], ", ".join(
            "%s %.2f/%.2f" % (k, peer[k]["p50_us"] / 1000,
                              peer[k]["p99_us"] / 1000)
            for k in ("discovery", "jwks", "oidc_code", "oidc_refresh"))))
    out.append("workers' peak RSS (VmHWM): %s MB" % ", ".join(
        str(x) for x in res.get("worker_peak_rss_mb", [])))
    lm = res.get("lmdb")
    if lm:
        out.append("LMDB growth: %.1f MB per 10,000 logins (durable %.1f, "
                   "volatile %.1f; %d logins, %.1f -> %.1f MB used)" % (
                       lm["bytes_per_10k_logins"] / 1e6,
                       lm["durable_bytes_per_10k_logins"] / 1e6,
                       lm["volatile_bytes_per_10k_logins"] / 1e6,
                       lm["logins"], lm["used_before"] / 1e6,
                       lm["used_after"] / 1e6))
    out.append("vs limit: SAML = SSO/s / (RSA-2048 sign/s x workers); OIDC "
               "code = redemptions/s / (P-256 sign/s x workers)")
    return "\n".join(out)


if __name__ == "__main__":
    main()
