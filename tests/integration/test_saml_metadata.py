"""Federation metadata: a pysaml2 SP whose metadata reaches mutua only
through a signed aggregate (tools/make-aggregate.py, signed by xmlsec1),
as a federation publishes it, from a file or from a Python http.server on
127.0.0.1: resolved when a request names it, refreshed without a restart,
a bad copy refused with the last good one kept."""
import functools
import hashlib
import http.server
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import pytest
import requests
from saml2 import BINDING_HTTP_POST

from mutua_server import ROOT
from saml_sp import SamlSP, make_keypair
from test_oob import enrol
from test_saml import sso

TOOL = os.path.join(ROOT, "tools", "make-aggregate.py")
RS = "http://refeds.org/category/research-and-scholarship"
ORGANIZATION = (
    '<md:Organization xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">'
    '<md:OrganizationName xml:lang="en">fed-sp</md:OrganizationName>'
    '<md:OrganizationDisplayName xml:lang="en">The Federated Service'
    '</md:OrganizationDisplayName><md:OrganizationURL xml:lang="en">'
    'https://sp.test/</md:OrganizationURL></md:Organization>')
CATEGORY = (
    '<md:Extensions xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">'
    '<mdattr:EntityAttributes xmlns:mdattr="urn:oasis:names:tc:SAML:'
    'metadata:attribute"><saml:Attribute xmlns:saml="urn:oasis:names:tc:'
    'SAML:2.0:assertion" Name="http://macedir.org/entity-category">'
    '<saml:AttributeValue>%s</saml:AttributeValue></saml:Attribute>'
    '</mdattr:EntityAttributes></md:Extensions>')
SP2 = "https://sp2.test/metadata"


class Federation:
    """The operator's side: its signing key, its aggregate file."""

    def __init__(self, d):
        self.dir = d
        self.key, self.crt = make_keypair(d, "fed")
        self.other_key, self.other_crt = make_keypair(d, "other")
        self.path = os.path.join(d, "aggregate.xml")

    def publish(self, sps, count=50, key=None, crt=None, extra=(),
                categories=None):
        """categories maps an SP's entity ID to the entity category its
        metadata in the aggregate gets (as a federation registers it)."""
        files = []
        for i, sp in enumerate(sps):
            f = os.path.join(self.dir, "sp%d.xml" % i)
            md = sp.metadata()
            md = re.sub(r"(</(\w+:)?EntityDescriptor>)", ORGANIZATION + r"\1",
                        md, count=1)
            if categories and sp.entity in categories:
                md = re.sub(r"(<(\w+:)?EntityDescriptor\b[^>]*>)",
                            r"\1" + CATEGORY % categories[sp.entity], md,
                            count=1)
            with open(f, "w") as fp:
                fp.write(md)
            files += ["--entity", f]
        subprocess.run(
            [sys.executable, TOOL, "--key", key or self.key, "--cert",
             crt or self.crt, "--out", self.path, "--count", str(count)] +
            files + list(extra), check=True, capture_output=True)

    def conf(self, interval=10, url=None):
        where = "url=" + url if url else "file=" + self.path
        return "metadata_aggregate fed %s cert=%s interval=%d\n" % (
            where, self.crt, interval)


class Publisher:
    """The federation's web server: serves its directory on 127.0.0.1,
    named localhost in the URL so that mutua resolves a name (in a thread,
    under the sandbox); answers If-Modified-Since with 304; remembers the
    status of each answer."""

    def __init__(self, d):
        self.answers = []
        self.missing = False
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self):
                if outer.missing:
                    self.send_error(404)
                    return
                super().do_GET()

            def log_request(self, code="-", size="-"):
                outer.answers.append(int(code))

        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=d))
        self.url = "http://localhost:%d/aggregate.xml" % (
            self.httpd.server_address[1])
        threading.Thread(target=self.httpd.serve_forever,
                         daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def wait_log(server, text, since=0, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        log = server.read_log()
        if log.count(text) > since:
            return log
        time.sleep(0.2)
    raise AssertionError("no %r in the log:\n%s" % (text, server.read_log()))


@pytest.fixture
def agg_fed(new_server):
    """A server whose only SAML metadata is the federation's aggregate
    (an empty sp_dir); alice enrolled."""
    d = tempfile.mkdtemp(prefix="mutua-fed-")
    fed = Federation(d)
    sp = SamlSP(os.path.join(d, "sp"))
    fed.publish([sp])
    os.makedirs(os.path.join(d, "empty"))
    server = new_server(fed.conf() + "sp_dir %s\n" % os.path.join(d, "empty"))
    server.start()
    wait_log(server, "event=saml.metadata.loaded source=fed entities=51")
    sp.connect(server.base)
    a = enrol(server)
    return server, fed, sp, a


def test_sp_only_in_the_aggregate_signs_in(agg_fed):
    server, fed, sp, a = agg_fed
    _, reqid, fields, r = sso(server, sp, a)
    assert r.rp == sp.entity
    # The name people see comes from the aggregate's copy of its metadata.
    assert r.rp_name == "The Federated Service"
    authn = sp.parse_response(fields["SAMLResponse"], reqid)
    assert authn.ava["mail"] == ["alice@example.org"]
    # The POST binding finds the SP the worker already resolved, or not.
    _, reqid, fields, _ = sso(server, sp, a, binding=BINDING_HTTP_POST)
    sp.parse_response(fields["SAMLResponse"], reqid)
    log = server.read_log()
    assert "event=saml.sp.resolved source=fed entity_id=%s" % sp.entity in log


def test_new_entity_is_usable_without_a_restart_and_bad_copy_is_kept_out(
        agg_fed):
    server, fed, sp, a = agg_fed
    sp2 = SamlSP(os.path.join(fed.dir, "sp2"), base="https://sp2.test")
    sp2.connect(server.base)
    reqid, url = sp2.authn_request()
    r = requests.get(url, allow_redirects=False)
    assert r.status_code == 400 and "not in the federation" in r.text

    fed.publish([sp, sp2])
    wait_log(server, "event=saml.metadata.loaded source=fed entities=52")
    _, reqid, fields, r = sso(server, sp2, a)
    assert r.rp == SP2
    sp2.parse_response(fields["SAMLResponse"], reqid)

    # A copy signed by another key is refused; the last good one stays.
    fed.publish([sp], key=fed.other_key, crt=fed.other_crt)
    log = wait_log(server, "event=saml.metadata.refused source=fed")
    assert ('reason="the signature does not verify with the pinned '
            'certificate"') in log
    _, reqid, fields, _ = sso(server, sp2, a)
    sp2.parse_response(fields["SAMLResponse"], reqid)

    # An expired copy is refused too.
    fed.publish([sp], extra=["--valid-days", "-1"])
    wait_log(server, 'reason="expired (validUntil has passed)"')
    _, reqid, fields, _ = sso(server, sp, a)
    sp.parse_response(fields["SAMLResponse"], reqid)


def test_unsigned_aggregate_is_refused_at_start(new_server):
    d = tempfile.mkdtemp(prefix="mutua-fed-")
    fed = Federation(d)
    sp = SamlSP(os.path.join(d, "sp"))
    fed.publish([sp], extra=["--unsigned"])
    server = new_server(fed.conf())
    server.start()
    log = wait_log(server, "event=saml.metadata.refused source=fed")
    assert "unsigned" in log
    sp.connect(server.base)
    _, url = sp.authn_request()
    r = requests.get(url, allow_redirects=False)
    assert r.status_code == 400 and "not in the federation" in r.text


def test_restart_uses_the_last_good_copy(agg_fed):
    """The store keeps the verified copy: after a restart with a broken
    file the federation's SPs still sign in."""
    server, fed, sp, a = agg_fed
    server.stop()
    with open(fed.path, "w") as f:
        f.write("<not-metadata/>")
    server.start()
    wait_log(server, "event=saml.metadata.refused source=fed")
    sp.connect(server.base)
    _, reqid, fields, _ = sso(server, sp, a)
    sp.parse_response(fields["SAMLResponse"], reqid)


@pytest.fixture
def http_fed(new_server):
    """As agg_fed, the aggregate fetched over HTTP."""
    d = tempfile.mkdtemp(prefix="mutua-fed-")
    fed = Federation(d)
    pub = Publisher(d)
    sp = SamlSP(os.path.join(d, "sp"))
    fed.publish([sp])
    server = new_server(fed.conf(url=pub.url))
    server.start()
    wait_log(server, "event=saml.metadata.loaded source=fed entities=51")
    sp.connect(server.base)
    a = enrol(server)
    yield server, fed, pub, sp, a
    pub.close()


def test_aggregate_over_http_is_refreshed_without_a_restart(http_fed):
    server, fed, pub, sp, a = http_fed
    _, reqid, fields, _ = sso(server, sp, a)
    sp.parse_response(fields["SAMLResponse"], reqid)

    # Unchanged: the conditional GET is answered 304, nothing is verified.
    deadline = time.time() + 30
    while 304 not in pub.answers and time.time() < deadline:
        time.sleep(0.2)
    assert 304 in pub.answers, pub.answers
    assert server.read_log().count("event=saml.metadata.loaded") == 1

    # A new SP in the federation's next copy is usable without a restart.
    sp2 = SamlSP(os.path.join(fed.dir, "sp2"), base="https://sp2.test")
    sp2.connect(server.base)
    time.sleep(1.1)     # a Last-Modified of another second
    fed.publish([sp, sp2])
    wait_log(server, "event=saml.metadata.loaded source=fed entities=52")
    _, reqid, fields, r = sso(server, sp2, a)
    assert r.rp == SP2
    sp2.parse_response(fields["SAMLResponse"], reqid)

    # A tampered copy is refused; the last good one stays.
    time.sleep(1.1)
    fed.publish([sp])
    with open(fed.path) as f:
        text = f.read()
    with open(fed.path, "w") as f:
        f.write(text.replace("sp7.example.org/Shibboleth",
                             "evil.example.org/Shibboleth"))
    log = wait_log(server, "event=saml.metadata.refused source=fed")
    assert "from=%s" % pub.url in log
    _, reqid, fields, _ = sso(server, sp2, a)
    sp2.parse_response(fields["SAMLResponse"], reqid)

    # The server gone wrong: refused too, loudly, with the HTTP reason.
    pub.missing = True
    log = wait_log(server, "event=saml.metadata.refused source=fed", since=1)
    assert 'reason="the server did not answer 200 OK"' in log
    _, reqid, fields, _ = sso(server, sp, a)
    sp.parse_response(fields["SAMLResponse"], reqid)


class Responder:
    """An MDQ responder on 127.0.0.1 (draft-young-md-query §3): GET
    /entities/<percent-encoded entityID or {sha1}hex> answers the signed
    EntityDescriptor it was given, else 404. Remembers each path asked."""

    def __init__(self):
        self.entities = {}
        self.asked = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.asked.append(self.path)
                name = urllib.parse.unquote(
                    self.path[len("/mdq/entities/"):])
                if name.startswith("{sha1}"):
                    name = outer.by_sha1.get(name[6:], "")
                body = outer.entities.get(name)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type",
                                 "application/samlmetadata+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     Handler)
        self.base = "http://127.0.0.1:%d/mdq" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever,
                         daemon=True).start()

    @property
    def by_sha1(self):
        return {hashlib.sha1(e.encode()).hexdigest(): e
                for e in self.entities}

    def publish(self, fed, sp, key=None, crt=None, valid_days=14):
        src = os.path.join(fed.dir, "single-src.xml")
        out = os.path.join(fed.dir, "single.xml")
        with open(src, "w") as f:
            f.write(sp.metadata())
        subprocess.run(
            [sys.executable, TOOL, "--key", key or fed.key, "--cert",
             crt or fed.crt, "--out", out, "--single", src,
             "--valid-days", str(valid_days)], check=True,
            capture_output=True)
        with open(out, "rb") as f:
            self.entities[sp.entity] = f.read()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def mdq_fed(new_server):
    """A server whose SPs come only from an MDQ responder."""
    made = []

    def make(sha1=False):
        d = tempfile.mkdtemp(prefix="mutua-mdq-")
        fed = Federation(d)
        mdq = Responder()
        made.append(mdq)
        server = new_server(
            "metadata_mdq mdq url=%s cert=%s negative_ttl=60%s\n" % (
                mdq.base, fed.crt, " sha1=yes" if sha1 else ""))
        server.start()
        a = enrol(server)
        return server, fed, mdq, a
    yield make
    for m in made:
        m.close()


def refused(server, sp, words="not in the federation"):
    _, url = sp.authn_request()
    r = requests.get(url, allow_redirects=False)
    assert r.status_code == 400 and words in r.text, r.text[:300]


def test_mdq_positive_answer_is_cached(mdq_fed):
    server, fed, mdq, a = mdq_fed()
    sp = SamlSP(os.path.join(fed.dir, "sp"))
    mdq.publish(fed, sp)
    sp.connect(server.base)
    _, reqid, fields, r = sso(server, sp, a)
    assert r.rp == sp.entity
    sp.parse_response(fields["SAMLResponse"], reqid)
    assert mdq.asked == ["/mdq/entities/" + urllib.parse.quote(
        sp.entity, safe="")]
    # The answer is in the store: no worker asks again.
    for _ in range(3):
        _, reqid, fields, _ = sso(server, sp, a)
        sp.parse_response(fields["SAMLResponse"], reqid)
    assert len(mdq.asked) == 1
    assert "event=saml.mdq.loaded source=mdq entity_id=%s" % sp.entity in \
        server.read_log()


def test_mdq_unknown_entity_is_cached_as_not_found(mdq_fed):
    server, fed, mdq, a = mdq_fed()
    sp = SamlSP(os.path.join(fed.dir, "sp"))
    sp.connect(server.base)
    refused(server, sp)
    refused(server, sp)
    assert len(mdq.asked) == 1
    assert "event=saml.mdq.notfound source=mdq" in server.read_log()


def test_mdq_badly_signed_and_expired_answers_are_refused(mdq_fed):
    server, fed, mdq, a = mdq_fed()
    bad = SamlSP(os.path.join(fed.dir, "bad"), base="https://bad.test")
    mdq.publish(fed, bad, key=fed.other_key, crt=fed.other_crt)
    bad.connect(server.base)
    refused(server, bad)
    old = SamlSP(os.path.join(fed.dir, "old"), base="https://old.test")
    mdq.publish(fed, old, valid_days=-1)
    old.connect(server.base)
    refused(server, old)
    log = server.read_log()
    assert ('event=saml.mdq.refused source=mdq entity_id=https://bad.test/'
            'metadata reason="the signature does not verify with the '
            'pinned certificate"') in log
    assert ('event=saml.mdq.refused source=mdq entity_id=https://old.test/'
            'metadata reason="expired (validUntil has passed)"') in log


def test_mdq_sha1_form(mdq_fed):
    server, fed, mdq, a = mdq_fed(sha1=True)
    sp = SamlSP(os.path.join(fed.dir, "sp"))
    mdq.publish(fed, sp)
    sp.connect(server.base)
    _, reqid, fields, _ = sso(server, sp, a)
    sp.parse_response(fields["SAMLResponse"], reqid)
    assert mdq.asked == ["/mdq/entities/%7Bsha1%7D" +
                         hashlib.sha1(sp.entity.encode()).hexdigest()]


def test_mdq_unreachable_responder_is_refused_quickly(new_server):
    d = tempfile.mkdtemp(prefix="mutua-mdq-")
    fed = Federation(d)
    server = new_server("metadata_mdq mdq url=http://127.0.0.1:9/mdq "
                        "cert=%s timeout=2\n" % fed.crt)
    server.start()
    sp = SamlSP(os.path.join(d, "sp"))
    sp.connect(server.base)
    t = time.time()
    refused(server, sp)
    assert time.time() - t < 5
    assert "event=saml.mdq.refused source=mdq" in server.read_log()


def test_release_by_entity_category_and_entity_override(new_server):
    """The source's policy releases uid, plus the R&S bundle to R&S SPs
    (eduPersonPrincipalName, mail, displayName today); one entity's
    section overrides it."""
    d = tempfile.mkdtemp(prefix="mutua-fed-")
    fed = Federation(d)
    rs = SamlSP(os.path.join(d, "rs"))
    plain = SamlSP(os.path.join(d, "plain"), base="https://sp2.test")
    fed.publish([rs, plain], categories={rs.entity: RS})
    policy = os.path.join(d, "policy.conf")
    with open(policy, "w") as f:
        f.write("attributes uid\nrelease_by_category yes\n"
                "entity %s\nattributes mail\n" % SP2)
    server = new_server(fed.conf().strip() + " policy=%s\n" % policy)
    server.start()
    wait_log(server, "event=saml.metadata.loaded source=fed entities=52")
    a = enrol(server)
    rs.connect(server.base)
    plain.connect(server.base)
    _, reqid, fields, _ = sso(server, rs, a)
    ava = rs.parse_response(fields["SAMLResponse"], reqid).ava
    assert sorted(ava) == ["displayName", "eduPersonPrincipalName", "mail",
                           "uid"], ava
    _, reqid, fields, _ = sso(server, plain, a)
    ava = plain.parse_response(fields["SAMLResponse"], reqid).ava
    assert sorted(ava) == ["mail"], ava


def test_single_logout_from_an_sp_the_workers_have_not_resolved(agg_fed):
    """After a restart no worker holds the SP: its LogoutRequest, and the
    answer to the IdP's, resolve it from the store first."""
    from saml2 import BINDING_HTTP_REDIRECT
    server, fed, sp, a = agg_fed
    t, reqid, fields, _ = sso(server, sp, a)
    authn = sp.parse_response(fields["SAMLResponse"], reqid)
    server.stop()
    server.start()
    out = sp.client.global_logout(authn.name_id)
    binding, info = out[sp.idp]
    r = t.s.get(dict(info["headers"])["Location"], allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(
        sp.slo), r.text[:300]
    qs = urllib.parse.parse_qs(urllib.parse.urlsplit(
        r.headers["location"]).query)
    lr = sp.client.parse_logout_request_response(qs["SAMLResponse"][0],
                                                  BINDING_HTTP_REDIRECT)
    assert sp.client.handle_logout_response(lr)[0] == 0
    assert t.get("/account").headers["location"] == "/login"


def test_aggregate_over_http_larger_than_max_mb_is_refused(new_server):
    d = tempfile.mkdtemp(prefix="mutua-fed-")
    fed = Federation(d)
    pub = Publisher(d)
    try:
        fed.publish([], count=1000)     # about 2 MB
        server = new_server(fed.conf(url=pub.url).strip() + " max_mb=1\n")
        server.start()
        log = wait_log(server, "event=saml.metadata.refused source=fed")
        assert 'reason="larger than the configured maximum"' in log
        assert "event=saml.metadata.loaded" not in log
    finally:
        pub.close()
