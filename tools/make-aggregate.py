#!/usr/bin/env python3
"""Writes a SAML metadata aggregate (an md:EntitiesDescriptor) and signs it
with xmlsec1, the way a federation operator does: for tests, benchmarks
and trying mutua's metadata_aggregate (docs/saml.md).

    make-aggregate.py --key K --cert C --out FILE [--count N]
        [--entity FILE.xml ...] [--valid-days D] [--cache-duration PT1H]
        [--unsigned]
    make-aggregate.py --key K --cert C --out FILE --single FILE.xml
        [--valid-days D]

--count N adds N generated SPs (https://spN.example.org/shibboleth; every
tenth one is in the REFEDS Research and Scholarship category), plus one
IdP and one SAML 1.1-only SP that mutua's filter must leave out.
--entity adds an EntityDescriptor from a file (e.g. pysaml2's metadata).
--valid-days may be negative: an aggregate that has already expired.
--single signs one EntityDescriptor on its own, as an MDQ responder
answers (draft-young-md-query).
"""
import argparse
import datetime
import os
import re
import subprocess
import sys
import tempfile

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
RS = "http://refeds.org/category/research-and-scholarship"
REGISTRAR = "http://aggregate.example.org/"


def cert_body(path):
    with open(path) as f:
        pem = f.read()
    m = re.search(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE",
                  pem, re.S)
    return "".join(m.group(1).split())


def generated(i, cert):
    category = ""
    if i % 10 == 0:
        category = (
            '<mdattr:EntityAttributes><saml:Attribute NameFormat="urn:oasis:'
            'names:tc:SAML:2.0:attrname-format:uri" Name="http://macedir.org'
            '/entity-category"><saml:AttributeValue>%s</saml:AttributeValue>'
            '</saml:Attribute></mdattr:EntityAttributes>' % RS)
    return (
        '<md:EntityDescriptor entityID="https://sp%d.example.org/shibboleth">'
        '<md:Extensions><mdrpi:RegistrationInfo registrationAuthority="%s"/>'
        '%s</md:Extensions>'
        '<md:SPSSODescriptor protocolSupportEnumeration="%s">'
        '<md:Extensions><mdui:UIInfo><mdui:DisplayName xml:lang="en">'
        'Service %d</mdui:DisplayName></mdui:UIInfo></md:Extensions>'
        '<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s'
        '</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>'
        '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:'
        'bindings:HTTP-POST" Location="https://sp%d.example.org/Shibboleth.'
        'sso/SAML2/POST" index="1"/></md:SPSSODescriptor>'
        '<md:Organization><md:OrganizationName xml:lang="en">Org %d'
        '</md:OrganizationName><md:OrganizationDisplayName xml:lang="en">'
        'Org %d</md:OrganizationDisplayName><md:OrganizationURL xml:lang="en">'
        'https://sp%d.example.org/</md:OrganizationURL></md:Organization>'
        '</md:EntityDescriptor>\n' % (
            i, REGISTRAR, category,
            "urn:oasis:names:tc:SAML:2.0:protocol", i, cert, i, i, i, i))


def others(cert):
    """An IdP and a SAML 1.1-only SP: not SAML 2.0 SPs."""
    return (
        '<md:EntityDescriptor entityID="https://idp.example.org/idp">'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:'
        'SAML:2.0:protocol"><md:SingleSignOnService Binding="urn:oasis:names:'
        'tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.'
        'org/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>\n'
        '<md:EntityDescriptor entityID="https://saml1.example.org/sp">'
        '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:'
        'SAML:1.1:protocol"><md:AssertionConsumerService Binding="urn:oasis:'
        'names:tc:SAML:1.0:profiles:browser-post" Location="https://saml1.'
        'example.org/acs" index="1"/></md:SPSSODescriptor>'
        '</md:EntityDescriptor>\n')


def from_file(path):
    with open(path) as f:
        xml = f.read()
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", xml) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--key", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--count", type=int, default=0)
    p.add_argument("--entity", action="append", default=[])
    p.add_argument("--valid-days", type=float, default=14)
    p.add_argument("--cache-duration", default="PT6H")
    p.add_argument("--unsigned", action="store_true")
    p.add_argument("--single")
    a = p.parse_args()

    cert = cert_body(a.cert)
    until = (datetime.datetime.now(datetime.timezone.utc) +
             datetime.timedelta(days=a.valid_days))
    signature = "" if a.unsigned else (
        '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
        '<ds:SignedInfo><ds:CanonicalizationMethod Algorithm='
        '"http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod '
        'Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
        '<ds:Reference URI="#aggregate"><ds:Transforms><ds:Transform '
        'Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
        '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
        '</ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/'
        '04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo>'
        '<ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
        '%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>'
        % cert)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<md:EntitiesDescriptor xmlns:md="%s" '
        'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" '
        'xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui" '
        'xmlns:mdrpi="urn:oasis:names:tc:SAML:metadata:rpi" '
        'xmlns:mdattr="urn:oasis:names:tc:SAML:metadata:attribute" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        'ID="aggregate" Name="%s" validUntil="%s" cacheDuration="%s">'
        '%s\n' % (MD, REGISTRAR, until.strftime("%Y-%m-%dT%H:%M:%SZ"),
                  a.cache_duration, signature)]
    root = MD + ":EntitiesDescriptor"
    if a.single:
        # The entity itself is the document element: ID, validUntil and
        # the Signature (its first child, metadata §2.3.2) go on it.
        root = MD + ":EntityDescriptor"
        xml = from_file(a.single)
        m = re.search(r"<(\w+:)?EntityDescriptor\b[^>]*>", xml)
        start = m.group(0)[:-1] + (
            ' ID="aggregate" validUntil="%s">' %
            until.strftime("%Y-%m-%dT%H:%M:%SZ"))
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n',
                 xml[:m.start()], start, signature, xml[m.end():]]
    parts += [from_file(e) for e in a.entity]
    if a.count:
        parts.append(others(cert))
        parts += [generated(i, cert) for i in range(1, a.count + 1)]
    if not a.single:
        parts.append("</md:EntitiesDescriptor>\n")

    out_dir = os.path.dirname(os.path.abspath(a.out))
    with tempfile.NamedTemporaryFile("w", dir=out_dir, suffix=".xml",
                                     delete=False) as t:
        t.write("".join(parts))
    try:
        if a.unsigned:
            os.replace(t.name, a.out)
            return 0
        r = subprocess.run(
            ["xmlsec1", "--sign", "--privkey-pem", a.key + "," + a.cert,
             "--id-attr:ID", root, "--output",
             t.name + ".signed", t.name], capture_output=True, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stderr)
            return 1
        # Renamed into place: a reader never sees half a file.
        os.replace(t.name + ".signed", a.out)
    finally:
        for f in (t.name, t.name + ".signed"):
            if os.path.exists(f):
                os.unlink(f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
