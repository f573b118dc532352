"""Issue 19 (high): a queued email carries no secret. The task table, its backups and
admin's "Task results" hold a sealed message, never a reset link, a code or a body, and
the worker deletes finished tasks on its own schedule."""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.mail import EmailMessage
from django.tasks.base import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.mail import as_task_argument, queue_email, seal, send_email, unseal
from core.worker import prune_finished
from tests.conftest import make_user, run_due_tasks, task_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]

RESET_LINK = re.compile(r"/accounts/password/reset/key/(\S+)/")


@pytest.fixture(autouse=True)
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.COMMENTS_MODERATOR_DIGEST_MINUTES = 0


def stored_text(row):
    """Everything the task table keeps of a task's input, as a backup would hold it."""
    return json.dumps(row.args_kwargs)


def test_a_password_reset_task_holds_no_link_token_body_or_address(client, an_editor):
    client.post(reverse("account_reset_password"), {"email": an_editor.email})
    [queued] = task_rows()
    assert mail.outbox == []

    run_due_tasks()

    [sent] = mail.outbox
    token = RESET_LINK.search(sent.body).group(1)
    stored = stored_text(queued)
    assert token not in stored
    assert "reset" not in stored.lower()
    assert an_editor.email not in stored
    assert sent.subject not in stored
    for line in sent.body.splitlines():
        if len(line.strip()) > 12:
            assert line.strip() not in stored


def test_a_log_in_code_task_holds_no_code(client, a_reader):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=a_reader).update(verified=False)
    client.post(
        reverse("account_login"), {"login": a_reader.email, "password": "a-long-enough-password"}
    )
    [queued] = task_rows()
    run_due_tasks()
    [sent] = mail.outbox
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", sent.body, re.MULTILINE).group(1)
    stored = stored_text(queued)
    assert code not in stored
    assert code.replace("-", "") not in stored


def test_task_results_in_admin_show_no_email(client, an_editor):
    """The audit's attack: someone who may view task results asks for a reset of the
    superuser's address and reads the link there. The page has no link to read."""
    watcher = make_user(email="watcher@example.com", is_staff=True)
    watcher.user_permissions.add(Permission.objects.get(codename="view_dbtaskresult"))
    client.post(reverse("account_reset_password"), {"email": an_editor.email})
    [queued] = task_rows()
    run_due_tasks()
    token = RESET_LINK.search(mail.outbox[0].body).group(1)

    client.force_login(watcher)
    listing = client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist"))
    page = client.get(reverse("admin:django_tasks_database_dbtaskresult_change", args=[queued.pk]))

    assert listing.status_code == page.status_code == 200
    for response in (listing, page):
        text = response.content.decode()
        assert token not in text
        assert an_editor.email not in text
    assert "An email, sealed" in page.content.decode()


def test_a_sealed_message_opens_only_with_the_sites_keys(settings):
    data = as_task_argument(EmailMessage("Subject", "Body", None, ["a@example.com"]))
    sealed = seal(data)
    assert unseal(sealed) == data

    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-rotated-key-" + "x" * 40
    assert unseal(sealed) == data  # queued before the rotation: still sent

    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(ValueError, match="DJANGO_SECRET_KEY_FALLBACKS"):
        unseal(sealed)
    with pytest.raises(ValueError):
        unseal(sealed[:-4] + "AAAA")


def test_an_email_queued_before_sealing_is_still_sent():
    legacy = as_task_argument(EmailMessage("Queued before", "Old body", None, ["a@example.com"]))
    send_email.call(legacy)
    assert mail.outbox[0].subject == "Queued before"


def test_the_worker_prunes_finished_tasks_on_its_own(settings):
    settings.TASKS_KEEP_SUCCESSFUL_HOURS = 1
    settings.TASKS_KEEP_FAILED_DAYS = 7
    for number in range(4):
        queue_email(EmailMessage(f"Mail {number}", "x", None, ["a@example.com"]))
    run_due_tasks()
    rows = task_rows()
    assert {row.status for row in rows} == {TaskResultStatus.SUCCESSFUL}
    now = timezone.now()
    old_sent, new_sent, old_failed, new_failed = rows
    DBTaskResult.objects.filter(pk=old_sent.pk).update(finished_at=now - timedelta(hours=2))
    DBTaskResult.objects.filter(pk=old_failed.pk).update(
        status=TaskResultStatus.FAILED, finished_at=now - timedelta(days=8)
    )
    DBTaskResult.objects.filter(pk=new_failed.pk).update(
        status=TaskResultStatus.FAILED, finished_at=now - timedelta(days=6)
    )
    queue_email(EmailMessage("Waiting", "x", None, ["a@example.com"]))

    assert prune_finished(backend_name="default", now=now) == 2

    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {new_sent.pk, new_failed.pk, task_rows(TaskResultStatus.READY)[0].pk}


def test_a_running_worker_prunes_without_being_asked(settings):
    settings.TASKS_KEEP_SUCCESSFUL_HOURS = 0
    queue_email(EmailMessage("Sent", "x", None, ["a@example.com"]))
    run_due_tasks()
    assert len(task_rows(TaskResultStatus.SUCCESSFUL)) == 1
    # The next worker's first look (at start-up) prunes what was finished before.
    run_due_tasks()
    assert task_rows() == []
