"""A real mutua server for integration tests.

Each MutuaServer gets its own directory (keys, LMDB environment, idp.conf,
kore.conf), binds a free port on 127.0.0.1, is polled until /healthz
answers and is stopped through its pidfile (libssh tests/torture.c).
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", "build")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sanitizer_env():
    """LD_PRELOAD the sanitizer runtimes when mutua.so was built with them."""
    env = {}
    if "sanitize" in BUILD:
        libs = []
        for lib in ("libasan.so", "libubsan.so"):
            path = subprocess.run(["gcc", "-print-file-name=" + lib],
                                  capture_output=True, text=True).stdout.strip()
            libs.append(path)
        env["LD_PRELOAD"] = ":".join(libs)
        # Leak checking needs ptrace, which the worker sandbox forbids.
        env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1"
        env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    return env


class MutuaServer:
    def __init__(self, extra_conf="", workers=2):
        self.dir = tempfile.mkdtemp(prefix="mutua-it-")
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.conf = os.path.join(self.dir, "idp.conf")
        self.kore_conf = os.path.join(self.dir, "kore.conf")
        self.pidfile = os.path.join(self.dir, "kore.pid")
        self.log = os.path.join(self.dir, "kore.log")
        self.proc = None
        self._write_keys()
        self._write_conf(extra_conf)
        self._write_kore_conf(workers)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def _write_keys(self):
        keys = self.path("keys")
        os.makedirs(keys, mode=0o700)
        # Keys are generated once per build tree and reused: RSA keygen is
        # slow and the tests are about mutua, not key generation.
        cache = os.path.join(ROOT, BUILD, "test-keys")
        os.makedirs(cache, exist_ok=True)
        for name, cmd in (
            ("saml-signing.key", ["openssl", "req", "-x509", "-newkey",
                                  "rsa:2048", "-sha256", "-days", "3650",
                                  "-nodes", "-subj", "/CN=mutua test IdP",
                                  "-keyout", "{d}/saml-signing.key",
                                  "-out", "{d}/saml-signing.crt"]),
            ("oidc-rs256.key", ["openssl", "genpkey", "-algorithm", "RSA",
                                "-pkeyopt", "rsa_keygen_bits:2048",
                                "-out", "{d}/oidc-rs256.key"]),
            ("oidc-es256.key", ["openssl", "genpkey", "-algorithm", "EC",
                                "-pkeyopt", "ec_paramgen_curve:P-256",
                                "-out", "{d}/oidc-es256.key"]),
        ):
            if not os.path.exists(os.path.join(cache, name)):
                subprocess.run([c.format(d=cache) for c in cmd], check=True,
                               capture_output=True)
        for name in os.listdir(cache):
            shutil.copy(os.path.join(cache, name), keys)
        with open(os.path.join(keys, "master.key"), "wb") as f:
            f.write(os.urandom(32))
        for name in os.listdir(keys):
            os.chmod(os.path.join(keys, name), 0o600)

    def _write_conf(self, extra):
        k = self.path("keys")
        with open(self.conf, "w") as f:
            f.write(f"""entity_id {self.base}/saml/metadata
base_url {self.base}
data_dir {self.path("db")}
map_size_mb 64
master_key {k}/master.key
signing_key {k}/saml-signing.key
signing_cert {k}/saml-signing.crt
oidc_rsa_key {k}/oidc-rs256.key
oidc_ec_key {k}/oidc-es256.key
trusted_proxy 127.0.0.2
{extra}
""")

    def _write_kore_conf(self, workers):
        with open(os.path.join(ROOT, "kore.conf")) as f:
            text = f.read()
        so = os.path.join(ROOT, BUILD, "mutua.so")
        text = text.replace("bind\t\t127.0.0.1 8080",
                            "bind\t\t127.0.0.1 %d" % self.port)
        text = text.replace("./build/mutua.so", so)
        text = text.replace("var/kore.pid", self.pidfile)
        text = text.replace("workers\t\t\t2", "workers\t\t\t%d" % workers)
        with open(self.kore_conf, "w") as f:
            f.write(text)

    def mutuactl(self, *args, input=None, check=True):
        return subprocess.run(
            [os.path.join(ROOT, BUILD, "mutuactl"), "-c", self.conf] +
            list(args), input=input, capture_output=True, text=True,
            check=check, cwd=ROOT, env=dict(os.environ, **sanitizer_env_tools()))

    def start(self, expect_failure=False):
        env = dict(os.environ, MUTUA_CONFIG=self.conf, **sanitizer_env())
        logf = open(self.log, "w")
        self.proc = subprocess.Popen(
            ["kore", "-f", "-n", "-r", "-c", self.kore_conf],
            cwd=ROOT, env=env, stdout=logf, stderr=subprocess.STDOUT,
            start_new_session=True)
        logf.close()
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                if expect_failure:
                    return self.proc.returncode
                raise RuntimeError("mutua exited:\n" + self.read_log())
            try:
                if requests.get(self.base + "/healthz", timeout=1).ok:
                    return 0
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        raise RuntimeError("mutua did not become ready:\n" + self.read_log())

    def read_log(self):
        with open(self.log) as f:
            return f.read()

    def stop(self):
        if self.proc is None:
            return
        try:
            with open(self.pidfile) as f:
                os.kill(int(f.read().strip()), signal.SIGTERM)
        except (OSError, ValueError):
            self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        # Sanitizer-built workers can deadlock in a library destructor
        # (p11-kit) while exiting: whatever is left of the server's process
        # group is killed, so no test leaves workers behind.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.proc = None
        log = self.read_log()
        # A sanitizer report or a sandbox kill in any worker fails the test.
        for marker in ("ERROR: AddressSanitizer", "runtime error:",
                       "sandbox violation"):
            assert marker not in log, log

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def sanitizer_env_tools():
    """Tools are linked with the sanitizers directly: only set options."""
    if "sanitize" in BUILD:
        return {"ASAN_OPTIONS": "detect_leaks=1", "UBSAN_OPTIONS":
                "print_stacktrace=1:halt_on_error=1"}
    return {}
