"""Every error page is in the site's layout: its name in the header, its navigation and
its footer (issue 18: the 410 page had an empty header link and " · Atom feed")."""

from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import RequestFactory
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from core import views
from tests.html import parse

pytestmark = pytest.mark.django_db


def bad_request(client, post):
    return client.get(f"{post.permalink}?comments=abc")


def forbidden(client, post):
    return client.post(reverse("editor_markdownify"), {"content": "x"})


def csrf_failure(client, post):
    client.handler.enforce_csrf_checks = True
    return client.post(reverse("account_login"), {"login": "x@example.com", "password": "x"})


def not_found(client, post):
    return client.get("/no-such-page/")


def gone(client, post):
    post.delete()
    return client.get(post.permalink)


def method_never_served(client, post):
    return client.generic("PUT", post.permalink)


def method_not_served_here(client, post):
    return client.post(post.permalink)  # an article is read-only: GET and HEAD


def method_not_served_by_a_form_view(client, post):
    return client.get(
        reverse("comments:post", args=[post.pk])
    )  # @require_POST: a comment is posted


def too_many_requests(client, post):
    with mock.patch("allauth.core.internal.ratelimit.consume", return_value=False):
        return client.post(reverse("account_login"), {"login": "x@example.com", "password": "x"})


def too_large(client, post):
    return client.post(reverse("checklists:set", args=[post.pk]), {"done": "x" * 20_000})


def server_error(client, post):
    client.raise_request_exception = False
    with mock.patch("pages.views.Post.objects.published", side_effect=RuntimeError("bug")):
        return client.get("/")


def database_down(client, post):
    client.raise_request_exception = False
    with mock.patch("pages.views.Post.objects.published", side_effect=OperationalError("down")):
        return client.get("/")


# (how to get it, its status, its heading)
ERROR_PAGES = {
    "400": (bad_request, 400, "Bad request"),
    "403": (forbidden, 403, "Not allowed"),
    "403 CSRF": (csrf_failure, 403, "The form could not be sent"),
    "404": (not_found, 404, "Page not found"),
    "405": (method_never_served, 405, "Not possible here"),
    "405 read-only page": (method_not_served_here, 405, "Not possible here"),
    "405 form view": (method_not_served_by_a_form_view, 405, "Not possible here"),
    "410": (gone, 410, "Article removed"),
    "413": (too_large, 413, "Too large to send"),
    "429": (too_many_requests, 429, "Too many attempts"),
    "500": (server_error, 500, "Something went wrong"),
    "503": (database_down, 503, "The site is briefly unavailable"),
}


@pytest.mark.parametrize("name", ERROR_PAGES)
def test_every_error_page_names_the_site_in_its_header_nav_and_footer(client, a_post, name):
    get, status, heading = ERROR_PAGES[name]

    response = get(client, a_post)

    assert response.status_code == status
    page = parse(response)
    assert page.find("h1").text == heading
    site_link = page.find("header").find("a", class_="site-name")
    assert (site_link.text, site_link["href"]) == (settings.SITE_NAME, "/")
    assert page.find("nav", aria_label="Site").find("a", href="/").text == "Articles"
    assert " ".join(page.find("footer").text.split()) == f"{settings.SITE_NAME} · Atom feed"
    assert page.find("title").text.endswith(f" · {settings.SITE_NAME}")


def test_the_csrf_page_says_what_to_do_and_changes_nothing(client, a_post):
    response = csrf_failure(client, a_post)
    text = " ".join(parse(response).find("main").text.split())
    assert "reload the page, and send the form again" in text


def user_from_a_database_that_is_down():
    def load():
        raise OperationalError("the database is down")

    return SimpleLazyObject(load)


@pytest.mark.parametrize(
    ("exception", "status"), [(RuntimeError("bug"), 500), (OperationalError("down"), 503)]
)
def test_the_server_error_pages_render_with_no_query_and_no_user(
    django_assert_num_queries, exception, status
):
    request = RequestFactory().get("/")
    request.user = user_from_a_database_that_is_down()
    try:
        raise exception
    except Exception:
        with django_assert_num_queries(0):
            response = views.server_error(request)
    assert response.status_code == status
    page = parse(response)
    assert page.find("a", class_="site-name").text == settings.SITE_NAME
    # A visitor's navigation: who is signed in would take the session from the database.
    links = [link.text for link in page.find("nav", aria_label="Site").find_all("a")]
    assert links == ["Articles", "Log in", "Sign up"]
