"""What feed readers, search engines and crawlers get: the Atom feed, sitemap and robots.txt."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.utils import timezone

from posts.models import Category, Post
from tests.conftest import ARTICLE_TITLE, make_post

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def site_url(path):
    return f"http://{Site.objects.get_current().domain}{path}"


def get_feed(client):
    response = client.get("/feed/")
    assert response.status_code == 200
    return response, ElementTree.fromstring(response.content)


def test_the_feed_is_atom(client, the_article):
    response, feed = get_feed(client)
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert feed.tag == f"{ATOM}feed"


def test_the_feed_has_the_elements_atom_requires(client, the_article):
    _, feed = get_feed(client)
    # RFC 4287: a feed has an id, a title, an updated time and an author (the feed's
    # own, since its entries have none).
    for element in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{element}").text, element
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    assert feed.find(f"{ATOM}title").text == settings.SITE_NAME
    for entry in feed.findall(f"{ATOM}entry"):
        for element in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{element}").text, element
        assert entry.find(f"{ATOM}link").get("href")


def test_the_feed_has_the_article_with_its_address_text_and_categories(client, the_article):
    _, feed = get_feed(client)
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == ARTICLE_TITLE
    assert entry.find(f"{ATOM}link").get("href") == site_url("/dl_advice/")
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "Don't learn Machine Learning" in summary.text
    assert 'id="learn-a-framework-well"' in summary.text
    terms = sorted(category.get("term") for category in entry.findall(f"{ATOM}category"))
    assert terms == ["Deep Learning", "Thoughts"]


def test_the_feed_lists_published_posts_newest_first(client, db):
    now = timezone.now()
    make_post(title="Older", slug="older", permalink="/older/", published_at=now - timedelta(2))
    make_post(title="Newer", slug="newer", permalink="/newer/", published_at=now - timedelta(1))
    make_post(title="Draft", slug="draft", permalink="/draft/", status=Post.Status.DRAFT)
    make_post(title="Future", slug="future", permalink="/future/", published_at=now + timedelta(1))
    _, feed = get_feed(client)
    titles = [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]
    assert titles == ["Newer", "Older"]


def test_an_empty_feed_is_still_a_feed(client, db):
    _, feed = get_feed(client)
    assert feed.findall(f"{ATOM}entry") == []


# Sitemap


def sitemap_locations(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    urlset = ElementTree.fromstring(response.content)
    assert urlset.tag == f"{SITEMAP}urlset"
    return [url.find(f"{SITEMAP}loc").text for url in urlset.findall(f"{SITEMAP}url")]


def test_the_sitemap_lists_the_front_page_the_post_and_its_categories(client, the_article):
    assert sorted(sitemap_locations(client)) == sorted(
        [
            site_url("/"),
            site_url("/dl_advice/"),
            site_url("/categories/deep-learning/"),
            site_url("/categories/thoughts/"),
        ]
    )


def test_the_sitemap_leaves_out_drafts_and_categories_without_published_posts(client, db):
    lonely = Category.objects.create(name="Lonely", slug="lonely")
    make_post(permalink="/draft/", status=Post.Status.DRAFT, categories=[lonely])
    assert sitemap_locations(client) == [site_url("/")]


def test_the_sitemap_lists_a_category_once_however_many_posts_it_has(client, a_category):
    for n in range(3):
        make_post(slug=f"p{n}", permalink=f"/p{n}/", categories=[a_category])
    locations = sitemap_locations(client)
    assert locations.count(site_url("/categories/deep-learning/")) == 1
    assert len(locations) == 1 + 3 + 1


# robots.txt


def test_robots_txt_is_plain_text_naming_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "User-agent: *" in lines


def test_robots_txt_keeps_crawlers_out_of_admin_and_the_editor(client, db):
    lines = client.get("/robots.txt").text.splitlines()
    assert "Disallow: /admin/" in lines
    assert "Disallow: /editor/" in lines
    assert "Disallow: /" not in lines
