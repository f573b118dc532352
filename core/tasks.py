"""Background work through Django 6's tasks framework (`django.tasks`).

In production the database backend (django-tasks-db) stores each task as a row, and
`manage.py task_worker` (core.worker) runs it, retrying failures with backoff.
In development and tests the immediate backend runs a task in the request itself.
"""

from functools import partial

from django.db import transaction
from django_tasks_db import DatabaseBackend


def enqueue(task, *args, **kwargs):
    """Queue `task(*args, **kwargs)` so that it runs only if the caller's transaction
    commits, and is never lost once it has.

    With the database backend the task's row is written in the caller's transaction
    (a transactional outbox): it commits with the change it reports, or not at all, so
    no crash between the two can lose it. Any other backend (the immediate one runs the
    task at once) is handed the task after the commit, as Django's documentation
    advises, so nothing is sent about a change that was rolled back.

    Arguments must be JSON-serializable (django.tasks stores them as JSON).
    """
    if isinstance(task.get_backend(), DatabaseBackend):
        return task.enqueue(*args, **kwargs)
    transaction.on_commit(partial(task.enqueue, *args, **kwargs))
    return None
