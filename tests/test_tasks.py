"""Durable mail: with the database task backend, emails wait in PostgreSQL (or SQLite)
until `manage.py task_worker` sends them, are retried with backoff when the mail server
fails, and come back when a worker dies while sending them."""

from contextlib import contextmanager
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import OperationalError, transaction
from django.tasks.base import TaskResultStatus
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments.models import Comment
from comments.moderation import create_comment
from core.mail import queue_email
from core.worker import recover_abandoned, retry_delay
from tests.comments.conftest import make_moderator
from tests.conftest import a_worker, make_user, run_due_tasks, task_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class BrokenMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unreachable")


BROKEN_MAIL = {"default": {"BACKEND": f"{__name__}.BrokenMailServer"}}
WORKING_MAIL = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture(autouse=True)
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS
    settings.COMMENTS_MODERATOR_DIGEST_MINUTES = 0


@pytest.fixture
def a_pending_comment(a_post, a_reader):
    make_moderator()
    return create_comment(post=a_post, author=a_reader, body="Please review me")


def test_an_email_waits_in_the_database_until_the_worker_sends_it(a_pending_comment):
    assert mail.outbox == []
    [queued] = task_rows()
    assert queued.status == TaskResultStatus.READY
    assert queued.task_path == "comments.notifications.notify_moderators"

    run_due_tasks()

    assert [message.subject for message in mail.outbox] == [
        "A comment on “A test post” awaits moderation"
    ]
    assert task_rows()[0].status == TaskResultStatus.SUCCESSFUL


def test_the_task_commits_with_the_comment_or_not_at_all(a_post, a_reader):
    make_moderator()
    with pytest.raises(RuntimeError), transaction.atomic():
        create_comment(post=a_post, author=a_reader, body="Rolled back")
        raise RuntimeError("the request failed after the comment was written")

    assert Comment.objects.count() == 0
    assert task_rows() == []


@override_settings(MAILERS=BROKEN_MAIL)
def test_a_failed_send_is_tried_again_later_with_a_growing_delay(a_pending_comment):
    before = timezone.now()
    run_due_tasks()

    [waiting] = task_rows()
    assert waiting.status == TaskResultStatus.READY
    assert waiting.worker_ids == ["test-worker"]
    assert waiting.exception_class_path == "builtins.ConnectionRefusedError"
    assert "SMTP server unreachable" in waiting.traceback
    assert before + timedelta(seconds=30) <= waiting.run_after
    assert waiting.run_after <= timezone.now() + timedelta(seconds=30)

    run_due_tasks()  # not due yet: nothing runs
    assert len(task_rows()[0].worker_ids) == 1

    DBTaskResult.objects.update(run_after=timezone.now())
    run_due_tasks()
    second = task_rows()[0]
    assert len(second.worker_ids) == 2
    assert second.run_after - timezone.now() > timedelta(seconds=55)  # 60 s the second time


@contextmanager
def failing_to_record(times):
    """set_successful raising OperationalError (the database unreachable) ``times``
    times, then working. The worker's waits between attempts are skipped, and so is its
    closing of the broken connection: here the connection is fine, and holds the test's
    transaction."""
    real = DBTaskResult.set_successful
    calls = []

    def set_successful(self, return_value):
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError("the database went away")
        return real(self, return_value)

    with (
        mock.patch.object(DBTaskResult, "set_successful", set_successful),
        mock.patch("core.worker.time.sleep"),
        mock.patch("core.worker.close_old_connections"),
    ):
        yield


@pytest.fixture
def a_queued_email(db):
    """An email queued as allauth's are (a password reset): sending it twice would send
    it twice, unlike the moderators' notice, which remembers what it told."""
    with transaction.atomic():
        queue_email(EmailMessage("Reset your password", "A link", to=["reader@example.com"]))


def test_a_sent_email_whose_success_cannot_be_recorded_at_once_is_not_sent_again(
    a_queued_email,
):
    with failing_to_record(times=2):
        run_due_tasks()
    DBTaskResult.objects.update(run_after=timezone.now())
    run_due_tasks()

    assert len(mail.outbox) == 1
    assert task_rows()[0].status == TaskResultStatus.SUCCESSFUL


def test_a_success_never_recorded_leaves_the_task_to_recovery_not_to_a_retry(
    a_queued_email,
):
    with failing_to_record(times=100):
        run_due_tasks()
    DBTaskResult.objects.update(run_after=timezone.now())
    run_due_tasks()  # not handed out again before its lease

    assert len(mail.outbox) == 1
    assert task_rows()[0].status == TaskResultStatus.RUNNING


def test_the_retry_delay_doubles_up_to_an_hour(settings):
    settings.TASKS_RETRY_DELAY_SECONDS = 30

    delays = [retry_delay(attempt).total_seconds() for attempt in range(1, 11)]

    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


@override_settings(MAILERS=BROKEN_MAIL, TASKS_MAX_ATTEMPTS=3)
def test_after_the_last_attempt_the_task_stays_failed_with_its_error(a_pending_comment):
    for _ in range(3):
        DBTaskResult.objects.update(run_after=timezone.now())
        run_due_tasks()

    [failed] = task_rows()
    assert failed.status == TaskResultStatus.FAILED
    assert len(failed.worker_ids) == 3
    assert "SMTP server unreachable" in failed.traceback
    a_pending_comment.refresh_from_db()
    assert a_pending_comment.moderators_notified_at is None  # the next digest tells them


@override_settings(MAILERS=BROKEN_MAIL)
def test_failed_sends_are_visible_in_admin_and_can_be_run_again(client, a_pending_comment):
    run_due_tasks()
    admin_user = make_user(email="admin@example.com", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    changelist = reverse("admin:django_tasks_database_dbtaskresult_changelist")

    page = client.get(changelist).content.decode()

    assert "notify_moderators" in page
    assert "ConnectionRefusedError" in page  # the last error
    assert "Ready" in page

    with override_settings(
        MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    ):
        response = client.post(
            changelist,
            {"action": "run_again", "_selected_action": [str(task_rows()[0].pk)], "index": 0},
        )
        assert response.status_code == 302
        run_due_tasks()
    assert len(mail.outbox) == 1


def test_a_task_left_running_by_a_dead_worker_is_run_again(a_pending_comment, settings):
    settings.TASKS_LEASE_SECONDS = 120
    # A worker claimed the task and was killed before it recorded anything.
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(seconds=121),
        worker_ids=["killed-worker"],
    )

    run_due_tasks()

    [done] = task_rows()
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert done.worker_ids == ["killed-worker", "test-worker"]
    assert len(mail.outbox) == 1


def test_a_task_still_within_its_lease_is_left_to_its_worker(a_pending_comment, settings):
    settings.TASKS_LEASE_SECONDS = 120
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(seconds=60),
        worker_ids=["busy-worker"],
    )

    assert recover_abandoned(backend_name="default") == 0
    run_due_tasks()

    assert task_rows()[0].status == TaskResultStatus.RUNNING
    assert mail.outbox == []


def test_a_task_that_keeps_killing_its_worker_is_given_up(a_pending_comment, settings):
    settings.TASKS_MAX_ATTEMPTS = 2
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(hours=1),
        worker_ids=["killed-1", "killed-2"],
    )

    recover_abandoned(backend_name="default")

    [lost] = task_rows()
    assert lost.status == TaskResultStatus.FAILED
    assert lost.exception_class_path == "core.worker.WorkerLost"


def test_the_worker_command_runs_what_is_due_and_exits_in_batch_mode(a_pending_comment):
    # The command's loop closes stale connections, which a test's transaction forbids.
    with mock.patch("core.worker.close_old_connections"):
        call_command("task_worker", "--batch", "--interval=0", stdout=StringIO())

    assert len(mail.outbox) == 1
    assert task_rows()[0].worker_ids[0].count("-") >= 2  # host-pid-random


def test_a_database_outage_does_not_stop_the_worker(a_pending_comment, caplog):
    from django.db import OperationalError

    worker = a_worker()
    worker.batch = False
    outage = [OperationalError("connection refused")]

    def claim_or_fail():
        if outage:
            raise outage.pop()
        worker.running = False  # stop after the first look once the database is back
        return None

    with (
        mock.patch.object(worker, "claim_next", side_effect=claim_or_fail),
        mock.patch("core.worker.close_old_connections"),
        mock.patch("core.worker.time.sleep") as sleep,
    ):
        worker.run()

    assert "Worker cannot reach the database" in caplog.text
    sleep.assert_called()
