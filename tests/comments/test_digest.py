"""Moderators' digest and reply notices through the database task backend: one email per
COMMENTS_MODERATOR_DIGEST_MINUTES about what moderators were not yet told of."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments.models import Comment
from comments.moderation import create_comment, flag_comment, moderate
from comments.notifications import next_digest_time, notify_moderators
from tests.conftest import make_user, run_due_tasks, task_rows

from .conftest import add_comment, make_moderator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]


@pytest.fixture(autouse=True)
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.COMMENTS_MODERATOR_DIGEST_MINUTES = 0


def test_the_digest_period_ends_on_the_next_multiple_of_n_minutes():
    now = timezone.datetime(2026, 11, 29, 10, 4, 30, tzinfo=timezone.UTC)

    assert next_digest_time(now, 15) == now.replace(minute=15, second=0)
    assert next_digest_time(now.replace(minute=15, second=0), 15) == now.replace(
        minute=30, second=0
    )
    assert next_digest_time(now, 60) == now.replace(hour=11, minute=0, second=0)


def test_moderators_get_one_digest_for_the_comments_of_a_period(a_post, a_reader, settings):
    settings.COMMENTS_MODERATOR_DIGEST_MINUTES = 15
    make_moderator()
    for number in range(3):
        create_comment(post=a_post, author=a_reader, body=f"Comment {number}")

    [digest] = task_rows()  # one task for the period, not one per comment
    assert digest.run_after == next_digest_time(timezone.now(), 15)
    run_due_tasks()
    assert mail.outbox == []  # not before the period ends

    DBTaskResult.objects.update(run_after=timezone.now())
    run_due_tasks()

    [message] = mail.outbox
    assert message.subject == "3 comments on Advice need a moderator"
    assert [f"Comment {number}" in message.body for number in range(3)] == [True] * 3
    assert message.to == ["moderator@example.com"]


def test_a_period_whose_digest_is_queued_asks_the_database_no_more(
    a_post, a_reader, settings, django_capture_on_commit_callbacks
):
    """Issue 23: the check that saves a task row per comment costs a query only once
    per period and server, after the first commit that queued the digest."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.COMMENTS_MODERATOR_DIGEST_MINUTES = 15
    make_moderator()
    with django_capture_on_commit_callbacks(execute=True):
        create_comment(post=a_post, author=a_reader, body="First")
    with CaptureQueriesContext(connection) as queries:
        create_comment(post=a_post, author=a_reader, body="Second")
    assert not [q for q in queries if "django_tasks_database" in q["sql"]]

    cache.clear()  # the cache forgot: the database is asked, and says it is queued
    create_comment(post=a_post, author=a_reader, body="Third")
    assert len(task_rows()) == 1


def test_a_digest_tells_only_of_what_moderators_were_not_told(a_post, a_reader, settings):
    settings.COMMENTS_MODERATOR_DIGEST_MINUTES = 15
    make_moderator()
    create_comment(post=a_post, author=a_reader, body="First")
    DBTaskResult.objects.update(run_after=timezone.now())
    run_due_tasks()
    mail.outbox.clear()
    DBTaskResult.objects.all().delete()  # as if the first digest was long ago

    create_comment(post=a_post, author=a_reader, body="Second")
    DBTaskResult.objects.update(run_after=timezone.now())
    run_due_tasks()

    [message] = mail.outbox
    assert "Second" in message.body and "First" not in message.body


def test_two_digest_tasks_for_one_period_send_one_email(a_post, a_reader, settings):
    make_moderator()
    create_comment(post=a_post, author=a_reader, body="Only once")  # queues one task
    notify_moderators.enqueue()  # a second, as two web servers racing would

    run_due_tasks()

    assert len(mail.outbox) == 1
    assert len(task_rows(TaskResultStatus.SUCCESSFUL)) == 2


def test_a_comment_hidden_by_flags_is_in_the_next_digest(a_post, a_commenter, settings):
    settings.COMMENTS_FLAGS_TO_HIDE = 1
    make_moderator()
    comment = add_comment(a_post, a_commenter, "Dubious", moderators_notified_at=timezone.now())

    flag_comment(comment=comment, user=make_user(email="flagger@example.com"), reason="abuse")
    run_due_tasks()

    [message] = mail.outbox
    assert message.subject == "A comment on “A test post” was hidden by readers' flags"


def test_a_moderators_own_comment_is_not_emailed_to_them(a_post, settings):
    moderator = make_moderator()
    moderator.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    other = make_moderator(email="second@example.com")
    comment = add_comment(a_post, moderator, "Mine", status="pending")
    assert comment.moderators_notified_at is None

    notify_moderators.enqueue()
    run_due_tasks()

    [message] = mail.outbox
    assert message.to == [other.email]


def test_a_reply_notice_is_sent_once_even_if_approved_twice(a_post, a_commenter, a_replier):
    parent = add_comment(a_post, a_commenter, "Question")
    reply = add_comment(a_post, a_replier, "Answer", parent=parent, status="pending")
    moderator = make_moderator()
    for _ in range(2):
        moderate(
            source="admin",
            comments=Comment.objects.filter(pk=reply.pk),
            status="approved",
            moderator=moderator,
        )

    run_due_tasks()

    assert [message.to for message in mail.outbox] == [["commenter@example.com"]]
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<reply-{reply.pk}@127.0.0.1>"


def test_each_moderator_gets_the_digest_alone_with_its_own_message_id(a_post, a_reader, settings):
    """Issue 18: the digest listed every moderator's address in To:."""
    settings.COMMENTS_MODERATOR_DIGEST_MINUTES = 15
    make_moderator()
    make_moderator(email="second@example.com")
    for number in range(2):
        create_comment(post=a_post, author=a_reader, body=f"Comment {number}")
    DBTaskResult.objects.update(run_after=timezone.now())

    run_due_tasks()

    assert sorted(message.to for message in mail.outbox) == [
        ["moderator@example.com"],
        ["second@example.com"],
    ]
    assert [message.subject for message in mail.outbox] == [
        "2 comments on Advice need a moderator"
    ] * 2
    assert len({message.extra_headers["Message-ID"] for message in mail.outbox}) == 2
