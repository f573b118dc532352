"""Every error page, as a reader meets it: the site's name heads it as a link, the footer
names the site, and axe finds nothing (issue 18: the 410 page's header link was empty)."""

from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import make_post, make_user

from .axe import describe_violations


def removed_article(page, log_in):
    post = make_post(title="Soon gone", slug="soon-gone", permalink="/soon-gone/")
    post.delete()
    page.goto("/soon-gone/?utm_source=twitter")


def bad_page_number(page, log_in):
    make_post()
    page.goto("/a-test-post/?comments=abc")


def not_found(page, log_in):
    page.goto("/no-such-page/")


def staff_only(page, log_in):
    # Staff without the permission, as a moderator set up wrongly would be.
    log_in(page, make_user(email="staff@example.com", is_staff=True))
    page.goto(reverse("admin:posts_post_add"))


def form_without_its_cookie(page, log_in):
    page.goto(reverse("account_login"))
    page.context.clear_cookies()  # the CSRF cookie expired, or was never kept
    page.get_by_label("Email").fill("reader@example.com")
    page.get_by_label("Password").fill("a password")
    page.get_by_label("Password").press("Enter")


def too_many_logins(page, log_in):
    page.goto(reverse("account_login"))
    page.get_by_label("Email").fill("reader@example.com")
    page.get_by_label("Password").fill("a password")
    refused = mock.patch("allauth.core.internal.ratelimit.consume", return_value=False)
    with refused, page.expect_navigation():
        page.get_by_label("Password").press("Enter")


def server_error(page, log_in):
    with mock.patch("pages.views.Post.objects.published", side_effect=RuntimeError("bug")):
        page.goto("/")


def database_down(page, log_in):
    with mock.patch("pages.views.Post.objects.published", side_effect=OperationalError("down")):
        page.goto("/")


# (how a reader gets there, its heading)
ERROR_PAGES = {
    "410": (removed_article, "Article removed"),
    "400": (bad_page_number, "Bad request"),
    "404": (not_found, "Page not found"),
    "403": (staff_only, "Not allowed"),
    "403 CSRF": (form_without_its_cookie, "The form could not be sent"),
    "429": (too_many_logins, "Too many attempts"),
    "500": (server_error, "Something went wrong"),
    "503": (database_down, "The site is briefly unavailable"),
}


@pytest.mark.parametrize("name", ERROR_PAGES)
def test_every_error_page_is_headed_by_the_sites_name_and_passes_axe(
    page, log_in, axe_violations, name
):
    reach, heading = ERROR_PAGES[name]

    reach(page, log_in)

    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    home = page.get_by_role("banner").get_by_role("link", name=settings.SITE_NAME, exact=True)
    expect(home).to_have_attribute("href", "/")
    expect(page.get_by_role("contentinfo")).to_have_text(f"{settings.SITE_NAME} · Atom feed")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations, f"the {name} page")


def test_the_removed_articles_page_leads_back_to_the_articles(page, log_in):
    removed_article(page, log_in)
    expect(page.get_by_role("heading", level=1)).to_have_text("Article removed")
    page.get_by_role("banner").get_by_role("link", name=settings.SITE_NAME, exact=True).click()
    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
