"""The documented nginx configuration (docs/deployment.md), run in front of the site: it
keeps the pages of visitors without a session, never a page of anyone with one, and lets
a change through within the SHARED_SECONDS the site allows shared caches.

nginx comes from Debian (`apt-get install -y nginx-light`; CI installs it). Without it
this test is skipped on a developer's machine and fails under CI=true."""

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from pages import page_cache
from tests.conftest import ROOT, make_user

from .comments.conftest import add_comment

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = pytest.mark.django_db(transaction=True)


def documented_snippet():
    """The nginx configuration docs/deployment.md shows operators."""
    page = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    return re.search(r"```nginx\n(.*?)```", page, re.DOTALL).group(1)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_nginx(upstream, folder):
    """nginx with the documented configuration on a free loopback port, passing requests
    to ``upstream`` ("host:port"), its files in ``folder`` (a Path); yields the port.
    Skips without nginx on a developer's machine; fails under CI=true."""
    if not Path(NGINX).exists():
        message = "nginx is missing: apt-get install -y nginx-light"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(f"CI=true and {message}", pytrace=False)
        pytest.skip(message)
    port = free_port()
    site = (
        documented_snippet()
        .replace("/var/cache/nginx/advice", str(folder / "cache"))
        .replace("server 127.0.0.1:8000;", f"server {upstream};")
        .replace("listen 80;", f"listen 127.0.0.1:{port};")
    )
    user = "user root root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(
        f"{user}pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
        f"http {{\naccess_log off;\n{site}\n}}\n"
    )
    process = subprocess.Popen(
        [NGINX, "-c", str(folder / "nginx.conf"), "-p", str(folder), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def nginx(live_server, tmp_path):
    with running_nginx(live_server.url.removeprefix("http://"), tmp_path) as port:
        yield f"http://127.0.0.1:{port}"


def get(url, **headers):
    request = urllib.request.Request(url, headers={"Host": "localhost", **headers})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers, response.read().decode()


def test_nginx_keeps_visitor_pages_and_never_a_session_page(
    nginx, live_server, a_post, monkeypatch
):
    # The site's s-maxage, shortened so that waiting for nginx's copy to expire costs the
    # suite 3 seconds rather than 6 (the live server runs in this process). nginx counts in
    # whole seconds, so 2 leaves the second request at least a second to find the copy.
    monkeypatch.setattr(page_cache, "SHARED_SECONDS", 2)
    url = nginx + a_post.get_absolute_url()
    comment = add_comment(a_post, make_user(display_name="Carla"), "Words to moderate away")

    first, html = get(url)
    second, cached_html = get(url)
    assert (first["X-Cache-Status"], second["X-Cache-Status"]) == ("MISS", "HIT")
    assert cached_html == html and "Words to moderate away" in html

    with_session, _ = get(url, Cookie="sessionid=whatever")
    assert with_session["X-Cache-Status"] == "BYPASS"

    comment.delete()  # gone from the site at once; from nginx once its copy expires
    time.sleep(page_cache.SHARED_SECONDS + 1)
    expired, after = get(url)
    assert expired["X-Cache-Status"] in {"EXPIRED", "REVALIDATED"}
    assert "Words to moderate away" not in after


def test_nginx_never_keeps_a_readers_page(nginx, live_server, a_post, client):
    reader = make_user(display_name="Private Person")
    client.force_login(reader)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    url = nginx + a_post.get_absolute_url()

    get(url, Cookie=cookie)
    headers, html = get(url, Cookie=cookie)
    _, visitor_html = get(url)

    assert headers["X-Cache-Status"] == "BYPASS"
    assert "Private Person" in html and "Private Person" not in visitor_html


def post_status(url, size):
    request = urllib.request.Request(
        url,
        data=b"x" * size,
        method="POST",
        headers={"Host": "localhost", "Content-Type": "application/octet-stream"},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def test_nginx_passes_an_editors_image_and_refuses_larger_bodies(nginx, live_server):
    # nginx's default (1 MiB) refused images the editor may upload (up to 5 MiB).
    image_size, _ = post_status(nginx + "/editor/upload/", 4 * 1024 * 1024)
    too_large, headers = post_status(nginx + "/editor/upload/", 7 * 1024 * 1024)

    assert image_size != 413  # reached the site, which asks for a log-in
    assert too_large == 413 and headers["Server"].startswith("nginx")


def test_the_compose_files_nginx_configuration_is_the_documented_one(nginx):
    # docker-compose.yml runs nginx/advice_site.conf; this module runs the documented one.
    assert (ROOT / "nginx" / "advice_site.conf").read_text() == documented_snippet()


def test_a_browser_post_through_nginx_on_another_port_passes_the_origin_check(nginx, a_reader):
    origin = nginx.replace("127.0.0.1", "localhost")
    host = origin.removeprefix("http://")
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    page = browser.open(
        urllib.request.Request(nginx + "/accounts/login/", headers={"Host": host}), timeout=10
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())[1]
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "login": a_reader.email, "password": "not it"}
    ).encode()
    request = urllib.request.Request(
        nginx + "/accounts/login/", data=form, headers={"Host": host, "Origin": origin}
    )

    try:
        status = browser.open(request, timeout=10).status
    except urllib.error.HTTPError as error:
        status = error.code

    assert status != 403  # the form's own answer (wrong password), not CSRF's refusal


@pytest.mark.parametrize(
    "cookie",
    [
        "csrftoken=abcdefghijklmnopqrstuvwxyz012345",
        "known_device=anything",
        "csrftoken=x; _ga=GA1.2.3; theme=dark",
    ],
)
def test_nginx_serves_a_visitor_with_cookies_but_no_session_from_its_cache(
    nginx, live_server, a_post, cookie
):
    """Issue 19: a visitor with only a csrftoken cookie missed nginx's cache every time.
    A visitor page is the same for every visitor, whatever other cookies they send."""
    url = nginx + a_post.get_absolute_url()
    get(url)
    first, html = get(url, Cookie=cookie)
    again, _ = get(url, Cookie=cookie.replace("=", "=other", 1))
    assert (first["X-Cache-Status"], again["X-Cache-Status"]) == ("HIT", "HIT")
    assert "Set-Cookie" not in first


def test_nginx_never_shares_a_page_showing_a_visitors_flash_message(nginx, live_server, a_post):
    url = nginx + a_post.get_absolute_url()
    get(url)
    with_message, _ = get(url, Cookie="messages=anything")
    assert with_message["X-Cache-Status"] == "BYPASS"


def test_nginx_keeps_compressed_and_plain_pages_apart(nginx, live_server, a_post):
    url = nginx + a_post.get_absolute_url()
    for _ in range(2):  # stored compressed, then served from the cache
        request = urllib.request.Request(
            url, headers={"Host": "localhost", "Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["Content-Encoding"] == "gzip"
    plain, html = get(url, **{"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain
    assert "<html" in html
