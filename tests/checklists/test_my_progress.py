"""My progress: every post the reader ticked in, and resetting one post after confirming."""

from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from checklists.models import Tick
from checklists.progress import set_tick
from tests.conftest import make_post

from .helpers import checklist_body, items_by_text, parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_posts_ticked(the_article, a_post, a_reader):
    article = items_by_text(the_article)
    for text in ("Learn a framework well", "Be hands-on from Day One"):
        set_tick(user=a_reader, item=article[text], done=True)
    set_tick(user=a_reader, item=items_by_text(a_post)["First thing"], done=True)
    return the_article, a_post


def card(page, post):
    return page.find("section", aria_labelledby=f"progress-post-{post.pk}")


def test_a_visitor_sees_the_ticks_kept_in_their_browser_and_why_to_log_in(client, a_post):
    """Issue 18: "All done! My progress" sent a visitor to a bare log-in page."""
    first = items_by_text(a_post)["First thing"]
    client.post(reverse("checklists:set", args=[first.pk]), {"done": "true"})

    response = client.get(reverse("checklists:my_progress"))

    assert response.status_code == 200
    page = parse(response)
    post_card = card(page, a_post)
    assert post_card.find("p", id=f"progress-post-{a_post.pk}-summary").text == "1 of 2 done (50%)"
    assert [li.find("a").text for li in post_card.find("ul").find_all("li")] == ["First thing"]
    note = page.find("p", class_="checklist-note")
    assert "kept in this browser only" in note.text
    assert "to keep your progress across devices" in note.text
    links = {a.text: a["href"] for a in note.find_all("a")}
    assert links == {
        "Log in": "/accounts/login/?next=/progress/",
        "sign up": "/accounts/signup/?next=/progress/",
    }


def test_a_visitor_without_ticks_is_told_how_to_start(client):
    page = parse(client.get(reverse("checklists:my_progress")))

    assert "You have not ticked anything yet" in page.find("main").text
    assert "kept in this browser only" in page.find("p", class_="checklist-note").text


def test_a_readers_page_has_no_note_for_visitors(reader_client):
    page = parse(reader_client.get(reverse("checklists:my_progress")))

    assert page.find_all("p", class_="checklist-note") == []


def test_my_progress_lists_each_post_with_its_progress_and_ticked_items(
    reader_client, two_posts_ticked
):
    the_article, a_post = two_posts_ticked
    ticked_at = timezone.localtime(Tick.objects.filter(item__post=a_post).get().ticked_at)

    page = parse(reader_client.get(reverse("checklists:my_progress")))

    article_card = card(page, the_article)
    assert article_card.find("h2").text == the_article.title
    assert article_card.find("h2").find("a")["href"] == "/dl_advice/"
    assert article_card.find("p", id=f"progress-post-{the_article.pk}-summary").text == (
        "2 of 9 done (22%)"
    )
    bar = article_card.find("progress")
    assert (bar["max"], bar["value"], page.accessible_name(bar)) == ("9", "2", "2 of 9 done (22%)")
    assert [li.find("a").text for li in article_card.find("ul").find_all("li")] == [
        "Learn a framework well",
        "Be hands-on from Day One",
    ]
    assert [li.find("a")["href"] for li in article_card.find("ul").find_all("li")] == [
        "/dl_advice/#learn-a-framework-well",
        "/dl_advice/#be-hands-on-from-day-one",
    ]

    post_card = card(page, a_post)
    assert post_card.find("p", id=f"progress-post-{a_post.pk}-summary").text == "1 of 2 done (50%)"
    when = post_card.find("time")
    # HTML's global date and time: UTC, to the second (at most 3 fraction digits allowed).
    assert when["datetime"] == ticked_at.astimezone(UTC).isoformat(timespec="seconds")
    assert when.text == ticked_at.strftime("%-d %B %Y, %H:%M")


def test_my_progress_leaves_out_other_readers_and_untouched_posts(
    reader_client, a_post, another_reader
):
    set_tick(user=another_reader, item=a_post.checklist_items.first(), done=True)
    make_post(title="Untouched", slug="untouched", permalink="/untouched/")

    page = parse(reader_client.get(reverse("checklists:my_progress")))

    assert not page.find_all("section", class_="progress-card")
    assert "You have not ticked anything yet" in page.find("main").text


def test_my_progress_counts_current_items_only(reader_client, a_reader):
    post = make_post(body=checklist_body("One", "Two", "Three"))
    items = items_by_text(post)
    set_tick(user=a_reader, item=items["One"], done=True)
    set_tick(user=a_reader, item=items["Two"], done=True)
    post.body = checklist_body("One", "Three")
    post.save()

    page = parse(reader_client.get(reverse("checklists:my_progress")))

    assert card(page, post).find("p", id=f"progress-post-{post.pk}-summary").text == (
        "1 of 2 done (50%)"
    )
    assert [li.find("a").text for li in card(page, post).find_all("li")] == ["One"]


def test_my_progress_runs_the_same_queries_for_one_or_many_ticks(reader_client, a_reader):
    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            assert reader_client.get(reverse("checklists:my_progress")).status_code == 200
        return len(context)

    post = make_post(body=checklist_body(*(f"Step {n}" for n in range(1, 21))))
    set_tick(user=a_reader, item=post.checklist_items.first(), done=True)
    few = count_queries()

    for item in post.checklist_items.all()[1:]:
        set_tick(user=a_reader, item=item, done=True)
    other = make_post(title="Other", slug="other", permalink="/other/")
    for item in other.checklist_items.all():
        set_tick(user=a_reader, item=item, done=True)

    assert count_queries() == few


def test_reset_asks_for_confirmation_first(reader_client, a_reader, two_posts_ticked):
    the_article, _ = two_posts_ticked
    url = f"/checklists/posts/{the_article.pk}/reset/?next=/progress/"

    page = parse(reader_client.get(url))

    assert page.find("h1").text == "Reset your progress?"
    assert "all 2 of the 9 items" in page.find("main").text
    form = page.find("form", action=reverse("checklists:reset", args=[the_article.pk]))
    assert form["method"] == "post"
    assert form.find("input", name="next")["value"] == reverse("checklists:my_progress")
    assert Tick.objects.filter(user=a_reader).count() == 3


def test_reset_forgets_one_posts_ticks_and_leaves_the_others(
    reader_client, a_reader, another_reader, two_posts_ticked
):
    the_article, a_post = two_posts_ticked
    other_item = items_by_text(the_article)["Learn a framework well"]
    set_tick(user=another_reader, item=other_item, done=True)

    response = reader_client.post(
        reverse("checklists:reset", args=[the_article.pk]),
        {"next": reverse("checklists:my_progress")},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("checklists:my_progress")
    assert list(Tick.objects.filter(user=a_reader).values_list("item__text", flat=True)) == [
        "First thing"
    ]
    assert Tick.objects.filter(user=another_reader).count() == 1
    other_item.refresh_from_db()
    assert other_item.reader_count == 1
    page = parse(reader_client.get(reverse("checklists:my_progress")))
    assert not page.find_all("section", aria_labelledby=f"progress-post-{the_article.pk}")
    assert card(page, a_post)


def test_the_post_pages_reset_link_leads_to_the_confirmation_and_back_to_the_post(
    reader_client, a_reader, two_posts_ticked
):
    the_article, _ = two_posts_ticked
    post_page = parse(reader_client.get(the_article.get_absolute_url()))
    link = [a for a in post_page.find_all("a") if a.text == "Reset progress"]
    assert len(link) == 1

    confirm = parse(reader_client.get(link[0]["href"]))
    form = confirm.find("main").find("form", method="post")
    data = {field["name"]: field["value"] for field in form.find_all("input", type="hidden")}
    response = reader_client.post(form["action"], data)

    assert response["Location"] == the_article.get_absolute_url()
    assert not Tick.objects.filter(user=a_reader, item__post=the_article).exists()


def test_my_progress_links_to_reset_each_post(reader_client, two_posts_ticked):
    the_article, a_post = two_posts_ticked

    page = parse(reader_client.get(reverse("checklists:my_progress")))

    for post in (the_article, a_post):
        link = card(page, post).find(
            "a", href=f"/checklists/posts/{post.pk}/reset/?next=/progress/"
        )
        assert link.text == f"Reset progress for {post.title}"


def test_reset_will_not_send_the_reader_to_another_site(reader_client, a_post):
    response = reader_client.post(
        reverse("checklists:reset", args=[a_post.pk]), {"next": "https://evil.example/"}
    )

    assert response["Location"] == a_post.get_absolute_url()


def test_reset_of_a_draft_is_404_for_readers(reader_client, a_draft):
    assert reader_client.get(reverse("checklists:reset", args=[a_draft.pk])).status_code == 404
    assert reader_client.post(reverse("checklists:reset", args=[a_draft.pk])).status_code == 404


def test_ticks_are_listed_with_the_time_they_were_made(reader_client, a_reader, a_post):
    first, second = a_post.checklist_items.all()
    set_tick(user=a_reader, item=first, done=True)
    Tick.objects.update(ticked_at=timezone.now() - timedelta(days=2))
    set_tick(user=a_reader, item=second, done=True)

    page = parse(reader_client.get(reverse("checklists:my_progress")))

    times = [time["datetime"] for time in card(page, a_post).find_all("time")]
    expected = [
        tick.ticked_at.astimezone(UTC).isoformat(timespec="seconds")
        for tick in Tick.objects.order_by("item__position")
    ]
    assert times == expected


@pytest.mark.parametrize("who", ["reader", "visitor"])
def test_my_progress_reads_no_articles_text(client, two_posts_ticked, a_reader, who):
    """Issue 23: a reader with 1,809 ticks on 201 posts read about 18 MB of post text."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if who == "reader":
        client.force_login(a_reader)
    else:  # a visitor's ticks, kept in their session
        for item in Tick.objects.filter(user=a_reader).select_related("item"):
            client.post(reverse("checklists:set", args=[item.item_id]), {"done": "true"})

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("checklists:my_progress"))

    assert response.status_code == 200
    assert "Learn a framework well" in response.content.decode()
    read = "\n".join(query["sql"] for query in queries.captured_queries)
    for column in ("body", "body_html", "headings"):
        assert f'"posts_post"."{column}"' not in read
