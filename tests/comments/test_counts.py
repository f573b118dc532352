"""The stored count of a post's public comments (comments.models.Discussion, issue 23):
whatever changes the comments, it stays the count Comment.objects.public() gives, and the
Articles page reads it instead of counting comments."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Comment, Discussion
from comments.moderation import (
    delete_as_moderator,
    delete_comment,
    flag_comment,
    moderate,
    remove_comments_of,
)
from tests.conftest import make_post, make_user

from .conftest import add_comment, make_moderator

pytestmark = pytest.mark.django_db


def stored():
    return dict(Discussion.objects.filter(public_count__gt=0).values_list("post", "public_count"))


def counted():
    public = Comment.objects.public().values_list("post", flat=True)
    counts = {}
    for post_id in public:
        counts[post_id] = counts.get(post_id, 0) + 1
    return counts


@pytest.mark.parametrize("seed", range(6))
def test_the_stored_count_is_the_count_of_public_comments_whatever_changes_them(
    a_post, seed, settings
):
    settings.COMMENTS_FLAGS_TO_HIDE = 1
    rng = random.Random(seed)
    posts = [a_post, make_post(title="Two", slug="two", permalink="/two/")]
    readers = [make_user(email=f"r{n}@example.com", display_name=f"R{n}") for n in range(4)]
    moderator = make_moderator()
    steps = [
        lambda: add_comment(rng.choice(posts), rng.choice(readers), "New", status="approved"),
        lambda: add_comment(rng.choice(posts), rng.choice(readers), "Held", status="pending"),
        lambda: add_comment(
            rng.choice(posts), rng.choice(readers), "Reply", parent=rng.choice(existing())
        ),
        lambda: moderate(
            source="admin",
            comments=Comment.objects.filter(pk=rng.choice(existing()).pk),
            status=rng.choice(["approved", "rejected", "spam"]),
            moderator=moderator,
        ),
        lambda: delete_comment(comment=rng.choice(existing())),
        lambda: delete_as_moderator(
            source="admin", comment=rng.choice(existing()), moderator=moderator
        ),
        lambda: flag_comment(comment=rng.choice(existing()), user=moderator, reason="spam"),
        lambda: remove_comments_of(rng.choice(readers)),
        lambda: Comment.objects.filter(pk=rng.choice(existing()).pk).update(status="rejected"),
        lambda: Comment.objects.filter(post=rng.choice(posts), depth__gt=0).delete(),
        lambda: Comment.objects.bulk_create(
            Comment(post=rng.choice(posts), body="Bulk", status=rng.choice(["approved", "spam"]))
            for _ in range(3)
        ),
    ]

    def existing():
        return list(Comment.objects.all()) or [add_comment(a_post, readers[0], "Seed")]

    for _ in range(40):
        rng.choice(steps)()
        assert stored() == counted()


def test_the_articles_page_reads_the_stored_counts_and_counts_no_comments(client, a_post):
    for number in range(3):
        add_comment(a_post, None, f"Comment {number}", author_name="Dana")
    add_comment(a_post, None, "Held", author_name="Dana", status="pending")

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("pages:list"))

    assert "3 comments" in response.content.decode()
    read = "\n".join(query["sql"] for query in queries.captured_queries)
    assert "comments_comment" not in read


def bulk_comments_on(posts):
    """Queries of one bulk_create of a public comment on each of ``posts``, counts kept."""
    with CaptureQueriesContext(connection) as queries:
        Comment.objects.bulk_create(
            Comment(post=post, body="Bulk", status="approved") for post in posts
        )
    assert stored() == counted()
    return len(queries)


def test_counting_again_after_a_bulk_write_costs_the_same_for_2_posts_as_for_20(a_post):
    posts = [make_post(title=f"P{n}", slug=f"p{n}", permalink=f"/p{n}/") for n in range(20)]

    assert bulk_comments_on(posts[:2]) == bulk_comments_on(posts) == bulk_comments_on(posts)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["instance", "queryset"])
def test_a_post_with_comments_is_deleted_and_the_deletion_commits(how):
    """The counts' receivers hear the comments go with their post: they must not write a
    count for a post that is going (its row would point at nothing when the deletion
    commits, and foreign keys are checked then)."""
    from posts.models import Post

    post = make_post()
    reader = make_user()
    for number in range(3):
        add_comment(post, reader, f"Comment {number}")
    assert Discussion.objects.get(post=post).public_count == 3

    if how == "instance":
        post.delete()
    else:
        Post.objects.filter(pk=post.pk).delete()

    assert not Post.objects.exists()
    assert not Discussion.objects.exists()
