"""Admin's "Task results" page: django-tasks-db's, with each task's attempts, when it next
runs and its last error, and an action to run failed tasks again. A queued email's
arguments are sealed (core/mail.py) and never shown."""

import json

from django.contrib import admin, messages
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult, get_date_max

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = [
        "id",
        "task_name",
        "status",
        "attempts",
        "next_attempt",
        "last_error",
        "enqueued_at",
        "finished_at",
    ]
    actions = ["run_again"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return ["arguments" if field == "args_kwargs" else field for field in fields]

    @admin.display(description="arguments")
    def arguments(self, obj):
        if obj.task_path == "core.mail.send_email":
            return "An email, sealed: its addresses, subject and text are not shown."
        return json.dumps(obj.args_kwargs)

    @admin.display(description="attempts")
    def attempts(self, obj):
        return len(obj.worker_ids)

    @admin.display(description="next attempt")
    def next_attempt(self, obj):
        if obj.status != TaskResultStatus.READY or obj.run_after == get_date_max():
            return self.get_empty_value_display()
        return obj.run_after

    @admin.display(description="last error")
    def last_error(self, obj):
        return obj.exception_class_path.rpartition(".")[2] or self.get_empty_value_display()

    def has_run_again_permission(self, request):
        return request.user.is_superuser

    @admin.action(description="Run again now (failed or waiting tasks)", permissions=["run_again"])
    def run_again(self, request, queryset):
        count = queryset.filter(
            status__in=[TaskResultStatus.FAILED, TaskResultStatus.READY]
        ).update(status=TaskResultStatus.READY, run_after=timezone.now(), finished_at=None)
        messages.success(request, f"{count} tasks will run again.")
