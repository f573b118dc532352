"""A signal for the writes Django sends none for.

Django's ``post_save`` and ``post_delete`` cover ``Model.save()``, ``Model.delete()`` and
``QuerySet.delete()``; ``QuerySet.update()``, ``bulk_create()``, ``bulk_update()`` and raw
SQL send nothing. The query sets of the models a post page shows derive from
:class:`ChangeSignallingQuerySet`, which sends :data:`rows_changed` after each of those,
and code that writes raw SQL sends it itself. So whatever must hear every change (the
page cache, ``pages.page_cache``) listens to three signals and misses none.
"""

from django.db import models
from django.dispatch import Signal

#: Sent after rows of ``sender`` (a model class) were written without ``post_save``.
#: Arguments: ``fields``, the set of field names written (None: whole rows, as for new
#: ones); ``user_ids``, the readers whose own rows these are, when the writer knows;
#: ``post_ids``, the posts whose rows (comments) these are, when the writer knows.
rows_changed = Signal()


class ChangeSignallingQuerySet(models.QuerySet):
    """A QuerySet whose bulk writes send :data:`rows_changed` when they wrote rows."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        if rows:
            rows_changed.send(sender=self.model, fields=set(kwargs))
        return rows

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            rows_changed.send(sender=self.model, fields=None)
        return created

    bulk_create.alters_data = True

    def bulk_update(self, objs, fields, *args, **kwargs):
        rows = super().bulk_update(objs, fields, *args, **kwargs)
        if rows:
            rows_changed.send(sender=self.model, fields=set(fields))
        return rows

    bulk_update.alters_data = True


def remember_deleted_row(sender, instance, origin=None, **kwargs):
    """pre_delete receiver: keep ``instance`` on the deletion's ``origin`` (the instance
    or QuerySet whose delete() it is), for deleted_together(). Connect it, with one
    dispatch_uid per sender, for each model whose post_delete receivers use that."""
    if origin is not None and hasattr(origin, "__dict__"):
        origin.__dict__.setdefault("_deleted_rows", {}).setdefault(sender, []).append(instance)


def deleted_together(sender, instance, origin, receiver):
    """For a post_delete receiver (named by ``receiver``, str): every row of ``sender``
    that the deletion of ``origin`` removes (a list of instances), the first time that
    receiver hears of it, else None: so a receiver answers a QuerySet.delete() of 1,000
    rows once, with all of them (issue 23), not once per row.

    Django sends pre_delete for every row of a deletion before it deletes any, and
    post_delete after (django.db.models.deletion.Collector.delete); remember_deleted_row
    keeps them on the origin. A row deleted on its own, or without a pre_delete heard,
    is its own list.
    """
    rows = getattr(origin, "__dict__", {}).get("_deleted_rows", {}).get(sender)
    if not rows:
        return [instance]
    heard = origin.__dict__.setdefault("_deleted_rows_heard", set())
    if (sender, receiver) in heard:
        return None
    heard.add((sender, receiver))
    return rows
