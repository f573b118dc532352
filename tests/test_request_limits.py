"""Bounded requests (issue 19): too many fields or files, bodies too large, files where
none are taken: the site's page with 400 or 413, before anything reads or spools the
body, and no traceback in the log. (tests/test_gunicorn.py sends what the test client
cannot: a charset parsed while the request is built.)"""

import logging
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

MANY_FIELDS = "&".join(f"f{number}=1" for number in range(1001))


def assert_the_sites_page(response, status):
    assert response.status_code == status
    title = "Too large to send" if status == 413 else "Bad request"
    assert f"<title>{title} · Advice</title>" in response.content.decode()
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.fixture
def browser(client):
    client.raise_request_exception = False
    return client


def post_urls(post):
    item = post.checklist_items.first()
    return [
        reverse("account_login"),
        reverse("checklists:set", args=[item.pk]),
        reverse("comments:post", args=[post.pk]),
        reverse("comments:preview"),
        reverse("accounts:display_name"),
        reverse("admin:login"),
    ]


@pytest.mark.parametrize(
    "path", ["/", "/dl_advice/", reverse("account_login"), reverse("feed"), "/x/"]
)
def test_more_than_1000_query_fields_get_the_400_page_on_every_url(
    browser, the_article, caplog, path
):
    with caplog.at_level(logging.INFO):
        response = browser.get(f"{path}?{MANY_FIELDS}")

    assert_the_sites_page(response, 400)
    assert not [record for record in caplog.records if record.exc_info]


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart"])
def test_a_form_with_more_than_1000_fields_gets_the_400_page_on_every_form(
    browser, the_article, caplog, content_type
):
    browser.force_login(make_user())
    fields = {f"f{number}": "1" for number in range(1001)}

    with caplog.at_level(logging.INFO):
        for url in post_urls(the_article):
            if content_type == "multipart":
                response = browser.post(url, fields)
            else:
                response = browser.post(url, MANY_FIELDS, content_type=content_type)
            # 413 where the form is also above the view's limit (a tick's: 8 KiB)
            too_large = content_type == "multipart" and "checklists" in url
            assert_the_sites_page(response, 413 if too_large else 400)

    assert not [record for record in caplog.records if record.exc_info]


def test_a_body_above_the_views_limit_is_413_before_it_is_read(browser, the_article):
    item = the_article.checklist_items.first()
    url = reverse("checklists:set", args=[item.pk])

    with mock.patch("django.http.request.HttpRequest.read", side_effect=AssertionError("read")):
        response = browser.post(url, b"{" + b" " * 9000 + b"}", content_type="application/json")

    assert_the_sites_page(response, 413)


@pytest.mark.parametrize(
    "path", ["/", reverse("account_login"), reverse("admin:login"), "/no-such-page/"]
)
def test_a_body_above_every_limit_is_413_on_every_url(browser, the_article, path):
    body = b"a=" + b"x" * (8 * 1024 * 1024)

    response = browser.post(path, body, content_type="application/x-www-form-urlencoded")

    assert_the_sites_page(response, 413)


def test_an_anonymous_file_upload_to_the_tick_endpoint_is_refused_and_never_spooled(
    browser, the_article
):
    item = the_article.checklist_items.first()

    with mock.patch("django.core.files.uploadhandler.TemporaryFileUploadHandler") as spool:
        response = browser.post(
            reverse("checklists:set", args=[item.pk]),
            {"done": "true", "file": SimpleUploadedFile("big.bin", b"x" * 4000)},
        )

    assert_the_sites_page(response, 400)
    spool.assert_not_called()


@pytest.mark.parametrize("view", ["comments:preview", "accounts:display_name", "account_login"])
def test_a_file_to_a_form_that_takes_none_is_refused(browser, the_article, view):
    browser.force_login(make_user())

    with mock.patch("django.core.files.uploadhandler.TemporaryFileUploadHandler") as spool:
        response = browser.post(
            reverse(view), {"body": "x", "f": SimpleUploadedFile("a.txt", b"x" * 100)}
        )

    assert_the_sites_page(response, 400)
    spool.assert_not_called()


def test_the_comment_scripts_multipart_form_without_files_still_posts(the_article, a_reader):
    client = Client()
    client.force_login(a_reader)

    # The test client sends a dict as multipart/form-data, as the script's FormData does.
    response = client.post(
        reverse("comments:preview"), {"body": "A *preview*"}, headers={"Accept": "text/html"}
    )

    assert response.status_code == 200
    assert "<em>preview</em>" in response.content.decode()


def test_more_than_one_file_to_the_image_upload_is_400(browser, an_editor):
    from tests.conftest import image_bytes

    browser.force_login(an_editor)
    png = image_bytes()

    response = browser.post(
        reverse("editor_upload"),
        {"image": [SimpleUploadedFile("a.png", png), SimpleUploadedFile("b.png", png)]},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )

    assert_the_sites_page(response, 400)
