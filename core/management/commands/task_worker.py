import os
import socket

from django.core.management.base import BaseCommand
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import valid_backend_name, valid_interval

from core.worker import Worker


class Command(BaseCommand):
    help = (
        "Run the queued background tasks (emails), retrying failures with backoff and "
        "recovering tasks a killed worker left running. Run it beside gunicorn; stop it "
        "with SIGTERM, which lets the running task finish."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=valid_interval,
            default=1.0,
            help="Seconds to wait when no task is due (default: %(default)s).",
        )
        parser.add_argument(
            "--batch", action="store_true", help="Run the tasks that are due, then exit."
        )
        parser.add_argument(
            "--max-tasks", type=int, default=None, help="Exit after running this many tasks."
        )
        parser.add_argument(
            "--backend",
            dest="backend_name",
            type=valid_backend_name,
            default=DEFAULT_TASK_BACKEND_ALIAS,
            help="The database task backend to run (default: %(default)s).",
        )

    def handle(self, *, interval, batch, max_tasks, backend_name, **options):
        # Readable in admin's task list: which machine and process ran an attempt.
        worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(6)}"
        worker = Worker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
