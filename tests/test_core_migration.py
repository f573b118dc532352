"""An email queued before the helpers moved to core/ is still sent after the upgrade."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_task_queued_under_advice_site_points_at_core_after_migrate():
    executor = MigrationExecutor(connection)
    executor.migrate([("core", None)])
    old_apps = executor.loader.project_state(
        [("django_tasks_database", "0021_conditional_partial_index_ordering")]
    ).apps
    Row = old_apps.get_model("django_tasks_database", "DBTaskResult")
    row = Row.objects.create(
        task_path="advice_site.mail.send_email",
        args_kwargs={"args": [], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        priority=0,
        run_after="2026-01-01T00:00:00Z",
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("core", "0001_tasks_follow_core")])

    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.get(pk=row.pk).task_path == "core.mail.send_email"
