"""Emails about comments. Sending never slows or breaks posting: mail goes out after the
transaction commits, through a background mail thread unless COMMENTS_EMAIL_IN_BACKGROUND
is off, and any failure is logged while the comment stays."""

import logging
import queue
import threading

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import close_old_connections, transaction
from django.db.models import Q
from django.urls import reverse

logger = logging.getLogger(__name__)


def queue_moderator_notice(comment, *, flagged=False):
    transaction.on_commit(lambda: _deliver(notify_moderators, comment, flagged=flagged))


def queue_reply_notice(comment):
    transaction.on_commit(lambda: _deliver(notify_reply, comment))


def _deliver(notify, comment, **kwargs):
    if settings.COMMENTS_EMAIL_IN_BACKGROUND:
        _outbox().put((notify, comment, kwargs))
    else:
        _send_safely(notify, comment, kwargs)


def _send_safely(notify, comment, kwargs):
    try:
        notify(comment, **kwargs)
    except Exception:
        logger.exception("Could not send the email about comment %s", comment.pk)


_queue = None
_queue_lock = threading.Lock()


def _outbox():
    """One mail thread per process, started on first use, working through a queue: a
    slow mail server delays only the queue, and the thread keeps its database connection
    rather than opening one per email."""
    global _queue
    with _queue_lock:
        if _queue is None:
            _queue = queue.SimpleQueue()
            threading.Thread(target=_work, args=(_queue,), daemon=True, name="comment-mail").start()
    return _queue


def _work(jobs):
    while True:
        notify, comment, kwargs = jobs.get()
        close_old_connections()  # drop a connection the database has closed meanwhile
        _send_safely(notify, comment, kwargs)


MODERATORS_CACHE_KEY = "comment-moderator-emails"


def moderator_emails():
    """Addresses of active staff who may moderate comments (superusers included), kept
    in the cache for a minute: every pending comment asks, and moderators change rarely
    (a new one gets mail within the minute)."""
    emails = cache.get(MODERATORS_CACHE_KEY)
    if emails is None:
        emails = _moderator_emails()
        cache.set(MODERATORS_CACHE_KEY, emails, timeout=60)
    return emails


def _moderator_emails():
    """Filtered to staff first: Django's with_perm() joins every user to permissions and
    groups, which costs a hundred milliseconds on a site with ten thousand readers."""
    permission = Permission.objects.get(
        content_type__app_label="comments", codename="moderate_comment"
    )
    return list(
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions=permission)
            | Q(groups__permissions=permission)
        )
        .values_list("email", flat=True)
        .distinct()
    )


def notify_moderators(comment, *, flagged=False):
    author_email = comment.author.email if comment.author_id else None
    moderators = [email for email in moderator_emails() if email != author_email]
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
