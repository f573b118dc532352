"""Decisions from the moderators' digest (issue 27): each comment in it carries signed
links to approve it, reject it or mark it as spam.

A link names one comment and one decision, signed with Django's signing (the site's
SECRET_KEY, a salt of its own) and dated: it works for LINK_LIFETIME. Following it shows
the comment and a button, and changes nothing (a mail scanner that follows every link
decides nothing); the button's POST decides (comments.moderation.decide_from_link), for
a logged-in moderator (comments.rules.can_moderate) only. A comment no longer awaiting a
moderator is not decided again: its page says who decided, and when.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Comment

LINK_LIFETIME = timedelta(days=7)
SALT = "comments.decisions"


@dataclass(frozen=True)
class Decision:
    """One of the three decisions a link can carry."""

    name: str  # in the link: "approve", "reject", "spam"
    status: str  # the Comment.Status it sets
    button: str  # the confirmation button's text
    done: str  # what the page says once decided


DECISIONS = {
    decision.name: decision
    for decision in (
        Decision("approve", Comment.Status.APPROVED, "Approve", "Approved"),
        Decision("reject", Comment.Status.REJECTED, "Reject", "Rejected"),
        Decision("spam", Comment.Status.SPAM, "Mark as spam", "Marked as spam"),
    )
}


class InvalidLink(Exception):
    """A decision link that may not be acted on: ``status`` (400 altered or for another
    comment or decision, 410 expired) and ``message``, a sentence for the moderator."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def decision_url(comment, decision):
    """The absolute address (str) of the signed link that makes ``decision`` (a key of
    DECISIONS) on ``comment`` (a Comment), valid for LINK_LIFETIME from now."""
    token = signing.TimestampSigner(salt=SALT).sign_object(
        {"comment": comment.pk, "decision": decision}
    )
    return settings.SITE_URL + reverse("comments:decide", args=[comment.pk, decision, token])


def checked_decision(comment_id, decision, token):
    """The Decision a link names, after checking its signature and age: the token must
    have been made for this ``comment_id`` (int) and ``decision`` (str), within
    LINK_LIFETIME. Raises InvalidLink."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        signed = signer.unsign_object(token, max_age=LINK_LIFETIME)
    except signing.SignatureExpired:
        raise InvalidLink(
            410,
            f"This link has expired: links in the moderators' email work for "
            f"{LINK_LIFETIME.days} days. Decide on the comment in the moderation queue.",
        ) from None
    except (signing.BadSignature, ValueError):
        raise InvalidLink(400, "This moderation link is not valid: it was altered.") from None
    if signed != {"comment": comment_id, "decision": decision} or decision not in DECISIONS:
        raise InvalidLink(400, "This moderation link is not valid: it was altered.")
    return DECISIONS[decision]


def awaits_moderation(comment_id):
    """Whether the comment whose pk is ``comment_id`` (int) awaits a decision from a link
    (bool): the queue's AWAITING condition, asked of its row, and not deleted by its
    author (a placeholder has no text left to decide on)."""
    awaiting = Comment.objects.awaiting_moderation().filter(pk=comment_id, is_removed=False)
    return awaiting.exists()
