"""Who may do what in a discussion: one place for the post page's links, the comment,
reply, edit, delete and flag views and the forms.

may_comment() says whether a reader may write on a post; may_act_on() says whether they
may reply to, edit, delete or flag one comment, and builds on it, so a link is offered
exactly when its view would accept (issue 11: flagging a comment of a draft was
accepted where replying was refused). can_moderate() says who may moderate.
"""

import enum
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.text import duration_words

from .models import BlockedCommenter, Comment, hidden_reason


def can_moderate(user):
    """Whether ``user`` may moderate comments (bool): an active staff member ("Staff
    status") with "Can moderate comments" (comments.moderate_comment), given to a group or
    to the user, or a superuser.

    Issue 18: this one permission is everything moderating needs. Every admin permission
    hook of comments, flags and blocked commenters (comments.admin) asks here, so a
    moderator set up as the README says sees the queue, a comment's page with its flags,
    and runs every action, without Django's view/change permissions of each model.
    """
    return user.is_active and user.is_staff and user.has_perm("comments.moderate_comment")


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


def _refused(reason):
    return CommentPermission(False, reason, 403)


ALLOWED = CommentPermission(True)
NOT_AVAILABLE = CommentPermission(False, "This comment is not available.", 404)
# Made once: the post page asks about every comment, and most answers are these.
NOT_YOURS_TO_DELETE = _refused("You can delete only your own comments.")
NOT_YOURS_TO_EDIT = _refused("You can change only your own comments.")
ALREADY_DELETED = _refused("This comment is already deleted.")
NO_LONGER_EDITABLE = _refused("This comment can no longer be edited.")
YOUR_OWN_TO_FLAG = _refused("You cannot flag your own comment.")


@dataclass(frozen=True)
class Standing:
    """What the rules need to know about a reader beyond their account: ``blocked`` by a
    moderator, whether they have a ``verified`` email address, and whether they are
    ``trusted``: staff, or COMMENTS_TRUSTED_AFTER approved comments and none rejected or
    marked as spam (their comments and edits then skip moderation), and whether they
    ``has_commented`` before (a first comment checks the reader's name, issue 18)."""

    blocked: bool
    verified: bool
    trusted: bool
    has_commented: bool = True


def standing_of(user):
    """The Standing of ``user`` (a logged-in User) in one query.

    SQL rather than the ORM: every comment posted and every reader's page built asks
    it, and composing four subqueries with the ORM cost more than running them.
    """
    comments = Comment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS(SELECT 1 FROM {BlockedCommenter._meta.db_table} WHERE user_id = %s),"
            f" EXISTS(SELECT 1 FROM {EmailAddress._meta.db_table} WHERE user_id = %s AND verified),"
            f" EXISTS(SELECT 1 FROM {comments} WHERE author_id = %s AND status IN (%s, %s)),"
            f" EXISTS(SELECT 1 FROM {comments} WHERE author_id = %s),"
            # Counted up to the threshold only: a prolific reader costs no more.
            f" (SELECT count(*) FROM (SELECT 1 FROM {comments} WHERE author_id = %s"
            " AND status = %s LIMIT %s) AS approved)",
            [
                *(user.pk, user.pk, user.pk, Comment.Status.REJECTED, Comment.Status.SPAM),
                user.pk,
                *(user.pk, Comment.Status.APPROVED, settings.COMMENTS_TRUSTED_AFTER),
            ],
        )
        blocked, verified, refused, commented, approved = cursor.fetchone()
    trusted = user.is_staff or (not refused and approved >= settings.COMMENTS_TRUSTED_AFTER)
    return Standing(
        blocked=bool(blocked),
        verified=bool(verified),
        trusted=trusted,
        has_commented=bool(commented),
    )


def is_trusted(user):
    """Whether ``user``'s comments skip moderation (Standing.trusted), in one query."""
    return standing_of(user).trusted


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
    acting = Acting(user, post or comment.post, standing=standing, now=now)
    return acting.on(comment, action)


class Acting:
    """may_act_on() for one reader on the comments of one post (the post page asks it for
    every comment): what depends only on the reader and the post is worked out once."""

    def __init__(self, user, post, *, standing=None, now=None):
        self.user = user
        self.user_id = user.pk if user.is_authenticated else None
        self.post = post
        self.standing = standing
        self.now = now or timezone.now()
        self.published = post.is_published
        self.edit_since = self.now - settings.COMMENTS_EDIT_WINDOW
        self._may_comment = {}

    def may_comment(self, *, closed_ok=False):
        """may_comment() for this reader and post, asked once for each ``closed_ok``."""
        if closed_ok not in self._may_comment:
            if self.standing is None and self.user_id is not None:
                self.standing = standing_of(self.user)
            self._may_comment[closed_ok] = may_comment(
                self.user, self.post, standing=self.standing, closed_ok=closed_ok
            )
        return self._may_comment[closed_ok]

    def on(self, comment, action):
        """The CommentPermission of ``action`` on ``comment`` (see may_act_on)."""
        own = self.user_id is not None and comment.author_id == self.user_id
        if action == Action.DELETE:
            if not own:
                return NOT_YOURS_TO_DELETE
            return ALREADY_DELETED if comment.is_removed else ALLOWED
        if not self.published:
            return NOT_AVAILABLE
        if action == Action.EDIT:
            if not own:
                return NOT_YOURS_TO_EDIT
            if comment.is_removed or comment.status in REMOVED_BY_A_MODERATOR:
                return NO_LONGER_EDITABLE
            if comment.created_at < self.edit_since:
                window = duration_words(settings.COMMENTS_EDIT_WINDOW.total_seconds())
                return _refused(f"Comments can be edited for {window} only.")
            return self.may_comment()
        hidden = hidden_reason(
            status=comment.status,
            hidden_by_flags=comment.hidden_by_flags,
            is_removed=comment.is_removed,
            own=False,
        )
        if hidden:
            return NOT_AVAILABLE
        if action == Action.REPLY:
            return self.may_comment()
        return YOUR_OWN_TO_FLAG if own else self.may_comment(closed_ok=True)


REMOVED_BY_A_MODERATOR = (Comment.Status.REJECTED, Comment.Status.SPAM)
