"""Tasks queued before the shared helpers moved from advice_site/ to core/ (issue 20)
name their function by its old path ("advice_site.mail.send_email"); they would fail to
import and never run. This points every such row at the function's new home, so an
email queued before the upgrade is still sent after it."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Substr

OLD, NEW = "advice_site.", "core."


def follow_core(apps, schema_editor):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.filter(task_path__startswith=OLD).update(
        task_path=Concat(Value(NEW), Substr("task_path", len(OLD) + 1))
    )


def back_to_advice_site(apps, schema_editor):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.filter(task_path__startswith=NEW).update(
        task_path=Concat(Value(OLD), Substr("task_path", len(NEW) + 1))
    )


class Migration(migrations.Migration):
    dependencies = [("django_tasks_database", "0021_conditional_partial_index_ordering")]
    operations = [migrations.RunPython(follow_core, back_to_advice_site)]
