"""SAML 2.0 Single Logout across two independent pysaml2 SPs in one IdP
session (SAML profiles §4.4, front channel): the initiator is answered
last, every other SP gets a signed LogoutRequest on the way, and what
goes wrong on the way shows as PartialLogout in the initiator's answer.

SP 1 has a Redirect logout endpoint, SP 2 a POST one (or none), so the
chains cross both bindings in both directions."""
import base64
import os
import re
import tempfile
import urllib.parse

import pytest
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.s_utils import status_message_factory, success_status_factory
from saml2.samlp import STATUS_RESPONDER
from saml2.sigver import verify_redirect_signature

from saml_sp import SamlSP, post_form, sp_form
from test_oob import enrol
from test_saml import sso

SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
PARTIAL = "urn:oasis:names:tc:SAML:2.0:status:PartialLogout"


@pytest.fixture
def fed2(new_server):
    """A server whose federation holds SP 1 and SP 2; alice signed in at
    both in one IdP session. Returns (server, terminal, authenticator,
    [(sp, authn) for SP 1, SP 2])."""
    def make(sp2_slo=(BINDING_HTTP_POST,)):
        d = tempfile.mkdtemp(prefix="mutua-sp-")
        fdir = os.path.join(d, "federation")
        sp1 = SamlSP(os.path.join(d, "sp1"))
        sp2 = SamlSP(os.path.join(d, "sp2"), base="https://sp2.test",
                     slo_bindings=sp2_slo)
        sp1.publish(fdir, "sp1")
        sp2.publish(fdir, "sp2")
        s = new_server("sp_dir %s" % fdir)
        s.start()
        sp1.connect(s.base)
        sp2.connect(s.base)
        a = enrol(s)
        t, reqid, fields, _ = sso(s, sp1, a)
        authn1 = sp1.parse_response(fields["SAMLResponse"], reqid)
        # The same IdP session answers SP 2 without a second login.
        reqid, url = sp2.authn_request()
        action, fields = post_form(t.s.get(url, allow_redirects=False).text)
        assert action == sp2.acs
        authn2 = sp2.parse_response(fields["SAMLResponse"], reqid)
        assert authn1.name_id.text != authn2.name_id.text
        return s, t, a, [(sp1, authn1), (sp2, authn2)]
    return make


def sent(r):
    """Where the IdP sent the browser: (url, binding, message fields)."""
    if r.status_code == 303:
        url, _, query = r.headers["location"].partition("?")
        return url, BINDING_HTTP_REDIRECT, {
            k: v[0] for k, v in urllib.parse.parse_qs(query).items()}
    assert r.status_code == 200, (r.status_code, r.text[:300])
    action, fields = post_form(r.text)
    assert action is not None, r.text[:300]
    return action, BINDING_HTTP_POST, fields


def message_xml(binding, b64):
    raw = base64.b64decode(b64)
    if binding == BINDING_HTTP_REDIRECT:
        import zlib
        raw = zlib.decompress(raw, -15)
    return raw.decode()


def assert_signed(sp, binding, fields):
    """The IdP signed the message, with RSA-SHA256."""
    if binding == BINDING_HTTP_REDIRECT:
        assert fields["SigAlg"].endswith("xmldsig-more#rsa-sha256")
        assert verify_redirect_signature(
            fields, sp.client.sec.sec_backend,
            cert=sp.client.metadata.certs(sp.idp, "idpsso", "signing")[0])
    else:
        xml = message_xml(binding, fields.get("SAMLRequest") or
                          fields["SAMLResponse"])
        assert "xmldsig-more#rsa-sha256" in xml
        assert re.search(r"<(\w+:)?Signature[ >]", xml), xml


def deliver(t, binding, url, fields):
    """Sends a message to the IdP as the browser would."""
    if binding == BINDING_HTTP_REDIRECT:
        return t.s.get(url + "?" + urllib.parse.urlencode(fields),
                       allow_redirects=False)
    return t.s.post(url, data=fields, allow_redirects=False)


def sp_message(binding, info):
    """(url, fields) of what pysaml2 built: a redirect or a POST form."""
    if binding == BINDING_HTTP_POST:
        return sp_form(info)
    url, _, query = dict(info["headers"])["Location"].partition("?")
    return url, {k: v[0] for k, v in urllib.parse.parse_qs(query).items()}


def logout_at(t, sp, authn, binding):
    """SP-initiated logout: the IdP's first answer."""
    out = sp.client.do_logout(authn.name_id, [sp.idp], "", None,
                              expected_binding=binding)
    _, info = out[sp.idp]
    return deliver(t, binding, *sp_message(binding, info))


def sp_for(sps, url):
    for sp, authn in sps:
        if url == sp.slo:
            return sp, authn
    raise AssertionError("not an SP's logout endpoint: " + url)


def answer_request(t, sps, r, status=None, tamper=None):
    """The SP the IdP sent a LogoutRequest to checks it and answers
    (status None: it logs the user out). tamper(fields) may alter the
    answer. Returns (the SP, a function that sends the answer again,
    the IdP's next answer)."""
    url, binding, fields = sent(r)
    sp, authn = sp_for(sps, url)
    assert_signed(sp, binding, fields)
    req = sp.client.parse_logout_request(fields["SAMLRequest"], binding)
    assert req.message.name_id.text == authn.name_id.text
    assert [i.text for i in req.message.session_index] == [
        authn.assertion.authn_statement[0].session_index]
    if status is None:
        assert sp.client.local_logout(authn.name_id)
        status = success_status_factory()
    # Signed in the XML for POST, in the query for Redirect (a signature
    # in both would not fit the IdP's 2000-byte URLs).
    resp = sp.client.create_logout_response(
        req.message, [binding], status=status,
        sign=binding == BINDING_HTTP_POST)
    info = sp.client.apply_binding(
        binding, resp, sp.client.response_args(
            req.message, [binding])["destination"],
        response=True, sign=True)
    url, fields = sp_message(binding, info)
    if tamper is not None:
        tamper(fields)

    def again():
        return deliver(t, binding, url, fields)
    return sp, again, again()


def final_status(sp, r):
    """The initiator's LogoutResponse: checked, returns its status codes."""
    url, binding, fields = sent(r)
    assert url == sp.slo, url
    assert_signed(sp, binding, fields)
    xml = message_xml(binding, fields["SAMLResponse"])
    lr = sp.client.parse_logout_request_response(fields["SAMLResponse"],
                                                  binding)
    assert lr is not None
    assert sp.client.handle_logout_response(lr)[0] == 0
    return re.findall(r'StatusCode Value="([^"]+)"', xml)


def assert_idp_session_gone(t):
    assert t.get("/account").headers["location"] == "/login"


# Who starts, with what binding: SP 1's logout endpoint is Redirect, SP 2's
# POST, so each chain crosses both bindings both ways.
STARTS = [(0, BINDING_HTTP_REDIRECT), (1, BINDING_HTTP_POST)]


def logout_chain(fed2, start, binding, status=None):
    """One SP starts, the other is told (and answers status, None: it
    logs the user out); returns the status codes the starter got."""
    server, t, a, sps = fed2()
    (sp, authn), (other, _) = sps[start], sps[1 - start]
    r = logout_at(t, sp, authn, binding)
    told, _, r = answer_request(t, sps, r, status=status)
    assert told is other
    codes = final_status(sp, r)
    assert_idp_session_gone(t)
    return codes, sps


@pytest.mark.parametrize("start,binding", STARTS)
def test_logout_from_one_sp_tells_the_other_and_answers_it_last(
        fed2, start, binding):
    codes, sps = logout_chain(fed2, start, binding)
    assert codes == [SUCCESS]
    for sp, authn in sps:
        assert not sp.client.is_logged_in(authn.name_id)


@pytest.mark.parametrize("start,binding", STARTS)
def test_sp_answering_an_error_gives_partial_logout(fed2, start, binding):
    """The PartialLogout answer is signed as the other, in both bindings."""
    codes, _ = logout_chain(fed2, start, binding,
                            status=status_message_factory(
                                "cannot", STATUS_RESPONDER))
    assert codes == [SUCCESS, PARTIAL]


def idp_logout(t):
    from terminal import field
    csrf = field(t.get("/account").text, "csrf")
    return t.post("/logout", {"csrf": csrf})


def test_sign_out_at_the_idp_tells_both_sps(fed2):
    server, t, a, sps = fed2()
    r = idp_logout(t)
    told = []
    for _ in sps:
        sp, _, r = answer_request(t, sps, r)
        told.append(sp)
    assert set(told) == {sp for sp, _ in sps}
    assert r.status_code == 303 and r.headers["location"] == "/"
    for sp, authn in sps:
        assert not sp.client.is_logged_in(authn.name_id)
    assert_idp_session_gone(t)
    log = server.stop() or server.read_log()
    assert log.count("event=saml.logout.response") == 2
    assert "result=ok" in log


def test_replayed_logout_response_is_refused(fed2):
    """Each hop has its own request ID, used once: an SP's answer sent
    again, once the chain has moved on, cannot stand for the next SP's."""
    server, t, a, sps = fed2()
    r = idp_logout(t)
    first, deliver, r = answer_request(t, sps, r)
    url, binding, _ = sent(r)
    assert url != first.slo          # now waiting for the other SP
    replay = deliver()
    assert replay.status_code == 400, replay.text[:300]
    assert "expired or is unknown" in replay.text
    # The chain itself goes on when the other SP answers.
    _, _, r = answer_request(t, sps, r)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_unsigned_logout_response_does_not_count(fed2):
    """SAML profiles §4.4.4.2: an unsigned answer proves nothing. The
    chain goes on, and the initiator learns the logout was partial."""
    server, t, a, sps = fed2(sp2_slo=(BINDING_HTTP_REDIRECT,))
    (sp1, authn1), (sp2, authn2) = sps
    r = logout_at(t, sp1, authn1, BINDING_HTTP_REDIRECT)

    def unsign(fields):
        del fields["Signature"], fields["SigAlg"]
    sp, _, r = answer_request(t, sps, r, tamper=unsign)
    assert sp is sp2
    assert final_status(sp1, r) == [SUCCESS, PARTIAL]
    assert_idp_session_gone(t)
    assert "event=saml.logout.response" in (server.stop() or
                                            server.read_log())


def test_sp_without_logout_endpoint_is_skipped_with_partial_logout(fed2):
    """Like Shibboleth: Success, with PartialLogout as second level."""
    server, t, a, sps = fed2(sp2_slo=())
    (sp1, authn1), (sp2, authn2) = sps
    r = logout_at(t, sp1, authn1, BINDING_HTTP_REDIRECT)
    assert final_status(sp1, r) == [SUCCESS, PARTIAL]
    assert_idp_session_gone(t)


def test_sp_that_never_answers_leaves_no_idp_session(fed2):
    """The IdP session ends before anyone is told: an SP that keeps the
    browser stops the chain, not the logout at the IdP. The initiator
    asking again is answered."""
    server, t, a, sps = fed2()
    (sp1, authn1), (sp2, authn2) = sps
    r = logout_at(t, sp1, authn1, BINDING_HTTP_REDIRECT)
    url, binding, fields = sent(r)
    assert url == sp2.slo
    assert_idp_session_gone(t)
    r = logout_at(t, sp1, authn1, BINDING_HTTP_REDIRECT)
    url, binding, fields = sent(r)
    assert url == sp1.slo and "SAMLResponse" in fields
    assert_signed(sp1, binding, fields)
