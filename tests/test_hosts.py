"""The Host header (issue 19): a malformed one gets the site's 400 page, and the page
cache keys pages by SITE_URL, so no Host can make it store another copy of a page."""

import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from core.handler import FROM_SERVER

pytestmark = pytest.mark.django_db

BAD_HOSTS = [
    "localhost:0",
    "localhost:00",
    "localhost:65536",
    "localhost:999999999999",
    "localhost:",
    "localhost:abc",
    "localhost:-1",
    "localhost:8\u0663",  # an Arabic-Indic digit: a digit to Python, not to HTTP
    "[::1]:0",
    "[::1]:70000",
    "",
    ":80",
    "evil.example",
]


def assert_the_sites_400_page(response):
    assert response.status_code == 400
    assert "<title>Bad request · Advice</title>" in response.content.decode()
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("host", BAD_HOSTS)
@pytest.mark.parametrize("path", ["/", "/dl_advice/", reverse("account_login"), "/no-such-page/"])
def test_a_malformed_or_unknown_host_gets_the_400_page_without_a_traceback(
    client, the_article, caplog, host, path
):
    client.raise_request_exception = False

    with caplog.at_level(logging.INFO):
        response = client.get(path, HTTP_HOST=host)

    assert_the_sites_400_page(response)
    assert not [record for record in caplog.records if record.exc_info]


@pytest.mark.parametrize("host", ["localhost", "localhost:1", "localhost:8000", "localhost:65535"])
def test_a_host_with_a_port_from_1_to_65535_is_served(client, the_article, host):
    assert client.get("/dl_advice/", HTTP_HOST=host).status_code == 200


def test_an_http11_request_from_a_server_without_host_is_400_and_http10_is_served(the_article):
    # core.handler marks requests that came through a server (the test client
    # sends no Host at all, so it is not marked); tests/test_gunicorn.py sends them raw.
    server = Client(raise_request_exception=False, **{FROM_SERVER: True})

    assert_the_sites_400_page(server.get("/dl_advice/"))
    assert server.get("/dl_advice/", SERVER_PROTOCOL="HTTP/1.0").status_code == 200


def stored_files():
    return sum(
        1 for path in Path(settings.CACHES["shared"]["LOCATION"]).rglob("*") if path.is_file()
    )


def test_requests_on_new_ports_store_no_new_pages(client, the_article):
    client.get("/dl_advice/", HTTP_HOST="localhost:1000")
    stored = stored_files()

    for port in range(1001, 1031):
        response = client.get("/dl_advice/", HTTP_HOST=f"localhost:{port}")
        assert response.status_code == 200

    assert stored_files() == stored
