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
