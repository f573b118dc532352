"""Who may do what in a discussion: one place for the post page's links, the comment,
reply, edit, delete and flag views and the forms.

may_comment() says whether a reader may write on a post; may_act_on() says whether they
may reply to, edit, delete or flag one comment, and builds on it, so a link is offered
exactly when its view would accept (issue 11: flagging a comment of a draft was
accepted where replying was refused).
"""

import enum
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils import timezone

from advice_site.text import duration_words

from .models import BlockedCommenter, Comment, hidden_reason


@dataclass(frozen=True)
class CommentPermission:
    """The answer of may_comment() and may_act_on(): true when allowed; else ``status``
    (an HTTP status: 403, or 404 for a comment the reader may not see) and ``reason``
    (a sentence for the reader)."""

    allowed: bool
    reason: str = ""
    status: int = 200

    def __bool__(self):
        return self.allowed


ALLOWED = CommentPermission(True)
NOT_AVAILABLE = CommentPermission(False, "This comment is not available.", 404)


def _refused(reason):
    return CommentPermission(False, reason, 403)


@dataclass(frozen=True)
class Standing:
    """What the rules need to know about a reader beyond their account: ``blocked`` by a
    moderator, and whether they have a ``verified`` email address."""

    blocked: bool
    verified: bool


def standing_of(user):
    """The Standing of ``user`` (a logged-in User) in one query."""
    return Standing(
        **get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            blocked=Exists(BlockedCommenter.objects.filter(user=OuterRef("pk"))),
            verified=Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
        )
        .values("blocked", "verified")
        .get()
    )


def may_comment(user, post, *, standing=None, closed_ok=False):
    """Whether ``user`` may write a comment or a reply on ``post`` (a Post), and why not.

    Refused: comments closed on the post (unless ``closed_ok``), a post not published, a
    visitor without an account, a reader a moderator blocked, and (with
    ACCOUNT_EMAIL_VERIFICATION "mandatory") a reader without a verified email address.
    One query for a reader, none when their ``standing`` (a Standing) is given.
    """
    if not post.allow_comments and not closed_ok:
        return _refused("Comments on this post are closed.")
    if not post.is_published:
        return _refused("Comments open once the post is published.")
    if not user.is_authenticated:
        return _refused("Log in to comment.")
    standing = standing or standing_of(user)
    if standing.blocked:
        return _refused("Your account has been stopped from commenting by a moderator.")
    if settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory" and not standing.verified:
        return _refused("Confirm your email address before commenting (see your account page).")
    return ALLOWED


class Action(enum.StrEnum):
    """What a reader does to one comment; the values are the views' URL names."""

    REPLY = "reply"
    EDIT = "edit"
    DELETE = "delete"
    FLAG = "flag"


def may_act_on(user, comment, action, *, post=None, standing=None, now=None):
    """Whether ``user`` may take ``action`` (an Action) on ``comment``, and why not (a
    CommentPermission).

    ``comment`` is a Comment, or anything with its pk, author_id, status,
    hidden_by_flags, is_removed and created_at (the post page's rows); ``post`` is its
    Post (default ``comment.post``); ``standing`` (a Standing) saves may_comment()'s query
    when the caller has it; ``now`` (datetime) defaults to the current time.

    - Reply and flag: only comments everyone may read (approved, not hidden, not
      deleted) on a published post, else 404. A reply needs may_comment(); a flag the
      same except on a post closed to comments (abuse can be reported there too), and
      never on one's own comment.
    - Edit: the author's own comment, not deleted, rejected or spam, within
      COMMENTS_EDIT_WINDOW, on a published post, and may_comment().
    - Delete: the author's own comment, not already deleted, whatever else holds: a
      reader can always take back what they wrote.
    """
    own = user.is_authenticated and comment.author_id == user.pk
    if action == Action.DELETE:
        if not own:
            return _refused("You can delete only your own comments.")
        if comment.is_removed:
            return _refused("This comment is already deleted.")
        return ALLOWED
    post = post or comment.post
    if not post.is_published:
        return NOT_AVAILABLE
    if action == Action.EDIT:
        if not own:
            return _refused("You can change only your own comments.")
        if comment.is_removed or comment.status in (Comment.Status.REJECTED, Comment.Status.SPAM):
            return _refused("This comment can no longer be edited.")
        if (now or timezone.now()) - comment.created_at > settings.COMMENTS_EDIT_WINDOW:
            window = duration_words(settings.COMMENTS_EDIT_WINDOW.total_seconds())
            return _refused(f"Comments can be edited for {window} only.")
        return may_comment(user, post, standing=standing)
    hidden = hidden_reason(
        status=comment.status,
        hidden_by_flags=comment.hidden_by_flags,
        is_removed=comment.is_removed,
        own=False,
    )
    if hidden:
        return NOT_AVAILABLE
    if action == Action.REPLY:
        return may_comment(user, post, standing=standing)
    if own:
        return _refused("You cannot flag your own comment.")
    return may_comment(user, post, standing=standing, closed_ok=True)
