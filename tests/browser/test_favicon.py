"""The site's icon, as the browser fetches it: from the admin's pages and from
/favicon.ico (issue 18)."""

from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import make_user

from .axe import describe_violations


def test_the_admin_shows_the_sites_icon(page, log_in, axe_violations):
    log_in(page, make_user(email="editor@example.com", is_staff=True, is_superuser=True))
    page.goto(reverse("admin:index"))
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    href = page.locator('link[rel="icon"]').get_attribute("href")
    icon = page.request.get(href)
    assert (icon.status, icon.headers["content-type"]) == (200, "image/svg+xml")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations, "the admin's index")


def test_the_browser_finds_the_icon_at_favicon_ico(page):
    response = page.goto(reverse("favicon"))
    assert response.status == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert page.url.endswith("/favicon.svg")
