"""What makes a cached post page stale: one table of the models a post page shows, and
the receivers it builds (pages.page_cache explains the generations they raise).

Every way a watched model changes is heard: ``Model.save()`` and ``delete()``,
``QuerySet.delete()`` (one ``post_delete`` per row), the admin's forms and bulk actions,
the importers, account deletion; ``QuerySet.update()``, ``bulk_create()``,
``bulk_update()`` and raw SQL through ``core.signals.rows_changed``, which a watched
model's manager sends when it derives from ``core.signals.ChangeSignallingQuerySet``.
A model whose rows are only ever written one by one says so, with the reason, in
``saved_one_by_one``; tests/pages/test_receivers.py fails for any other model whose
manager does not report its bulk writes.

To show a new model on the post page: add a row to ``WATCHED`` (issue 20).
"""

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save

from core.signals import rows_changed

from .page_cache import CONTENT, changed, reader

# Fields of a reader that nobody else sees: saving only these changes only their pages.
PRIVATE_USER_FIELDS = {"last_login", "password", "email", "notify_replies"}
# Fields of a comment no page shows: bulk writes of only these change nothing there.
UNSHOWN_COMMENT_FIELDS = {"ip_hash", "moderators_notified_at"}


def content_changed(sender, **kwargs):
    changed(CONTENT)


def comment_rows_changed(sender, fields=None, **kwargs):
    if fields is None or not fields <= UNSHOWN_COMMENT_FIELDS:
        changed(CONTENT)


def item_rows_changed(sender, fields=None, **kwargs):
    # Readers' counts are kept by F() updates on every tick; they may lag PAGE_SECONDS.
    if fields != {"reader_count"}:
        changed(CONTENT)


def readers_row_changed(sender, instance, **kwargs):
    """A row that only its reader's page shows (a tick, a flag, an email address)."""
    changed(reader(instance.user_id))


def readers_rows_changed(sender, user_ids=None, **kwargs):
    for user_id in user_ids if user_ids is not None else []:
        changed(reader(user_id))
    if user_ids is None:  # which readers is not known: everyone's pages
        changed(CONTENT)


def user_saved(sender, instance, update_fields=None, **kwargs):
    changed(reader(instance.pk))
    if update_fields is None or not set(update_fields) <= PRIVATE_USER_FIELDS:
        changed(CONTENT)  # a public name shown beside their comments may have changed


def user_deleted(sender, instance, **kwargs):
    changed(reader(instance.pk))
    changed(CONTENT)


def visit_saved(sender, instance, created=False, **kwargs):
    # The notice of what is new compares with the visit before the latest: a reader's
    # first visit has none, so it changes nothing on their page; a later one does.
    if not created:
        changed(reader(instance.user_id))


@dataclass(frozen=True)
class Watched:
    """A model a post page shows, and the receivers that hear it change.

    ``model``: "app_label.ModelName", or "app_label.ModelName.field" for a many-to-many
    field's through table (heard through ``m2m_changed``); ``saved``/``deleted``: receivers
    of ``post_save``/``post_delete``; ``rows``: receiver of ``rows_changed`` (bulk writes),
    or None when ``saved_one_by_one`` gives the reason no code writes the model in bulk.
    """

    model: str
    saved: object
    deleted: object
    rows: object = None
    saved_one_by_one: str = ""


WATCHED = (
    Watched("posts.Post", content_changed, content_changed, content_changed),
    Watched("posts.Category", content_changed, content_changed, content_changed),
    Watched(
        "posts.Post.categories",
        content_changed,
        content_changed,
        saved_one_by_one="Django's auto-created through table has a plain manager; every "
        "write goes through the related manager (add, remove, set, clear: the admin, the "
        "importer), which sends m2m_changed.",
    ),
    Watched("comments.Comment", content_changed, content_changed, comment_rows_changed),
    Watched("comments.BlockedCommenter", readers_row_changed, readers_row_changed, content_changed),
    # A reader's flags: their page says "Flagged" instead of offering Flag (issue 18).
    Watched("comments.Flag", readers_row_changed, readers_row_changed, readers_rows_changed),
    Watched("checklists.ChecklistItem", content_changed, content_changed, item_rows_changed),
    Watched("checklists.Tick", readers_row_changed, readers_row_changed, readers_rows_changed),
    # A reader's visits: the notice of what is new since the previous one is on their page.
    Watched("checklists.Visit", visit_saved, readers_row_changed, readers_rows_changed),
    Watched(settings.AUTH_USER_MODEL, user_saved, user_deleted, content_changed),
    Watched(
        "account.EmailAddress",
        readers_row_changed,
        readers_row_changed,
        saved_one_by_one="allauth's own manager; allauth writes addresses with save() and "
        "delete() (set_as_primary saves the old primary, then the new), and only its data "
        "migration and account_unsetmultipleprimaryemails command update in bulk.",
    ),
)


def watched_model(entry):
    """The model class an entry of WATCHED names (a through model for "app.Model.field").

    Raises LookupError for a model that is not installed."""
    app_label, model_name, *field = entry.model.split(".")
    model = apps.get_model(app_label, model_name)
    return getattr(model, field[0]).through if field else model


def connect_receivers():
    """Connect every entry of WATCHED (called once, by PagesConfig.ready())."""
    for entry in WATCHED:
        model = watched_model(entry)
        uid = f"page-{entry.model}"
        if model._meta.auto_created:
            m2m_changed.connect(entry.saved, sender=model, dispatch_uid=uid)
            continue
        post_save.connect(entry.saved, sender=model, dispatch_uid=uid)
        post_delete.connect(entry.deleted, sender=model, dispatch_uid=uid)
        if entry.rows is not None:
            rows_changed.connect(entry.rows, sender=model, dispatch_uid=uid)
