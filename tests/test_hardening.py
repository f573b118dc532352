"""The lows of issue 19 an operator relies on: Cross-Origin-Resource-Policy on every
response, log lines no client can forge, a warning for a proxy left untrusted."""

import logging
import shlex

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from core import clients
from core.logs import OneLineFormatter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/dl_advice/", {}, 200),
        ("/static/css/site.css", {}, 200),
        ("/healthz", {}, 200),
        ("/no-such-page/", {}, 404),
        ("/", {"HTTP_HOST": "localhost:0"}, 400),
        (reverse("account_login"), {"REQUEST_METHOD": "PUT"}, 405),
    ],
)
def test_every_response_says_cross_origin_resource_policy_same_origin(
    the_article, path, headers, status
):
    client = Client(raise_request_exception=False)
    method = headers.pop("REQUEST_METHOD", "GET")

    response = client.generic(method, path, **headers)

    assert response.status_code == status
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


FORGED_ORIGIN = 'https://evil.example" client=10.9.8.7 status=200 user=1 x="\x1b[2J\u202e'


def test_an_origin_header_cannot_forge_fields_of_the_log_line(csrf_client, the_article, caplog):
    csrf_client.raise_request_exception = False

    with caplog.at_level(logging.WARNING):
        csrf_client.post(
            reverse("account_login"), {"login": "a@example.com"}, HTTP_ORIGIN=FORGED_ORIGIN
        )

    [record] = [r for r in caplog.records if r.name == "django.security.csrf"]
    line = OneLineFormatter().format(record)
    fields = shlex.split(line)
    assert "evil.example" in fields[3]  # the message, one field, Origin and all
    assert [field for field in fields if field.startswith("client=")] == ["client=127.0.0.1"]
    assert not [field for field in fields if field.startswith(("status=200", "user="))]
    assert "\x1b" not in line and "\u202e" not in line
    assert "\\x1b" in line and "\\u202e" in line


def test_a_path_cannot_forge_fields_of_the_log_line(csrf_client, the_article, caplog):
    csrf_client.raise_request_exception = False

    with caplog.at_level(logging.WARNING):
        csrf_client.post('/accounts/login/?a=" status=200 b="', {"login": "a@example.com"})

    [record] = [r for r in caplog.records if r.name == "django.security.csrf"]
    fields = shlex.split(OneLineFormatter().format(record))
    assert [field for field in fields if field.startswith("status=")] == ["status=403"]


@pytest.fixture
def fresh_warning(monkeypatch):
    monkeypatch.setattr(clients, "_warned_untrusted_forwarding", False)


def forwarding_warnings(caplog):
    return [r for r in caplog.records if "not in DJANGO_TRUSTED_PROXIES" in r.getMessage()]


def test_forwarded_requests_from_an_untrusted_proxy_are_warned_about_once(
    client, fresh_warning, caplog
):
    with caplog.at_level(logging.WARNING):
        for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
            client.get(reverse("robots"), HTTP_X_FORWARDED_FOR=address)

    [warning] = forwarding_warnings(caplog)
    assert "127.0.0.1" in warning.getMessage()


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_forwarded_requests_from_a_trusted_proxy_are_not_warned_about(
    client, fresh_warning, caplog
):
    with caplog.at_level(logging.WARNING):
        client.get(reverse("robots"), HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert forwarding_warnings(caplog) == []
