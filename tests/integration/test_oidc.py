"""OpenID Connect provider against a real relying party: openid-client 6
(Node), with ID token signatures verified (enableNonRepudiationChecks),
over real HTTP, the login approved by the Python authenticator.

The RP steps run in tests/integration/oidc_rp.mjs; the browser is a
requests session (terminal.py); failure paths are also sent by hand so
that the exact RFC error codes can be asserted, and the audit log shows
that nothing was issued."""
import hashlib
import html
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import uuid

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature)

from mutua_server import MutuaServer
from oob_client import b64url, unb64url
from terminal import Terminal, field, login_from
from test_oob import enrol

HERE = os.path.dirname(os.path.abspath(__file__))
RP = os.path.join(HERE, "oidc_rp.mjs")
CORS_FETCH = os.path.join(HERE, "cors_fetch.mjs")
CALLBACK = "http://127.0.0.1:9/callback"
SIGNED_OUT = "http://127.0.0.1:9/signed-out"
LOA2 = "https://refeds.org/profile/mfa"
LOA3 = "http://mutua.example/loa/3"
SECRET = "s3cret-" + b64url(os.urandom(24))
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# A browser application's origin, registered for rp-public (CORS).
SPA_ORIGIN = "http://127.0.0.1:%d" % free_port()
# Resource servers (RFC 8707) a client may ask JWT access tokens for.
API = "https://api.example.org/"
API2 = "https://reports.example.org/v1"

_hash_cache = {}


def scrypt_hash(secret):
    """crypto_password_hash()'s format, computed independently."""
    if secret not in _hash_cache:
        salt = os.urandom(16)
        h = hashlib.scrypt(secret.encode(), salt=salt, n=32768, r=8, p=1,
                           maxmem=1 << 26, dklen=32)
        _hash_cache[secret] = "scrypt$32768$8$1$%s$%s" % (salt.hex(),
                                                         h.hex())
    return _hash_cache[secret]


def ec_jwk(key, kid):
    nums = key.private_numbers()
    pub = nums.public_numbers
    jwk = {"kty": "EC", "crv": "P-256", "kid": kid,
           "x": b64url(pub.x.to_bytes(32, "big")),
           "y": b64url(pub.y.to_bytes(32, "big"))}
    return jwk, dict(jwk, d=b64url(nums.private_value.to_bytes(32, "big")))


def es256_jwt(key, claims, header=None):
    h = dict({"alg": "ES256", "typ": "JWT"}, **(header or {}))
    data = "%s.%s" % (b64url(json.dumps(h).encode()),
                      b64url(json.dumps(claims).encode()))
    r, s = decode_dss_signature(key.sign(data.encode(),
                                         ec.ECDSA(hashes.SHA256())))
    return data + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def jwt_parts(token):
    h, p, _ = token.split(".")
    return json.loads(unb64url(h)), json.loads(unb64url(p))


class OP:
    """A mutua server with registered clients and an enrolled alice."""

    def __init__(self, tmp, extra_conf=""):
        self.clients_dir = os.path.join(tmp, "clients")
        os.makedirs(self.clients_dir)
        self.rp_key = ec.generate_private_key(ec.SECP256R1())
        self.rp_jwk, self.rp_private_jwk = ec_jwk(self.rp_key, "rp-key-1")
        base = {"redirect_uris": [CALLBACK],
                "post_logout_redirect_uris": [SIGNED_OUT],
                "scope": "openid profile email",
                "grant_types": ["authorization_code", "refresh_token"]}
        self.register("rp-basic.json", dict(
            base, client_id="rp-basic", client_name="Basic RP",
            client_secret_hash=scrypt_hash(SECRET)))
        self.register("rp-post.json", dict(
            base, client_id="rp-post",
            token_endpoint_auth_method="client_secret_post",
            client_secret_hash=scrypt_hash(SECRET),
            id_token_signed_response_alg="RS256"))
        self.register("rp-jwt.json", dict(
            base, client_id="rp-jwt",
            token_endpoint_auth_method="private_key_jwt",
            jwks={"keys": [self.rp_jwk]}))
        self.register("rp-public.json", dict(
            base, client_id="rp-public", token_endpoint_auth_method="none",
            grant_types=["authorization_code"],
            allowed_cors_origins=[SPA_ORIGIN]))
        self.register("rp-pairwise.json", dict(
            base, client_id="rp-pairwise", subject_type="pairwise",
            client_secret_hash=scrypt_hash(SECRET)))
        self.register("svc.json", dict(
            client_id="svc", client_secret_hash=scrypt_hash(SECRET),
            scope="openid api.read api.write",
            grant_types=["client_credentials"]))
        self.register("rp-at.json", dict(
            base, client_id="rp-at", client_secret_hash=scrypt_hash(SECRET),
            access_token_format="jwt", resources=[API, API2]))
        self.register("svc-at.json", dict(
            client_id="svc-at", client_secret_hash=scrypt_hash(SECRET),
            scope="api.read", grant_types=["client_credentials"],
            access_token_format="jwt", resources=[API],
            id_token_signed_response_alg="RS256"))
        self.register("rp-consent.json", dict(
            base, client_id="rp-consent", client_name="Third-Party App",
            client_secret_hash=scrypt_hash(SECRET), require_consent=True))
        self.register("rp-par.json", dict(
            base, client_id="rp-par", client_secret_hash=scrypt_hash(SECRET),
            require_pushed_authorization_requests=True))
        self.server = MutuaServer("clients_dir %s\nloa2_uri %s\nloa3_uri %s\n%s"
                                  % (self.clients_dir, LOA2, LOA3,
                                     extra_conf))
        self.server.start()
        self.base = self.server.base
        self.authenticator = enrol(self.server)
        self.terminal = Terminal(self.base)

    def register(self, name, doc):
        with open(os.path.join(self.clients_dir, name), "w") as f:
            json.dump(doc, f)

    def rp_args(self, client_id="rp-basic", **kw):
        auth = {"rp-basic": "basic", "rp-post": "post", "rp-jwt": "jwt",
                "rp-public": "none", "rp-pairwise": "basic",
                "svc": "basic", "rp-par": "basic", "rp-at": "basic",
                "svc-at": "basic", "rp-consent": "basic"}[client_id]
        a = {"issuer": self.base, "client_id": client_id, "auth": auth,
             "client_secret": SECRET, "jwk": self.rp_private_jwk,
             "redirect_uri": CALLBACK}
        if client_id == "rp-post":
            a["id_token_alg"] = "RS256"
        a.update(kw)
        return a

    def rp(self, step, **kw):
        """Runs one openid-client step; returns its JSON answer."""
        p = subprocess.run(["node", RP, step, json.dumps(self.rp_args(**kw))],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        return json.loads(p.stdout)

    def audit_count(self, event):
        return self.server.read_log().count("audit_event=%s " % event)

    def login(self, url, t=None):
        """Sends the browser to url and through the login if asked;
        returns the callback URL the browser is finally sent to."""
        t = t or self.terminal
        r = t.s.get(url, allow_redirects=False)
        if r.status_code == 303 and r.headers["location"].startswith(
                "/login?c="):
            r = login_from(t, r.headers["location"], "alice",
                           self.authenticator)
            self.last_rp = r.rp
            assert r.headers["location"].startswith(
                "/oauth2/authorize?resume="), r.headers
            r = t.get(r.headers["location"])
            # After the login form: a page that moves on by itself.
            assert r.status_code == 200, r.text[:300]
            m = re.search(r'id="continue" href="([^"]*)"', r.text)
            assert m, r.text[:500]
            return html.unescape(m.group(1))
        assert r.status_code == 302, (r.status_code, r.text[:300])
        return r.headers["location"]

    def code_flow(self, client_id="rp-basic", params=None, scope=None,
                  par=False, token_params=None):
        """The whole authorization code flow through openid-client, its
        request pushed first (RFC 9126) when par; token_params go to the
        token request."""
        kw = {"client_id": client_id, "par": par}
        if scope:
            kw["scope"] = scope
        if params:
            kw["params"] = params
        start = self.rp("authorize_url", **kw)
        assert start["ok"], start
        callback = self.login(start["url"])
        out = self.rp("code", client_id=client_id, callback=callback,
                      code_verifier=start["code_verifier"],
                      state=start["state"], nonce=start["nonce"],
                      token_params=token_params)
        assert out["ok"], out
        out["callback"] = callback
        out["start"] = start
        return out

    def authorize(self, t=None, **params):
        """A hand-made authorization request; returns the response."""
        q = {"response_type": "code", "client_id": "rp-basic",
             "redirect_uri": CALLBACK, "scope": "openid", "state": "st-1",
             "code_challenge": b64url(hashlib.sha256(b"v" * 43).digest()),
             "code_challenge_method": "S256"}
        q.update(params)
        q = {k: v for k, v in q.items() if v is not None}
        return (t or self.terminal).s.get(
            self.base + "/oauth2/authorize?" + urllib.parse.urlencode(q),
            allow_redirects=False)

    def code(self, **params):
        """A code for rp-basic with verifier "v" * 43 (after a login)."""
        q = {"response_type": "code", "client_id": "rp-basic",
             "redirect_uri": CALLBACK, "scope": "openid profile email",
             "state": "st-1", "nonce": "n-1",
             "code_challenge": b64url(hashlib.sha256(b"v" * 43).digest()),
             "code_challenge_method": "S256"}
        q.update(params)
        cb = self.login(self.base + "/oauth2/authorize?" +
                        urllib.parse.urlencode(q))
        return query(cb)["code"]

    def token(self, data, auth=("rp-basic", SECRET), **kw):
        if auth is not None:
            kw["auth"] = auth
        return requests.post(self.base + "/oauth2/token", data=data, **kw)

    def redeem(self, code, verifier="v" * 43, **kw):
        return self.token({"grant_type": "authorization_code", "code": code,
                           "redirect_uri": CALLBACK,
                           "code_verifier": verifier}, **kw)

    def assertion(self, key=None, **claims):
        c = {"iss": "rp-jwt", "sub": "rp-jwt", "aud": self.base,
             "jti": str(uuid.uuid4()), "exp": int(time.time()) + 60,
             "iat": int(time.time())}
        c.update(claims)
        return es256_jwt(key or self.rp_key, c, {"kid": "rp-key-1"})


def query(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def assert_error(r, status, error):
    assert r.status_code == status, (r.status_code, r.text)
    assert r.json()["error"] == error, r.text
    assert r.headers["cache-control"] == "no-store"


def stop(server):
    """Stops the server, then any of its workers still stuck in their
    exit handlers after a grace period (with the sanitizer runtimes,
    p11-kit's destructor can deadlock on the locale lock at exit)."""
    workers = []
    try:
        with open(server.pidfile) as f:
            pid = int(f.read())
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            workers = [int(w) for w in f.read().split()]
        os.kill(pid, signal.SIGTERM)
        server.proc.wait(timeout=3)
    except (OSError, ValueError, subprocess.TimeoutExpired):
        for w in workers:
            try:
                os.kill(w, signal.SIGKILL)
            except OSError:
                pass
    server.cleanup()


@pytest.fixture
def op():
    tmp = tempfile.mkdtemp(prefix="mutua-oidc-")
    o = OP(tmp)
    yield o
    stop(o.server)
    shutil.rmtree(tmp, ignore_errors=True)


# --- The relying party's whole journey --------------------------------


def test_discovery_and_jwks_publish_both_keys_with_rfc7638_kids(op):
    d = op.rp("discover")
    assert d["ok"], d
    m = d["metadata"]
    assert m["issuer"] == op.base
    assert m["token_endpoint"] == op.base + "/oauth2/token"
    assert m["code_challenge_methods_supported"] == ["S256"]
    assert m["response_types_supported"] == ["code"]
    assert m["authorization_response_iss_parameter_supported"] is True
    assert m["acr_values_supported"] == [LOA2, LOA3]
    assert set(m["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic", "client_secret_post", "private_key_jwt",
        "none"}
    jwks = requests.get(m["jwks_uri"]).json()["keys"]
    assert sorted(k["alg"] for k in jwks) == ["ES256", "RS256"]
    for k in jwks:
        assert "d" not in k and "p" not in k and k["use"] == "sig"
        req = {n: k[n] for n in (("crv", "kty", "x", "y")
               if k["kty"] == "EC" else ("e", "kty", "n"))}
        thumb = b64url(hashlib.sha256(json.dumps(
            req, separators=(",", ":"), sort_keys=True).encode()).digest())
        assert k["kid"] == thumb


def test_code_flow_userinfo_refresh_introspection_revocation_logout(op):
    issued = op.audit_count("oauth.token")
    out = op.code_flow()
    # The authenticator was shown the client as the relying party.
    assert op.last_rp == "rp-basic"
    cb = query(out["callback"])
    assert cb["iss"] == op.base and "code" in cb
    tokens, claims = out["tokens"], out["claims"]
    assert tokens["token_type"].lower() == "bearer"
    assert len(tokens["access_token"]) >= 43
    assert claims["iss"] == op.base and claims["aud"] == "rp-basic"
    assert claims["sub"] == "alice"
    assert claims["nonce"] == out["start"]["nonce"]
    assert claims["acr"] == LOA2
    assert "oob" in claims["amr"] and "mfa" in claims["amr"]
    assert abs(claims["auth_time"] - time.time()) < 60
    assert claims["exp"] - claims["iat"] == 600
    header, _ = jwt_parts(tokens["id_token"])
    assert header["alg"] == "ES256" and header["kid"]
    at = hashlib.sha256(tokens["access_token"].encode()).digest()[:16]
    assert claims["at_hash"] == b64url(at)
    assert op.audit_count("oauth.token") == issued + 1

    u = op.rp("userinfo", access_token=tokens["access_token"], sub="alice")
    assert u["ok"], u
    assert u["userinfo"]["sub"] == "alice"
    assert u["userinfo"]["preferred_username"] == "alice"

    i = op.rp("introspect", token=tokens["access_token"])
    assert i["ok"], i
    assert i["introspection"]["active"] is True
    assert i["introspection"]["client_id"] == "rp-basic"
    assert i["introspection"]["sub"] == "alice"
    assert i["introspection"]["scope"] == "openid profile email"

    r = op.rp("refresh", refresh_token=tokens["refresh_token"])
    assert r["ok"], r
    new = r["tokens"]
    assert new["refresh_token"] != tokens["refresh_token"]
    assert r["claims"]["sub"] == "alice"
    assert r["claims"]["auth_time"] == claims["auth_time"]
    assert "nonce" not in r["claims"]
    # The rotated refresh token is spent.
    i = op.rp("introspect", token=tokens["refresh_token"])
    assert i["introspection"] == {"active": False}

    assert op.rp("revoke", token=new["refresh_token"])["ok"]
    for t in (new["refresh_token"], new["access_token"],
              tokens["access_token"]):
        assert op.rp("introspect", token=t)["introspection"] == {
            "active": False}
    u = op.rp("userinfo", access_token=new["access_token"], sub="alice")
    assert not u["ok"] and u["status"] == 401, u

    # RP-initiated logout: confirm, then back to the registered URI.
    lo = op.rp("logout_url", id_token=new["id_token"],
               post_logout_redirect_uri=SIGNED_OUT, state="bye")
    assert lo["ok"], lo
    page = op.terminal.s.get(lo["url"], allow_redirects=False)
    assert page.status_code == 200 and "Sign out" in page.text
    form = {n: html.unescape(field(page.text, n)) for n in (
        "csrf", "id_token_hint", "post_logout_redirect_uri", "state",
        "client_id")}
    r = op.terminal.post("/oauth2/logout", form)
    assert r.status_code == 200
    m = re.search(r'id="continue" href="([^"]*)"', r.text)
    assert html.unescape(m.group(1)) == SIGNED_OUT + "?state=bye"
    assert op.terminal.get("/account").headers["location"] == "/login"


def test_client_secret_post_with_rs256_id_token(op):
    out = op.code_flow("rp-post")
    header, _ = jwt_parts(out["tokens"]["id_token"])
    assert header["alg"] == "RS256"
    assert out["claims"]["aud"] == "rp-post"


def test_private_key_jwt_client(op):
    out = op.code_flow("rp-jwt")
    assert out["claims"]["aud"] == "rp-jwt"
    r = op.rp("refresh", client_id="rp-jwt",
              refresh_token=out["tokens"]["refresh_token"])
    assert r["ok"], r


def test_public_client_with_pkce_and_no_secret(op):
    out = op.code_flow("rp-public")
    assert out["claims"]["aud"] == "rp-public"
    assert "refresh_token" not in out["tokens"]


def test_sso_second_client_needs_no_new_login(op):
    first = op.code_flow()
    start = op.rp("authorize_url", client_id="rp-post")
    r = op.terminal.s.get(start["url"], allow_redirects=False)
    assert r.status_code == 302 and r.headers["location"].startswith(
        CALLBACK)
    out = op.rp("code", client_id="rp-post", callback=r.headers["location"],
                code_verifier=start["code_verifier"], state=start["state"],
                nonce=start["nonce"])
    assert out["ok"], out
    assert out["claims"]["auth_time"] == first["claims"]["auth_time"]


def test_pairwise_subject_differs_from_user_id_and_is_stable(op):
    a = op.code_flow("rp-pairwise")["claims"]["sub"]
    b = op.code_flow("rp-pairwise")["claims"]["sub"]
    assert a == b and a != "alice" and len(a) == 43


# --- Authorization endpoint -------------------------------------------


def test_unknown_client_or_redirect_uri_gets_an_error_page(op):
    for params in ({"client_id": "nobody"},
                   {"redirect_uri": "http://127.0.0.1:9/other"},
                   {"redirect_uri": CALLBACK + "/"},
                   {"redirect_uri": CALLBACK + "?x=1"},
                   {"client_id": None}):
        r = op.authorize(**params)
        assert r.status_code == 400 and "location" not in r.headers
        assert "text/html" in r.headers["content-type"]


def test_authorization_errors_go_back_with_state_and_iss(op):
    cases = [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": None}, "invalid_request"),
        ({"scope": "openid admin"}, "invalid_scope"),
        ({"scope": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"prompt": "none login"}, "invalid_request"),
        ({"prompt": "bogus"}, "invalid_request"),
        ({"max_age": "-1"}, "invalid_request"),
        ({"request": "a.b.c"}, "request_not_supported"),
        ({"request_uri": "https://x/"}, "request_uri_not_supported"),
        ({"response_mode": "fragment"}, "invalid_request"),
        ({"prompt": "none"}, "login_required"),
    ]
    for params, error in cases:
        r = op.authorize(**params)
        assert r.status_code == 302, (params, r.text[:200])
        q = query(r.headers["location"])
        assert r.headers["location"].startswith(CALLBACK + "?")
        assert q["error"] == error, (params, q)
        assert q["state"] == "st-1" and q["iss"] == op.base
        assert "code" not in q


def test_public_client_must_use_pkce(op):
    r = op.authorize(client_id="rp-public", code_challenge=None,
                     code_challenge_method=None)
    assert query(r.headers["location"])["error"] == "invalid_request"


def test_repeated_or_malformed_parameters_are_invalid_requests(op):
    base = op.base + "/oauth2/authorize?response_type=code&client_id=" \
        "rp-basic&redirect_uri=" + urllib.parse.quote(CALLBACK, safe="")
    for extra in ("&scope=openid&scope=openid&state=s",
                  "&scope=openid&state=s&nonce=" + "n" * 600,
                  "&scope=openid&state=s&nonce=%01x",
                  "&scope=openid&state=s&nonce=caf%C3%A9"):
        r = requests.get(base + extra, allow_redirects=False)
        assert r.status_code == 302, (extra, r.text[:200])
        assert query(r.headers["location"])["error"] == "invalid_request"
    # Beyond Kore's 2000-byte request line.
    r = requests.get(base + "&state=" + "s" * 3000, allow_redirects=False)
    assert r.status_code == 414


def test_login_hint_prefills_the_user_id(op):
    r = op.authorize(login_hint="alice")
    assert r.status_code == 303, r.text[:200]
    assert r.headers["location"].endswith("&login_hint=alice")
    page = op.terminal.get(r.headers["location"]).text
    assert re.search(r'name="user"[^>]*value="alice"', page, re.S), page
    # Anything but a valid user ID is ignored.
    r = op.authorize(login_hint="Bob <bob@example.org>")
    assert "login_hint" not in r.headers["location"]


def test_prompt_none_with_a_session_issues_a_code_without_login(op):
    op.code_flow()
    r = op.authorize(prompt="none")
    q = query(r.headers["location"])
    assert "code" in q and q["state"] == "st-1", q


def test_prompt_login_and_max_age_force_a_new_out_of_band_login(op):
    first = op.code_flow()
    time.sleep(1.1)
    again = op.code_flow(params={"prompt": "login"})
    assert again["claims"]["auth_time"] > first["claims"]["auth_time"]
    time.sleep(1.1)
    # max_age=0: the last authentication is too old; prompt=none says so.
    r = op.authorize(max_age="0", prompt="none")
    assert query(r.headers["location"])["error"] == "login_required"
    third = op.code_flow(params={"max_age": "0"})
    assert third["claims"]["auth_time"] > again["claims"]["auth_time"]


def test_unmet_acr_values(op):
    # alice's binding is LoA2: asking for LoA3 only cannot be met.
    start = op.rp("authorize_url", params={"acr_values": LOA3})
    cb = op.login(start["url"])
    q = query(cb)
    assert q["error"] == "unmet_authentication_requirements", q
    assert q["state"] == start["state"] and q["iss"] == op.base
    r = op.authorize(acr_values=LOA3, prompt="none")
    assert query(r.headers["location"])["error"] == \
        "unmet_authentication_requirements"
    # A list holding the level reached is met.
    out = op.code_flow(params={"acr_values": LOA3 + " " + LOA2})
    assert out["claims"]["acr"] == LOA2


# --- Token endpoint: failure paths issue nothing -----------------------


def test_replayed_code_is_refused_and_revokes_what_it_issued(op):
    code = op.code()
    first = op.redeem(code)
    assert first.status_code == 200, first.text
    tokens = first.json()
    issued = op.audit_count("oauth.token")
    assert_error(op.redeem(code), 400, "invalid_grant")
    assert op.audit_count("oauth.code_replay") == 1
    assert op.audit_count("oauth.token") == issued
    r = requests.get(op.base + "/oauth2/userinfo", headers={
        "Authorization": "Bearer " + tokens["access_token"]})
    assert r.status_code == 401
    assert 'error="invalid_token"' in r.headers["www-authenticate"]
    assert_error(op.token({"grant_type": "refresh_token",
                           "refresh_token": tokens["refresh_token"]}),
                 400, "invalid_grant")


def test_code_checks_redirect_uri_pkce_and_client(op):
    code = op.code()
    issued = op.audit_count("oauth.token")
    assert_error(op.token({"grant_type": "authorization_code", "code": code,
                           "redirect_uri": CALLBACK + "x",
                           "code_verifier": "v" * 43}), 400, "invalid_grant")
    assert_error(op.redeem(code, verifier="w" * 43), 400, "invalid_grant")
    assert_error(op.redeem(code, verifier=None), 400, "invalid_grant")
    assert_error(op.redeem(code, auth=("rp-pairwise", SECRET)), 400,
                 "invalid_grant")
    assert_error(op.redeem(code[:-1] + ("A" if code[-1] != "A" else "B")),
                 400, "invalid_grant")
    assert op.audit_count("oauth.token") == issued
    # None of those spent the code.
    assert op.redeem(code).status_code == 200


def test_expired_code_is_refused(op):
    code = op.code()
    time.sleep(61)
    assert_error(op.redeem(code), 400, "invalid_grant")


def test_wrong_client_secret(op):
    code = op.code()
    r = op.redeem(code, auth=("rp-basic", "wrong"))
    assert_error(r, 401, "invalid_client")
    assert r.headers["www-authenticate"].startswith("Basic")
    # client_secret_post against a basic client, and no client at all.
    r = op.token({"grant_type": "authorization_code", "code": code,
                  "redirect_uri": CALLBACK, "code_verifier": "v" * 43,
                  "client_id": "rp-basic", "client_secret": SECRET},
                 auth=None)
    assert_error(r, 401, "invalid_client")
    r = op.token({"grant_type": "authorization_code", "code": code},
                 auth=None)
    assert_error(r, 401, "invalid_client")
    # Through the RP library: a 401 challenge.
    out = op.rp("refresh", client_secret="wrong", refresh_token="x" * 43)
    assert not out["ok"] and out["status"] == 401, out
    assert op.audit_count("oauth.client_auth") >= 3
    assert op.redeem(code).status_code == 200


def test_client_authentication_failures_are_rate_limited(op):
    for _ in range(20):
        assert op.token({"grant_type": "refresh_token",
                         "refresh_token": "x"},
                        auth=("rp-basic", "bad")).status_code == 401
    r = op.token({"grant_type": "refresh_token", "refresh_token": "x"})
    assert_error(r, 429, "invalid_client")
    assert int(r.headers["retry-after"]) > 0


def test_client_assertion_forged_replayed_or_wrong(op):
    code = op.code(client_id="rp-jwt")

    def send(assertion):
        return op.token({"grant_type": "authorization_code", "code": code,
                         "redirect_uri": CALLBACK, "code_verifier": "v" * 43,
                         "client_assertion_type": ASSERTION_TYPE,
                         "client_assertion": assertion}, auth=None)
    other = ec.generate_private_key(ec.SECP256R1())
    now = int(time.time())
    for bad in (op.assertion(key=other),
                op.assertion(aud="https://elsewhere.example/"),
                op.assertion(exp=now - 600),
                op.assertion(exp=now + 3600),
                op.assertion(iss="rp-basic"),
                op.assertion(jti=None),
                op.assertion()[:-4] + "AAAA"):
        assert_error(send(bad), 401, "invalid_client")
    # alg none and HS256 headers never verify.
    body = op.assertion().split(".")[1]
    for alg in ("none", "HS256"):
        h = b64url(json.dumps({"alg": alg}).encode())
        assert_error(send("%s.%s.%s" % (h, body, b64url(b"x" * 32))), 401,
                     "invalid_client")
    good = op.assertion()
    r = send(good)
    assert r.status_code == 200, r.text
    # The same assertion again: its jti was used.
    code = op.code(client_id="rp-jwt")
    assert_error(send(good), 401, "invalid_client")
    assert send(op.assertion()).status_code == 200


def test_refresh_token_reuse_revokes_the_whole_family(op):
    tokens = op.redeem(op.code()).json()
    r = op.token({"grant_type": "refresh_token",
                  "refresh_token": tokens["refresh_token"]})
    assert r.status_code == 200, r.text
    rotated = r.json()
    issued = op.audit_count("oauth.token")
    assert_error(op.token({"grant_type": "refresh_token",
                           "refresh_token": tokens["refresh_token"]}),
                 400, "invalid_grant")
    assert op.audit_count("oauth.refresh_reuse") == 1
    assert op.audit_count("oauth.token") == issued
    assert_error(op.token({"grant_type": "refresh_token",
                           "refresh_token": rotated["refresh_token"]}),
                 400, "invalid_grant")
    r = requests.get(op.base + "/oauth2/userinfo", headers={
        "Authorization": "Bearer " + rotated["access_token"]})
    assert r.status_code == 401


def test_refresh_scope_may_only_narrow(op):
    tokens = op.redeem(op.code()).json()
    assert_error(op.token({"grant_type": "refresh_token", "scope":
                           "openid admin",
                           "refresh_token": tokens["refresh_token"]}),
                 400, "invalid_scope")
    r = op.token({"grant_type": "refresh_token", "scope": "openid",
                  "refresh_token": tokens["refresh_token"]})
    assert r.status_code == 200 and r.json()["scope"] == "openid"


def test_tampered_tokens_are_refused(op):
    tokens = op.redeem(op.code()).json()

    def flip(t):
        return t[:10] + ("A" if t[10] != "A" else "B") + t[11:]
    r = requests.get(op.base + "/oauth2/userinfo", headers={
        "Authorization": "Bearer " + flip(tokens["access_token"])})
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"
    assert_error(op.token({"grant_type": "refresh_token",
                           "refresh_token": flip(tokens["refresh_token"])}),
                 400, "invalid_grant")
    # An ID token with a changed payload is no valid id_token_hint.
    h, p, s = tokens["id_token"].split(".")
    claims = json.loads(unb64url(p))
    claims["aud"] = "rp-post"
    forged = "%s.%s.%s" % (h, b64url(json.dumps(claims).encode()), s)
    r = requests.get(op.base + "/oauth2/logout", params={
        "id_token_hint": forged, "post_logout_redirect_uri": SIGNED_OUT},
        allow_redirects=False)
    assert r.status_code == 400 and "location" not in r.headers
    # The genuine one still works.
    assert requests.get(op.base + "/oauth2/userinfo", headers={
        "Authorization": "Bearer " + tokens["access_token"]}).ok


def test_oversized_and_malformed_token_requests(op):
    code = op.code()
    issued = op.audit_count("oauth.token")
    ok = {"grant_type": "authorization_code", "code": code,
          "redirect_uri": CALLBACK, "code_verifier": "v" * 43}
    assert_error(op.token(dict(ok, code_verifier="v" * 20000)), 400,
                 "invalid_request")
    r = requests.post(op.base + "/oauth2/token", auth=("rp-basic", SECRET),
                      data="grant_type=authorization_code&code=%s&code=%s"
                      "&redirect_uri=%s&code_verifier=%s" % (
                          code, code, urllib.parse.quote(CALLBACK), "v" * 43),
                      headers={"Content-Type":
                               "application/x-www-form-urlencoded"})
    assert_error(r, 400, "invalid_request")
    assert_error(op.token(dict(ok, grant_type="password")), 400,
                 "unsupported_grant_type")
    assert_error(op.token({k: v for k, v in ok.items()
                           if k != "grant_type"}), 400, "invalid_request")
    assert_error(op.token(dict(ok, code="\x01")), 400, "invalid_request")
    assert_error(op.token(dict(ok, code=None)), 400, "invalid_request")
    r = requests.get(op.base + "/oauth2/token")
    assert r.status_code == 405
    r = requests.post(op.base + "/oauth2/token", data="x" * 200000,
                      auth=("rp-basic", SECRET))
    assert r.status_code in (400, 413)
    r = requests.post(op.base + "/oauth2/token", auth=("rp-basic", SECRET),
                      json=ok)
    assert_error(r, 400, "invalid_request")
    assert op.audit_count("oauth.token") == issued
    assert op.redeem(code).status_code == 200


# --- client_credentials (RFC 6749 §4.4) -------------------------------


def test_client_credentials_grant_issues_an_access_token_only(op):
    before = op.audit_count("oauth.token")
    out = op.rp("client_credentials", client_id="svc")
    assert out["ok"], out
    tokens = out["tokens"]
    assert tokens["token_type"].lower() == "bearer"
    # No user: no ID token, no refresh token, no user scopes.
    assert "id_token" not in tokens and "refresh_token" not in tokens
    assert tokens["scope"] == "api.read api.write"
    assert op.audit_count("oauth.token") == before + 1
    assert "grant=client_credentials" in op.server.read_log()

    out = op.rp("introspect", client_id="svc", token=tokens["access_token"])
    i = out["introspection"]
    assert i["active"] and i["client_id"] == "svc" and i["sub"] == "svc"
    assert i["scope"] == "api.read api.write"
    r = requests.get(op.base + "/oauth2/userinfo", headers={
        "Authorization": "Bearer " + tokens["access_token"]})
    assert r.status_code in (401, 403)

    out = op.rp("client_credentials", client_id="svc", scope="api.read")
    assert out["ok"] and out["tokens"]["scope"] == "api.read", out
    assert "client_credentials" in op.rp("discover")["metadata"][
        "grant_types_supported"]


# --- JWT access tokens (RFC 9068) for resources (RFC 8707) ------------


def verify_at(op, client_id, token, audience):
    """A resource server's check with jose; returns (header, claims)."""
    out = op.rp("verify_access_token", client_id=client_id,
                access_token=token, audience=audience)
    assert out["ok"], out
    return out["header"], out["payload"]


def test_jwt_access_tokens_name_the_resource(op):
    out = op.code_flow(client_id="rp-at")
    at = out["tokens"]["access_token"]
    header, claims = verify_at(op, "rp-at", at, API)   # the default
    assert header["typ"] == "at+jwt" and header["alg"] == "ES256"
    assert claims["iss"] == op.base and claims["aud"] == API
    assert claims["sub"] == "alice" and claims["client_id"] == "rp-at"
    assert claims["scope"] == "openid profile email"
    assert claims["exp"] - claims["iat"] == 600 and len(claims["jti"]) == 43
    assert claims["acr"] == LOA2 and "oob" in claims["amr"]
    assert claims["auth_time"] <= claims["iat"]
    # For another resource server it does not verify.
    assert not op.rp("verify_access_token", client_id="rp-at",
                     access_token=at, audience=API2)["ok"]
    # It works at mutua like an opaque token: userinfo, introspection.
    ui = op.rp("userinfo", client_id="rp-at", access_token=at, sub="alice")
    assert ui["ok"] and ui["userinfo"]["sub"] == "alice", ui
    i = op.rp("introspect", client_id="rp-at", token=at)["introspection"]
    assert i["active"] and i["sub"] == "alice"

    # A refresh asks for the other resource (RFC 8707 §2.2).
    r = op.rp("refresh", client_id="rp-at",
              refresh_token=out["tokens"]["refresh_token"],
              token_params={"resource": API2})
    assert r["ok"], r
    _, claims2 = verify_at(op, "rp-at", r["tokens"]["access_token"], API2)
    assert claims2["sub"] == "alice" and claims2["jti"] != claims["jti"]

    # Revoked, it is no longer accepted at mutua.
    assert op.rp("revoke", client_id="rp-at", token=at)["ok"]
    assert not op.rp("introspect", client_id="rp-at",
                     token=at)["introspection"]["active"]


def test_jwt_access_token_of_a_service_is_about_the_service(op):
    out = op.rp("client_credentials", client_id="svc-at",
                token_params={"resource": API})
    assert out["ok"], out
    header, claims = verify_at(op, "svc-at", out["tokens"]["access_token"],
                               API)
    assert header["alg"] == "RS256"
    assert claims["sub"] == "svc-at" and claims["client_id"] == "svc-at"
    assert claims["scope"] == "api.read"
    assert "acr" not in claims and "auth_time" not in claims


def test_resource_refusals(op):
    # RFC 8707 §2: a resource the client did not register.
    r = op.token({"grant_type": "client_credentials",
                  "resource": "https://elsewhere.example/"},
                 auth=("svc-at", SECRET))
    assert_error(r, 400, "invalid_target")
    r = op.token({"grant_type": "client_credentials", "resource": API},
                 auth=("svc", SECRET))
    assert_error(r, 400, "invalid_target")
    # One resource per request; a relative one is no resource.
    r = op.token({"grant_type": "client_credentials",
                  "resource": [API, API]}, auth=("svc-at", SECRET))
    assert_error(r, 400, "invalid_request")
    r = op.token({"grant_type": "client_credentials", "resource": "/api"},
                 auth=("svc-at", SECRET))
    assert r.status_code == 400
    # Opaque stays the default.
    out = op.rp("client_credentials", client_id="svc")
    assert "." not in out["tokens"]["access_token"]


# --- Consent (OpenID Connect Core §3.1.2.4) -----------------------------


def to_consent(op, t, **params):
    """An authorization request of rp-consent, through the login when
    there is no session; returns the page it ends on."""
    r = op.authorize(t, client_id="rp-consent", **params)
    if r.status_code == 303 and r.headers["location"].startswith(
            "/login?c="):
        r = login_from(t, r.headers["location"], "alice", op.authenticator)
        r = t.get(r.headers["location"])
    return r


def consent(t, page, decision):
    """Answers the consent page; returns where the browser goes on to."""
    r = t.post("/oauth2/consent", {"csrf": field(page, "csrf"),
                                   "id": field(page, "id"),
                                   "decision": decision})
    assert r.status_code == 200, r.text[:300]
    m = re.search(r'id="continue" href="([^"]*)"', r.text)
    return html.unescape(m.group(1))


def test_consent_is_asked_once_per_scope_and_can_be_withdrawn(op):
    t = Terminal(op.base)
    page = to_consent(op, t, scope="openid email")
    assert page.status_code == 200 and 'action="/oauth2/consent"' in page.text
    assert "Third-Party App" in page.text and "rp-consent" in page.text
    assert "your e-mail address" in page.text
    assert "your name" not in page.text
    # The form belongs to this session only.
    r = t.post("/oauth2/consent", {"csrf": "0" * 64,
                                   "id": field(page.text, "id"),
                                   "decision": "allow"})
    assert r.status_code == 403
    # Denied: the client hears access_denied, with its state.
    q = query(consent(t, page.text, "deny"))
    assert q["error"] == "access_denied" and q["state"] == "st-1"
    assert op.audit_count("oauth.consent") == 1

    # Allowed: a code, and the grant works.
    page = to_consent(op, t, scope="openid email")
    assert 'action="/oauth2/consent"' in page.text
    code = query(consent(t, page.text, "allow"))["code"]
    tokens = op.redeem(code, auth=("rp-consent", SECRET)).json()
    assert tokens["refresh_token"]
    # Asked once: the same scopes go straight on.
    r = op.authorize(t, client_id="rp-consent", scope="openid email")
    assert r.status_code == 302 and "code" in query(r.headers["location"])
    # More scopes ask again; without interaction that is consent_required.
    r = op.authorize(t, client_id="rp-consent", scope="openid profile email",
                     prompt="none")
    assert query(r.headers["location"])["error"] == "consent_required"
    page = to_consent(op, t, scope="openid profile email")
    assert "your name and user ID" in page.text

    # The account page lists it; withdrawn, the client must ask again
    # and its refresh token stops working.
    account = t.get("/account").text
    assert re.search(r"Third-Party App</td><td>openid email</td>", account)
    r = t.post("/account/consent", {"csrf": field(account, "csrf"),
                                    "client": "rp-consent"})
    assert r.status_code == 303
    assert "Third-Party App" not in t.get("/account").text
    r = op.token({"grant_type": "refresh_token",
                  "refresh_token": tokens["refresh_token"]},
                 auth=("rp-consent", SECRET))
    assert_error(r, 400, "invalid_grant")
    assert 'action="/oauth2/consent"' in op.authorize(
        t, client_id="rp-consent", scope="openid").text
    r = t.post("/account/consent", {"csrf": field(account, "csrf"),
                                    "client": "rp-consent"})
    assert r.status_code == 404
    log = op.server.read_log()
    for outcome in ("refused", "allowed", "withdrawn"):
        assert "audit_event=oauth.consent " in log and \
            "outcome=%s" % outcome in log


def test_prompt_consent_asks_any_client(op):
    t = Terminal(op.base)
    op.code()                       # a session, no consent needed
    r = op.authorize(op.terminal, prompt="consent")
    assert r.status_code == 200 and 'action="/oauth2/consent"' in r.text
    assert "Basic RP" in r.text
    assert "code" in query(consent(op.terminal, r.text, "allow"))
    # prompt=consent with none is a contradiction (OIDC Core §3.1.2.1).
    r = op.authorize(t, prompt="none consent")
    assert r.status_code == 302
    assert query(r.headers["location"])["error"] == "invalid_request"


def test_client_credentials_refusals(op):
    # A scope about users, or one not registered.
    for scope in ("openid", "api.read email", "api.delete"):
        r = op.token({"grant_type": "client_credentials", "scope": scope},
                     auth=("svc", SECRET))
        assert_error(r, 400, "invalid_scope")
    # A client not registered for the grant, and a wrong secret.
    r = op.token({"grant_type": "client_credentials"})
    assert_error(r, 400, "unauthorized_client")
    r = op.token({"grant_type": "client_credentials"},
                 auth=("svc", "wrong secret"))
    assert_error(r, 401, "invalid_client")
    # The service cannot be used for a user's login.
    r = op.authorize(client_id="svc")
    assert r.status_code == 400 and "location" not in r.headers
    out = op.rp("client_credentials", client_id="rp-basic")
    assert not out["ok"] and out["error"] == "unauthorized_client", out


# --- Pushed authorization requests (RFC 9126) -------------------------


def test_pushed_authorization_request_flow(op):
    meta = op.rp("discover")["metadata"]
    assert meta["pushed_authorization_request_endpoint"] == \
        op.base + "/oauth2/par"
    assert meta["require_pushed_authorization_requests"] is False
    out = op.code_flow(client_id="rp-par", par=True)
    q = query(out["start"]["url"])
    # The browser carries only the client and the request_uri.
    assert set(q) == {"client_id", "request_uri"}, q
    assert q["request_uri"].startswith("urn:ietf:params:oauth:request_uri:")
    assert out["claims"]["aud"] == "rp-par"
    # Any client may push; the flow works for rp-basic too.
    assert op.code_flow(par=True)["claims"]["sub"] == "alice"


def test_pushed_requests_required_of_every_client(tmp_path):
    """require_pushed_authorization_requests yes in idp.conf (RFC 9126
    §5): every client must push; discovery says so."""
    o = OP(str(tmp_path), "require_pushed_authorization_requests yes")
    try:
        assert o.rp("discover")["metadata"][
            "require_pushed_authorization_requests"] is True
        r = o.authorize()
        assert r.status_code == 302
        assert query(r.headers["location"])["error"] == "invalid_request"
        assert o.code_flow(par=True)["claims"]["sub"] == "alice"
    finally:
        stop(o.server)


def par(op, data, auth=("rp-basic", SECRET)):
    base = {"response_type": "code", "redirect_uri": CALLBACK,
            "scope": "openid", "state": "st-1",
            "code_challenge": b64url(hashlib.sha256(b"v" * 43).digest()),
            "code_challenge_method": "S256"}
    base.update(data)
    base = {k: v for k, v in base.items() if v is not None}
    return requests.post(op.base + "/oauth2/par", data=base, auth=auth)


def test_pushed_request_is_single_use_and_bound_to_its_client(op):
    r = par(op, {})
    assert r.status_code == 201, r.text
    assert r.json()["expires_in"] == 60
    uri = r.json()["request_uri"]
    t = Terminal(op.base)
    # Another client cannot use it, and the attempt uses it up.
    r = op.authorize(t, client_id="rp-post", request_uri=uri,
                     redirect_uri=None, scope=None, state=None,
                     code_challenge=None, code_challenge_method=None,
                     response_type=None)
    assert r.status_code == 400 and "location" not in r.headers
    uri = par(op, {}).json()["request_uri"]
    args = dict(request_uri=uri, redirect_uri=None, scope=None, state=None,
                code_challenge=None, code_challenge_method=None,
                response_type=None)
    cb = op.login(op.base + "/oauth2/authorize?" + urllib.parse.urlencode(
        {"client_id": "rp-basic", "request_uri": uri}), t)
    assert "code" in query(cb) and query(cb)["state"] == "st-1"
    r = op.authorize(t, **args)
    assert r.status_code == 400 and "location" not in r.headers
    for bad in ("urn:ietf:params:oauth:request_uri:" + "0" * 32,
                "urn:ietf:params:oauth:request_uri:xyz"):
        r = op.authorize(t, **dict(args, request_uri=bad))
        assert r.status_code == 400 and "location" not in r.headers


def test_pushed_request_refusals(op):
    assert_error(par(op, {}, auth=None), 401, "invalid_client")
    assert_error(par(op, {}, auth=("rp-basic", "wrong")), 401,
                 "invalid_client")
    assert_error(par(op, {"redirect_uri": "https://evil.example/"}), 400,
                 "invalid_request")
    assert_error(par(op, {"request_uri": "urn:x"}), 400, "invalid_request")
    assert_error(par(op, {"client_id": "rp-post"}), 400, "invalid_request")
    assert_error(par(op, {"response_type": "token"}), 400,
                 "unsupported_response_type")
    assert_error(par(op, {"scope": "openid admin"}), 400, "invalid_scope")
    r = requests.post(op.base + "/oauth2/par", auth=("rp-basic", SECRET),
                      data="scope=openid&scope=email&response_type=code&"
                      "redirect_uri=" + urllib.parse.quote(CALLBACK),
                      headers={"Content-Type":
                               "application/x-www-form-urlencoded"})
    assert_error(r, 400, "invalid_request")
    # A client registered to push may not send its request in the URL.
    r = op.authorize(client_id="rp-par")
    assert r.status_code == 302
    assert query(r.headers["location"])["error"] == "invalid_request"


# --- CORS for browser applications -----------------------------------


def test_token_endpoint_cors_for_registered_origins(op):
    url = op.base + "/oauth2/token"
    pre = {"Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "content-type"}
    r = requests.options(url, headers=dict(pre, Origin=SPA_ORIGIN))
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == SPA_ORIGIN
    assert r.headers["access-control-allow-methods"] == "POST"
    assert "origin" in r.headers["vary"].lower()
    r = requests.options(url, headers=dict(pre,
                                           Origin="https://evil.example"))
    assert r.status_code == 403
    assert "access-control-allow-origin" not in r.headers
    form = {"grant_type": "authorization_code", "code": "x" * 43,
            "redirect_uri": CALLBACK, "code_verifier": "v" * 43}
    # The answer is readable by the origin of the client it names only.
    r = op.token(dict(form, client_id="rp-public"), auth=None,
                 headers={"Origin": SPA_ORIGIN})
    assert_error(r, 400, "invalid_grant")
    assert r.headers["access-control-allow-origin"] == SPA_ORIGIN
    r = op.token(dict(form, client_id="rp-public"), auth=None,
                 headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    r = op.token(form, headers={"Origin": SPA_ORIGIN})
    assert "access-control-allow-origin" not in r.headers


def test_browser_on_a_registered_origin_reads_the_token_answer(op):
    """Chromium decides: a page on the registered origin reads the
    answer; the same page on another origin cannot."""
    import http.server
    import threading

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<!doctype html><title>spa</title>")

        def log_message(self, *args):
            pass

    port = int(SPA_ORIGIN.rsplit(":", 1)[1])
    pages = http.server.ThreadingHTTPServer(("127.0.0.1", port), Page)
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    body = urllib.parse.urlencode({
        "grant_type": "authorization_code", "code": "x" * 43,
        "redirect_uri": CALLBACK, "code_verifier": "v" * 43,
        "client_id": "rp-public"})
    try:
        out = {}
        # localhost is another origin than 127.0.0.1 for the browser.
        for name, page in (("same", SPA_ORIGIN + "/"),
                           ("other", "http://localhost:%d/" % port)):
            p = subprocess.run(["node", CORS_FETCH, json.dumps({
                "page": page, "url": op.base + "/oauth2/token",
                "body": body})], capture_output=True, text=True,
                timeout=120)
            assert p.returncode == 0, p.stderr
            out[name] = json.loads(p.stdout)
    finally:
        pages.shutdown()
        pages.server_close()
    assert out["same"]["readable"], out
    assert out["same"]["status"] == 400
    assert out["same"]["json"]["error"] == "invalid_grant"
    assert not out["other"]["readable"], out


# --- Introspection and revocation -------------------------------------


def test_introspection_needs_client_auth_and_hides_other_clients_tokens(op):
    tokens = op.redeem(op.code()).json()
    r = requests.post(op.base + "/oauth2/introspect",
                      data={"token": tokens["access_token"]})
    assert_error(r, 401, "invalid_client")
    r = requests.post(op.base + "/oauth2/introspect",
                      data={"token": tokens["access_token"]},
                      auth=("rp-pairwise", SECRET))
    assert r.json() == {"active": False}
    r = requests.post(op.base + "/oauth2/introspect",
                      data={"token": "garbage"}, auth=("rp-basic", SECRET))
    assert r.json() == {"active": False}


def test_revocation_of_an_access_token_and_unknown_tokens(op):
    tokens = op.redeem(op.code()).json()
    r = requests.post(op.base + "/oauth2/revoke", data={"token": "nope"},
                      auth=("rp-basic", SECRET))
    assert r.status_code == 200
    # Another client cannot revoke it.
    requests.post(op.base + "/oauth2/revoke",
                  data={"token": tokens["access_token"]},
                  auth=("rp-pairwise", SECRET))
    bearer = {"Authorization": "Bearer " + tokens["access_token"]}
    assert requests.get(op.base + "/oauth2/userinfo", headers=bearer).ok
    r = requests.post(op.base + "/oauth2/revoke",
                      data={"token": tokens["access_token"],
                            "token_type_hint": "access_token"},
                      auth=("rp-basic", SECRET))
    assert r.status_code == 200
    assert requests.get(op.base + "/oauth2/userinfo",
                        headers=bearer).status_code == 401
    # The refresh token of the grant still works.
    assert op.token({"grant_type": "refresh_token",
                     "refresh_token": tokens["refresh_token"]}).ok


def test_userinfo_without_token_is_a_bare_challenge(op):
    r = requests.get(op.base + "/oauth2/userinfo")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Bearer realm="mutua"'


# --- Logout -----------------------------------------------------------


def test_logout_needs_a_registered_post_logout_uri(op):
    tokens = op.code_flow()["tokens"]
    for uri, hint in (("https://evil.example/", tokens["id_token"]),
                      (SIGNED_OUT, None)):
        params = {"post_logout_redirect_uri": uri}
        if hint:
            params["id_token_hint"] = hint
        r = op.terminal.s.get(op.base + "/oauth2/logout", params=params,
                              allow_redirects=False)
        assert r.status_code == 400 and "location" not in r.headers
    # With client_id instead of a hint, the URI is found.
    r = op.terminal.s.get(op.base + "/oauth2/logout", params={
        "client_id": "rp-basic", "post_logout_redirect_uri": SIGNED_OUT})
    assert r.status_code == 200 and 'name="csrf"' in r.text
    # client_id and the hint's audience must agree.
    r = op.terminal.s.get(op.base + "/oauth2/logout", params={
        "client_id": "rp-post", "id_token_hint": tokens["id_token"]})
    assert r.status_code == 400


def test_logout_post_needs_the_csrf_token(op):
    op.code_flow()
    r = op.terminal.post("/oauth2/logout", {"csrf": "0" * 64,
                                            "client_id": "rp-basic"})
    assert r.status_code == 403
    assert op.terminal.get("/account").status_code == 200


# --- Client registry --------------------------------------------------


def test_clients_reload_on_sighup_and_broken_files_are_reported(op):
    op.register("zz-new.json", {"client_id": "rp-new",
                                "token_endpoint_auth_method": "none",
                                "redirect_uris": [CALLBACK]})
    op.register("broken.json", {"client_id": "rp-broken",
                                "redirect_uris": ["http://evil.example/cb"],
                                "client_secret_hash": scrypt_hash(SECRET)})
    op.register("bad-json.json", {"client_id": "x", "colour": "blue"})
    with open(os.path.join(op.clients_dir, "syntax.json"), "w") as f:
        f.write("{not json")
    assert op.authorize(client_id="rp-new").status_code == 400
    hup(op)
    r = op.authorize(client_id="rp-new", prompt="none")
    assert query(r.headers["location"])["error"] == "login_required"
    log = op.server.read_log()
    assert re.search(r"event=oidc.client.error file=\S*/broken.json "
                     r'reason="redirect_uris\[0\]', log), log[-2000:]
    assert re.search(r'file=\S*/bad-json.json reason="unknown member '
                     r'\\"colour\\""', log), log[-2000:]
    assert re.search(r"file=\S*/syntax.json reason=\"line 1", log)
    # The others still work, sessions and tokens included.
    assert op.code_flow("rp-basic")["claims"]["sub"] == "alice"


def hup(op, workers=2):
    """SIGHUP, then wait until every worker has loaded the clients again
    (each logs its clients when it reloads)."""
    def loads():
        return op.server.read_log().count("client_id=rp-basic auth=")
    before = loads()
    with open(op.server.pidfile) as f:
        os.kill(int(f.read()), signal.SIGHUP)
    deadline = time.time() + 10
    while loads() < before + workers and time.time() < deadline:
        time.sleep(0.05)
    assert loads() == before + workers


def es256_kids(op):
    keys = requests.get(op.base + "/oauth2/jwks").json()["keys"]
    return [k["kid"] for k in keys if k["alg"] == "ES256"]


def test_key_rotation_publishes_next_and_retired_keys(op):
    old = op.code_flow()["tokens"]["id_token"]
    old_kid = jwt_parts(old)[0]["kid"]
    assert es256_kids(op) == [old_kid]
    key = op.server.path("keys", "oidc-es256.key")
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-out", key + ".next"],
                   check=True, capture_output=True)
    os.chmod(key + ".next", 0o600)
    hup(op)
    kids = es256_kids(op)
    assert len(kids) == 2 and kids[0] == old_kid
    new_kid = kids[1]
    # Published ahead, not used yet.
    out = op.code_flow()
    assert jwt_parts(out["tokens"]["id_token"])[0]["kid"] == old_kid

    os.rename(key, key + ".retired-%d" % int(time.time()))
    os.rename(key + ".next", key)
    hup(op)
    assert es256_kids(op) == [new_kid, old_kid]
    out = op.code_flow(params={"prompt": "login"})
    assert jwt_parts(out["tokens"]["id_token"])[0]["kid"] == new_kid
    # The retired key still verifies the ID tokens it signed.
    r = op.terminal.s.get(op.base + "/oauth2/logout", params={
        "id_token_hint": old, "post_logout_redirect_uri": SIGNED_OUT})
    assert r.status_code == 200 and 'name="csrf"' in r.text
