"""The task worker: django-tasks-db's worker plus the two things it lacks.

- **Retries with backoff.** A task that raises runs again after
  TASKS_RETRY_DELAY_SECONDS, then twice that, four times that... (at most an hour
  apart), until it has had TASKS_MAX_ATTEMPTS attempts; then it stays FAILED, with its
  traceback, in admin ("Task results"), where a moderator can run it again.
- **Pruning.** Finished tasks are deleted, successful ones after
  TASKS_KEEP_SUCCESSFUL_HOURS and failed ones after TASKS_KEEP_FAILED_DAYS, so the task
  table and its backups keep no old mail (issue 19).
- **Recovery.** A task left RUNNING by a worker that died (SIGKILL, out of memory, a
  lost machine) is handed out again once TASKS_LEASE_SECONDS have passed since it
  started. The lease must be longer than any task runs (a mail send is bounded by
  EMAIL_TIMEOUT), or a slow task would run twice.

So a queued task runs at least once: a task runs twice only if its worker died after
the task's work was done and before it recorded that (for an email, between the mail
server taking the message and the next database write).

django-tasks-db's Worker has no hook for any of this: its run_task() records a failure
as final, and records a success inside the same ``try`` as the task, so a failed write
would count as the task failing and send the mail again. So Worker below rewrites its
run() and run_task() (issue 20), keeping its constructor, its signal handling
(configure_signals(), shutdown(), which read ``running`` and ``running_task``) and its
models' public methods. pyproject.toml pins django-tasks-db ~=0.13.0, and
tests/test_upstream_pins.py fails when its Worker's code changes: re-read its new run()
and run_task() and carry over what changed.
"""

import logging
import time
from datetime import timedelta
from traceback import format_exception

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, close_old_connections
from django.db.models import Q
from django.tasks import TaskContext
from django.tasks.base import TaskResultStatus
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=1)
# Seconds between attempts to record a task's success while the database is unreachable
# (about a minute in all, well within TASKS_LEASE_SECONDS' default of 120).
RECORD_WAITS = (1, 2, 4, 8, 16, 32)


class WorkerLost(Exception):
    """Recorded as the error of a task whose worker kept dying while running it."""


def retry_delay(attempts):
    """How long to wait after the `attempts`-th failed attempt (1, 2, ...): the first
    delay doubled with each attempt, at most an hour."""
    first = timedelta(seconds=settings.TASKS_RETRY_DELAY_SECONDS)
    return min(first * 2 ** (attempts - 1), MAX_RETRY_DELAY)


def record_failure(db_result, error):
    """After a failed attempt: schedule the next one with backoff, or, when the attempts
    are spent, mark the task FAILED. One write either way, so a worker that dies here
    leaves the task RUNNING, which recovery hands out again.

    Returns True if the task will be tried again.
    """
    attempts = len(db_result.worker_ids)
    if attempts >= settings.TASKS_MAX_ATTEMPTS:
        db_result.set_failed(error)
        return False
    db_result.status = TaskResultStatus.READY
    db_result.run_after = timezone.now() + retry_delay(attempts)
    # The last error stays visible in admin while the task waits for its next attempt.
    db_result.exception_class_path = f"{type(error).__module__}.{type(error).__qualname__}"
    db_result.traceback = "".join(format_exception(error))
    db_result.save(update_fields=["status", "run_after", "exception_class_path", "traceback"])
    return True


def record_success(db_result, return_value, *, waits=RECORD_WAITS):
    """Record a task's success, trying again after each of ``waits`` (seconds) while the
    database cannot be reached. Returns whether it was recorded; if not, the task stays
    RUNNING and recovery runs it again after its lease, as if this worker had died.
    """
    for wait in (*waits, None):
        try:
            db_result.set_successful(return_value)
            return True
        except DatabaseError as error:
            if wait is None:
                logger.error(
                    "Task id=%s ran, but its success could not be recorded (%s); it runs "
                    "again after its lease",
                    db_result.id,
                    error,
                )
                return False
            logger.warning(
                "Task id=%s ran; recording it failed (%s), retrying", db_result.id, error
            )
            close_old_connections()
            time.sleep(wait)
    return False


def recover_abandoned(*, backend_name, now=None):
    """Hand out again the tasks left RUNNING longer than the lease (their worker died).

    A task whose attempts are spent is marked FAILED with WorkerLost instead, so a task
    that kills its worker every time stops being retried. Returns the number recovered.
    """
    now = now or timezone.now()
    stale = DBTaskResult.objects.running().filter(
        backend_name=backend_name,
        started_at__lt=now - timedelta(seconds=settings.TASKS_LEASE_SECONDS),
    )
    recovered = 0
    with exclusive_transaction(stale.db):
        for db_result in stale.select_for_update(skip_locked=True):
            attempts = len(db_result.worker_ids)
            logger.warning(
                "Task id=%s path=%s was left running by worker %s since %s; %s",
                db_result.id,
                db_result.task_path,
                db_result.worker_ids[-1] if db_result.worker_ids else "?",
                db_result.started_at.isoformat(),
                "giving up" if attempts >= settings.TASKS_MAX_ATTEMPTS else "running it again",
            )
            if attempts >= settings.TASKS_MAX_ATTEMPTS:
                db_result.set_failed(
                    WorkerLost(f"The worker running this task stopped, {attempts} times.")
                )
            else:
                db_result.status = TaskResultStatus.READY
                db_result.run_after = now
                db_result.save(update_fields=["status", "run_after"])
                recovered += 1
    return recovered


def prune_finished(*, backend_name, now=None):
    """Delete the finished tasks kept long enough: successful ones finished more than
    TASKS_KEEP_SUCCESSFUL_HOURS ago, failed ones more than TASKS_KEEP_FAILED_DAYS ago.
    Returns the number of tasks deleted."""
    now = now or timezone.now()
    kept_successful = timedelta(hours=settings.TASKS_KEEP_SUCCESSFUL_HOURS)
    kept_failed = timedelta(days=settings.TASKS_KEEP_FAILED_DAYS)
    deleted, _ = (
        DBTaskResult.objects.finished()
        .filter(backend_name=backend_name)
        .filter(
            Q(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - kept_successful)
            | Q(status=TaskResultStatus.FAILED, finished_at__lt=now - kept_failed)
        )
        .delete()
    )
    if deleted:
        logger.info("Pruned %d finished tasks", deleted)
    return deleted


class Worker(db_worker.Worker):
    """Runs the database backend's tasks one at a time, with retries and recovery.

    Signal handling (SIGTERM finishes the running task, then exits) is django-tasks-db's.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._next_recovery = 0.0
        self.tasks_run = 0  # for --max-tasks

    def run(self):
        logger.info("Starting worker worker_id=%s", self.worker_id)
        while self.running:
            close_old_connections()
            try:
                ran = self.work_once()
            except DatabaseError as error:
                # The database is down or restarting: wait for it rather than exit. A
                # task whose outcome could not be recorded stays RUNNING, and recovery
                # hands it out again after its lease.
                logger.warning("Worker cannot reach the database: %s", error)
                close_old_connections()
                time.sleep(max(self.interval, 5))
                continue
            if not ran and self.batch:
                logger.info("No more tasks to run for worker_id=%s.", self.worker_id)
                return
            if self.max_tasks is not None and self.tasks_run >= self.max_tasks:
                logger.info("Ran %d tasks on worker_id=%s.", self.tasks_run, self.worker_id)
                return
            if self.running and not ran:
                time.sleep(self.interval)

    def work_once(self):
        """Recover abandoned tasks when it is time to look, then claim and run the next
        task that is due. Returns whether a task ran."""
        self._recover_now_and_then()
        db_result = self.claim_next()
        if db_result is None:
            return False
        self.run_task(db_result)
        return True

    def _recover_now_and_then(self):
        # Four looks per lease: a dead worker's task waits at most 1.25 leases.
        if time.monotonic() >= self._next_recovery:
            recover_abandoned(backend_name=self.backend_name)
            prune_finished(backend_name=self.backend_name)
            self._next_recovery = time.monotonic() + settings.TASKS_LEASE_SECONDS / 4

    def claim_next(self):
        """The next task that is due, marked RUNNING by this worker; None if none is."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        try:
            with exclusive_transaction(tasks.db):
                db_result = tasks.get_locked()
                if db_result is not None:
                    db_result.claim(self.worker_id)
                return db_result
        except DatabaseError as error:
            if is_locked_database_exception(error):  # SQLite is busy: try again later
                return None
            raise

    def run_task(self, db_result):
        """Run one claimed task; record success, or the failure and its retry."""
        self.running_task = True
        try:
            task = db_result.task
            task_result = db_result.task_result
            backend_type = type(task.get_backend())
            task_started.send(sender=backend_type, task_result=task_result)
            args, kwargs = task_result.args, task_result.kwargs
            if task.takes_context:
                return_value = task.call(TaskContext(task_result=task_result), *args, **kwargs)
            else:
                return_value = task.call(*args, **kwargs)
        except BaseException as error:  # SystemExit too: a second SIGTERM stops the task
            if record_failure(db_result, error):
                logger.warning(
                    "Task id=%s path=%s failed on attempt %d of %d (%s: %s); next at %s",
                    db_result.id,
                    db_result.task_path,
                    len(db_result.worker_ids),
                    settings.TASKS_MAX_ATTEMPTS,
                    type(error).__name__,
                    error,
                    db_result.run_after.isoformat(),
                )
            else:
                # Django's tasks logger records the final failure with its traceback.
                try:
                    task_finished.send(
                        sender=type(db_result.task.get_backend()),
                        task_result=db_result.task_result,
                    )
                except (ImportError, SuspiciousOperation):  # the task no longer exists
                    logger.exception("Task id=%s failed", db_result.id)
        else:
            # The work is done (an email is with the mail server): a failure to record
            # that must not count as the task failing, or it would run again in 30 s.
            if record_success(db_result, return_value):
                task_finished.send(sender=backend_type, task_result=db_result.task_result)
        finally:
            self.running_task = False
            self.tasks_run += 1
