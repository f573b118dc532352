"""The public pages: front page, categories, a post, and the error pages."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone

from posts.models import Category, Post
from tests.conftest import ARTICLE_TITLE, make_post, session_queries
from tests.html import parse

pytestmark = pytest.mark.django_db

# The post page's queries for an anonymous visitor (first visit, nothing cached): the
# post, its categories, its checklist items, the count of approved comments, the count
# of comment threads and the page of threads. Categories and headings add none.
POST_PAGE_QUERIES = 6


def summaries(response):
    """The titles of the posts a listing shows, in order."""
    return [article.find("h2").text for article in parse(response).find_all("article")]


def a_day(days_from_now):
    return timezone.now() + timedelta(days=days_from_now)


# Front page


def test_the_front_page_lists_published_posts_newest_first(client):
    make_post(title="Middle", slug="middle", permalink="/middle/", published_at=a_day(-5))
    make_post(title="Newest", slug="newest", permalink="/newest/", published_at=a_day(-1))
    make_post(title="Oldest", slug="oldest", permalink="/oldest/", published_at=a_day(-30))
    response = client.get("/")
    assert response.status_code == 200
    assert summaries(response) == ["Newest", "Middle", "Oldest"]


def test_the_front_page_shows_each_posts_title_description_date_time_and_categories(
    client, the_article
):
    the_article.publication_date = timezone.make_aware(datetime(2020, 5, 1, 12, 0))
    the_article.save()
    summary = parse(client.get("/")).find("article")
    link = summary.find("h2").find("a")
    assert (link.text, link["href"]) == (ARTICLE_TITLE, "/dl_advice/")
    assert "or Machine Learning" in summary.text
    assert summary.find("time").text == "1 May 2020"
    assert summary.find("time")["datetime"].startswith("2020-05-01T12:00:00")
    assert f"{the_article.reading_minutes} min read" in summary.text
    categories = {a.text: a["href"] for a in summary.find_all("a", class_="category")}
    assert categories == {
        "Deep Learning": reverse("pages:category", args=["deep-learning"]),
        "Thoughts": reverse("pages:category", args=["thoughts"]),
    }


def test_the_articles_page_shows_a_reader_their_progress_in_each_post(client, a_reader):
    from checklists.progress import set_tick

    ticked = make_post(title="Ticked", slug="ticked", permalink="/ticked/")
    make_post(title="Untouched", slug="untouched", permalink="/untouched/", published_at=a_day(-1))
    make_post(title="No list", slug="no-list", permalink="/no-list/", body="Just text.")
    set_tick(user=a_reader, item=ticked.checklist_items.first(), done=True)
    client.force_login(a_reader)

    articles = parse(client.get("/")).find_all("article")

    progress = {
        article.find("h2").text: [p.text for p in article.find_all("p") if "progress" in p.text]
        for article in articles
    }
    assert progress == {
        "Ticked": ["Your progress: 1 of 2 done (50%)"],
        "Untouched": ["Your progress: 0 of 2 done (0%)"],
        "No list": [],
    }
    bars = {article.find("h2").text: article.find_all("progress") for article in articles}
    assert [(bar["max"], bar["value"]) for bar in bars["Ticked"]] == [("2", "1")]


def test_the_articles_page_shows_a_visitor_no_progress(client, a_post):
    assert parse(client.get("/")).find("article").find_all("progress") == []


def test_the_articles_page_costs_a_reader_two_more_queries_for_their_progress(
    client, a_reader, django_assert_num_queries
):
    for n in range(5):
        make_post(slug=f"p{n}", permalink=f"/p{n}/")
    client.force_login(a_reader)

    # The user, the posts, their categories, the posts about to be published, the reader's
    # ticks per post and the items per post (and the session: see session_queries()).
    with django_assert_num_queries(1 + 3 + 2 + session_queries()):
        client.get("/")
    with django_assert_num_queries(1 + session_queries()):  # then from the page cache
        client.get("/")


def test_drafts_and_scheduled_posts_are_not_on_the_front_page(client, a_post):
    make_post(title="Draft", slug="draft", permalink="/draft/", status=Post.Status.DRAFT)
    make_post(title="Tomorrow", slug="tomorrow", permalink="/tomorrow/", published_at=a_day(1))
    assert summaries(client.get("/")) == ["A test post"]


def test_drafts_are_not_listed_even_for_staff(editor_client, a_post):
    make_post(title="Draft", slug="draft", permalink="/draft/", status=Post.Status.DRAFT)
    assert summaries(editor_client.get("/")) == ["A test post"]


def test_an_empty_front_page_says_nothing_is_published(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "Nothing is published yet." in parse(response).find("main").text


# Drafts and scheduled posts


@pytest.fixture
def a_secret_draft(db):
    return make_post(title="Secret draft", slug="draft", permalink="/draft/", status="draft")


@pytest.fixture
def a_scheduled_post(db):
    return make_post(title="Coming soon", slug="soon", permalink="/soon/", published_at=a_day(2))


@pytest.mark.parametrize("unpublished", ["a_secret_draft", "a_scheduled_post"])
def test_an_unpublished_post_is_not_found_by_visitors(client, unpublished, request):
    post = request.getfixturevalue(unpublished)
    response = client.get(post.permalink)
    assert response.status_code == 404
    assert post.title not in response.text


@pytest.mark.parametrize("unpublished", ["a_secret_draft", "a_scheduled_post"])
def test_an_unpublished_post_is_not_found_by_readers(reader_client, unpublished, request):
    post = request.getfixturevalue(unpublished)
    assert reader_client.get(post.permalink).status_code == 404


@pytest.mark.parametrize(
    ("unpublished", "badge"),
    [
        ("a_secret_draft", "Draft, visible to staff only"),
        ("a_scheduled_post", "Scheduled for {when}, visible to staff only"),
    ],
)
def test_staff_see_an_unpublished_post_marked_as_a_draft_or_scheduled(
    client, a_staff_member, unpublished, badge, request
):
    """A scheduled post says when it appears (issue 22), not "Draft"."""
    post = request.getfixturevalue(unpublished)
    client.force_login(a_staff_member)
    response = client.get(post.permalink)
    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == post.title
    when = formats.date_format(timezone.localtime(post.published_at), "j F Y, H:i")
    assert page.find("strong", class_="badge").text == badge.format(when=when)
    assert page.find("meta", name="robots")["content"] == "noindex"


def test_the_scheduled_badge_tells_the_time_in_the_sites_time_zone(
    client, a_staff_member, settings
):
    settings.TIME_ZONE = "Europe/Paris"
    post = make_post(
        title="Later",
        slug="later",
        permalink="/later/",
        published_at=datetime(2127, 1, 15, 8, 0, tzinfo=UTC),
    )
    client.force_login(a_staff_member)
    page = parse(client.get(post.permalink))
    assert (
        page.find("strong", class_="badge").text
        == "Scheduled for 15 January 2127, 09:00, visible to staff only"
    )


def test_a_published_post_has_no_draft_marker(client, a_post):
    page = parse(client.get(a_post.permalink))
    assert page.find_all(class_="badge") == []
    assert page.find_all("meta", name="robots") == []


# Categories


def test_a_category_page_lists_its_published_posts(client, a_category):
    other = Category.objects.create(name="Career", slug="career")
    make_post(title="In it", slug="in", permalink="/in/", categories=[a_category])
    make_post(title="Elsewhere", slug="out", permalink="/out/", categories=[other])
    make_post(
        title="Draft in it", slug="d", permalink="/d/", status="draft", categories=[a_category]
    )
    response = client.get(reverse("pages:category", args=["deep-learning"]))
    assert response.status_code == 200
    assert parse(response).find("h1").text == "Category: Deep Learning"
    assert summaries(response) == ["In it"]


def test_an_empty_category_says_so(client, a_category):
    response = client.get(a_category.get_absolute_url())
    assert "No published articles in this category yet." in parse(response).find("main").text


def test_an_unknown_category_is_not_found(client, db):
    assert client.get(reverse("pages:category", args=["no-such-category"])).status_code == 404


# A post's page


def test_the_post_page_shows_the_post(client, the_article):
    the_article.publication_date = timezone.make_aware(datetime(2020, 5, 1))
    the_article.save()
    response = client.get("/dl_advice/")
    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == ARTICLE_TITLE
    meta = page.find("p", class_="post-meta")
    assert meta.find("time").text == "1 May 2020"
    assert "2 min read" in meta.text
    assert [a.text for a in meta.find_all("a", class_="category")] == ["Deep Learning", "Thoughts"]
    assert "Don’t learn Machine Learning" in page.find("main").text
    assert page.find("title").text == f"{ARTICLE_TITLE} · {settings.SITE_NAME}"


def test_the_post_page_shows_the_checklist_as_checkboxes(client, the_article):
    page = parse(client.get("/dl_advice/"))
    checkboxes = page.find("div", class_="post-body").find_all("input", type="checkbox")
    assert len(checkboxes) == 9
    for box in checkboxes:
        assert page.accessible_name(box)


def test_the_table_of_contents_links_to_every_section(client, the_article):
    page = parse(client.get("/dl_advice/"))
    toc = page.find("nav", aria_label="Table of contents")
    targets = [link["href"] for link in toc.find_all("a")]
    section_ids = [h2["id"] for h2 in page.find("div", class_="post-body").find_all("h2")]
    assert targets == [f"#{anchor}" for anchor in section_ids]
    assert len(targets) == 9
    assert targets[0] == "#dont-learn-machine-learning"
    assert toc.find_all("a")[0].text == "Don’t learn Machine Learning"


def test_a_post_without_sections_has_no_table_of_contents(client):
    make_post(body="Just a paragraph.")
    page = parse(client.get("/a-test-post/"))
    assert page.find_all("nav", aria_label="Table of contents") == []


def test_the_post_page_tells_search_engines_and_social_sites_about_the_post(client, the_article):
    page = parse(client.get("/dl_advice/"))
    assert page.find("link", rel="canonical")["href"] == settings.SITE_URL + "/dl_advice/"
    assert page.find("meta", property="og:title")["content"] == ARTICLE_TITLE
    assert page.find("meta", property="og:description")["content"] == "or Machine Learning"
    assert page.find("meta", property="og:type")["content"] == "article"
    assert page.find("meta", name="twitter:card")["content"] == "summary"
    assert page.find("meta", name="description")["content"] == "or Machine Learning"


def test_the_canonical_address_drops_the_query_string(client, a_post):
    page = parse(client.get("/a-test-post/?utm_source=feed"))
    assert page.find("link", rel="canonical")["href"] == settings.SITE_URL + "/a-test-post/"


def test_a_post_address_without_the_trailing_slash_redirects_to_it(client, a_post):
    response = client.get("/a-test-post")
    assert response.status_code == 301
    assert response["Location"] == "/a-test-post/"


def test_an_unknown_address_is_not_found(client, a_post):
    assert client.get("/no-such-post/").status_code == 404


def test_the_post_page_takes_a_fixed_small_number_of_queries(client, django_assert_num_queries, db):
    one = make_post(categories=[Category.objects.create(name="Only", slug="only")])
    with django_assert_num_queries(POST_PAGE_QUERIES):
        assert client.get(one.permalink).status_code == 200


def test_more_categories_and_headings_do_not_add_queries(client, django_assert_num_queries, db):
    categories = [Category.objects.create(name=f"Topic {n}", slug=f"topic-{n}") for n in range(5)]
    body = "".join(f'## <input type="checkbox"> Step {n}\n\nText.\n\n' for n in range(9))
    many = make_post(slug="many", permalink="/many/", body=body, categories=categories)
    with django_assert_num_queries(POST_PAGE_QUERIES):
        response = client.get(many.permalink)
    page = parse(response)
    assert len(page.find("p", class_="post-meta").find_all("a", class_="category")) == 5
    assert len(page.find("div", class_="post-body").find_all("h2")) == 9


def test_the_listing_pages_take_a_fixed_number_of_queries(client, django_assert_num_queries, db):
    categories = [Category.objects.create(name=f"Topic {n}", slug=f"topic-{n}") for n in range(5)]
    for n in range(5):
        make_post(slug=f"p{n}", permalink=f"/p{n}/", categories=categories)
    # The posts, their categories, and whether one is about to be published.
    with django_assert_num_queries(3):
        client.get("/")
    with django_assert_num_queries(4):  # and the category
        client.get(reverse("pages:category", args=["topic-1"]))
    with django_assert_num_queries(0):  # then from the page cache (issue 23)
        client.get("/")
        client.get(reverse("pages:category", args=["topic-1"]))


def test_the_articles_page_shows_a_new_comment_count_and_a_new_title_at_once(client, a_post):
    from comments.models import Comment

    from ..comments.conftest import add_comment

    client.get("/")
    waiting = add_comment(a_post, None, "Held", author_name="Dana", status="pending")
    assert "0 comments" in client.get("/").content.decode()  # (it awaits a moderator)

    waiting.status = Comment.Status.APPROVED
    waiting.save()
    assert "1 comment" in client.get("/").content.decode()

    a_post.title = "A retitled post"
    a_post.save()
    assert summaries(client.get("/")) == ["A retitled post"]


def test_a_readers_progress_on_the_articles_page_follows_the_posts_items(client, a_post, a_reader):
    from checklists.progress import set_tick

    first, second = a_post.checklist_items.order_by("position")
    set_tick(user=a_reader, item=first, done=True)
    client.force_login(a_reader)
    assert "1 of 2 done" in client.get("/").content.decode()
    client.get("/")  # now from the page cache

    second.delete()  # as the items' admin would

    assert "1 of 1 done" in client.get("/").content.decode()


def test_a_list_is_not_kept_past_a_scheduled_posts_time(client, a_post):
    from datetime import timedelta

    from django.utils import timezone

    make_post(
        title="Soon",
        slug="soon",
        permalink="/soon/",
        published_at=timezone.now() + timedelta(seconds=30),
    )

    response = client.get("/")

    assert summaries(response) == ["A test post"]
    assert "no-store" in response["Cache-Control"]  # built again until it is public


# Every page's layout


@pytest.fixture
def every_page(client, the_article):
    """One response of each kind of page a visitor can reach."""
    return {
        "front page": client.get("/"),
        "category": client.get(reverse("pages:category", args=["deep-learning"])),
        "post": client.get("/dl_advice/"),
        "not found": client.get("/no-such-page/"),
    }


PAGES = ["front page", "category", "post", "not found"]


@pytest.mark.parametrize("page_name", PAGES)
def test_every_page_has_exactly_one_main_heading(every_page, page_name):
    assert len(parse(every_page[page_name]).find_all("h1")) == 1


@pytest.mark.parametrize("page_name", PAGES)
def test_every_page_starts_with_a_skip_link_to_the_main_content(every_page, page_name):
    page = parse(every_page[page_name])
    first_link = page.find("body").find_all("a")[0]
    assert first_link["href"] == "#content"
    assert first_link.text == "Skip to content"
    assert page.find(id="content").tag == "main"


@pytest.mark.parametrize("page_name", PAGES)
def test_every_page_has_a_canonical_link_and_social_meta_tags(every_page, page_name):
    page = parse(every_page[page_name])
    assert page.find("link", rel="canonical")["href"].startswith(("http://", "https://"))
    assert page.find("meta", property="og:url")["content"].startswith(("http://", "https://"))
    assert page.find("meta", property="og:title")["content"]
    assert page.find("meta", property="og:description")["content"]
    assert page.find("meta", name="twitter:card")["content"] == "summary"


@pytest.mark.parametrize("page_name", PAGES)
def test_canonical_links_name_the_address_of_site_url(every_page, page_name):
    page = parse(every_page[page_name])
    # The site's address comes from SITE_URL, not from the request's Host.
    assert page.find("link", rel="canonical")["href"].startswith(settings.SITE_URL + "/")
    assert page.find("meta", property="og:url")["content"].startswith(settings.SITE_URL + "/")


@pytest.mark.parametrize("page_name", PAGES)
def test_every_page_points_feed_readers_to_the_feed(every_page, page_name):
    feed = parse(every_page[page_name]).find("link", rel="alternate")
    assert feed["type"] == "application/atom+xml"
    assert feed["href"] == reverse("feed")


@pytest.mark.parametrize("page_name", PAGES)
def test_every_page_is_html_in_english(every_page, page_name):
    response = every_page[page_name]
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert parse(response).find("html")["lang"] == "en"


# Error pages


def test_the_not_found_page_uses_the_site_layout(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = parse(response)
    assert page.find("h1").text == "Page not found"
    assert page.find("nav", aria_label="Site").find("a", href="/").text == "Articles"
    assert page.find("link", rel="stylesheet")["href"] == "/static/css/site.css"


def test_the_server_error_page_renders_without_a_request():
    html = render_to_string("500.html")
    page = parse(html)
    assert page.find("h1").text == "Something went wrong"
    assert page.find("main")["id"] == "content"
    assert page.find("main").find("a", href="/").text == "See all articles"


def test_a_redirect_to_the_permalink_keeps_the_query_string(client, a_post):
    response = client.get("/a-test-post//?utm_source=feed")
    assert response.status_code == 301
    assert response["Location"] == "/a-test-post/?utm_source=feed"


def test_a_category_page_lists_its_posts_newest_first(client, a_category):
    for title, days in [("Middle", -5), ("Newest", -1), ("Oldest", -30)]:
        make_post(
            title=title,
            slug=title.lower(),
            permalink=f"/{title.lower()}/",
            published_at=a_day(days),
            categories=[a_category],
        )
    assert summaries(client.get(a_category.get_absolute_url())) == ["Newest", "Middle", "Oldest"]


# The date a reader sees (issue 13): the post's own date, never the import's


def post_meta(client, address="/a-test-post/"):
    return parse(client.get(address)).find("p", class_="post-meta")


def test_a_post_without_a_date_of_its_own_shows_none(client, the_article):
    # The bundled article has no date in its front matter or file name.
    assert the_article.publication_date is None
    meta = post_meta(client, "/dl_advice/")
    assert meta.find_all("time") == []
    assert str(timezone.now().year) not in meta.text


def test_the_shown_date_comes_from_the_front_matter(client, write_post_file):
    from posts.importing import import_post

    import_post(write_post_file("---\ntitle: T\npermalink: /t/\ndate: 2019-03-04 10:00\n---\nX\n"))
    [shown] = post_meta(client, "/t/").find_all("time")
    assert (shown.text, shown["datetime"]) == ("4 March 2019", "2019-03-04T10:00:00+00:00")


def test_the_shown_date_comes_from_a_jekyll_file_name(client, write_post_file):
    from posts.importing import import_post

    import_post(write_post_file("---\ntitle: T\n---\nX\n", "2018-07-09-t.md"))
    assert [time.text for time in post_meta(client, "/t/").find_all("time")] == ["9 July 2018"]


def test_the_shown_date_does_not_order_posts(client, db):
    now = timezone.now()
    make_post(title="Newer", slug="n", permalink="/n/", published_at=now - timedelta(1),
              publication_date=now - timedelta(days=900))  # fmt: skip
    make_post(title="Older", slug="o", permalink="/o/", published_at=now - timedelta(2),
              publication_date=now)  # fmt: skip
    assert summaries(client.get("/")) == ["Newer", "Older"]


def test_an_updated_date_appears_when_the_content_changed_after_publication(client, a_post):
    a_post.publication_date = timezone.now() - timedelta(days=30)
    a_post.published_at = a_post.publication_date
    a_post.save()
    assert "Updated" not in post_meta(client).text
    a_post.body += "\nOne more thing.\n"
    a_post.save()
    meta = post_meta(client)
    shown, updated = meta.find_all("time")
    assert "Updated" in meta.text
    assert updated.text == timezone.localtime().strftime("%-d %B %Y")


def test_saving_without_changing_the_content_shows_no_updated_date(client, a_post):
    a_post.publication_date = a_post.published_at = timezone.now() - timedelta(days=30)
    a_post.save()
    a_post.allow_comments = False
    a_post.save()
    assert "Updated" not in post_meta(client).text


def test_an_edit_on_the_day_of_publication_is_no_update(client, a_post):
    a_post.publication_date = timezone.now()
    a_post.body += "\nA typo fixed.\n"
    a_post.save()
    assert "Updated" not in post_meta(client).text
