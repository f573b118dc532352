"""Who may comment: one rule for the post page, the comment and reply views and the form."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from .models import BlockedCommenter


@dataclass(frozen=True)
class CommentPermission:
    """The answer of may_comment(): true when allowed; else ``status`` (an HTTP status:
    403) and ``reason`` (a sentence for the reader)."""

    allowed: bool
    reason: str = ""
    status: int = 200

    def __bool__(self):
        return self.allowed


ALLOWED = CommentPermission(True)


def _refused(reason):
    return CommentPermission(False, reason, 403)


def may_comment(user, post):
    """Whether ``user`` may write a comment or a reply on ``post`` (a Post), and why not.

    Refused: comments closed on the post, a post not published, a visitor without an
    account, a reader a moderator blocked, and (with ACCOUNT_EMAIL_VERIFICATION
    "mandatory") a reader without a verified email address. One query for a reader.
    """
    if not post.allow_comments:
        return _refused("Comments on this post are closed.")
    if not post.is_published:
        return _refused("Comments open once the post is published.")
    if not user.is_authenticated:
        return _refused("Log in to comment.")
    facts = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            blocked=Exists(BlockedCommenter.objects.filter(user=OuterRef("pk"))),
            verified=Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
        )
        .values("blocked", "verified")
        .get()
    )
    if facts["blocked"]:
        return _refused("Your account has been stopped from commenting by a moderator.")
    if settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory" and not facts["verified"]:
        return _refused("Confirm your email address before commenting (see your account page).")
    return ALLOWED
