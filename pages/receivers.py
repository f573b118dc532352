"""What makes a cached post page stale: one table of the models a post page shows, and
the receivers it builds (pages.page_cache explains the generations they raise).

Every way a watched model changes is heard: ``Model.save()`` and ``delete()``,
``QuerySet.delete()`` (one ``post_delete`` per row), the admin's forms and bulk actions,
the importers, account deletion; ``QuerySet.update()``, ``bulk_create()``,
``bulk_update()`` and raw SQL through ``core.signals.rows_changed``, which a watched
model's manager sends when it derives from ``core.signals.ChangeSignallingQuerySet``.
A bulk writer of comments or items that names their posts (``post_ids``: the Disqus
import, checklists.sync) makes only those posts' pages and the lists stale.
A model whose rows are only ever written one by one says so, with the reason, in
``saved_one_by_one``; tests/pages/test_receivers.py fails for any other model whose
manager does not report its bulk writes.

To show a new model on the post page: add a row to ``WATCHED`` (issue 20).
"""

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from core.signals import deleted_together, remember_deleted_row, rows_changed

from .page_cache import CONTENT, LISTS, changed, post, reader

# Fields of a reader that nobody else sees: saving only these changes only their pages.
PRIVATE_USER_FIELDS = {"last_login", "password", "email", "notify_replies"}
# Fields of a comment no page shows: bulk writes of only these change nothing there.
UNSHOWN_COMMENT_FIELDS = {"ip_hash", "moderators_notified_at"}


def content_changed(sender, **kwargs):
    changed(CONTENT)


def _permalink(post_id):
    from posts.models import Post

    return Post.objects.filter(pk=post_id).values_list("permalink", flat=True).first()


def _post_of(instance, origin=None):
    """The scope of the post ``instance`` (a row with a ``post`` foreign key) is shown on:
    from the post already loaded on it, else one query; None when the post is gone.

    ``origin`` is post_delete's: for a QuerySet.delete() of many rows, the permalinks
    found are kept on it, so deleting a reader's 1,000 comments asks once per post, not
    once per comment (issue 23). They live only as long as that one delete."""
    field = type(instance)._meta.get_field("post")
    if field.is_cached(instance):
        return post(instance.post.permalink)
    known = {} if origin is None else origin.__dict__.setdefault("_page_cache_permalinks", {})
    if instance.post_id not in known:
        known[instance.post_id] = _permalink(instance.post_id)
    permalink = known[instance.post_id]
    return post(permalink) if permalink is not None else None


def _post_changed(instance, origin=None, *, listed=False):
    """Raise the post's generation of ``instance`` (a comment or item); with ``listed``,
    the lists' too (what changed is shown there: a count of comments)."""
    if origin is instance or not hasattr(origin, "__dict__"):
        origin = None
    scope = _post_of(instance, origin)
    if scope is None:  # deleted with its post, which made its own pages stale
        return
    changed(scope)
    if listed:
        changed(LISTS)


def remember_permalink(sender, instance, raw=False, **kwargs):
    """pre_save of a post: the permalink it had, whose pages go stale too if it moves."""
    instance._page_cache_permalink = _permalink(instance.pk) if instance.pk else None


def post_saved(sender, instance, **kwargs):
    # The post's own pages, at its address and at the one it leaves, and the lists.
    changed(post(instance.permalink))
    changed(LISTS)
    previous = getattr(instance, "_page_cache_permalink", None)
    if previous and previous != instance.permalink:
        changed(post(previous))


def post_deleted(sender, instance, **kwargs):
    changed(post(instance.permalink))
    changed(LISTS)


def posts_categories_changed(sender, instance, reverse=False, pk_set=None, **kwargs):
    """m2m_changed of Post.categories: from a post, its pages; from a category, every
    page (which posts are meant is known only by pk_set, and a clear() has none)."""
    if not kwargs.get("action", "").startswith("post_"):
        return
    if reverse:
        changed(CONTENT)
    else:
        changed(post(instance.permalink))
        changed(LISTS)


def comment_saved(sender, instance, created=False, **kwargs):
    """A new comment nobody but its author may read yet (awaiting a moderator) changes
    only its author's pages; any other save of a comment changes its post's pages too
    (it may have been public before, or be now)."""
    if instance.author_id:
        changed(reader(instance.author_id))
    if not (created and not instance.is_public):
        _post_changed(instance, listed=True)


def comment_deleted(sender, instance, origin=None, **kwargs):
    rows = deleted_together(sender, instance, origin, "page-cache")
    if rows is None:  # heard already, with the rest of its deletion
        return
    for author_id in {row.author_id for row in rows if row.author_id}:
        changed(reader(author_id))
    _rows_deleted(rows, origin)


def item_changed(sender, instance, origin=None, **kwargs):
    # The lists show a reader's progress against each post's number of items.
    rows = deleted_together(sender, instance, origin, "page-cache")
    if rows is not None:
        _rows_deleted(rows, origin)


def item_saved(sender, instance, **kwargs):
    _post_changed(instance, listed=True)


def _rows_deleted(rows, origin):
    """Comments or items deleted together: their posts' pages and the lists, one query
    for all the posts' addresses (issue 23: a reader's 1,000 comments on 200 posts)."""
    if len(rows) == 1:
        _post_changed(rows[0], origin, listed=True)
    else:
        _rows_of_posts_changed({row.post_id for row in rows})


def _rows_of_posts_changed(post_ids):
    """Rows of comments or items written in bulk: the pages of the posts whose pks are in
    ``post_ids`` (a collection of int, from rows_changed) and the lists, which show their
    counts, when the writer named them (one query for their addresses); every page when
    it did not (None)."""
    if post_ids is None:
        changed(CONTENT)
        return
    from posts.models import Post

    for permalink in Post.objects.filter(pk__in=post_ids).values_list("permalink", flat=True):
        changed(post(permalink))
    changed(LISTS)


def comment_rows_changed(sender, fields=None, post_ids=None, **kwargs):
    if fields is None or not fields <= UNSHOWN_COMMENT_FIELDS:
        _rows_of_posts_changed(post_ids)


def item_rows_changed(sender, fields=None, post_ids=None, **kwargs):
    # Readers' counts are kept by F() updates on every tick; they may lag PAGE_SECONDS.
    if fields != {"reader_count"}:
        _rows_of_posts_changed(post_ids)


def readers_row_changed(sender, instance, **kwargs):
    """A row that only its reader's page shows (a tick, a flag, an email address)."""
    changed(reader(instance.user_id))


def readers_rows_changed(sender, user_ids=None, **kwargs):
    for user_id in user_ids if user_ids is not None else []:
        changed(reader(user_id))
    if user_ids is None:  # which readers is not known: everyone's pages
        changed(CONTENT)


def user_saved(sender, instance, created=False, update_fields=None, **kwargs):
    changed(reader(instance.pk))
    if created:
        return  # a new reader has written nothing that anyone's page shows (issue 23)
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
    Watched("posts.Post", post_saved, post_deleted, content_changed),
    Watched("posts.Category", content_changed, content_changed, content_changed),
    Watched(
        "posts.Post.categories",
        posts_categories_changed,
        posts_categories_changed,
        saved_one_by_one="Django's auto-created through table has a plain manager; every "
        "write goes through the related manager (add, remove, set, clear: the admin, the "
        "importer), which sends m2m_changed.",
    ),
    Watched("comments.Comment", comment_saved, comment_deleted, comment_rows_changed),
    Watched("comments.BlockedCommenter", readers_row_changed, readers_row_changed, content_changed),
    # A reader's flags: their page says "Flagged" instead of offering Flag (issue 18).
    Watched("comments.Flag", readers_row_changed, readers_row_changed, readers_rows_changed),
    Watched("checklists.ChecklistItem", item_saved, item_changed, item_rows_changed),
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
    pre_save.connect(
        remember_permalink, sender=apps.get_model("posts", "Post"), dispatch_uid="page-permalink"
    )
    for entry in WATCHED:
        model = watched_model(entry)
        uid = f"page-{entry.model}"
        if model._meta.auto_created:
            m2m_changed.connect(entry.saved, sender=model, dispatch_uid=uid)
            continue
        post_save.connect(entry.saved, sender=model, dispatch_uid=uid)
        post_delete.connect(entry.deleted, sender=model, dispatch_uid=uid)
        pre_delete.connect(remember_deleted_row, sender=model, dispatch_uid="deleted-rows")
        if entry.rows is not None:
            rows_changed.connect(entry.rows, sender=model, dispatch_uid=uid)
