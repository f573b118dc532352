"""Rules found while reviewing the discussion: who may still edit or flag, drafts, and how
line breaks count against the length limit."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import BlockedCommenter, Comment, Flag
from core.text import duration_words
from tests.conftest import make_post

from .conftest import add_comment, comment_element, page_tree

pytestmark = pytest.mark.django_db


def test_a_blocked_reader_can_no_longer_edit_their_comment(client, a_post, a_reader, an_editor):
    comment = add_comment(a_post, a_reader, "Before the block")
    BlockedCommenter.objects.create(user=a_reader, blocked_by=an_editor)
    client.force_login(a_reader)

    response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": "Sneaky"})

    assert response.status_code == 403
    assert "stopped from commenting" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Before the block"


def test_a_blocked_reader_can_still_delete_their_comment(client, a_post, a_reader, an_editor):
    comment = add_comment(a_post, a_reader, "Mine to remove")
    BlockedCommenter.objects.create(user=a_reader, blocked_by=an_editor)
    client.force_login(a_reader)

    client.post(reverse("comments:delete", args=[comment.pk]))

    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_a_blocked_reader_cannot_flag(client, a_post, a_reader, another_reader, an_editor):
    comment = add_comment(a_post, another_reader, "Fine words")
    BlockedCommenter.objects.create(user=a_reader, blocked_by=an_editor)
    client.force_login(a_reader)

    response = client.post(reverse("comments:flag", args=[comment.pk]), {"reason": "spam"})

    assert response.status_code == 403
    assert not Flag.objects.exists()


def test_a_reader_cannot_flag_their_own_comment(client, a_post, a_reader):
    comment = add_comment(a_post, a_reader, "My own words")
    client.force_login(a_reader)

    response = client.post(reverse("comments:flag", args=[comment.pk]), {"reason": "spam"})

    assert response.status_code == 403
    assert "cannot flag your own comment" in response.content.decode()
    assert not Flag.objects.exists()


def test_staff_previewing_a_draft_see_no_comment_form(client, an_editor):
    draft = make_post(status="draft")
    client.force_login(an_editor)

    html = client.get(draft.get_absolute_url()).content.decode()

    assert "Comments open once the post is published." in html
    assert 'class="comment-form"' not in html


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_each_line_break_counts_as_one_character(client, a_post, a_reader, settings, newline):
    settings.COMMENTS_MAX_LENGTH = 20
    client.force_login(a_reader)
    body = newline.join(["abcd"] * 4)  # 16 letters and 3 line breaks: 19 characters

    response = client.post(reverse("comments:post", args=[a_post.pk]), {"body": body})

    assert response.status_code == 302
    assert Comment.objects.get().body == "abcd\nabcd\nabcd\nabcd"


# One rule for what a reader may act on (issue 11) ---------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("action", ["flag", "reply", "edit"])
def test_nothing_is_done_to_a_comment_of_an_unpublished_draft(
    client, a_draft, a_reader, another_reader, method, action
):
    author = a_reader if action == "edit" else another_reader
    comment = add_comment(a_draft, author, "On a draft")
    client.force_login(a_reader)

    response = getattr(client, method)(
        reverse(f"comments:{action}", args=[comment.pk]), {"reason": "spam", "body": "x"}
    )

    assert response.status_code in ((404,) if method == "get" or action != "reply" else (404, 405))
    assert not Flag.objects.exists()
    comment.refresh_from_db()
    assert comment.body == "On a draft"


def comment_in_state(post, author, state):
    fields = {
        "approved": {},
        "awaiting moderation": {"status": "pending"},
        "hidden by flags": {"hidden_by_flags": True},
        "rejected": {"status": "rejected"},
        "too old to edit": {"created_at": timezone.now() - timedelta(days=1)},
    }[state]
    return add_comment(post, author, f"A comment {state}", **fields)


STATES = ["approved", "awaiting moderation", "hidden by flags", "rejected", "too old to edit"]


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
@pytest.mark.parametrize("whose", ["own", "another's"])
@pytest.mark.parametrize("state", STATES)
def test_a_link_is_offered_exactly_when_its_view_accepts(
    client, a_reader, another_reader, state, whose, closed
):
    post = make_post(allow_comments=not closed)
    author = a_reader if whose == "own" else another_reader
    comment = comment_in_state(post, author, state)
    # A reply under it keeps a hidden comment on the page as a placeholder.
    add_comment(post, another_reader, "A reply", parent=comment)
    client.force_login(a_reader)

    element = comment_element(page_tree(client, post), comment)

    for action in ("reply", "edit", "delete", "flag"):
        url = reverse(f"comments:{action}", args=[comment.pk])
        offered = element is not None and element.first("a", href=url) is not None
        accepted = client.get(url).status_code == 200
        assert offered == accepted, (action, state, whose, closed)


def test_the_edit_window_is_said_with_the_right_plural(client, a_post, a_reader, settings):
    settings.COMMENTS_EDIT_WINDOW = timedelta(minutes=1)
    comment = add_comment(a_post, a_reader, "Old", created_at=timezone.now() - timedelta(hours=1))
    client.force_login(a_reader)

    response = client.get(reverse("comments:edit", args=[comment.pk]))

    assert response.status_code == 403
    assert "Comments can be edited for 1 minute only." in response.content.decode()


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, "1 second"),
        (0.2, "1 second"),
        (45, "45 seconds"),
        (60, "1 minute"),
        (61, "1 minute and 1 second"),
        (900, "15 minutes"),
        (3600, "1 hour"),
        (3725, "1 hour, 2 minutes and 5 seconds"),
    ],
)
def test_durations_are_said_with_the_right_plurals(seconds, words):
    assert duration_words(seconds) == words


# Comment text that shows nothing (issue 11) ----------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "\u200b\u200b",
        "\u200b \u2060 \ufeff",
        "\u3164",
        "\u202e",
        "**\u200b**",
        "> \u200b",
        "\u2800",
    ],
)
@pytest.mark.parametrize("json", [False, True])
def test_a_comment_of_invisible_characters_is_refused(client, a_post, a_reader, body, json):
    client.force_login(a_reader)

    response = client.post(
        reverse("comments:post", args=[a_post.pk]),
        {"body": body},
        headers={"Accept": "application/json"} if json else {},
    )

    assert response.status_code == 400
    assert "no visible character" in response.content.decode()
    assert not Comment.objects.exists()


def test_an_edit_to_invisible_characters_is_refused(client, a_post, a_reader):
    comment = add_comment(a_post, a_reader, "Visible")
    client.force_login(a_reader)

    response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": "\u200b"})

    assert response.status_code == 400
    comment.refresh_from_db()
    assert (comment.body, comment.pending_body) == ("Visible", "")


def test_a_comment_with_visible_text_is_kept_exactly_as_written(client, a_post, a_reader):
    client.force_login(a_reader)
    body = "Zero\u200bwidth inside, \u05e9\u05dc\u05d5\u05dd and 👩\u200d💻"

    client.post(reverse("comments:post", args=[a_post.pk]), {"body": body})

    assert Comment.objects.get().body == body
