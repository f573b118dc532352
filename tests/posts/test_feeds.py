"""What feed readers, search engines and crawlers get: the Atom feed, sitemap and robots.txt."""

from datetime import timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from posts.models import Category, Post
from tests.conftest import ARTICLE_CHECKLIST, ARTICLE_TITLE, CASES, make_post
from tests.html import parse

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def site_url(path):
    return settings.SITE_URL + path


def get_feed(client):
    response = client.get(reverse("feed"))
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
    assert "Don’t learn Machine Learning" in summary.text
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
    response = client.get(reverse("sitemap"))
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
            site_url(reverse("pages:category", args=["deep-learning"])),
            site_url(reverse("pages:category", args=["thoughts"])),
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
    assert locations.count(site_url(reverse("pages:category", args=["deep-learning"]))) == 1
    assert len(locations) == 1 + 3 + 1


# robots.txt


def test_robots_txt_is_plain_text_naming_the_sitemap(client, db):
    response = client.get(reverse("robots"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in lines
    assert "User-agent: *" in lines


def test_robots_txt_keeps_crawlers_out_of_admin_and_the_editor(client, db):
    lines = client.get(reverse("robots")).text.splitlines()
    assert "Disallow: /admin/" in lines
    assert "Disallow: /editor/" in lines
    assert "Disallow: /" not in lines


# What feed readers see (issue 10)


def parsed_feed(client, **headers):
    response = client.get(reverse("feed"), **headers)
    assert response.status_code == 200
    return feedparser.parse(response.content)


def test_a_real_feed_parser_reads_the_feed_without_complaint(client, the_article):
    feed = parsed_feed(client)
    assert feed.bozo is False, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == settings.SITE_NAME
    [entry] = feed.entries
    assert entry.title == ARTICLE_TITLE
    assert entry.link == settings.SITE_URL + "/dl_advice/"
    assert sorted(tag.term for tag in entry.tags) == ["Deep Learning", "Thoughts"]
    assert "Learn a framework well" in entry.summary


def test_checklist_headings_reach_feed_readers_as_plain_headings(client, the_article):
    summary = parsed_feed(client).entries[0].summary
    headings = parse(summary).find_all("h2")
    assert [heading.text for heading in headings] == ARTICLE_CHECKLIST
    assert parse(summary).find_all("input") == []
    assert parse(summary).find_all("label") == []
    # And in the raw XML too, not only after feedparser's sanitizer.
    raw = ElementTree.fromstring(client.get(reverse("feed")).content)
    content = raw.find(f"{ATOM}entry/{ATOM}summary").text
    assert "<input" not in content and "<label" not in content


C0_FORBIDDEN = [chr(code) for code in range(0x20) if chr(code) not in "\t\n\r"]


def test_every_forbidden_control_character_stored_in_a_post_leaves_the_feed_valid(client, db):
    """Whatever was stored (here written past Post.save(), as old rows or raw SQL
    could be), the feed and the sitemap stay well-formed XML with the text around."""
    category = Category.objects.create(name="Cat", slug="cat")
    post = make_post(title="Title", categories=[category])
    controls = "".join(C0_FORBIDDEN)
    if connection.vendor == "postgresql":  # its text cannot hold NUL at all
        controls = controls.replace("\x00", "")
    Post.objects.filter(pk=post.pk).update(
        title=f"Ti{controls}tle", body_html=f"<p>Bo{controls}dy</p>", description=controls
    )
    Category.objects.filter(pk=category.pk).update(name=f"Ca{controls}t")
    response = client.get(reverse("feed"))
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.bozo is False, feed.get("bozo_exception")
    [entry] = feed.entries
    # Form feeds and other separators became spaces; the other controls are gone.
    assert entry.title == "Ti" + " " * 6 + "tle"
    assert "Bo      dy" in entry.summary
    assert [tag.term for tag in entry.tags] == ["Ca      t"]
    sitemap = client.get(reverse("sitemap"))
    assert sitemap.status_code == 200
    ElementTree.fromstring(sitemap.content)


@pytest.mark.parametrize("character", C0_FORBIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_each_forbidden_character_saved_in_title_body_or_category_is_dropped(character, client, db):
    category = Category.objects.create(name=f"A{character}B", slug="ab")
    make_post(
        title=f"A{character}B",
        body=f'## <input type="checkbox"> Step {character}one\n\nPage{character}two\n',
        categories=[category],
    )
    feed = parsed_feed(client)
    assert feed.bozo is False, feed.get("bozo_exception")
    separator = " " if character.isspace() else ""
    assert feed.entries[0].title == f"A{separator}B"
    assert f"Page{separator}two" in feed.entries[0].summary
    assert feed.entries[0].tags[0].term == f"A{separator}B"


def test_the_form_feed_case_answers_200_everywhere(client, db):
    from posts.importing import import_post

    import_post(CASES / "ff.md")
    assert parsed_feed(client).entries[0].summary == "<p>Page one page two.</p>"
    for address in ("/ff/", reverse("sitemap"), "/"):
        assert client.get(address).status_code == 200


# Conditional GET


@pytest.mark.parametrize("address", [reverse("feed"), reverse("sitemap")])
def test_an_unchanged_feed_or_sitemap_answers_304_to_if_none_match(client, the_article, address):
    first = client.get(address)
    assert first["ETag"]
    again = client.get(address, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize("address", [reverse("feed"), reverse("sitemap")])
def test_an_unchanged_feed_or_sitemap_answers_304_to_if_modified_since(
    client, the_article, address
):
    first = client.get(address)
    again = client.get(address, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304


@pytest.mark.parametrize("address", [reverse("feed"), reverse("sitemap")])
def test_an_edit_makes_the_feed_and_sitemap_answer_200_again(client, the_article, address):
    first = client.get(address)
    the_article.title = "A new title"
    the_article.save()
    again = client.get(
        address, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert again.status_code == 200


@pytest.mark.parametrize("address", [reverse("feed"), reverse("sitemap")])
def test_a_deleted_post_or_renamed_category_changes_the_etag(client, the_article, address):
    other = make_post(slug="other", permalink="/other/")
    first = client.get(address)
    other.delete()
    second = client.get(address, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    Category.objects.filter(slug="thoughts").update(name="Musings", slug="musings")
    third = client.get(address, HTTP_IF_NONE_MATCH=second["ETag"])
    assert third.status_code == 200


def test_filing_a_post_under_a_category_without_saving_it_changes_the_feeds_etag(
    client, the_article
):
    # "Thoughts" is already in use (by the article): only the pairing changes.
    other = make_post(slug="other", permalink="/other/")
    first = client.get(reverse("feed"))

    other.categories.add(Category.objects.get(slug="thoughts"))

    second = client.get(reverse("feed"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second.content.decode().count('term="Thoughts"') == 2


def test_a_304_costs_two_small_queries(client, the_article, django_assert_num_queries):
    etag = client.get(reverse("feed"))["ETag"]
    with django_assert_num_queries(2):
        assert client.get(reverse("feed"), HTTP_IF_NONE_MATCH=etag).status_code == 304


# One address for the site: SITE_URL


@pytest.fixture
def a_new_address(settings, the_article):
    """A start with a new SITE_URL, while the sites row still names the old host."""
    settings.SITE_URL = "https://advice.example.org"
    Site.objects.filter(pk=settings.SITE_ID).update(domain="old.example.com")
    Site.objects.clear_cache()
    return settings.SITE_URL


def test_robots_sitemap_and_feed_all_name_the_address_of_site_url(client, a_new_address):
    robots = client.get(reverse("robots")).text.splitlines()
    assert f"Sitemap: {a_new_address}/sitemap.xml" in robots
    assert sorted(sitemap_locations(client)) == sorted(
        f"{a_new_address}{path}"
        for path in (
            "/",
            "/dl_advice/",
            reverse("pages:category", args=["deep-learning"]),
            reverse("pages:category", args=["thoughts"]),
        )
    )
    feed = parsed_feed(client)
    assert feed.feed.link == f"{a_new_address}/"
    assert feed.entries[0].link == f"{a_new_address}/dl_advice/"
    assert feed.entries[0].id == f"{a_new_address}/dl_advice/"
    assert "old.example.com" not in client.get(reverse("feed")).text


def test_canonical_links_name_the_address_of_site_url(client, a_new_address):
    page = parse(client.get("/", HTTP_HOST="localhost"))
    assert page.find("link", rel="canonical")["href"] == f"{a_new_address}/"
    assert page.find("meta", property="og:url")["content"] == f"{a_new_address}/"


def test_a_changed_site_url_changes_the_feeds_etag(client, the_article, settings):
    etag = client.get(reverse("feed"))["ETag"]
    settings.SITE_URL = "https://advice.example.org"
    assert client.get(reverse("feed"), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_every_migrate_writes_site_url_and_site_name_into_the_sites_row(settings, db):
    settings.SITE_URL = "https://advice.example.org:8443"
    settings.SITE_NAME = "Advice Elsewhere"
    call_command("migrate", verbosity=0)
    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.domain, site.name) == ("advice.example.org:8443", "Advice Elsewhere")


def test_the_sites_admin_is_gone_since_the_setting_rules(editor_client):
    assert editor_client.get("/admin/sites/site/").status_code == 404
