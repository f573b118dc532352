"""The moderation queue reads what it shows through indexes, at any size (issue 23).

PostgreSQL only (CI's second and third runs): SQLite has no trigram indexes. Each test
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
