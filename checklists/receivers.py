"""How checklists follow the apps below them: posts' headings and readers' log-ins."""

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from posts.models import Post

from .progress import merge_session_ticks
from .sync import sync_items


@receiver(post_save, sender=Post, dispatch_uid="checklists_follow_headings")
def follow_headings(sender, instance, raw=False, **kwargs):
    """Keep a post's checklist items in step with its checkbox headings after every save.

    Post.save() sends post_save inside its own transaction, whichever way a post is saved
    (admin, the importer, a restore from history, the shell), so the items change with the
    post or not at all and readers' ticks stay on their items (checklists.sync).
    A raw save (loaddata) stores rows as given and is left alone.
    """
    if not raw:
        sync_items(instance)


@receiver(user_logged_in, dispatch_uid="checklists_merge_session_ticks")
def merge_visitor_ticks(sender, request, user, **kwargs):
    """A visitor's ticks join the account they log in to.

    Django's log-in signal is the one place every log-in passes (password, sign-up,
    email confirmation, social)."""
    if request is not None and hasattr(request, "session"):
        merge_session_ticks(user=user, session=request.session)
