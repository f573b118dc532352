"""The thread rule (issue 11): whatever happens to one comment, the replies others may read
stay visible under a placeholder that says why, without the hidden text or name, and the
header counts exactly the comments the viewer can read.

The table: Anna's approved comment has Rita's approved reply; then something happens
to Anna's comment (an edit, a moderator's decision, readers' flags, a deletion) and
each viewer (Anna, another reader, a visitor, a moderator) looks at the page.
"""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client, override_settings
from django.urls import reverse

from accounts.data import delete_account
from comments.models import Comment
from comments.moderation import flag_comment, moderate
from tests.conftest import make_user

from .conftest import (
    add_comment,
    body_text,
    comment_element,
    get_page,
    make_moderator,
    page_tree,
    shown_comment_ids,
)

pytestmark = pytest.mark.django_db

QUESTION = "Which framework first?"
EDITED = "Which framework should I learn first?"
ANSWER = "PyTorch, then the rest."
AUTHOR_NAME = "Anna Author"


def edit(thread):
    client = thread["client"]
    client.force_login(thread["author"])
    response = client.post(reverse("comments:edit", args=[thread["comment"].pk]), {"body": EDITED})
    assert response.status_code == 302


def reject(thread):
    moderate(
        source="admin",
        comments=Comment.objects.filter(pk=thread["comment"].pk),
        status=Comment.Status.REJECTED,
        moderator=thread["moderator"],
    )


def mark_spam(thread):
    moderate(
        source="admin",
        comments=Comment.objects.filter(pk=thread["comment"].pk),
        status=Comment.Status.SPAM,
        moderator=thread["moderator"],
    )


def flag_until_hidden(thread):
    for number in range(2):  # COMMENTS_FLAGS_TO_HIDE below
        flagger = make_user(email=f"flagger{number}@example.com")
        flag_comment(comment=thread["comment"], user=flagger, reason="spam")


def delete(thread):
    client = thread["client"]
    client.force_login(thread["author"])
    response = client.post(reverse("comments:delete", args=[thread["comment"].pk]))
    assert response.status_code == 302


def delete_the_account(thread):
    delete_account(thread["author"])


def a_moderator_who_may_delete(thread):
    """Deleting in the admin takes Django's "Can delete comment" as well."""
    moderator = thread["moderator"]
    moderator.user_permissions.add(Permission.objects.get(codename="delete_comment"))
    return moderator


def delete_in_the_admin(thread):
    client = Client()  # the moderator's own browser (the admin's message stays there)
    client.force_login(a_moderator_who_may_delete(thread))
    url = reverse("admin:comments_comment_delete", args=[thread["comment"].pk])
    confirm = client.get(url).content.decode()
    assert "its replies stay" in confirm and ANSWER not in confirm
    assert client.post(url, {"post": "yes"}).status_code == 302


def delete_selected_in_the_admin(thread):
    client = Client()  # the moderator's own browser (the admin's message stays there)
    client.force_login(a_moderator_who_may_delete(thread))
    data = {"action": "delete_selected", "_selected_action": [thread["comment"].pk], "post": "yes"}
    assert client.post(reverse("admin:comments_comment_changelist"), data).status_code == 302


ACTIONS = {
    "pending edit": edit,
    "rejection": reject,
    "spam": mark_spam,
    "flags": flag_until_hidden,
    "deletion": delete,
    "account deletion": delete_the_account,
    "admin delete page": delete_in_the_admin,
    "admin delete selected": delete_selected_in_the_admin,
}

# (action, viewer) -> what the viewer sees in place of Anna's comment (its text, or the
# placeholder's label and sentence), and the header's count. Rita's reply is always
# shown under it.
REMOVED = ("[removed]", "This comment was removed by a moderator.")
DELETED = ("[deleted]", "This comment was deleted.")
HIDDEN = ("[hidden]", "This comment is hidden after readers flagged it, until a moderator looks.")
TABLE = [
    ("pending edit", "author", EDITED, 2),
    ("pending edit", "other reader", QUESTION, 2),
    ("pending edit", "visitor", QUESTION, 2),
    ("pending edit", "moderator", QUESTION, 2),
    ("rejection", "author", REMOVED, 1),
    ("rejection", "other reader", REMOVED, 1),
    ("rejection", "visitor", REMOVED, 1),
    ("rejection", "moderator", REMOVED, 1),
    ("spam", "author", REMOVED, 1),
    ("spam", "other reader", REMOVED, 1),
    ("spam", "visitor", REMOVED, 1),
    ("spam", "moderator", REMOVED, 1),
    ("flags", "author", QUESTION, 2),
    ("flags", "other reader", HIDDEN, 1),
    ("flags", "visitor", HIDDEN, 1),
    ("flags", "moderator", HIDDEN, 1),
    ("deletion", "author", DELETED, 1),
    ("deletion", "other reader", DELETED, 1),
    ("deletion", "visitor", DELETED, 1),
    ("deletion", "moderator", DELETED, 1),
    ("account deletion", "other reader", DELETED, 1),
    ("account deletion", "visitor", DELETED, 1),
    ("account deletion", "moderator", DELETED, 1),
    ("admin delete page", "author", REMOVED, 1),
    ("admin delete page", "visitor", REMOVED, 1),
    ("admin delete page", "moderator", REMOVED, 1),
    ("admin delete selected", "other reader", REMOVED, 1),
    ("admin delete selected", "visitor", REMOVED, 1),
]


@pytest.fixture
def thread(client, a_post):
    author = make_user(email="anna@example.com", display_name=AUTHOR_NAME)
    replier = make_user(email="rita@example.com", display_name="Rita Replier")
    comment = add_comment(a_post, author, QUESTION)
    reply = add_comment(a_post, replier, ANSWER, parent=comment)
    return {
        "client": client,
        "post": a_post,
        "author": author,
        "replier": replier,
        "other reader": make_user(email="otto@example.com", display_name="Otto Other"),
        "moderator": make_moderator(),
        "comment": comment,
        "reply": reply,
    }


def look_as(thread, viewer):
    client = thread["client"]
    if viewer == "visitor":
        client.logout()
    else:
        client.force_login(thread[viewer])
    return page_tree(client, thread["post"])


@override_settings(COMMENTS_FLAGS_TO_HIDE=2)
@pytest.mark.parametrize(("action", "viewer", "shown", "count"), TABLE)
def test_the_thread_rule(thread, action, viewer, shown, count):
    ACTIONS[action](thread)

    tree = look_as(thread, viewer)

    comment, reply = thread["comment"], thread["reply"]
    element = comment_element(tree, comment)
    assert shown_comment_ids(tree) == [comment.pk, reply.pk]
    assert comment_element(element, reply) is not None  # the reply keeps its place
    assert body_text(tree, reply) == ANSWER
    if isinstance(shown, tuple):
        label, sentence = shown
        assert element.first("span", class_="comment-author").text == label
        assert element.first("p", class_="comment-removed").text == sentence
        placeholder_text = element.text.replace(comment_element(element, reply).text, "")
        assert AUTHOR_NAME not in placeholder_text
        assert QUESTION not in tree.text and EDITED not in tree.text
    else:
        assert body_text(tree, comment) == shown
        assert element.first("span", class_="comment-author").text == AUTHOR_NAME
    assert tree.by_id("comments-title").text == f"Comments ({count})"
    assert tree.first("p", class_="post-comments").text == f"{count} comment{'s' * (count > 1)}"


@override_settings(COMMENTS_FLAGS_TO_HIDE=2)
@pytest.mark.parametrize("action", ["rejection", "spam", "flags"])
def test_a_moderator_is_linked_from_a_placeholder_to_the_comment_in_the_admin(thread, action):
    ACTIONS[action](thread)

    element = comment_element(look_as(thread, "moderator"), thread["comment"])

    review = element.first(
        "a", href=reverse("admin:comments_comment_change", args=[thread["comment"].pk])
    )
    assert review is not None and review.text == "Review in the admin"


@override_settings(COMMENTS_FLAGS_TO_HIDE=2)
@pytest.mark.parametrize("action", ["rejection", "flags", "deletion"])
def test_a_placeholder_without_a_reply_left_is_not_shown(thread, action):
    Comment.objects.filter(pk=thread["reply"].pk).delete()
    ACTIONS[action](thread)

    tree = look_as(thread, "other reader")

    assert shown_comment_ids(tree) == []
    assert tree.by_id("comments-title").text == "Comments (0)"


def test_a_placeholder_is_only_its_header_its_reason_and_its_replies(thread):
    reject(thread)

    element = comment_element(look_as(thread, "other reader"), thread["comment"])

    parts = [child.get("class") for child in element.children if not isinstance(child, str)]
    assert parts == ["comment-header", "comment-removed", "comment-replies"]  # no links


def is_placeholder(element):
    return element.first("span", class_="comment-author").text.startswith("[")


def test_the_count_over_several_pages_equals_what_the_pages_show(thread, settings):
    settings.COMMENTS_THREADS_PER_PAGE = 1
    second = add_comment(thread["post"], thread["replier"], "A second thread")
    reject(thread)

    client = thread["client"]
    first_page = page_tree(client, thread["post"])
    second_page = page_tree(client, thread["post"], comments=2)

    readable = [
        pk
        for tree in (first_page, second_page)
        for pk in shown_comment_ids(tree)
        if not is_placeholder(comment_element(tree, Comment(pk=pk)))
    ]
    assert readable == [thread["reply"].pk, second.pk]
    assert first_page.by_id("comments-title").text == "Comments (2)"


# Edits awaiting moderation ----------------------------------------------------------------


def approve_in_admin(client, moderator, comment, action="approve"):
    client.force_login(moderator)
    response = client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": action, "_selected_action": [comment.pk]},
    )
    assert response.status_code == 302


def test_approving_an_edit_shows_the_new_text_to_everyone(thread):
    edit(thread)
    comment = thread["comment"]

    approve_in_admin(thread["client"], thread["moderator"], comment)

    comment.refresh_from_db()
    assert (comment.body, comment.pending_body) == (EDITED, "")
    assert comment.edited_at is not None
    tree = look_as(thread, "visitor")
    assert body_text(tree, comment) == EDITED
    assert comment_element(tree, comment).first("span", class_="comment-edited").text == "(edited)"


def test_discarding_an_edit_keeps_the_approved_text_for_everyone_and_its_author(thread):
    edit(thread)
    comment = thread["comment"]

    approve_in_admin(thread["client"], thread["moderator"], comment, action="discard_edits")

    comment.refresh_from_db()
    assert (comment.body, comment.pending_body, comment.status) == (QUESTION, "", "approved")
    assert body_text(look_as(thread, "author"), comment) == QUESTION


def test_an_edit_awaiting_moderation_is_in_the_moderation_queue_beside_the_approved_text(thread):
    edit(thread)
    client = thread["client"]
    client.force_login(thread["moderator"])

    response = client.get(reverse("admin:comments_comment_changelist"), {"edit": "pending"})

    assert response.status_code == 200
    row = response.content.decode()
    assert QUESTION in row and "Edit awaiting moderation:" in row and EDITED in row
    assert list(Comment.objects.awaiting_moderation()) == [thread["comment"]]


def test_the_author_edits_their_pending_edit_and_the_form_shows_it(thread):
    edit(thread)
    client = thread["client"]

    form = client.get(reverse("comments:edit", args=[thread["comment"].pk]))

    assert EDITED in form.content.decode()


def test_the_edit_of_a_comment_awaiting_moderation_replaces_its_text(client, a_post, a_reader):
    comment = add_comment(a_post, a_reader, "First try", status=Comment.Status.PENDING)
    client.force_login(a_reader)

    client.post(reverse("comments:edit", args=[comment.pk]), {"body": "Second try"})

    comment.refresh_from_db()
    assert (comment.body, comment.pending_body, comment.status) == ("Second try", "", "pending")


def test_the_page_for_a_visitor_never_holds_the_pending_edit(thread):
    edit(thread)
    thread["client"].logout()

    assert EDITED not in get_page(thread["client"], thread["post"]).content.decode()


def test_a_comment_sent_back_to_moderation_before_this_rule_keeps_its_replies(thread):
    """Edits used to send an approved comment back to "pending", hiding its replies;
    such comments still in the database are placeholders for others now."""
    Comment.objects.filter(pk=thread["comment"].pk).update(status=Comment.Status.PENDING)

    others = comment_element(look_as(thread, "other reader"), thread["comment"])
    own = look_as(thread, "author")

    assert others.first("span", class_="comment-author").text == "[awaiting moderation]"
    assert body_text(own, thread["comment"]) == QUESTION
    assert own.by_id("comments-title").text == "Comments (2)"
