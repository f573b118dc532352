"""Emails about comments, sent by tasks (core.tasks): moderators hear of comments
that await them, readers of approved replies to their comments.

Posting never waits for the mail server, and a failing one never fails it: the task is
queued with the comment (in its transaction) and the worker retries it. Each moderator gets
one email per COMMENTS_MODERATOR_DIGEST_MINUTES listing every comment they have not been
told of yet (each comment's `moderators_notified_at`), or one per comment when it is 0.
"""

import hashlib
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.mail import EmailMessage, EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Q
from django.tasks import TaskResultStatus, task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks_db import DatabaseBackend

from core.mail import message_id
from core.tasks import enqueue

from .decisions import DECISIONS, LINK_LIFETIME, decision_url
from .models import Comment


def queue_moderator_notice():
    """Tell the moderators about the comments newly awaiting them: at once, or in the
    next digest when COMMENTS_MODERATOR_DIGEST_MINUTES is set. Call it in the
    transaction that put a comment in the queue (with its moderators_notified_at empty).
    """
    minutes = settings.COMMENTS_MODERATOR_DIGEST_MINUTES
    if not minutes:
        enqueue(notify_moderators)
        return
    run_after = next_digest_time(timezone.now(), minutes)
    key = f"moderator-digest-queued:{run_after.timestamp():.0f}"
    if cache.get(key):
        return
    if not _digest_already_queued(run_after):
        enqueue(notify_moderators.using(run_after=run_after))
    # Once committed, the period's task is known queued without a query (issue 23: one
    # query less per comment awaiting moderation). Only a saving: when the cache forgets,
    # the database is asked again.
    transaction.on_commit(lambda: cache.set(key, True, minutes * 60))


def queue_reply_notice(comment):
    """Tell the author of the comment `comment` answers, once the reply is approved."""
    enqueue(notify_reply, comment.pk)


def next_digest_time(now, minutes):
    """The end of the `minutes`-long period (counted from the Unix epoch) that `now` falls
    in: everything that arrives within one period goes out in one email at its end, so
    two digests are at least `minutes` apart."""
    period = minutes * 60
    return datetime.fromtimestamp((now.timestamp() // period + 1) * period, tz=UTC)


def _digest_already_queued(run_after):
    """Whether this period's digest is already queued. Only saves a row per comment: a
    second digest task for the period finds nothing left to tell and sends nothing."""
    if not isinstance(notify_moderators.get_backend(), DatabaseBackend):
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        task_path=notify_moderators.module_path,
        run_after=run_after,
    ).exists()


MODERATORS_CACHE_KEY = "comment-moderator-emails"


def moderator_emails():
    """Addresses of active staff who may moderate comments (superusers included), kept
    in the cache for a minute: moderators change rarely (a new one gets mail within the
    minute)."""
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


def waiting_reason(comment):
    """Why ``comment`` (a Comment in the queue) waits for a moderator, as the end of a
    sentence ("This comment …"): hidden by flags, an edit, or new."""
    if comment.hidden_by_flags:
        return "was hidden by readers' flags"
    edit = comment.pending_body
    if comment.held_by_rule_id is not None and comment.held_by_rule is not None:
        rule = comment.held_by_rule.name
        return (
            f"has an edit held by the rule “{rule}”" if edit else f"was held by the rule “{rule}”"
        )
    return "has an edit awaiting moderation" if edit else "awaits moderation"


@task
def notify_moderators():
    """Email each moderator one message about every comment awaiting moderation that they
    have not been told of, and record that they have. Returns how many comments it told
    of (0: nothing new, no email).

    The comments stay locked until the email is sent and the record committed: a second
    run at the same time skips them, and a failed send leaves them to the next attempt.
    Raises what the mailer raises.
    """
    with transaction.atomic():
        comments = list(
            Comment.objects.awaiting_moderation()
            .filter(moderators_notified_at__isnull=True)
            .select_related("post", "author", "held_by_rule")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("created_at", "pk")
        )
        if not comments:
            return 0
        # A moderator is not told about comments that are all their own.
        moderators = [
            email
            for email in moderator_emails()
            if not all(comment.author_id and comment.author.email == email for comment in comments)
        ]
        if moderators:
            # One message per moderator (issue 18: one message listed every moderator's
            # address in To:), sent over one connection. A failure retries them all;
            # each message's Message-ID is the same again, so none shows twice.
            mailers.default.send_messages(
                [_moderators_message(comments, moderator) for moderator in moderators]
            )
        Comment.objects.filter(pk__in=[comment.pk for comment in comments]).update(
            moderators_notified_at=timezone.now()
        )
    return len(comments)


def _notice_kind(comment):
    """What the notice tells of ``comment``: "hidden", "edit" or "new"."""
    if comment.hidden_by_flags:
        return "hidden"
    return "edit" if comment.pending_body else "new"


def moderator_notice_id(comments, recipient):
    """The Message-ID (str) of the moderators' notice about ``comments`` (list[Comment])
    sent to ``recipient`` (an email address).

    Issue 18: every notice about one comment (new, edited, hidden by flags) had the same
    id, so Gmail showed only the first. The id is built from what the notice tells of
    each comment: its kind and the state that marks that event's occurrence (a second
    edit has a new ``pending_edited_at``; hiding again follows a moderator's decision,
    a new ``moderated_at``), and from the recipient. So it is unique per notice, kind,
    occurrence and recipient, and the same when a failed send is retried.
    """
    events = sorted(
        "|".join(
            str(part)
            for part in (
                comment.pk,
                _notice_kind(comment),
                comment.status,
                comment.hidden_by_flags,
                comment.moderated_at and comment.moderated_at.isoformat(),
                comment.pending_edited_at and comment.pending_edited_at.isoformat(),
            )
        )
        for comment in comments
    )
    key = "\n".join([recipient.casefold(), *events])
    return message_id(f"mod-{hashlib.sha256(key.encode()).hexdigest()[:32]}")


def _moderators_message(comments, recipient):
    """The digest for ``recipient`` (an email address) about ``comments`` (list[Comment]):
    plain text and HTML, each comment with its signed Approve, Reject and Spam links
    (comments.decisions, issue 27) and its page in the admin."""
    entries = [
        {
            "comment": comment,
            "why": waiting_reason(comment),
            "links": [(DECISIONS[name].button, decision_url(comment, name)) for name in DECISIONS],
            "admin_url": settings.SITE_URL
            + reverse("admin:comments_comment_change", args=[comment.pk]),
        }
        for comment in comments
    ]

    def text(entry):
        comment = entry["comment"]
        links = "".join(f"{label}: {url}\n" for label, url in entry["links"])
        return (
            f"{comment.plain_author} wrote on “{comment.post.title}”:\n\n{comment.latest_body}\n\n"
            f"{links}Moderate it: {entry['admin_url']}\n"
        )

    changelist = settings.SITE_URL + reverse("admin:comments_comment_changelist")
    if len(comments) == 1:
        comment = comments[0]
        subject = f"A comment on “{comment.post.title}” {waiting_reason(comment)}"
        body = f"This comment {entries[0]['why']}. {text(entries[0])}"
    else:
        subject = f"{len(comments)} comments on {settings.SITE_NAME} need a moderator"
        body = "\n".join(
            f"{number}. This comment {entry['why']}. {text(entry)}"
            for number, entry in enumerate(entries, start=1)
        ) + (f"\nThe whole moderation queue: {changelist}\n")
    body += (
        f"\nEach link shows the comment and asks you to confirm; it works for "
        f"{LINK_LIFETIME.days} days.\n"
    )
    message = EmailMultiAlternatives(
        subject,
        body,
        None,
        [recipient],
        headers={"Message-ID": moderator_notice_id(comments, recipient)},
    )
    html = render_to_string(
        "comments/email/moderators.html",
        {
            "subject": subject,
            "entries": entries,
            "queue_url": changelist,
            "days": LINK_LIFETIME.days,
            "SITE_NAME": settings.SITE_NAME,
        },
    )
    message.attach_alternative(html, "text/html")
    return message


@task
def notify_reply(comment_id):
    """Tell a comment's author about an approved reply, unless they turned it off or the
    reply is gone or no longer approved. Raises what the mailer raises."""
    comment = (
        Comment.objects.select_related("post", "author", "parent__author")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None or comment.parent is None or not comment.is_approved:
        return False
    recipient = comment.parent.author
    if (
        recipient is None
        or not recipient.email
        or not recipient.notify_replies
        or recipient.pk == comment.author_id
    ):
        return False
    url = settings.SITE_URL + comment.get_absolute_url()
    account_url = settings.SITE_URL + reverse("accounts:account")
    EmailMessage(
        f"{comment.plain_author} replied to your comment on “{comment.post.title}”",
        (
            f"{comment.plain_author} replied:\n\n{comment.body}\n\nRead it: {url}\n\n"
            f"You get this email because you comment on {settings.SITE_NAME}. "
            f"Turn these emails off on your account page: {account_url}\n"
        ),
        None,
        [recipient.email],
        headers={"Message-ID": message_id(f"reply-{comment.pk}")},
    ).send()
    return True
