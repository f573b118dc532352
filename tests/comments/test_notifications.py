"""Emails: moderators hear of comments to review, readers of approved replies; a broken
mail server never breaks commenting."""

import logging

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.urls import reverse

from comments.models import Comment
from tests.conftest import make_user

from .conftest import add_comment, make_moderator, post_comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]

CHANGELIST = reverse("admin:comments_comment_changelist")


class BrokenMailServer(BaseEmailBackend):
    """A mail backend that fails the way an unreachable SMTP server does."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unreachable")


BROKEN_MAIL = {"default": {"BACKEND": f"{__name__}.BrokenMailServer"}}


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def approve(client, moderator, comment):
    client.force_login(moderator)
    client.post(CHANGELIST, {"action": "approve", "_selected_action": [comment.pk], "index": 0})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


# Moderators ------------------------------------------------------------------------------


def test_moderators_get_an_email_about_a_comment_awaiting_moderation(
    client, a_post, a_reader, a_moderator, an_editor
):
    make_user(email="staff-no-perm@example.com", is_staff=True)  # staff, may not moderate
    not_staff = make_user(email="not-staff@example.com")
    not_staff.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    no_address = make_moderator(email="quiet@example.com")
    no_address.email = ""  # a moderator without an address gets nothing
    no_address.save()
    client.force_login(a_reader)

    post_comment(client, a_post, "Please review me")

    # One message per moderator, each addressed to them alone (issue 18).
    assert sorted(message.to for message in mail.outbox) == [
        ["editor@example.com"],
        ["moderator@example.com"],
    ]
    comment = Comment.objects.get()
    for message in mail.outbox:
        assert (message.cc, message.bcc) == ([], [])
        assert message.subject == "A comment on “A test post” awaits moderation"
        assert "Please review me" in message.body
        assert reverse("admin:comments_comment_change", args=[comment.pk]) in message.body
    assert len({message.extra_headers["Message-ID"] for message in mail.outbox}) == 2


def test_moderators_get_no_email_about_a_trusted_readers_comment(
    client, a_post, a_staff_member, a_moderator
):
    client.force_login(a_staff_member)

    post_comment(client, a_post, "Approved at once")

    assert Comment.objects.get().status == Comment.Status.APPROVED
    assert mail.outbox == []


@override_settings(COMMENTS_FLAGS_TO_HIDE=1)
def test_moderators_get_an_email_when_flags_hide_a_comment(
    client, a_post, a_commenter, a_reader, a_moderator
):
    comment = add_comment(a_post, a_commenter, "Dubious")
    client.force_login(a_reader)

    client.post(reverse("comments:flag", args=[comment.pk]), {"reason": "abuse"})

    assert recipients() == ["moderator@example.com"]
    assert "was hidden by readers' flags" in mail.outbox[0].subject


# Message-IDs: one per notice and recipient (issue 18) -----------------------------------


def message_ids():
    return [message.extra_headers["Message-ID"] for message in mail.outbox]


@override_settings(COMMENTS_FLAGS_TO_HIDE=1, COMMENTS_TRUSTED_AFTER=99)
def test_each_notice_about_one_comment_has_its_own_message_id(
    client, a_post, a_reader, a_moderator, a_commenter
):
    """New, edited, edited again, hidden by flags, approved then hidden again: five
    notices about one comment, five Message-IDs (Gmail showed only the first)."""
    from comments.moderation import moderate

    client.force_login(a_reader)
    post_comment(client, a_post, "First text")
    comment = Comment.objects.get()
    moderate(
        source="admin", comments=Comment.objects.all(), status="approved", moderator=a_moderator
    )
    for text in ("Second text", "Third text"):
        client.force_login(a_reader)
        client.post(reverse("comments:edit", args=[comment.pk]), {"body": text})
    client.force_login(a_commenter)
    client.post(reverse("comments:flag", args=[comment.pk]), {"reason": "abuse"})
    moderate(
        source="admin", comments=Comment.objects.all(), status="approved", moderator=a_moderator
    )
    client.force_login(make_user(email="second-flagger@example.com"))
    client.post(reverse("comments:flag", args=[comment.pk]), {"reason": "spam"})

    subjects = [message.subject for message in mail.outbox]
    assert [subject.rsplit("” ", 1)[1] for subject in subjects] == [
        "awaits moderation",
        "has an edit awaiting moderation",
        "has an edit awaiting moderation",
        "was hidden by readers' flags",
        "was hidden by readers' flags",
    ]
    assert len(set(message_ids())) == len(mail.outbox)


def test_a_notice_retried_after_a_failed_send_keeps_its_message_id(
    client, a_post, a_reader, a_moderator
):
    """A worker that sent the email but could not record it sends it again: the same
    Message-ID lets mail systems drop the copy."""
    from comments.notifications import notify_moderators

    client.force_login(a_reader)
    post_comment(client, a_post, "Once")
    Comment.objects.update(moderators_notified_at=None)  # as if the record was lost

    notify_moderators.call()

    first, again = mail.outbox
    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]
    assert first.to == again.to == ["moderator@example.com"]


# Replies ---------------------------------------------------------------------------------


def test_a_reader_gets_an_email_about_a_reply_only_once_it_is_approved(
    client, a_post, a_commenter, a_replier, a_moderator
):
    parent = add_comment(a_post, a_commenter, "My question")
    client.force_login(a_replier)
    post_comment(client, a_post, "My answer", parent=parent)
    reply = Comment.objects.get(body="My answer")
    assert reply.status == Comment.Status.PENDING
    assert recipients() == ["moderator@example.com"]  # the moderators only, so far
    mail.outbox.clear()

    approve(client, a_moderator, reply)

    assert recipients() == ["commenter@example.com"]
    message = mail.outbox[0]
    assert message.subject == "\u2068Rita Replier\u2069 replied to your comment on “A test post”"
    assert "My answer" in message.body
    assert f"{a_post.get_absolute_url()}#comment-{reply.pk}" in message.body


def test_a_trusted_readers_reply_is_emailed_at_once(client, a_post, a_commenter, a_staff_member):
    parent = add_comment(a_post, a_commenter, "My question")
    client.force_login(a_staff_member)

    post_comment(client, a_post, "Staff answer", parent=parent)

    assert recipients() == ["commenter@example.com"]


def test_approving_a_reply_again_sends_no_second_email(
    client, a_post, a_commenter, a_replier, a_moderator
):
    parent = add_comment(a_post, a_commenter, "My question")
    reply = add_comment(a_post, a_replier, "Answer", parent=parent, status="pending")
    approve(client, a_moderator, reply)
    mail.outbox.clear()

    approve(client, a_moderator, reply)

    assert mail.outbox == []


def test_a_reader_who_turned_reply_emails_off_gets_none(
    client, a_post, a_commenter, a_replier, a_moderator
):
    client.force_login(a_commenter)
    client.post(reverse("accounts:notifications"), {})  # the checkbox left unticked
    a_commenter.refresh_from_db()
    assert a_commenter.notify_replies is False
    parent = add_comment(a_post, a_commenter, "My question")
    reply = add_comment(a_post, a_replier, "Answer", parent=parent, status="pending")

    approve(client, a_moderator, reply)

    assert mail.outbox == []


def test_a_reader_who_turns_reply_emails_back_on_gets_them(
    client, a_post, a_commenter, a_replier, a_moderator
):
    client.force_login(a_commenter)
    client.post(reverse("accounts:notifications"), {})
    client.post(reverse("accounts:notifications"), {"notify_replies": "on"})
    parent = add_comment(a_post, a_commenter, "My question")
    reply = add_comment(a_post, a_replier, "Answer", parent=parent, status="pending")

    approve(client, a_moderator, reply)

    assert recipients() == ["commenter@example.com"]


def test_replying_to_yourself_sends_no_email(client, a_post, a_commenter, a_moderator):
    parent = add_comment(a_post, a_commenter, "My question")
    reply = add_comment(a_post, a_commenter, "Answering myself", parent=parent, status="pending")

    approve(client, a_moderator, reply)

    assert mail.outbox == []


def test_a_reply_to_an_imported_comment_without_an_account_emails_nobody(
    client, a_post, a_replier, a_moderator
):
    parent = add_comment(a_post, None, "From Disqus", author_name="Old Reader")
    reply = add_comment(a_post, a_replier, "Answer", parent=parent, status="pending")

    approve(client, a_moderator, reply)

    assert mail.outbox == []


# A mail server that fails ----------------------------------------------------------------


def failed_tasks(caplog):
    """The failures django.tasks logged (the immediate backend of tests runs a task at
    once; in production the worker retries it, tests/test_tasks.py)."""
    return [r for r in caplog.records if r.name == "django.tasks" and r.levelno == logging.ERROR]


@override_settings(MAILERS=BROKEN_MAIL)
def test_a_failing_mail_server_does_not_fail_posting_and_the_error_is_logged(
    client, a_post, a_reader, a_moderator, caplog
):
    client.force_login(a_reader)

    with caplog.at_level(logging.ERROR, logger="django.tasks"):
        response = post_comment(client, a_post, "Mail is down")

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{a_post.get_absolute_url()}#comment-{comment.pk}"
    assert comment.body == "Mail is down"
    errors = failed_tasks(caplog)
    assert len(errors) == 1
    assert "path=comments.notifications.notify_moderators state=FAILED" in errors[0].getMessage()
    assert errors[0].exc_info[0] is ConnectionRefusedError
    comment.refresh_from_db()
    assert comment.moderators_notified_at is None  # still to be told: the next try will


@override_settings(MAILERS=BROKEN_MAIL)
def test_a_failing_mail_server_does_not_fail_a_script_post(
    client, a_post, a_reader, a_moderator, caplog
):
    client.force_login(a_reader)

    with caplog.at_level(logging.ERROR, logger="django.tasks"):
        response = post_comment(client, a_post, "Mail is down", json=True)

    assert response.status_code == 201
    assert Comment.objects.filter(pk=response.json()["id"]).exists()
    assert len(failed_tasks(caplog)) == 1


@override_settings(MAILERS=BROKEN_MAIL)
def test_a_failing_mail_server_does_not_fail_approving_a_reply(
    client, a_post, a_commenter, a_replier, a_moderator, caplog
):
    parent = add_comment(a_post, a_commenter, "My question")
    reply = add_comment(a_post, a_replier, "Answer", parent=parent, status="pending")

    with caplog.at_level(logging.ERROR, logger="django.tasks"):
        approve(client, a_moderator, reply)

    assert ["notify_reply" in r.getMessage() for r in failed_tasks(caplog)] == [True]
