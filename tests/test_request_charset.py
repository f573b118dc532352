"""A request body in a charset other than UTF-8 gets the site's 400 page, with the site's
headers, on every form; error pages never read the body; no traceback in the log."""

import logging
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from django.urls import reverse

from core import views
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
CHARSETS = ["utf-16", "latin-1", "ISO-8859-1", "utf-32", "cp500", "utf8", "no-such-set"]


def form_urls(post):
    """Every form the site and allauth take, and the scripts' endpoints."""
    item = post.checklist_items.first()
    return [
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("admin:login"),
        reverse("accounts:display_name"),
        reverse("accounts:notifications"),
        reverse("accounts:delete"),
        reverse("checklists:set", args=[item.pk]),
        reverse("checklists:reset", args=[post.pk]),
        reverse("comments:post", args=[post.pk]),
        reverse("comments:preview"),
        reverse("editor_markdownify"),
        "/a-test-post/",  # a read-only page: the body is refused before the method
    ]


def assert_the_sites_400_page(response):
    assert response.status_code == 400
    assert f"<title>Bad request · {settings.SITE_NAME}</title>" in response.content.decode()
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("charset", CHARSETS)
def test_a_form_in_another_charset_than_utf8_gets_the_400_page_on_every_form(
    csrf_client, a_post, charset, caplog
):
    csrf_client.raise_request_exception = False
    csrf_client.force_login(make_user())
    body = "body=Caf\u00e9&login=a%40example.com&password=x".encode("utf-8")

    with caplog.at_level(logging.INFO):
        for url in form_urls(a_post):
            response = csrf_client.generic(
                "POST",
                url,
                body,
                content_type=f"application/x-www-form-urlencoded; charset={charset}",
            )
            assert_the_sites_400_page(response)

    assert not [record for record in caplog.records if record.exc_info]
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data; boundary=xyz; charset=utf-16",
        "application/json; charset=utf-16",
        "text/plain; charset=latin-1",
    ],
)
def test_any_body_declared_in_another_charset_is_refused(client, a_post, content_type):
    client.raise_request_exception = False

    response = client.generic("POST", reverse("comments:preview"), b"x", content_type=content_type)

    assert_the_sites_400_page(response)


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8"])
def test_utf8_is_accepted(client, a_post, a_reader, charset):
    client.force_login(a_reader)

    response = client.generic(
        "POST",
        reverse("comments:post", args=[a_post.pk]),
        "body=Caf\u00e9 au lait".encode(),
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )

    assert response.status_code == 302
    assert a_post.comments.get().body == "Caf\u00e9 au lait"


@pytest.mark.parametrize("charset", ["latin-1", "utf-16"])
def test_with_debug_on_another_charset_is_still_the_400_page(client, a_post, settings, charset):
    # Django's debug page for a raised BadRequest reads the body, and fails again: a 500.
    settings.DEBUG = True
    client.raise_request_exception = False
    item = a_post.checklist_items.first()

    response = client.generic(
        "POST",
        reverse("checklists:set", args=[item.pk]),
        b"done=true",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
        headers={"Sec-Fetch-Site": "same-origin"},
    )

    assert_the_sites_400_page(response)


@pytest.mark.parametrize(
    ("handler", "args", "status"),
    [
        (views.bad_request, (BadRequest("unreadable"),), 400),
        (views.permission_denied, (PermissionDenied(),), 403),
        (views.page_not_found, (Http404(),), 404),
        (views.server_error, (), 500),
    ],
    ids=["400", "403", "404", "500"],
)
def test_error_pages_never_read_the_body(rf, a_reader, handler, args, status):
    request = rf.generic(
        "POST", "/", b"a=b", content_type="application/x-www-form-urlencoded; charset=utf-16"
    )
    request.user = a_reader
    request.session = {}

    with mock.patch.object(
        type(request), "_load_post_and_files", side_effect=AssertionError("read the body")
    ):
        response = handler(request, *args)

    assert response.status_code == status
    assert b"<html" in response.content


def test_gunicorn_answers_a_latin1_form_with_the_400_page_and_no_traceback(gunicorn):
    """Against gunicorn with production settings: the raw 500 and the thousand-line
    traceback this used to give are gone."""
    import http.client

    port, log = gunicorn
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(
        "POST",
        reverse("account_login"),
        body="login=caf\u00e9%40example.com&password=x".encode("latin-1"),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=latin-1"},
    )
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()

    assert response.status == 400
    assert f"<title>Bad request · {settings.SITE_NAME}</title>" in body
    assert "default-src 'self'" in response.getheader("Content-Security-Policy")
    output = log.read_text()
    assert "Traceback" not in output
    assert "Logging error" not in output
