"""The moderation queue reads what it shows through indexes, at any size (issue 23).

PostgreSQL only (CI's second and third runs): SQLite has no trigram indexes; a post's
threads, below, come from a partial index. Each test
turns sequential scans off for its transaction, so the plan shows whether an index *can*
serve the query as Django writes it (the planner picks a scan for a table this small).
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from comments.models import Comment

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's indexes (CI runs it)"
    ),
]


def plan(queryset):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
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
    assert index in plan(queryset())


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


@pytest.mark.parametrize("page", ["count", "page"])
def test_a_posts_threads_are_read_from_its_own_first_comments(a_post, page):
    threads = threads_with_a_hidden_first_comment(a_post, None)
    query = threads.order_by("created_at", "pk")
    shown = plan(query.values("pk")[30:60]) if page == "page" else plan(query.values("pk"))

    assert "comment_thread_start_idx" in shown
    # A hidden first comment's readable replies are looked up in its thread, never by
    # hashing every readable comment of the post (or the site) first.
    assert "hashed SubPlan" not in shown and "Seq Scan" not in shown


def test_a_thread_under_a_hidden_first_comment_is_still_shown(a_post):
    assert threads_with_a_hidden_first_comment(a_post, None).count() == 2
