"""What link previews and search engines read from a post page (issue 21).

The description never repeats the title (the post's description, else its first
paragraph, as jekyll-seo-tag's excerpt), og:image is absolute, article:modified_time
is the author's last_modified_at, and the JSON-LD BlogPosting is jekyll-seo-tag's.
"""

import json
from datetime import UTC, datetime

import pytest
from django.conf import settings

from tests.conftest import make_post
from tests.html import parse

pytestmark = pytest.mark.django_db


def head(client, post):
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return parse(response.content.decode())


def meta(page, **attrs):
    return page.find("meta", **attrs)["content"]


def json_ld(page):
    [script] = page.find_all("script", type="application/ld+json")
    return json.loads(script.raw_text)


def test_without_a_description_previews_quote_the_first_paragraph_not_the_title(client):
    post = make_post(
        description="",
        body="```\ncode first\n```\n\n## A heading\n\nThe *first* real paragraph.\n\nMore.\n",
    )
    page = head(client, post)
    for found in (
        meta(page, name="description"),
        meta(page, property="og:description"),
        meta(page, name="twitter:description"),
        json_ld(page)["description"],
    ):
        assert found == "The first real paragraph."


def test_a_description_is_what_previews_show(client):
    page = head(client, make_post(description="Short and clear."))
    assert meta(page, property="og:description") == "Short and clear."


def test_a_long_first_paragraph_is_cut_after_a_word(client):
    post = make_post(description="", body="word " * 200)
    description = meta(head(client, post), name="description")
    assert len(description) <= 300
    assert description.endswith("word…")


def test_the_preview_image_is_an_absolute_address_and_asks_for_a_large_card(client):
    post = make_post(image="/media/imported/abc/cover image.png")
    page = head(client, post)
    expected = f"{settings.SITE_URL}/media/imported/abc/cover%20image.png"
    assert meta(page, property="og:image") == expected
    assert meta(page, name="twitter:image") == expected
    assert meta(page, name="twitter:card") == "summary_large_image"
    assert json_ld(page)["image"] == expected


def test_without_an_image_there_is_no_og_image_and_a_small_card(client):
    page = head(client, make_post())
    assert page.find_all("meta", property="og:image") == []
    assert meta(page, name="twitter:card") == "summary"
    assert "image" not in json_ld(page)


def test_last_modified_at_is_the_modified_time_everywhere_on_the_page(client):
    post = make_post(modified_at=datetime(2024, 3, 1, 9, 0, tzinfo=UTC))
    page = head(client, post)
    assert meta(page, property="article:modified_time") == "2024-03-01T09:00:00+00:00"
    assert json_ld(page)["dateModified"] == "2024-03-01T09:00:00+00:00"


def test_the_author_is_named(client):
    page = head(client, make_post(author="Ann Example"))
    assert meta(page, property="article:author") == "Ann Example"
    assert meta(page, name="author") == "Ann Example"
    assert json_ld(page)["author"] == {"@type": "Person", "name": "Ann Example"}


def test_the_json_ld_is_a_blog_posting_as_jekyll_seo_tag_makes_it(client):
    post = make_post(
        title="Learn it",
        description="Why.",
        publication_date=datetime(2020, 5, 4, 10, 0, tzinfo=UTC),
    )
    url = f"{settings.SITE_URL}{post.get_absolute_url()}"
    data = json_ld(head(client, post))
    assert data == {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": "Learn it",
        "description": "Why.",
        "datePublished": "2020-05-04T10:00:00+00:00",
        "dateModified": data["dateModified"],
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
    }


def test_no_text_can_end_the_json_ld_script(client):
    post = make_post(
        title="</script><script>alert(1)</script>",
        description="<!-- & </SCRIPT >",
        author="</script>",
    )
    response = client.get(post.get_absolute_url())
    html = response.content.decode()
    start = html.index('<script type="application/ld+json">')
    end = html.index("</script>", start)
    script = html[start:end]
    assert "<" not in script.removeprefix('<script type="application/ld+json">')
    data = json_ld(parse(html))
    assert data["headline"] == "</script><script>alert(1)</script>"
    assert data["description"] == "<!-- & </SCRIPT >"
