"""An authenticator written from docs/protocol.md alone, in Python.

It is independent of mutua's C code (its own OCRA, offset parsing and
ECDSA through python3-cryptography), so the tests that use it check the
wire format as documented, not just the C side agreeing with itself.
"""
import base64
import hashlib
import hmac
import json
import os
import time
import urllib.parse

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature, encode_dss_signature)

SUITE = "OCRA-1:HOTP-SHA256-6:QH64"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def ocra_qh64(key, offset):
    """RFC 6287 OCRA-1:HOTP-SHA256-6:QH64 with Q = hex(SHA-256(offset))."""
    q = hashlib.sha256(offset.encode()).digest()
    data = SUITE.encode() + b"\0" + q + b"\0" * (128 - len(q))
    mac = hmac.new(key, data, hashlib.sha256).digest()
    off = mac[-1] & 0x0F
    value = int.from_bytes(mac[off:off + 4], "big") & 0x7FFFFFFF
    return "%06d" % (value % 10 ** 6)


def parse_offset(offset):
    fields = []
    for part in offset.split("&"):
        name, _, value = part.partition("=")
        fields.append((name, urllib.parse.unquote(value)))
    names = [n for n, _ in fields]
    assert names == ["v", "rp", "rpn", "sid", "tpub", "tpriv", "ua", "uid",
                     "t", "n"], names
    assert fields[0] == ("v", "2"), fields[0]
    return dict(fields)


class Authenticator:
    def __init__(self, base):
        self.base = base
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.point = self.key.public_key().public_bytes(
            serialization.Encoding.X962,
            serialization.PublicFormat.UncompressedPoint)
        self.binding = None
        self.k = None
        self.clock_offset = 0

    def sign(self, text):
        der = self.key.sign(text.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

    def register(self, code, label="test phone", auth_id="dev-1"):
        pub = b64url(self.point)
        body = {"code": code, "authenticator_id": auth_id,
                "device_public_key": pub, "label": label,
                "signature": self.sign("mutua-register-v1\n%s\n%s\n%s" %
                                       (code, auth_id, pub))}
        r = requests.post(self.base + "/oob/v1/register", json=body)
        if r.status_code == 201:
            j = r.json()
            self.binding = j["binding_id"]
            self.k = unb64url(j["verification_key"])
        return r

    def headers(self, method, path, body=b""):
        ts = str(int(time.time()) + self.clock_offset)
        text = "mutua-device-v1\n%s\n%s\n%s\n%s" % (
            method, path, ts, hashlib.sha256(body).hexdigest())
        return {"X-Mutua-Binding": self.binding, "X-Mutua-Timestamp": ts,
                "X-Mutua-Signature": self.sign(text)}

    def pending(self, wait=0):
        path = "/oob/v1/pending?wait=%d" % wait
        return requests.get(self.base + path,
                            headers=self.headers("GET", path), timeout=40)

    def code_for(self, offset):
        return ocra_qh64(self.k, offset)

    def decide(self, request_id, offset, decision="approve", code=None,
               reason="", signer=None):
        if code is None:
            code = self.code_for(offset)
        text = "mutua-approve-v1\n%s\n%s\n%s\n%s" % (
            request_id, hashlib.sha256(offset.encode()).hexdigest(),
            decision, code)
        body = json.dumps({"request_id": request_id, "decision": decision,
                           "code": code, "reason": reason,
                           "signature": (signer or self).sign(text)}).encode()
        h = self.headers("POST", "/oob/v1/approve", body)
        h["Content-Type"] = "application/json"
        return requests.post(self.base + "/oob/v1/approve", data=body,
                             headers=h)
