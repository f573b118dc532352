"""A returning reader sees what is new since their last visit (issue 10): visits are
recorded at most once an hour, also when the page comes from the page cache."""

from datetime import timedelta

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from checklists.models import ChecklistItem, Visit
from checklists.page import SESSION_VISITS_KEY
from checklists.visits import record_visit
from tests.conftest import make_post, make_user, session_queries

from .helpers import checklist_body, parse

pytestmark = pytest.mark.django_db

HOUR_AND_A_MINUTE = timedelta(minutes=61)


def a_checklist_post():
    return make_post(body=checklist_body("First thing", "Second thing"))


def an_hour_passes(client):
    """Move the visits, this browser's note of them and the items' revisions back by an
    hour and a minute or more, without touching the page cache (as the clock would)."""
    for visit in Visit.objects.all():
        # Through the base QuerySet: no signal, so a page already cached stays cached.
        QuerySet(Visit).filter(pk=visit.pk).update(
            visited_at=visit.visited_at - HOUR_AND_A_MINUTE,
            previous_visited_at=(visit.previous_visited_at - HOUR_AND_A_MINUTE)
            if visit.previous_visited_at
            else None,
        )
    QuerySet(ChecklistItem).update(revised_at=timezone.now() - 2 * HOUR_AND_A_MINUTE)
    session = client.session
    session[SESSION_VISITS_KEY] = {
        path: when - HOUR_AND_A_MINUTE.total_seconds()
        for path, when in session.get(SESSION_VISITS_KEY, {}).items()
    }
    session.save()


def come_back_after_an_edit(client, reader, post, *headings):
    """The reader views `post`, an hour passes, the editor gives it these checklist
    headings, and the reader comes back: the page they get, parsed."""
    client.force_login(reader)
    client.get(post.get_absolute_url())
    an_hour_passes(client)
    post.body = checklist_body(*headings)
    post.save()
    return parse(client.get(post.get_absolute_url()))


def notice(page):
    found = [p for p in page.find_all("p") if "new since your last visit" in p.text]
    return found[0].parent if found else None


def test_a_first_visit_shows_no_notice_and_is_recorded(client, a_reader):
    post = a_checklist_post()
    client.force_login(a_reader)

    page = parse(client.get(post.get_absolute_url()))

    assert notice(page) is None
    visit = Visit.objects.get()
    assert (visit.user, visit.post, visit.previous_visited_at) == (a_reader, post, None)


def test_items_added_or_reworded_since_the_last_visit_are_listed_and_marked(client, a_reader):
    post = a_checklist_post()

    page = come_back_after_an_edit(
        client, a_reader, post, "First thing", "The second thing, reworded", "A third thing"
    )

    box = notice(page)
    assert box.find("p").text.startswith("2 items new since your last visit on ")
    assert [(link.text, link["href"]) for link in box.find_all("a")] == [
        ("The second thing, reworded", "#the-second-thing-reworded"),
        ("A third thing", "#a-third-thing"),
    ]
    contents = page.find("nav", aria_label="Table of contents")
    marked = [li.find("a").text for li in contents.find_all("li") if "new" in li.text.split()]
    assert marked == ["The second thing, reworded", "A third thing"]


def test_a_moved_item_is_not_new(client, a_reader):
    post = make_post(body=checklist_body("First thing", "Second thing", "Third thing"))

    page = come_back_after_an_edit(
        client, a_reader, post, "Third thing", "First thing", "Second thing"
    )

    assert notice(page) is None


def test_the_notice_stays_for_the_hour_and_goes_at_the_next_visit(client, a_reader):
    post = a_checklist_post()
    come_back_after_an_edit(client, a_reader, post, "First thing", "Second thing", "Third thing")

    again = parse(client.get(post.get_absolute_url()))  # a reload in the same hour
    assert "1 item new since your last visit" in notice(again).text
    an_hour_passes(client)
    later = parse(client.get(post.get_absolute_url()))

    assert notice(later) is None


def test_a_visit_is_recorded_even_while_the_page_comes_from_the_cache(
    client, a_reader, django_assert_num_queries
):
    post = a_checklist_post()
    client.force_login(a_reader)
    client.get(post.get_absolute_url())
    first = Visit.objects.get().visited_at
    # Within the hour, the reader's page comes whole from the cache and no visit is written.
    with django_assert_num_queries(1 + session_queries()):  # the user, and the session
        client.get(post.get_absolute_url())
    assert Visit.objects.get().visited_at == first

    an_hour_passes(client)  # the page stays cached: nothing it shows has changed
    client.get(post.get_absolute_url())

    visit = Visit.objects.get()
    assert visit.previous_visited_at == first - HOUR_AND_A_MINUTE
    assert visit.visited_at > first


def test_a_visit_is_recorded_at_most_once_an_hour_whatever_the_browser():
    reader = make_user()
    post = a_checklist_post()
    start = timezone.now()

    assert record_visit(user=reader, post_id=post.pk, now=start) is True
    assert record_visit(user=reader, post_id=post.pk, now=start + timedelta(minutes=59)) is False
    assert record_visit(user=reader, post_id=post.pk, now=start + HOUR_AND_A_MINUTE) is True

    visit = Visit.objects.get()
    assert (visit.previous_visited_at, visit.visited_at) == (start, start + HOUR_AND_A_MINUTE)


def test_visitors_are_not_recorded_and_their_shared_page_has_no_notice(client):
    post = a_checklist_post()

    page = parse(client.get(post.get_absolute_url()))

    assert notice(page) is None
    assert not Visit.objects.exists()
    assert SESSION_VISITS_KEY not in client.session


def test_no_visit_is_recorded_for_an_address_that_is_not_a_post(reader_client, a_post):
    reader_client.get("/no-such-post/")
    reader_client.get(a_post.get_absolute_url().rstrip("/"))  # redirected to the post

    assert not Visit.objects.exists()


def test_a_deleted_account_takes_its_visits_along(client, a_reader):
    from accounts.data import delete_account

    post = a_checklist_post()
    client.force_login(a_reader)
    client.get(post.get_absolute_url())

    delete_account(a_reader)

    assert not Visit.objects.exists()


def test_a_moved_visit_rebuilds_only_that_readers_page(
    client, a_reader, another_reader, django_assert_num_queries
):
    from django.test import Client

    post = a_checklist_post()
    url = post.get_absolute_url()
    other, visitor = Client(), Client()
    other.force_login(another_reader)
    for browser in (other, visitor, client):
        if browser is client:
            client.force_login(a_reader)
        browser.get(url)  # each page built and cached; the reader's first visit recorded
    an_hour_passes(client)
    client.get(url)  # the reader's visit moves on

    assert Visit.objects.get(user=a_reader).previous_visited_at is not None
    with django_assert_num_queries(1 + session_queries()):  # the user: a cached page
        other.get(url)
    with django_assert_num_queries(0):
        visitor.get(url)
