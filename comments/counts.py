"""Discussion.public_count and Comment.thread_is_public kept in step with the comments
(issue 23).

Every way a comment changes is heard, as the page cache hears it: ``post_save``,
``post_delete`` (one per row, also for ``QuerySet.delete()``), and ``rows_changed`` for
``QuerySet.update()`` and ``bulk_create()`` (CommentQuerySet derives from
ChangeSignallingQuerySet). Each is answered by counting the post's public comments again
through its index, never by adding one, and by asking each changed thread again whether
it holds a public comment: neither can drift, whatever wrote the rows.

Both are written after the post's Discussion row is locked, so two changes at once on one
post both see what the other committed (PostgreSQL's READ COMMITTED reads anew per
statement, after the lock is granted).
"""

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.signals import post_delete, post_save, pre_delete

from core.signals import deleted_together, remember_deleted_row, rows_changed

from .models import PUBLIC, Comment, Discussion

# Fields whose change can make a comment public or private (the PUBLIC condition) or
# move it to another post; a bulk write of only others changes no count.
COUNTED_FIELDS = {"status", "hidden_by_flags", "is_removed", "post", "post_id"}


def recount(post_id, thread_id):
    """Count the public comments of the post whose pk is ``post_id`` (int) again, store
    it, and say again whether the thread whose first comment's pk is ``thread_id`` (int,
    or None for none) is public: at most four queries, after locking the post's
    Discussion row."""
    with transaction.atomic(savepoint=False):
        discussion, _ = Discussion.objects.select_for_update().get_or_create(post_id=post_id)
        count = Comment.objects.public().filter(post_id=post_id).count()
        if count != discussion.public_count:
            discussion.public_count = count
            discussion.save(update_fields=["public_count"])
        if thread_id is not None:
            refresh_threads(Q(pk=thread_id))


def refresh_threads(first_comments):
    """Store again, on the first comments that match ``first_comments`` (a Q), whether
    their thread holds a PUBLIC comment (Comment.thread_is_public): one UPDATE, which
    writes only the rows whose answer changed. Call it with the posts' Discussion rows
    locked (recount, recount_posts)."""
    public = Exists(Comment.objects.filter(PUBLIC, thread=OuterRef("pk")))
    # Through the base manager: the change that called this was heard already.
    Comment._base_manager.filter(first_comments, parent__isnull=True).exclude(
        thread_is_public=public
    ).update(thread_is_public=public)


def recount_all():
    """Count every post's public comments again (after bulk writes that do not say which
    posts): recount_posts() of them all."""
    recount_posts(None)


def recount_posts(post_ids, thread_ids=None):
    """Count the public comments of the posts whose pks are in ``post_ids`` (an iterable
    of int; every post when None) again, and store the counts: four queries whatever
    the number of posts (a lock on their Discussion rows, one grouped count, one upsert
    of the counts that changed, one refresh_threads()), so an import that touched 300
    posts costs no more than one that touched 3 (issue 23). The rows are locked before
    counting, as in recount().

    ``thread_ids`` (an iterable of int) names the threads that changed, when the caller
    knows them; else every thread of those posts is asked again.
    """
    comments = Comment.objects.public().order_by()
    discussions = Discussion.objects.select_for_update().order_by()
    threads = Q()
    if post_ids is not None:
        post_ids = sorted(set(post_ids))
        comments = comments.filter(post_id__in=post_ids)
        discussions = discussions.filter(post_id__in=post_ids)
        threads = Q(post_id__in=post_ids)
    if thread_ids is not None:
        threads = Q(pk__in=sorted(set(thread_ids)))
    with transaction.atomic(savepoint=False):
        stored = dict(discussions.values_list("post", "public_count"))
        counts = dict(
            comments.values("post").annotate(count=Count("pk")).values_list("post", "count")
        )
        # A post without a row counts 0 (with_comment_counts), so none is made for one.
        wanted = {post_id: 0 for post_id in stored} | counts
        Discussion.objects.bulk_create(
            [
                Discussion(post_id=post_id, public_count=count)
                for post_id, count in wanted.items()
                if stored.get(post_id, 0) != count
            ],
            update_conflicts=True,
            unique_fields=["post"],
            update_fields=["public_count"],
        )
        refresh_threads(threads)


def comment_saved(sender, instance, created=False, update_fields=None, **kwargs):
    # A new comment nobody else may read yet (awaiting a moderator) changes no count,
    # and neither does a save of only other fields (a thread, a notice's time).
    if created and not instance.is_public:
        return
    if update_fields is not None and not set(update_fields) & COUNTED_FIELDS:
        return
    recount(instance.post_id, instance.thread_id)


def comment_deleted(sender, instance, origin=None, **kwargs):
    """A deletion's comments counted once, all their posts at once (recount_posts): a
    reader's 1,000 comments on 200 posts cost three queries, not three per post.

    Comments deleted with their post (``origin`` a Post or a QuerySet of posts) change
    no count: the Discussion row goes with the post, and one written now would point at
    a post that is gone when the deletion commits."""
    deleted = origin.model if isinstance(origin, QuerySet) else type(origin)
    if deleted is Comment._meta.get_field("post").related_model:
        return
    rows = deleted_together(sender, instance, origin, "comment-counts")
    if rows is not None:
        recount_posts({row.post_id for row in rows}, {row.thread_id for row in rows} - {None})


def comment_rows_changed(sender, fields=None, post_ids=None, **kwargs):
    if fields is None or fields & COUNTED_FIELDS:
        recount_posts(post_ids)


def connect_receivers():
    """Connect the receivers (called once, by CommentsConfig.ready())."""
    post_save.connect(comment_saved, sender=Comment, dispatch_uid="comment-counts")
    pre_delete.connect(remember_deleted_row, sender=Comment, dispatch_uid="deleted-rows")
    post_delete.connect(comment_deleted, sender=Comment, dispatch_uid="comment-counts")
    rows_changed.connect(comment_rows_changed, sender=Comment, dispatch_uid="comment-counts")
