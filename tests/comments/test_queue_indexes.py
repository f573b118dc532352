"""The moderation queue reads what it shows through indexes, at any size (issue 23).

PostgreSQL only (CI's second and third runs): SQLite has no trigram indexes; a post's
threads, below, come from a partial index. Each test
turns sequential scans off for its transaction, so the plan shows whether an index *can*
serve the query as Django writes it (the planner picks a scan for a table this small).
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Comment

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's indexes (CI runs it)"
    ),
]


def plan(queryset, *, bitmap_only=False, in_order=False):
    """PostgreSQL's plan (str) for ``queryset``, sequential scans off. A table this small
    leaves the planner free to pick another index (after another test's ANALYZE, it
    believes the table holds four rows): ``bitmap_only`` leaves only an index that
    answers the condition, ``in_order`` only one that gives the rows in order."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if bitmap_only:
            cursor.execute("SET LOCAL enable_indexscan = off")
        if in_order:
            cursor.execute("SET LOCAL enable_sort = off")
    return queryset.explain()


@pytest.mark.parametrize(
    ("queryset", "index"),
    [
        (lambda: Comment.objects.filter(body__icontains="framework"), "comment_body_trgm"),
        (lambda: Comment.objects.filter(author_name__icontains="dana"), "comment_author_name_trgm"),
        (
            lambda: get_user_model().objects.filter(display_name__icontains="carla"),
            "user_display_name_trgm",
        ),
    ],
    ids=["text", "imported name", "reader's name"],
)
def test_a_search_word_is_found_through_a_trigram_index(queryset, index):
    assert index in plan(queryset(), bitmap_only=True)


def test_the_newest_comments_awaiting_a_moderator_come_from_their_partial_index():
    newest = Comment.objects.awaiting_moderation().order_by("-created_at", "-id")[:50]

    assert "comment_awaiting_idx" in plan(newest)


def test_the_newest_of_all_comments_come_from_an_index():
    assert "comment_created_idx" in plan(Comment.objects.order_by("-created_at", "-id")[:50])


# A post's threads (issue 23): the post's own first comments, in page order, from an index.


def threads_with_a_hidden_first_comment(a_post, viewer):
    from django.contrib.auth.models import AnonymousUser

    from tests.comments.conftest import add_comment

    removed = add_comment(a_post, is_removed=True)
    add_comment(a_post, parent=removed)
    add_comment(a_post)
    return Comment.objects.threads_for(a_post, viewer or AnonymousUser())


@pytest.mark.parametrize("viewer", ["visitor", "reader"])
@pytest.mark.parametrize("page", ["count", "page"])
def test_a_posts_threads_are_read_from_its_own_first_comments(a_post, a_reader, page, viewer):
    threads = threads_with_a_hidden_first_comment(a_post, a_reader if viewer == "reader" else None)
    query = threads.order_by("created_at", "pk")
    if page == "page":
        shown = plan(query.values("pk")[30:60], in_order=True)
    else:
        shown = plan(query.values("pk"), in_order=True)

    assert "comment_thread_start_idx" in shown and "Seq Scan" not in shown
    # Whether a thread holds a public comment is stored on its first comment: no thread
    # is looked into. A reader's own threads come from their own comments, once.
    if viewer == "visitor":
        assert "SubPlan" not in shown
    else:
        assert "hashed SubPlan 1" in shown and "SubPlan 2" not in shown  # run once


def test_a_thread_under_a_hidden_first_comment_is_still_shown(a_post):
    assert threads_with_a_hidden_first_comment(a_post, None).count() == 2


# Admin lists of large tables (core.admin_lists).


def test_a_word_in_most_readers_names_asks_each_comments_reader_by_key(a_post, monkeypatch):
    """bench/scale.py: "Reader" in a million names made PostgreSQL hash them all (73 s)."""
    from django.contrib import admin

    from comments.admin import CommentAdmin
    from tests.comments.conftest import add_comment
    from tests.conftest import make_user

    monkeypatch.setattr("core.admin_lists.NAME_MATCHES", 1)
    for number in range(3):
        add_comment(
            a_post, make_user(email=f"r{number}@example.com", display_name=f"Reader {number}")
        )
    comment_admin = CommentAdmin(Comment, admin.site)
    found, _ = comment_admin.get_search_results(None, Comment.objects.all(), "Reader 1")

    assert found.count() == 1
    shown = plan(found.order_by("-created_at", "-id")[:50])
    assert "Seq Scan on accounts_user" not in shown and "hashed SubPlan" not in shown


def test_the_ticks_list_comes_newest_first_from_its_index():
    from checklists.models import Tick

    assert "tick_ticked_idx" in plan(Tick.objects.order_by("-ticked_at", "-id")[:100])


def test_a_long_unfiltered_list_shows_postgresqls_estimate(a_post, monkeypatch):
    from core.admin_lists import LargeTablePaginator
    from tests.comments.conftest import add_comment

    for _ in range(4):
        add_comment(a_post)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comments_comment")
    monkeypatch.setattr("core.admin_lists.ESTIMATE_FROM", 2)

    every = LargeTablePaginator(Comment.objects.order_by("-id"), 2)
    some = LargeTablePaginator(Comment.objects.filter(status="pending"), 2)
    with CaptureQueriesContext(connection) as queries:
        assert every.count == 4  # from pg_class, not a count of the rows
    assert "COUNT" not in queries.captured_queries[0]["sql"]
    assert some.count == 0
    assert [c.pk for c in every.page(2)] == list(
        Comment.objects.order_by("-id").values_list("pk", flat=True)[2:4]
    )


def test_a_posts_public_comments_are_counted_from_an_index(a_post):
    """Every change of a comment recounts its post's public comments (comments.counts)."""
    counted = Comment.objects.public().filter(post=a_post).order_by().values("pk")
    assert "comment_public_idx" in plan(counted)
