"""The post page runs a fixed number of queries, however many items and readers it has."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F
from django.urls import reverse

from checklists.models import ChecklistItem, Tick
from checklists.progress import set_tick
from tests.conftest import make_post, session_queries, visited_this_hour

from .helpers import checklist_body

pytestmark = pytest.mark.django_db

# Pinned: a change here is a change in the page's cost; make it on purpose.
# Built with nothing cached (the worst case), logged in, their visit this hour already
# recorded (10 besides the session, which is 1 query with database sessions and none
# when they are cached in Redis): the user, the post, its categories, its current items,
# the reader's ticks, their previous visit (what is new since), the count of approved
# comments, the count of threads, the page of threads, and whether the reader may
# comment (blocked? verified?).
READER_QUERIES = 10
# A reader's first view in an hour records their visit (checklists.page.note_visit), on
# top of the page: the post's id, their visit, its update, and the session's new time
# (an UPDATE, in a savepoint of the test's transaction: 3). The visit raises the
# reader's generation, so their page is then built again (READER_QUERIES).
VISIT_QUERIES = 3 + 3
# Logged in, viewing the page again with nothing changed: the user only (and the
# session); the page comes whole from the page cache.
WARM_READER_QUERIES = 1
# A visitor without a session, page built (6): post, its categories, its current items,
# the count of approved comments, the count of threads, the page of threads.
VISITOR_QUERIES = 6
# The same visitor page again: none at all.
WARM_VISITOR_QUERIES = 0


def post_with_items(count, slug="long-list"):
    headings = [f"Step number {number}" for number in range(1, count + 1)]
    return make_post(
        title=f"{count} steps", slug=slug, permalink=f"/{slug}/", body=checklist_body(*headings)
    )


def add_readers(post, count):
    """`count` readers who each ticked every item, made in bulk.

    It is the number of readers that matters, not how realistic it is: 200 shows the page
    does not count rows per reader (10,000 would make no other point and take far longer).
    """
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bulk{number}", email=f"bulk{number}@example.com")
        for number in range(count)
    )
    items = list(post.checklist_items.all())
    Tick.objects.bulk_create(Tick(user=user, item=item) for user in users for item in items)
    ChecklistItem.objects.filter(post=post).update(reader_count=F("reader_count") + count)


def get_page(client, post):
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("items", "summary"), [(9, "3 of 9 done (33%)"), (90, "3 of 90 done (3%)")]
)
def test_the_post_page_queries_are_fixed_for_a_reader_whatever_the_number_of_items(
    client, a_reader, django_assert_num_queries, items, summary
):
    post = post_with_items(items)
    for item in post.checklist_items.all()[:3]:
        set_tick(user=a_reader, item=item, done=True)
    client.force_login(a_reader)
    visited_this_hour(client, a_reader, post)

    with django_assert_num_queries(READER_QUERIES + session_queries()):
        response = get_page(client, post)

    assert response.context["checklist"].progress.summary == summary


@pytest.mark.parametrize("readers", [1, 200])
def test_the_post_page_queries_are_fixed_for_a_reader_whatever_the_number_of_readers(
    client, the_article, a_reader, django_assert_num_queries, readers
):
    add_readers(the_article, readers - 1)
    item = the_article.checklist_items.first()
    set_tick(user=a_reader, item=item, done=True)
    client.force_login(a_reader)
    visited_this_hour(client, a_reader, the_article)

    with django_assert_num_queries(READER_QUERIES + session_queries()):
        response = get_page(client, the_article)

    # The reader ticked it too, and is told so (issue 18).
    others = f"You and {readers - 1} other readers" if readers > 1 else "You did this"
    assert others in response.content.decode()


@pytest.mark.parametrize(("items", "readers"), [(9, 1), (90, 200)])
def test_the_post_page_queries_are_fixed_for_a_visitor(
    client, django_assert_num_queries, items, readers
):
    post = post_with_items(items)
    add_readers(post, readers)

    with django_assert_num_queries(VISITOR_QUERIES):
        response = get_page(client, post)

    assert response.context["checklist"].progress.summary == f"0 of {items} done (0%)"


def test_a_visitor_who_ticked_costs_one_more_query_for_the_session(
    client, a_post, django_assert_num_queries
):
    client.post(
        reverse("checklists:set", args=[a_post.checklist_items.first().pk]), {"done": "true"}
    )

    with django_assert_num_queries(VISITOR_QUERIES + session_queries()):
        response = get_page(client, a_post)

    assert response.context["checklist"].progress.summary == "1 of 2 done (50%)"


def test_a_readers_repeat_view_costs_only_their_session(
    client, a_reader, django_assert_num_queries
):
    post = post_with_items(9)
    add_readers(post, 50)
    client.force_login(a_reader)
    client.get(post.get_absolute_url())  # fills the caches

    with django_assert_num_queries(WARM_READER_QUERIES + session_queries()):
        response = client.get(post.get_absolute_url())

    assert "0 of 9 done (0%)" in response.content.decode()


def test_a_visitors_repeat_view_costs_no_query(client, django_assert_num_queries):
    post = post_with_items(9)
    add_readers(post, 50)
    client.get(post.get_absolute_url())  # fills the cache

    with django_assert_num_queries(WARM_VISITOR_QUERIES):
        response = client.get(post.get_absolute_url())

    assert "0 of 9 done (0%)" in response.content.decode()


def test_a_readers_first_view_in_an_hour_records_the_visit_at_a_fixed_cost(
    client, a_reader, django_assert_num_queries
):
    from datetime import timedelta

    from checklists.models import Visit
    from checklists.page import SESSION_VISITS_KEY

    post = post_with_items(9)
    add_readers(post, 50)
    client.force_login(a_reader)
    client.get(post.get_absolute_url())  # the first visit; fills the caches
    # An hour and a minute later, by the database's clock and the session's.
    Visit.objects.update(visited_at=Visit.objects.get().visited_at - timedelta(minutes=61))
    session = client.session
    session[SESSION_VISITS_KEY] = {post.get_absolute_url(): 0}
    session.save()

    # The page is built again (READER_QUERIES, which count the user once) after the visit.
    with django_assert_num_queries(VISIT_QUERIES + READER_QUERIES + session_queries()):
        response = client.get(post.get_absolute_url())

    assert "0 of 9 done (0%)" in response.content.decode()
    assert Visit.objects.get().previous_visited_at is not None
