"""Who may write, how the form answers with and without JavaScript, editing and deleting."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from tests.conftest import make_post
from tests.html import parse

from .conftest import (
    add_comment,
    body_text,
    comment_element,
    page_tree,
    post_comment,
    shown_comment_ids,
)

pytestmark = pytest.mark.django_db


# Writing ---------------------------------------------------------------------------------


def test_a_logged_in_reader_comments_on_a_post_that_allows_comments(client, a_post, a_reader):
    client.force_login(a_reader)

    response = post_comment(client, a_post, "Thanks, this *helped*.")

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.post, comment.author, comment.body) == (
        a_post,
        a_reader,
        "Thanks, this *helped*.",
    )
    assert comment.parent is None and comment.depth == 0 and comment.thread == comment


def test_the_post_page_offers_a_logged_in_reader_the_comment_form(client, a_post, a_reader):
    client.force_login(a_reader)

    section = page_tree(client, a_post).by_id("comments")

    form = section.first("form", class_="comment-form")
    assert form.get("action") == reverse("comments:post", args=[a_post.pk])
    assert form.first("textarea", name="body") is not None


@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")
def test_with_mandatory_verification_an_unverified_reader_is_refused_with_a_clear_message(
    client, a_post, a_reader
):
    address = EmailAddress.objects.get(user=a_reader)
    address.verified = False
    address.save()
    client.force_login(a_reader)

    response = post_comment(client, a_post)

    assert response.status_code == 403
    assert "Confirm your email address before commenting" in response.text
    assert Comment.objects.count() == 0
    section = page_tree(client, a_post).by_id("comments")
    assert section.first("form", class_="comment-form") is None
    assert "Confirm your email address" in section.first("p", class_="comment-refusal").text


@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")
def test_with_mandatory_verification_a_verified_reader_can_comment(client, a_post, a_reader):
    assert EmailAddress.objects.get(user=a_reader).verified
    client.force_login(a_reader)

    response = post_comment(client, a_post)

    assert response.status_code == 302
    assert Comment.objects.filter(author=a_reader).count() == 1


def test_an_anonymous_visitor_sees_approved_comments_and_a_log_in_link_back_to_the_discussion(
    client, a_post, a_commenter
):
    comment = add_comment(a_post, a_commenter, "Visible to all.")
    pending = add_comment(a_post, a_commenter, "Not yet.", status=Comment.Status.PENDING)

    tree = page_tree(client, a_post)

    assert body_text(tree, comment) == "Visible to all."
    assert comment_element(tree, pending) is None
    section = tree.by_id("comments")
    assert section.first("form", class_="comment-form") is None
    link = next(a for a in section.find_all("a") if a.text == "Log in to comment")
    url = urlsplit(link.get("href"))
    assert url.path == reverse("account_login")
    assert parse_qs(url.query)["next"] == [f"{a_post.get_absolute_url()}#comments"]


def test_an_anonymous_post_of_the_form_redirects_to_log_in_and_stores_nothing(client, a_post):
    response = post_comment(client, a_post, "")

    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert url.path == reverse("account_login")
    assert parse_qs(url.query)["next"] == [f"{a_post.get_absolute_url()}#comments"]
    assert Comment.objects.count() == 0


def test_an_anonymous_script_post_is_refused_with_json(client, a_post):
    response = post_comment(client, a_post, json=True)

    assert response.status_code == 403
    assert response.json() == {"error": "Log in to comment."}
    assert Comment.objects.count() == 0


def test_a_post_closed_to_comments_shows_its_comments_says_so_and_refuses_new_ones(
    client, a_reader, a_commenter
):
    post = make_post(allow_comments=False)
    old = add_comment(post, a_commenter, "From before it closed.")
    client.force_login(a_reader)

    tree = page_tree(client, post)
    response = post_comment(client, post, "Too late?")

    section = tree.by_id("comments")
    assert body_text(tree, old) == "From before it closed."
    assert "Comments on this post are closed." in section.text
    assert section.first("form", class_="comment-form") is None
    assert not [a for a in section.find_all("a") if a.text.startswith("Reply")]
    assert response.status_code == 403
    assert "Comments on this post are closed." in response.text
    assert Comment.objects.count() == 1


def test_a_closed_post_refuses_a_reply_too(client, a_reader, a_commenter):
    post = make_post(allow_comments=False)
    old = add_comment(post, a_commenter)
    client.force_login(a_reader)

    response = post_comment(client, post, "A reply", parent=old, json=True)
    reply_page = client.get(reverse("comments:reply", args=[old.pk]))

    assert response.status_code == 403
    assert response.json()["error"] == "Comments on this post are closed."
    assert reply_page.status_code == 403
    assert Comment.objects.count() == 1


# Answering with and without JavaScript ---------------------------------------------------


def test_without_javascript_the_form_redirects_to_the_new_comment(client, a_post, a_reader):
    client.force_login(a_reader)

    response = post_comment(client, a_post)

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{a_post.get_absolute_url()}#comment-{comment.pk}"
    tree = parse(client.get(response["Location"]).content)
    assert comment_element(tree, comment) is not None


@override_settings(COMMENTS_THREADS_PER_PAGE=2)
def test_without_javascript_a_comment_on_a_later_page_redirects_to_that_page(
    client, a_post, a_reader, a_commenter
):
    add_comment(a_post, a_commenter, "One")
    add_comment(a_post, a_commenter, "Two")
    client.force_login(a_reader)

    response = post_comment(client, a_post, "Three")

    comment = Comment.objects.get(body="Three")
    assert response["Location"] == f"{a_post.get_absolute_url()}?comments=2#comment-{comment.pk}"
    tree = parse(client.get(response["Location"]).content)
    assert comment_element(tree, comment) is not None


def test_with_json_the_answer_is_201_with_the_comment_html_status_and_parent(
    client, a_post, a_reader, a_commenter
):
    parent = add_comment(a_post, a_commenter, "The question")
    client.force_login(a_reader)

    response = post_comment(client, a_post, "The **answer**", parent=parent, json=True)

    assert response.status_code == 201
    data = response.json()
    comment = Comment.objects.get(body="The **answer**")
    assert data["id"] == comment.pk
    assert data["parent"] == parent.pk
    assert data["status"] == "pending"
    fragment = parse(data["html"])
    article = fragment.first("article", id=f"comment-{comment.pk}")
    assert article.first("div", class_="comment-body").first("strong").text == "answer"
    assert "Awaiting moderation" in article.text


def test_json_errors_name_the_field(client, a_post, a_reader):
    client.force_login(a_reader)

    response = post_comment(client, a_post, "   ", json=True)

    assert response.status_code == 400
    assert response.json()["errors"]["body"][0]["message"] == "Write something before posting."


# Editing ---------------------------------------------------------------------------------


def test_the_author_edits_within_the_window_and_the_comment_shows_edited(client, a_post, a_reader):
    comment = add_comment(a_post, a_reader, "Frist")
    client.force_login(a_reader)

    form = client.get(reverse("comments:edit", args=[comment.pk]))
    response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": "First *fixed*"})

    assert form.status_code == 200
    assert response.status_code == 302
    comment.refresh_from_db()
    # The author is not trusted yet: the edit waits for a moderator beside the approved
    # text, which stays approved; meanwhile only its author sees the edit, marked so.
    assert (comment.body, comment.status) == ("Frist", Comment.Status.APPROVED)
    assert comment.pending_body == "First *fixed*"
    assert comment.pending_body_html == "<p>First <em>fixed</em></p>"
    element = comment_element(page_tree(client, a_post), comment)
    assert element.first("span", class_="comment-edited").text == "(edited)"
    assert element.first("em").text == "fixed"
    assert "Your edit awaits moderation" in element.first("header").text


def test_a_trusted_authors_edit_stays_approved(client, a_post, a_staff_member):
    comment = add_comment(a_post, a_staff_member, "Frist")
    client.force_login(a_staff_member)

    client.post(reverse("comments:edit", args=[comment.pk]), {"body": "First"})

    comment.refresh_from_db()
    assert (comment.body, comment.status) == ("First", Comment.Status.APPROVED)


def test_an_untrusted_edit_of_an_approved_comment_is_hidden_from_others_until_approved(
    client, a_post, a_reader
):
    comment = add_comment(a_post, a_reader, "Harmless")
    client.force_login(a_reader)
    client.post(reverse("comments:edit", args=[comment.pk]), {"body": "Now an advert"})
    client.logout()

    assert "Now an advert" not in client.get(a_post.get_absolute_url()).content.decode()


def test_an_unedited_comment_does_not_say_edited(client, a_post, a_reader):
    comment = add_comment(a_post, a_reader)

    element = comment_element(page_tree(client, a_post), comment)

    assert "(edited)" not in element.text


def test_after_the_edit_window_the_author_cannot_edit_and_the_comment_is_unchanged(
    client, a_post, a_reader
):
    comment = add_comment(
        a_post, a_reader, "As written", created_at=timezone.now() - timedelta(minutes=16)
    )
    client.force_login(a_reader)

    form = client.get(reverse("comments:edit", args=[comment.pk]))
    response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": "Rewritten"})

    assert form.status_code == 403
    assert response.status_code == 403
    assert "Comments can be edited for 15 minutes only." in response.text
    comment.refresh_from_db()
    assert (comment.body, comment.edited_at) == ("As written", None)
    element = comment_element(page_tree(client, a_post), comment)
    assert not [a for a in element.find_all("a") if a.text.startswith("Edit")]


def test_the_edit_link_shows_only_to_the_author_within_the_window(
    client, a_post, a_reader, a_replier
):
    comment = add_comment(a_post, a_reader)
    client.force_login(a_reader)
    own = comment_element(page_tree(client, a_post), comment)
    client.force_login(a_replier)
    others = comment_element(page_tree(client, a_post), comment)

    edit_url = reverse("comments:edit", args=[comment.pk])
    assert own.first("a", href=edit_url) is not None
    assert others.first("a", href=edit_url) is None


def test_another_reader_cannot_edit_or_delete_a_comment(client, a_post, a_reader, a_replier):
    comment = add_comment(a_post, a_reader, "Mine")
    client.force_login(a_replier)

    responses = [
        client.get(reverse("comments:edit", args=[comment.pk])),
        client.post(reverse("comments:edit", args=[comment.pk]), {"body": "Yours now"}),
        client.get(reverse("comments:delete", args=[comment.pk])),
        client.post(reverse("comments:delete", args=[comment.pk])),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    comment.refresh_from_db()
    assert (comment.body, comment.is_removed) == ("Mine", False)


def test_an_anonymous_visitor_is_sent_to_log_in_to_edit_or_delete(client, a_post, a_reader):
    comment = add_comment(a_post, a_reader, "Mine")

    edit = client.post(reverse("comments:edit", args=[comment.pk]), {"body": "x"})
    delete = client.post(reverse("comments:delete", args=[comment.pk]))

    assert edit.status_code == delete.status_code == 302
    assert reverse("account_login") in edit["Location"]
    comment.refresh_from_db()
    assert (comment.body, comment.is_removed) == ("Mine", False)


def test_an_edit_to_nothing_is_refused_and_keeps_the_comment(client, a_post, a_reader):
    comment = add_comment(a_post, a_reader, "Keep me")
    client.force_login(a_reader)

    response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": "  \n "})

    assert response.status_code == 400
    assert "Write something, or delete the comment instead." in response.text
    comment.refresh_from_db()
    assert comment.body == "Keep me"


# Deleting --------------------------------------------------------------------------------


def test_the_author_deletes_after_confirming_and_a_comment_without_replies_disappears(
    client, a_post, a_reader
):
    comment = add_comment(
        a_post, a_reader, "Regrettable", created_at=timezone.now() - timedelta(days=30)
    )
    client.force_login(a_reader)

    confirm = client.get(reverse("comments:delete", args=[comment.pk]))
    assert Comment.objects.filter(pk=comment.pk).exists()  # the GET only asks
    response = client.post(reverse("comments:delete", args=[comment.pk]))

    assert confirm.status_code == 200
    assert "Delete your comment?" in confirm.text
    assert response.status_code == 302
    assert response["Location"] == f"{a_post.get_absolute_url()}#comments"
    assert not Comment.objects.filter(pk=comment.pk).exists()
    tree = page_tree(client, a_post)
    assert comment_element(tree, comment) is None
    assert "[deleted]" not in tree.by_id("comments").text


def test_a_deleted_comment_with_replies_leaves_deleted_and_the_replies_stay(
    client, a_post, a_reader, a_replier
):
    comment = add_comment(a_post, a_reader, "The original")
    reply = add_comment(a_post, a_replier, "The reply", parent=comment)
    client.force_login(a_reader)

    client.post(reverse("comments:delete", args=[comment.pk]))

    client.logout()
    tree = page_tree(client, a_post)
    placeholder = comment_element(tree, comment)
    assert placeholder.first("p", class_="comment-removed").text == "This comment was deleted."
    assert placeholder.first("span", class_="comment-author").text == "[deleted]"
    assert "The original" not in tree.text
    assert body_text(tree, reply) == "The reply"
    assert comment_element(placeholder, reply) is not None  # still threaded under it
    assert Comment.objects.get(pk=comment.pk).body == ""


def test_removing_the_last_reply_under_a_deleted_placeholder_removes_the_placeholder(
    client, a_post, a_reader, a_replier
):
    comment = add_comment(a_post, a_reader, "The original")
    reply = add_comment(a_post, a_replier, "The reply", parent=comment)
    client.force_login(a_reader)
    client.post(reverse("comments:delete", args=[comment.pk]))
    client.force_login(a_replier)

    client.post(reverse("comments:delete", args=[reply.pk]))

    assert Comment.objects.count() == 0
    tree = page_tree(client, a_post)
    assert shown_comment_ids(tree) == []
    assert "[deleted]" not in tree.text


def test_a_deleted_placeholder_keeps_while_another_reply_remains(
    client, a_post, a_reader, a_replier, a_commenter
):
    comment = add_comment(a_post, a_reader, "The original")
    first = add_comment(a_post, a_replier, "First reply", parent=comment)
    second = add_comment(a_post, a_commenter, "Second reply", parent=comment)
    client.force_login(a_reader)
    client.post(reverse("comments:delete", args=[comment.pk]))
    client.force_login(a_replier)

    client.post(reverse("comments:delete", args=[first.pk]))

    tree = page_tree(client, a_post)
    assert shown_comment_ids(tree) == [comment.pk, second.pk]


def test_a_deleted_comment_can_no_longer_be_edited_or_deleted_again(
    client, a_post, a_reader, a_replier
):
    comment = add_comment(a_post, a_reader, "The original")
    add_comment(a_post, a_replier, "The reply", parent=comment)
    client.force_login(a_reader)
    client.post(reverse("comments:delete", args=[comment.pk]))

    assert client.get(reverse("comments:edit", args=[comment.pk])).status_code == 403
    assert client.post(reverse("comments:delete", args=[comment.pk])).status_code == 403


def test_the_author_can_delete_their_comment_while_it_awaits_moderation(client, a_post, a_reader):
    comment = add_comment(a_post, a_reader, "Oops", status=Comment.Status.PENDING)
    client.force_login(a_reader)

    client.post(reverse("comments:delete", args=[comment.pk]))

    assert not Comment.objects.filter(pk=comment.pk).exists()


@pytest.mark.parametrize("status", ["pending", "rejected", "spam"])
def test_a_deleted_comment_whose_only_replies_are_not_shown_disappears_from_the_page(
    client, a_post, a_reader, a_replier, status
):
    comment = add_comment(a_post, a_reader, "The original")
    hidden = add_comment(a_post, a_replier, "Not shown", parent=comment, status=status)
    client.force_login(a_reader)

    client.post(reverse("comments:delete", args=[comment.pk]))

    client.logout()
    tree = page_tree(client, a_post)
    assert shown_comment_ids(tree) == []
    assert "[deleted]" not in tree.by_id("comments").text
    assert Comment.objects.filter(pk=hidden.pk).exists()  # kept for the moderators


def test_a_placeholder_shows_again_once_its_pending_reply_is_approved(
    client, a_post, a_reader, a_replier
):
    comment = add_comment(a_post, a_reader, "The original")
    reply = add_comment(a_post, a_replier, "Waiting", parent=comment, status="pending")
    client.force_login(a_reader)
    client.post(reverse("comments:delete", args=[comment.pk]))
    Comment.objects.filter(pk=reply.pk).update(status="approved")

    client.logout()
    tree = page_tree(client, a_post)

    assert shown_comment_ids(tree) == [comment.pk, reply.pk]


def test_the_author_of_a_pending_reply_sees_it_under_the_placeholder(
    client, a_post, a_reader, a_replier
):
    comment = add_comment(a_post, a_reader, "The original")
    reply = add_comment(a_post, a_replier, "Waiting", parent=comment, status="pending")
    client.force_login(a_reader)
    client.post(reverse("comments:delete", args=[comment.pk]))
    client.force_login(a_replier)

    tree = page_tree(client, a_post)

    assert shown_comment_ids(tree) == [comment.pk, reply.pk]
