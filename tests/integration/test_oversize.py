"""Oversized requests get an answer the client can read (docs/deployment.md
§5): a 200 KB query 414, a 20 KB header 431, a 2 MB body 413, behind the
documented nginx front (federation/nginx/mutua.conf.in), with `requests`
and with a plain socket that sends everything before it reads. Directly
against Kore, what Kore can read is answered too: header fields over
mutua's 16 KiB get 431 from mutua, a request line over Kore's 2000 bytes
414 from Kore. What Kore cannot read (a request line or headers beyond
http_header_max, a body beyond http_body_max) it resets: the reasons are
in docs/deployment.md §5."""
import socket
import ssl

import requests

# test_tls.py's fixture: mutua behind nginx rendered from the template.
from test_tls import front  # noqa: F401

QUERY = 200 * 1024
HEADER = 20 * 1024
BODY = 2 * 1024 * 1024


def raw(front, data, tls=True):
    """Sends data whole on a new connection, then reads the answer to the
    end; returns its status line."""
    sock = socket.create_connection(
        ("127.0.0.1", front.https_port if tls else front.port), timeout=10)
    if tls:
        ctx = ssl.create_default_context(cafile=front.ca)
        sock = ctx.wrap_socket(sock, server_hostname="127.0.0.1")
    with sock:
        sock.sendall(data)
        answer = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


def request(path, headers=b"", body=b""):
    head = b"%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" % (
        b"POST" if body else b"GET", path)
    if body:
        head += b"Content-Type: application/json\r\n"
        head += b"Content-Length: %d\r\n" % len(body)
    return head + headers + b"\r\n" + body


def test_long_query_is_answered_414_behind_nginx(front):
    r = requests.get(front.https_base + "/login",
                     params={"x": "a" * QUERY}, verify=front.ca)
    assert r.status_code == 414
    assert raw(front, request(b"/login?x=" + b"a" * QUERY)) == \
        b"HTTP/1.1 414 Request-URI Too Large"


def test_large_header_is_answered_431_behind_nginx(front):
    r = requests.get(front.https_base + "/login",
                     headers={"X-Big": "a" * HEADER}, verify=front.ca)
    assert r.status_code == 431
    assert r.text == "Request header fields too large\n"
    assert raw(front, request(b"/login", b"X-Big: %s\r\n" % (
        b"a" * HEADER))).startswith(b"HTTP/1.1 431")


def test_large_body_is_answered_413_behind_nginx(front):
    r = requests.post(front.https_base + "/oob/v1/register",
                      data=b"a" * BODY, verify=front.ca)
    assert r.status_code == 413
    assert raw(front, request(b"/oob/v1/register", body=b"a" * BODY)) == \
        b"HTTP/1.1 413 Request Entity Too Large"


def test_headers_nginx_passes_on_are_answered_431_by_mutua(front):
    """Three 7 KB fields: each fits nginx's 8k buffers, together they are
    over mutua's 16 KiB."""
    headers = {"X-Big-%d" % i: "a" * (7 * 1024) for i in range(3)}
    for base, verify in ((front.https_base, front.ca), (front.base, True)):
        r = requests.get(base + "/login", headers=headers, verify=verify)
        assert r.status_code == 431, base
        assert "Request header fields too large" in r.text
    # Below the limit the same route answers.
    r = requests.get(front.base + "/login", headers={"X-Big": "a" * 8000})
    assert r.status_code == 200


def test_large_header_is_answered_431_by_mutua_directly(front):
    r = requests.get(front.base + "/login", headers={"X-Big": "a" * HEADER})
    assert r.status_code == 431
    assert raw(front, request(b"/login", b"X-Big: %s\r\n" % (
        b"a" * HEADER)), tls=False) == b"HTTP/1.1 431 "


def test_long_query_kore_can_read_is_answered_414_directly(front):
    """Kore's own limit on the path and query is 2000 bytes: a query it
    reads whole (within http_header_max) gets its 414."""
    query = b"/login?x=" + b"a" * (20 * 1024)
    assert raw(front, request(query), tls=False) == \
        b"HTTP/1.1 414 Request-URI Too Large"
