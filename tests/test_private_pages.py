"""Cache-Control: private on every response to a request with a session (issue 19), so
no shared cache in front keeps a reader's pages; visitors without one keep the shared
page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def personal_urls(post):
    return [
        "/",
        reverse("accounts:account"),
        reverse("accounts:export"),
        reverse("checklists:my_progress"),
        reverse("account_email"),
        reverse("account_change_password"),
        post.get_absolute_url(),
        post.get_absolute_url(),  # the second time from the page cache
        reverse("feed"),
        "/no-such-page/",
    ]


def assert_private(response):
    directives = {part.strip().split("=")[0] for part in response["Cache-Control"].split(",")}
    assert "private" in directives
    assert not directives & {"public", "s-maxage"}
    assert "cookie" in response["Vary"].lower()


def test_every_page_a_reader_gets_is_private(reader_client, the_article):
    for url in personal_urls(the_article):
        response = reader_client.get(url)
        assert response.status_code in {200, 404}, url
        assert_private(response)


def test_a_visitor_with_a_session_gets_private_pages(client, the_article):
    item = the_article.checklist_items.first()
    client.post(reverse("checklists:set", args=[item.pk]), {"done": "true"})  # a session
    assert "sessionid" in client.cookies

    for url in ["/", the_article.get_absolute_url(), reverse("feed")]:
        assert_private(client.get(url))


def test_the_response_that_starts_a_session_is_private(client, the_article):
    item = the_article.checklist_items.first()

    response = client.post(reverse("checklists:set", args=[item.pk]), {"done": "true"})

    assert "sessionid" in response.cookies
    assert_private(response)


def test_a_visitor_without_a_session_still_gets_the_shared_page(client, the_article):
    client.get(the_article.get_absolute_url())

    response = client.get(the_article.get_absolute_url())

    assert "public" in response["Cache-Control"] and "s-maxage" in response["Cache-Control"]
