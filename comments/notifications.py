"""Emails about comments. Sending never slows or breaks posting: mail goes out after the
transaction commits, in a background thread unless COMMENTS_EMAIL_IN_BACKGROUND is off,
and any failure is logged while the comment stays."""

import logging
import threading

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import connection, transaction
from django.urls import reverse

logger = logging.getLogger(__name__)


def queue_moderator_notice(comment, *, flagged=False):
    transaction.on_commit(lambda: _deliver(notify_moderators, comment, flagged=flagged))


def queue_reply_notice(comment):
    transaction.on_commit(lambda: _deliver(notify_reply, comment))


def _deliver(notify, comment, **kwargs):
    def run():
        try:
            notify(comment, **kwargs)
        except Exception:
            logger.exception("Could not send the email about comment %s", comment.pk)
        finally:
            if threaded:
                # This thread's own connection; persistent ones would otherwise linger.
                connection.close()

    threaded = settings.COMMENTS_EMAIL_IN_BACKGROUND
    if threaded:
        threading.Thread(target=run, daemon=True, name=f"comment-mail-{comment.pk}").start()
    else:
        run()


def notify_moderators(comment, *, flagged=False):
    moderators = [
        user.email
        for user in get_user_model().objects.with_perm(
            "comments.moderate_comment", backend="django.contrib.auth.backends.ModelBackend"
        )
        if user.is_staff and user.email and user.pk != comment.author_id
    ]
    if not moderators:
        return
    what = "was hidden by readers' flags" if flagged else "awaits moderation"
    admin_url = settings.SITE_URL + reverse("admin:comments_comment_change", args=[comment.pk])
    send_mail(
        f"A comment on “{comment.post.title}” {what}",
        (
            f"{comment.display_author} wrote on “{comment.post.title}”:\n\n{comment.body}\n\n"
            f"Moderate it: {admin_url}\n"
        ),
        None,
        moderators,
    )


def notify_reply(comment):
    """Tell a comment's author about an approved reply, unless they turned it off."""
    parent = comment.parent
    if parent is None or comment.status != comment.Status.APPROVED:
        return
    recipient = parent.author
    if (
        recipient is None
        or not recipient.email
        or not recipient.notify_replies
        or recipient.pk == comment.author_id
    ):
        return
    url = settings.SITE_URL + comment.get_absolute_url()
    account_url = settings.SITE_URL + reverse("accounts:account")
    send_mail(
        f"{comment.display_author} replied to your comment on “{comment.post.title}”",
        (
            f"{comment.display_author} replied:\n\n{comment.body}\n\nRead it: {url}\n\n"
            f"You get this email because you comment on {settings.SITE_NAME}. "
            f"Turn these emails off on your account page: {account_url}\n"
        ),
        None,
        [recipient.email],
    )
