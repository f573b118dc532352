"""A reader's comments in their data export, and gone with their account."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from comments.models import Comment, Flag

from .conftest import PASSWORD, add_comment, comment_element, page_tree, shown_comment_ids

pytestmark = pytest.mark.django_db


def test_the_data_export_includes_the_readers_comments(client, a_post, a_reader, a_commenter):
    mine = add_comment(a_post, a_reader, "My *view*")
    parent = add_comment(a_post, a_commenter, "Theirs")
    reply = add_comment(a_post, a_reader, "My reply", parent=parent, status="pending")
    client.force_login(a_reader)

    response = client.get(reverse("accounts:export"))

    assert response.status_code == 200
    comments = json.loads(response.content)["comments"]
    assert [(c["text"], c["status"], c["in_reply_to"]) for c in comments] == [
        ("My *view*", "approved", None),
        ("My reply", "pending", parent.pk),
    ]
    assert comments[0]["post"] == "A test post"
    assert comments[0]["url"] == f"{a_post.get_absolute_url()}#comment-{mine.pk}"
    assert comments[1]["url"].endswith(f"#comment-{reply.pk}")
    assert "Theirs" not in response.text


def delete_account(client, user):
    client.force_login(user)
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=user.pk).exists()


def test_deleting_the_account_removes_the_readers_comments_and_keeps_others_replies(
    client, a_post, a_reader, a_commenter
):
    alone = add_comment(a_post, a_reader, "Nobody answered")
    answered = add_comment(a_post, a_reader, "Somebody answered")
    reply = add_comment(a_post, a_commenter, "The answer", parent=answered)
    others_thread = add_comment(a_post, a_commenter, "Their thread")
    my_reply = add_comment(a_post, a_reader, "My reply to them", parent=others_thread)

    delete_account(client, a_reader)

    assert not Comment.objects.filter(pk__in=[alone.pk, my_reply.pk]).exists()
    placeholder = Comment.objects.get(pk=answered.pk)
    assert (placeholder.is_removed, placeholder.author, placeholder.body) == (True, None, "")
    tree = page_tree(client, a_post)
    assert shown_comment_ids(tree) == [answered.pk, reply.pk, others_thread.pk]
    removed = comment_element(tree, answered).first("p", class_="comment-removed")
    assert removed.text == "This comment was deleted."
    assert "Somebody answered" not in tree.text and "Nobody answered" not in tree.text
    assert comment_element(comment_element(tree, answered), reply) is not None
    assert tree.first("p", class_="post-comments").text == "2 comments"


def test_deleting_the_account_removes_a_placeholder_left_with_no_reply(
    client, a_post, a_reader, a_commenter
):
    """The reader's reply was the last one under someone's '[deleted]' comment."""
    deleted = add_comment(a_post, None, "", is_removed=True)
    add_comment(a_post, a_reader, "My reply", parent=deleted)

    delete_account(client, a_reader)

    assert Comment.objects.count() == 0


def test_deleting_the_account_removes_a_whole_thread_of_the_readers_own(client, a_post, a_reader):
    top = add_comment(a_post, a_reader, "Top")
    middle = add_comment(a_post, a_reader, "Middle", parent=top)
    add_comment(a_post, a_reader, "Bottom", parent=middle)

    delete_account(client, a_reader)

    assert Comment.objects.count() == 0


def test_deleting_the_account_removes_the_readers_flags(client, a_post, a_reader, a_commenter):
    comment = add_comment(a_post, a_commenter, "Flagged")
    Flag.objects.create(comment=comment, user=a_reader, reason="spam")

    delete_account(client, a_reader)

    assert Flag.objects.count() == 0
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_a_wrong_password_deletes_nothing(client, a_post, a_reader):
    add_comment(a_post, a_reader, "Still here")
    client.force_login(a_reader)

    response = client.post(reverse("accounts:delete"), {"password": "wrong"})

    assert response.status_code == 400
    assert Comment.objects.count() == 1


# At any size (issue 23) ------------------------------------------------------------------


def one_by_one(user):
    """The rule as it was applied before: each of the reader's comments, deepest first,
    through delete_comment() (which also removes a placeholder left with no reply)."""
    from comments.moderation import delete_comment

    for pk in Comment.objects.filter(author=user).order_by("-depth").values_list("pk", flat=True):
        comment = Comment.objects.filter(pk=pk).first()
        if comment is not None:
            delete_comment(comment=comment)
    Comment.objects.filter(author=user).update(author=None)


def state():
    return sorted(Comment.objects.values_list("pk", "is_removed", "body", "author_id"))


@pytest.mark.parametrize("seed", range(12))
def test_removing_a_readers_comments_at_once_keeps_the_one_by_one_rule(
    a_post, a_reader, a_commenter, seed
):
    import random

    from django.db import transaction

    from comments.moderation import remove_comments_of

    rng = random.Random(seed)
    comments = []
    for number in range(30):
        parent = rng.choice([None, *comments]) if comments else None
        author = rng.choice([a_reader, a_reader, a_commenter])
        comment = add_comment(a_post, author, f"Comment {number}", parent=parent)
        if rng.random() < 0.2:  # an earlier '[deleted]' placeholder
            Comment.objects.filter(pk=comment.pk).update(is_removed=True, body="")
        comments.append(comment)

    with transaction.atomic():
        one_by_one(a_reader)
        expected = state()
        transaction.set_rollback(True)
    remove_comments_of(a_reader)

    assert state() == expected


def test_removing_a_readers_comments_takes_as_many_queries_for_fifty_as_for_two(
    a_post, a_reader, a_commenter
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comments.moderation import remove_comments_of

    def queries_to_remove(count, author):
        roots = [add_comment(a_post, author, f"Mine {n}") for n in range(count)]
        for root in roots[::2]:
            add_comment(a_post, a_commenter, "A reply that stays", parent=root)
        with CaptureQueriesContext(connection) as queries:
            remove_comments_of(author)
        return len(queries)

    from tests.conftest import make_user

    two = queries_to_remove(2, a_reader)  # one kept as a placeholder, one deleted
    fifty = queries_to_remove(50, make_user(email="fifty@example.com", display_name="Fifty"))

    assert fifty == two


def test_removing_a_readers_comments_takes_as_many_queries_on_twenty_posts_as_on_two(
    a_reader, a_commenter, settings
):
    """Their counts and their pages are heard once per deletion, not once per post."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comments.moderation import remove_comments_of
    from tests.conftest import make_post, make_user

    posts = [make_post(title=f"P{n}", slug=f"p{n}", permalink=f"/p{n}/") for n in range(20)]

    def queries_to_remove(on, author):
        for post in on:
            root = add_comment(post, author, "Mine")
            add_comment(post, a_commenter, "A reply that stays", parent=root)
            add_comment(post, author, "Mine alone")
        with CaptureQueriesContext(connection) as queries:
            remove_comments_of(author)
        return len(queries)

    two = queries_to_remove(posts[:2], a_reader)
    twenty = queries_to_remove(posts, make_user(email="twenty@example.com", display_name="T"))

    assert twenty == two
    counts = Comment.objects.public().filter(post__in=posts).count()
    assert sum(post.discussion.public_count for post in posts) == counts


@pytest.fixture
def a_busy_discussion(a_post, a_reader, a_commenter):
    """Threads by the reader and by others over two posts, some replies, one hidden."""
    from tests.conftest import make_post

    other_post = make_post(title="Other", slug="other", permalink="/other/")
    mine = []
    for number in range(12):
        post = a_post if number % 3 else other_post
        root = add_comment(post, a_commenter, f"Thread {number}")
        if number % 4 == 0:
            mine.append(add_comment(post, a_reader, f"My reply {number}", parent=root))
        if number % 5 == 0:
            mine.append(add_comment(post, a_reader, f"My thread {number}"))
        if number == 7:
            Comment.objects.filter(pk=root.pk).update(status="pending")
    return mine


def test_the_export_gives_each_comment_the_address_its_page_gives_it(
    a_busy_discussion, a_reader, settings
):
    from comments.data import reader_data

    settings.COMMENTS_THREADS_PER_PAGE = 2
    exported = {entry["text"]: entry["url"] for entry in reader_data(a_reader)["comments"]}

    assert exported == {comment.body: comment.get_absolute_url() for comment in a_busy_discussion}
    assert any("?comments=3" in url for url in exported.values())


def test_the_export_takes_as_many_queries_for_a_hundred_comments_as_for_one(
    a_post, a_reader, a_commenter
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comments.data import reader_data
    from tests.conftest import make_user

    def queries_to_export(count, author):
        for number in range(count):
            root = add_comment(a_post, a_commenter, f"Root {number}")
            add_comment(a_post, author, f"Reply {number}", parent=root)
        with CaptureQueriesContext(connection) as queries:
            assert len(reader_data(author)["comments"]) == count
        return len(queries)

    one = queries_to_export(1, a_reader)
    hundred = queries_to_export(100, make_user(email="many@example.com", display_name="Many"))

    # The comments with their posts, their threads' pages, and the reader's decisions as
    # a moderator (issue 27's trail).
    assert hundred == one == 3
