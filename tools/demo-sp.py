#!/usr/bin/python3
"""The demo SAML service provider: a person can sign in to it with mutua.

A tiny web app on pysaml2 (Debian's python3-pysaml2) and http.server:
"/" shows who is signed in (NameID, attributes, level of assurance) or a
"Sign in with mutua" button; /login sends an AuthnRequest (HTTP-Redirect);
/acs takes the Response (HTTP-POST) and checks its signatures with
xmlsec1 against the IdP's metadata; /metadata publishes the SP's metadata.

The SP has no key: it signs nothing and asks for no encryption, so its
metadata holds no secret and is committed as federation/sp/demo-sp.xml
(regenerate with: tools/demo-sp.py --metadata > federation/sp/demo-sp.xml).
For development only: sessions live in memory, the cookie is not Secure.

    tools/demo-sp.py [--port 8081] [--base URL] [--idp URL]
    tools/demo-sp.py --metadata [--base URL]
"""
import argparse
import html
import http.cookies
import http.server
import secrets
import sys
import threading
import time
import urllib.parse
import urllib.request

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig

PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
COOKIE = "demo_sp"
SESSION_LIFETIME = 3600
PENDING_LIFETIME = 900

STYLE = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f6fb;color:#111}
header{background:#2d3142;color:#fff;padding:.8rem 1.2rem;font-weight:600}
main{max-width:40rem;margin:1.5rem auto;padding:1.5rem;background:#fff;
border-radius:12px;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin-top:0}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd;
vertical-align:top;overflow-wrap:anywhere}
th{width:35%;color:#444;font-weight:600}
a.button,button{display:inline-block;padding:.6rem 1.2rem;border-radius:6px;
background:#0b5fff;color:#fff;text-decoration:none;border:0;font-size:1rem}
.ok{color:#0a7d32;font-weight:700}.bad{color:#b00020;font-weight:700}
@media(max-width:400px){main{margin:0;border-radius:0}}
"""


def sp_config(base, idp_metadata=None):
    conf = {
        "entityid": base + "/metadata",
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "accepted_time_diff": 60,
        "allow_unknown_attributes": True,
        "service": {"sp": {
            "name": "mutua demo service provider",
            "endpoints": {
                "assertion_consumer_service": [
                    (base + "/acs", BINDING_HTTP_POST)],
            },
            "authn_requests_signed": False,
            "want_response_signed": True,
            "want_assertions_signed": True,
            "allow_unsolicited": False,
            "name_id_format": [PERSISTENT],
            "name_id_policy_format": PERSISTENT,
            "name_id_format_allow_create": True,
        }},
    }
    if idp_metadata is not None:
        conf["metadata"] = {"inline": [idp_metadata]}
    c = SPConfig()
    c.load(conf)
    return c


# Written out rather than by pysaml2's entity_descriptor(), which adds an
# algorithm list that advertises MD5 and SHA-1.
METADATA = """<?xml version="1.0" encoding="UTF-8"?>
<!-- The demo SP of tools/demo-sp.py (development only). It signs nothing
     and wants nothing encrypted, so it has no key. -->
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui"
    entityID="{base}/metadata">
  <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true"
      protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:Extensions>
      <mdui:UIInfo>
        <mdui:DisplayName xml:lang="en">mutua demo service</mdui:DisplayName>
      </mdui:UIInfo>
    </md:Extensions>
    <md:NameIDFormat>{nameid}</md:NameIDFormat>
    <md:AssertionConsumerService index="1" isDefault="true"
        Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
        Location="{base}/acs"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>"""


def metadata(base):
    return METADATA.format(base=html.escape(base), nameid=PERSISTENT)


class DemoSP:
    """The SP's state: one Saml2Client, outstanding requests, sessions."""

    def __init__(self, base, idp):
        self.base = base
        self.idp = idp
        self.client = None
        self.pending = {}       # request ID -> (relay, time)
        self.sessions = {}      # cookie -> (view, time)
        self.lock = threading.Lock()

    def saml(self):
        # The IdP's metadata is read on first use: the SP may start first.
        if self.client is None:
            with urllib.request.urlopen(self.idp + "/saml/metadata",
                                        timeout=10) as r:
                md = r.read().decode()
            self.client = Saml2Client(config=sp_config(self.base, md))
            self.idp_entity = self.idp + "/saml/metadata"
        return self.client

    def login_url(self):
        client = self.saml()
        reqid, info = client.prepare_for_authenticate(
            entityid=self.idp_entity, relay_state="/",
            binding=BINDING_HTTP_REDIRECT)
        with self.lock:
            now = time.time()
            self.pending = {k: v for k, v in self.pending.items()
                            if now - v[1] < PENDING_LIFETIME}
            self.pending[reqid] = ("/", now)
        return dict(info["headers"])["Location"]

    def consume(self, saml_response):
        with self.lock:
            outstanding = {k: v[0] for k, v in self.pending.items()}
        authn = self.saml().parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding=outstanding)
        if authn is None:
            raise ValueError("the response is not for this SP")
        with self.lock:
            self.pending.pop(authn.in_response_to, None)
        info = authn.authn_info()
        view = {
            "name_id": authn.name_id.text,
            "name_id_format": authn.name_id.format,
            "attributes": authn.ava,
            "authn_context": info[0][0] if info else "",
            "authn_instant": info[0][2] if info else "",
            "issuer": authn.issuer(),
        }
        sid = secrets.token_urlsafe(32)
        with self.lock:
            self.sessions[sid] = (view, time.time())
        return sid

    def session(self, sid):
        with self.lock:
            s = self.sessions.get(sid)
            if s is None or time.time() - s[1] > SESSION_LIFETIME:
                self.sessions.pop(sid, None)
                return None
            return s[0]

    def logout(self, sid):
        with self.lock:
            self.sessions.pop(sid, None)


def page(title, body):
    return ("<!doctype html><html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width, "
            "initial-scale=1'><title>%s</title><style>%s</style></head>"
            "<body><header>Demo service provider</header><main>%s</main>"
            "</body></html>" % (html.escape(title), STYLE, body))


def logged_in_page(v):
    e = html.escape
    rows = "".join(
        "<tr><th>%s</th><td>%s</td></tr>" % (e(k), e(", ".join(vals)))
        for k, vals in sorted(v["attributes"].items()))
    return page("Logged in", """
<h1 id=status class=ok>Logged in as <span id=name>%s</span></h1>
<table>
<tr><th>NameID</th><td id=nameid>%s</td></tr>
<tr><th>NameID format</th><td>%s</td></tr>
<tr><th>Authentication context</th><td id=acr>%s</td></tr>
<tr><th>Authenticated at</th><td>%s</td></tr>
<tr><th>Identity provider</th><td>%s</td></tr>
%s
</table>
<form method=post action=/logout><p><button>Log out of this SP</button></p>
</form>""" % (e(", ".join(v["attributes"].get("displayName", [])) or
               v["name_id"]), e(v["name_id"]), e(v["name_id_format"]),
              e(v["authn_context"]), e(v["authn_instant"]),
              e(v["issuer"] or ""), rows))


class Handler(http.server.BaseHTTPRequestHandler):
    sp = None
    server_version = "demo-sp"

    def send(self, status, body, ctype="text/html; charset=utf-8",
             headers=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; "
                         "form-action 'self'; frame-ancestors 'none'")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def redirect(self, location, headers=()):
        self.send(303, "", "text/plain", [("Location", location)] +
                  list(headers))

    def cookie(self):
        c = http.cookies.SimpleCookie(self.headers.get("Cookie", ""))
        return c[COOKIE].value if COOKIE in c else None

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/metadata":
            self.send(200, metadata(self.sp.base),
                      "application/samlmetadata+xml")
        elif path == "/login":
            try:
                self.redirect(self.sp.login_url())
            except Exception as e:  # the IdP is not reachable yet
                self.send(502, page("Error", "<h1 class=bad>The identity "
                          "provider is not reachable</h1><p>%s</p>" %
                          html.escape(str(e))))
        elif path == "/":
            v = self.sp.session(self.cookie())
            if v is not None:
                self.send(200, logged_in_page(v))
            else:
                self.send(200, page("Demo SP", """
<h1 id=status>Not logged in</h1>
<p>This is a SAML 2.0 service provider of the mutua demo federation.</p>
<p><a class=button id=login href=/login>Sign in with mutua</a></p>"""))
        else:
            self.send(404, page("Not found", "<h1>Not found</h1>"))

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        n = int(self.headers.get("Content-Length", "0") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(min(n, 1 << 20))
                                     .decode())
        if path == "/acs":
            try:
                sid = self.sp.consume(form["SAMLResponse"][0])
            except Exception as e:
                self.send(400, page("Error", "<h1 class=bad>Sign-in "
                          "failed</h1><p>%s: %s</p>" % (
                              html.escape(type(e).__name__),
                              html.escape(str(e)))))
                return
            self.redirect("/", [("Set-Cookie", "%s=%s; Path=/; HttpOnly; "
                                 "SameSite=Lax" % (COOKIE, sid))])
        elif path == "/logout":
            self.sp.logout(self.cookie())
            self.redirect("/", [("Set-Cookie", "%s=; Path=/; Max-Age=0" %
                                 COOKIE)])
        else:
            self.send(404, page("Not found", "<h1>Not found</h1>"))

    def log_message(self, fmt, *args):
        sys.stderr.write("demo-sp: %s\n" % (fmt % args))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=8081)
    ap.add_argument("--base", help="the SP's URL (default "
                    "http://127.0.0.1:PORT)")
    ap.add_argument("--idp", default="http://127.0.0.1:8080",
                    help="the IdP's base URL")
    ap.add_argument("--metadata", action="store_true",
                    help="print the SP's metadata and exit")
    a = ap.parse_args()
    base = (a.base or "http://127.0.0.1:%d" % a.port).rstrip("/")
    if a.metadata:
        sys.stdout.write(metadata(base) + "\n")
        return
    Handler.sp = DemoSP(base, a.idp.rstrip("/"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    sys.stderr.write("demo-sp: %s (IdP %s)\n" % (base, a.idp))
    sys.stderr.flush()
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
