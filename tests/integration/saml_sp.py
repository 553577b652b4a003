"""A SAML service provider independent of lasso: Debian's pysaml2.

It has its own keys, publishes its own metadata into the IdP's SP
directory, checks signatures with xmlsec1, and keeps its state in
memory, so one SamlSP object is used for a whole test.
"""
import base64
import html
import os
import re
import subprocess
import urllib.parse

import requests
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor

SP_ENTITY = "https://sp.test/metadata"
ACS = "https://sp.test/acs"
SLO = "https://sp.test/slo"


def make_keypair(dirname, name):
    key = os.path.join(dirname, name + ".key")
    crt = os.path.join(dirname, name + ".crt")
    if not os.path.exists(key):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-sha256", "-days", "30", "-nodes", "-subj",
                        "/CN=" + name, "-keyout", key, "-out", crt],
                       check=True, capture_output=True)
    return key, crt


class Published:
    """An SP the IdP knows from its SP directory: publish() writes its
    metadata() there as NAME.xml, and its policy as NAME.conf."""
    NAME = "test-sp"

    def publish(self, sp_dir, name=None, extra_conf=None):
        name = name or self.NAME
        os.makedirs(sp_dir, exist_ok=True)
        with open(os.path.join(sp_dir, name + ".xml"), "w") as f:
            f.write(self.metadata())
        if extra_conf is not None:
            with open(os.path.join(sp_dir, name + ".conf"), "w") as f:
                f.write(extra_conf)


class SamlSP(Published):
    """One SP. base names its endpoints (base/acs, base/slo) and, unless
    entity is given, its entity ID (base/metadata); slo_bindings are the
    bindings of its SingleLogoutService ([] for none); display_name, when
    given, is its mdui:DisplayName (English)."""

    def __init__(self, workdir, entity=None, sign_requests=True,
                 encrypt=False, want_assertions_signed=True,
                 base="https://sp.test",
                 slo_bindings=(BINDING_HTTP_REDIRECT,),
                 allow_unsolicited=False, display_name=None):
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.entity = entity or base + "/metadata"
        self.acs = base + "/acs"
        self.slo = base + "/slo"
        self.key, self.crt = make_keypair(workdir, "sp")
        self.conf = {
            "entityid": self.entity,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "key_file": self.key,
            "cert_file": self.crt,
            "accepted_time_diff": 60,
            "allow_unknown_attributes": True,
            "service": {"sp": {
                "endpoints": {
                    "assertion_consumer_service": [
                        (self.acs, BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (self.slo, b) for b in slo_bindings],
                },
                "authn_requests_signed": sign_requests,
                "logout_requests_signed": True,
                "want_response_signed": True,
                "want_assertions_signed": want_assertions_signed,
                "allow_unsolicited": allow_unsolicited,
                "name_id_format_allow_create": True,
                "signing_algorithm":
                    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                "digest_algorithm":
                    "http://www.w3.org/2001/04/xmlenc#sha256",
            }},
        }
        if display_name is not None:
            self.conf["service"]["sp"]["ui_info"] = {
                "display_name": [{"text": display_name, "lang": "en"}]}
        if encrypt:
            self.conf["encryption_keypairs"] = [
                {"key_file": self.key, "cert_file": self.crt}]
        self.client = None

    def metadata(self):
        conf = SPConfig()
        conf.load(dict(self.conf, metadata={}))
        return str(entity_descriptor(conf))

    def connect(self, idp_base):
        md = requests.get(idp_base + "/saml/metadata").text
        conf = SPConfig()
        conf.load(dict(self.conf, metadata={"inline": [md]}))
        self.client = Saml2Client(config=conf)
        self.idp = idp_base + "/saml/metadata"

    def authn_request(self, binding=BINDING_HTTP_REDIRECT, relay="/x",
                      **kw):
        """Returns (request id, URL or (url, form fields))."""
        reqid, info = self.client.prepare_for_authenticate(
            entityid=self.idp, relay_state=relay, binding=binding, **kw)
        if binding == BINDING_HTTP_REDIRECT:
            return reqid, dict(info["headers"])["Location"]
        return reqid, sp_form(info)

    def parse_response(self, b64, reqid, relay="/x"):
        return self.client.parse_authn_request_response(
            b64, BINDING_HTTP_POST, outstanding={reqid: relay})


def sp_form(info):
    """The (url, form fields) of a message pysaml2 sends by POST."""
    form = info["data"]
    url = re.search(r'action="([^"]+)"', form).group(1)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    return (html.unescape(url),
            {k: html.unescape(v) for k, v in fields.items()})


def post_form(page):
    """The (action, fields) of the auto-submitted form on an IdP page."""
    action = re.search(r'<form method="post" action="([^"]+)"', page)
    fields = dict(re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    return (html.unescape(action.group(1)) if action else None,
            {k: html.unescape(v) for k, v in fields.items()})


def decode_response(b64):
    return base64.b64decode(b64).decode()


def query_of(url):
    return urllib.parse.urlsplit(url).query
