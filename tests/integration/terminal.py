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
