"""Rules found while reviewing the discussion: who may still edit or flag, drafts, and how
line breaks count against the length limit."""

import pytest
from django.urls import reverse

from comments.models import BlockedCommenter, Comment, Flag
from tests.conftest import make_post

from .conftest import add_comment

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
