"""The site's icon: at /favicon.ico, where browsers and crawlers look for it, and on
the admin's pages as on the site's (issue 18)."""

import pytest
from django.templatetags.static import static
from django.urls import reverse

from tests.html import parse

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_sites_icon_and_may_be_kept_for_a_day(client):
    response = client.get(reverse("favicon"))
    assert response.status_code == 302
    assert response["Location"] == static("favicon.svg")
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=86400"} <= cache_control

    icon = client.get(reverse("favicon"), follow=True)
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(icon.streaming_content if icon.streaming else [icon.content])


def test_favicon_ico_answers_head_and_refuses_post(client):
    assert client.head(reverse("favicon")).status_code == 302
    assert client.post(reverse("favicon")).status_code == 405


@pytest.mark.parametrize(
    "address",
    [
        reverse("admin:index"),
        reverse("admin:posts_post_changelist"),
        reverse("admin:posts_post_add"),
        "/admin/comments/comment/?status__exact=all",
        "/admin/auth/group/add/",
        "/admin/redirects/redirect/",
    ],
)
def test_every_admin_page_shows_the_sites_icon(editor_client, address):
    response = editor_client.get(address)
    assert response.status_code == 200
    [icon] = parse(response).find_all("link", rel="icon")
    assert (icon["href"], icon["type"]) == (static("favicon.svg"), "image/svg+xml")


def test_the_admin_keeps_its_own_header(editor_client):
    page = parse(editor_client.get(reverse("admin:index")))
    assert page.find("div", id="site-name").find("a")["href"] == reverse("admin:index")
