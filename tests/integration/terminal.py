"""The user terminal: a browser-like session with a cookie jar."""
import re

import requests


def field(html, name):
    m = re.search(r'name="%s" value="([^"]*)"' % re.escape(name), html)
    assert m, "no %s in page" % name
    return m.group(1)


class Terminal:
    def __init__(self, base, user_agent="TerminalBrowser/1.0"):
        self.base = base
        self.s = requests.Session()
        self.s.headers["User-Agent"] = user_agent

    def get(self, path, **kw):
        return self.s.get(self.base + path, allow_redirects=False, **kw)

    def post(self, path, data, **kw):
        return self.s.post(self.base + path, data=data,
                           allow_redirects=False, **kw)

    def csrf(self, path="/login"):
        return field(self.get(path).text, "csrf")

    def start(self, user):
        """Enters the user ID; returns the response to the POST."""
        return self.post("/login/start", {"csrf": self.csrf(), "user": user})

    def code(self):
        page = self.get("/login/code").text
        m = re.search(r'<p class="code" id="code"[^>]*>(\d{6})</p>', page)
        return (m.group(1) if m else None), page

    def password_login(self, user, password):
        csrf = self.csrf()
        r = self.post("/login/start", {"csrf": csrf, "user": user})
        assert "Enter your password" in r.text, r.text
        return self.post("/login/password", {"csrf": csrf, "user": user,
                                             "password": password})

    def registration_code(self):
        csrf = field(self.get("/account").text, "csrf")
        r = self.post("/account/register", {"csrf": csrf})
        m = re.search(r"mutua-authenticator register \S+ ([0-9a-f]{64})",
                      r.text)
        assert m, r.text
        return m.group(1)

    def continue_login(self):
        page = self.get("/login/code").text
        return self.post("/login/continue", {"csrf": field(page, "csrf")})


def login_through(t, location, user, authenticator):
    """Follows a relying party's redirect through the X.1280 login.

    location is where the RP sent the browser (the IdP's SSO or
    authorization URL); returns the response that ends the login (the
    redirect back into the RP's flow), with .rp and .rp_name set to the
    RP the authenticator was shown and .code_page to the page that
    showed the code.
    """
    r = t.s.get(location, allow_redirects=False)
    assert r.status_code == 303, (r.status_code, r.text[:300])
    return login_from(t, r.headers["location"], user, authenticator)


def login_from(t, login, user, authenticator):
    """Completes the login page at login ("/login?c=...")."""
    from oob_client import parse_offset
    assert login.startswith("/login?c="), login
    page = t.get(login).text
    r = t.post("/login/start", {"csrf": field(page, "csrf"), "user": user,
                                "c": field(page, "c")})
    assert r.headers.get("location") == "/login/code", r.text[:300]
    code_page = t.get("/login/code").text
    reqs = authenticator.pending().json()["requests"]
    assert len(reqs) == 1
    f = parse_offset(reqs[0]["offset"])
    assert authenticator.decide(reqs[0]["request_id"],
                                reqs[0]["offset"]).status_code == 200
    r = t.continue_login()
    r.rp, r.rp_name, r.code_page = f["rp"], f["rpn"], code_page
    return r
