"""The site under gunicorn with production settings, spoken to over raw sockets: what
Django's test client cannot send (no Host header, a charset parsed before any middleware
runs) gets the site's 400 page, never gunicorn's bare 500 (issue 19)."""

import socket
import time

import pytest

from tests.test_nginx import running_nginx


def send(port, head, body=b""):
    """(status, headers text, body text) for the raw request ``head`` (str, without the
    blank line) and ``body`` (bytes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\nConnection: close\r\n\r\n" + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    top, _, rest = answer.partition(b"\r\n\r\n")
    status = int(top.split(b" ", 2)[1])
    return status, top.decode("latin-1"), rest.decode("utf-8", "replace")


def assert_the_sites_400_page(status, headers, body, expected=400):
    assert status == expected
    assert "<title>Bad request · Advice</title>" in body
    assert "default-src 'self'" in headers


def test_an_http11_request_without_host_is_400_and_http10_is_served(gunicorn):
    port, _ = gunicorn

    assert_the_sites_400_page(*send(port, "GET /robots.txt HTTP/1.1"))
    assert send(port, "GET /robots.txt HTTP/1.0")[0] == 200
    assert send(port, "GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1")[0] == 200


@pytest.mark.parametrize("host", ["127.0.0.1:0", "127.0.0.1:999999999999", "127.0.0.1:x", ""])
def test_a_malformed_host_is_the_400_page(gunicorn, host):
    port, _ = gunicorn

    assert_the_sites_400_page(*send(port, f"GET /robots.txt HTTP/1.1\r\nHost: {host}"))


FIELDS = "&".join(f"f{number}=1" for number in range(1001))


@pytest.mark.parametrize("path", ["/", "/robots.txt", "/accounts/login/", "/no-such-page/"])
@pytest.mark.parametrize(
    "content_type",
    [
        "application/json; charset=utf-8",
        "text/plain; charset=UTF-8",
        "application/x-www-form-urlencoded; charset=latin-1",
        "text/plain; charset*=nope''x",
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_1001_query_fields_with_a_charset_get_the_400_page_not_a_bare_500(
    gunicorn, path, content_type, method
):
    port, log = gunicorn
    head = (
        f"{method} {path}?{FIELDS} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: 3"
    )

    assert_the_sites_400_page(*send(port, head, b"a=b"))
    assert "Traceback" not in log.read_text()


@pytest.fixture
def nginx_in_front(gunicorn, tmp_path):
    """The port of nginx, configured as docker-compose.yml runs it (nginx/advice_site.conf,
    the one docs/deployment.md shows), in front of the gunicorn above."""
    with running_nginx(f"127.0.0.1:{gunicorn[0]}", tmp_path) as port:
        yield port


SLOW_CLIENTS = 50


def test_50_slow_clients_through_nginx_leave_the_site_answering(nginx_in_front, capsys):
    # Each sends most of a request and then nothing: nginx holds them, not gunicorn's
    # two threads (issue 19: 12 such connections stopped gunicorn, /healthz included).
    for path in ("/healthz", "/robots.txt"):  # warm: the first request loads templates
        send(nginx_in_front, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1")
    slow = []
    for number in range(SLOW_CLIENTS):
        sock = socket.create_connection(("127.0.0.1", nginx_in_front), timeout=5)
        sock.sendall(
            f"POST /comments/preview/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n"
            f"\r\nbody={number}".encode()
        )
        slow.append(sock)
    try:
        time.sleep(1)
        started = time.monotonic()
        health = send(nginx_in_front, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1")
        page = send(nginx_in_front, "GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1")
        elapsed = time.monotonic() - started
    finally:
        for sock in slow:
            sock.close()

    assert (health[0], page[0]) == (200, 200)
    assert elapsed < 2
    with capsys.disabled():
        print(f"\n/healthz and /robots.txt with {SLOW_CLIENTS} slow clients: {elapsed:.3f} s")
