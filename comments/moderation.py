"""Everything that changes a comment, as plain functions used by the views and by admin."""

import unicodedata
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .decisions import awaits_moderation
from .models import BlockedCommenter, Comment, Flag, ModerationDecision, ModerationRule
from .notifications import queue_moderator_notice, queue_reply_notice
from .rendering import render_comment
from .rules import is_trusted
from .screening import Refused, screen

Outcome = ModerationRule.Outcome

Source = ModerationDecision.Source
Action = ModerationDecision.Action


def record_decisions(comments, *, action, moderator, source, reason=""):
    """Add one row per comment of ``comments`` (an iterable of Comment) to the moderation
    trail (ModerationDecision): ``action`` (a ModerationDecision.Action) by ``moderator``
    (a User) from ``source`` (a ModerationDecision.Source), with ``reason`` (str, may be
    empty). One INSERT. Every moderator's decision in this module calls it, in the
    decision's own transaction."""
    name = moderator.display_name or moderator.get_username() if moderator else ""
    reason = plain_reason(reason)
    ModerationDecision.objects.bulk_create(
        ModerationDecision(
            comment=comment,
            comment_number=comment.pk,
            excerpt=(comment.latest_body or "")[:200],
            moderator=moderator,
            moderator_name=name,
            action=action,
            source=source,
            reason=reason,
        )
        for comment in comments
    )


def plain_reason(text):
    """A moderator's reason (str) as the trail keeps it: one line of at most 500
    characters, without control or format characters (a NUL, which PostgreSQL refuses in
    text; terminal escapes; bidirectional overrides), whitespace collapsed."""
    kept = "".join(
        " " if char.isspace() else char
        for char in text
        if char.isspace() or unicodedata.category(char) not in ("Cc", "Cf")
    )
    return " ".join(kept.split())[:500]


def attach_point(parent):
    """Replies deeper than the allowed nesting attach to the deepest allowed level."""
    while parent is not None and parent.depth >= settings.COMMENTS_MAX_DEPTH:
        parent = parent.parent
    return parent


@transaction.atomic
def create_comment(*, post, author, body, parent=None, ip_hash="", standing=None):
    """A reader's new comment (or reply to ``parent``) on ``post``: approved at once when
    its author is trusted, else waiting for a moderator, who is told. ``standing`` (the
    author's comments.rules.Standing) saves a query when the caller has it.

    The moderation rules come first (comments.screening, issue 27): one may hold the
    comment for a moderator even from a trusted author, mark it as spam (recorded in the
    trail, no moderator told), or refuse it: then nothing is stored and Refused is
    raised, with the message for the writer."""
    parent = attach_point(parent)
    body_html = render_comment(body)
    verdict = screen(body=body, body_html=body_html, author=author)
    if verdict is not None and verdict.outcome == Outcome.REFUSE:
        raise Refused(verdict.rule)
    trusted = standing.trusted if standing is not None else is_trusted(author)
    status = Comment.Status.APPROVED if trusted else Comment.Status.PENDING
    if verdict is not None:
        status = Comment.Status.SPAM if verdict.outcome == Outcome.SPAM else Comment.Status.PENDING
    comment = Comment(
        post=post,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        author=author,
        body=body,
        body_html=body_html,
        status=status,
        ip_hash=ip_hash,
        held_by_rule_id=verdict.rule.pk if verdict is not None else None,
    )
    comment.save()  # sets the thread too
    if comment.is_pending:
        queue_moderator_notice()
    elif comment.is_approved:
        queue_reply_notice(comment)
    else:
        _record_rule(comment, verdict)
    return comment


def _record_rule(comment, verdict):
    """The trail's row for a comment a rule marked as spam."""
    record_decisions(
        [comment],
        action=Action.SPAM,
        moderator=None,
        source=Source.RULE,
        reason=f"Rule “{verdict.rule.name}”",
    )


@transaction.atomic
def edit_comment(*, comment, body):
    """The author rewrites their comment (body: Markdown).

    An approved comment by an author who is not trusted keeps its approved text, which
    everyone else goes on reading, and the edit waits beside it in ``pending_body``
    until a moderator approves it (issue 11: sending the whole comment back to
    moderation hid its thread). Otherwise the text changes at once: a trusted author's
    edit, or an edit of a comment that awaits moderation anyway.

    The moderation rules read the edit as they read a new comment (issue 27): a rule
    that holds makes even a trusted author's edit wait; one that marks spam hides the
    comment as spam, the edit waiting beside it; one that refuses raises Refused and
    changes nothing.
    """
    now = timezone.now()
    body_html = render_comment(body)
    verdict = screen(body=body, body_html=body_html, author=comment.author)
    if verdict is not None and verdict.outcome == Outcome.REFUSE:
        raise Refused(verdict.rule)
    # The rule that holds this text, or none: a clean edit no longer says a rule held it.
    comment.held_by_rule_id = verdict.rule.pk if verdict is not None else None
    fields = ["held_by_rule"]
    edit_waits = comment.is_approved and (verdict is not None or not is_trusted(comment.author))
    if edit_waits:
        comment.pending_body = body
        comment.pending_body_html = body_html
        comment.pending_edited_at = now
        comment.moderators_notified_at = None  # the moderators must see the new text
        fields += [*PENDING_EDIT_FIELDS, "moderators_notified_at"]
    else:
        comment.body = body
        comment.body_html = body_html
        comment.edited_at = now
        _drop_pending_edit(comment)
        fields += ["body", "body_html", "edited_at", *PENDING_EDIT_FIELDS]
    if verdict is not None and verdict.outcome == Outcome.SPAM:
        comment.status = Comment.Status.SPAM
        fields.append("status")
    comment.save(update_fields=fields)
    if verdict is not None and verdict.outcome == Outcome.SPAM:
        _record_rule(comment, verdict)
    elif edit_waits:
        queue_moderator_notice()
    return comment


PENDING_EDIT_FIELDS = ["pending_body", "pending_body_html", "pending_edited_at"]


def _drop_pending_edit(comment):
    comment.pending_body = ""
    comment.pending_body_html = ""
    comment.pending_edited_at = None


def _apply_pending_edit(comment):
    """The edit awaiting moderation becomes the comment's text."""
    comment.body = comment.pending_body
    comment.body_html = comment.pending_body_html
    comment.edited_at = comment.pending_edited_at
    _drop_pending_edit(comment)


@transaction.atomic
def delete_comment(*, comment):
    """An author deletes their comment: gone, or '[deleted]' if replies hang on it. The
    moderation trail forgets its text too (the author took it back); the decisions stay."""
    ModerationDecision.objects.filter(comment_number=comment.pk).update(excerpt="")
    _delete(comment)


def _delete(comment):
    """delete_comment() without touching the trail (a moderator's deletion keeps the text
    it decided on)."""
    if comment.replies.exists():
        comment.is_removed = True
        comment.body = ""
        comment.body_html = ""
        comment.hidden_by_flags = False  # no text left for a moderator to judge
        _drop_pending_edit(comment)
        comment.save(
            update_fields=[
                "is_removed",
                "body",
                "body_html",
                "hidden_by_flags",
                *PENDING_EDIT_FIELDS,
            ]
        )
    else:
        parent = comment.parent
        comment.delete()
        # A '[deleted]' placeholder whose last reply just went has nothing left to hold.
        if parent is not None and parent.is_removed and not parent.replies.exists():
            _delete(parent)


@transaction.atomic
def delete_as_moderator(*, comment, moderator, source, reason=""):
    """A moderator deletes ``comment`` (the admin's delete page or "Delete selected"): it
    goes, or, when replies hang on it, its text is erased and it stays as a placeholder
    "removed by a moderator" (rejected), so the thread keeps its replies (README,
    "Threads keep their replies"; issue 11). Recorded in the trail (record_decisions)
    from ``source``, with ``reason``."""
    record_decisions(
        [comment], action=Action.DELETED, moderator=moderator, source=source, reason=reason
    )
    if not comment.replies.exists():
        _delete(comment)
        return
    comment.body = ""
    comment.body_html = ""
    _drop_pending_edit(comment)
    comment.status = Comment.Status.REJECTED
    comment.hidden_by_flags = False
    comment.moderated_by = moderator
    comment.moderated_at = timezone.now()
    comment.save(
        update_fields=[
            "body", "body_html", *PENDING_EDIT_FIELDS, "status", "hidden_by_flags",
            "moderated_by", "moderated_at",
        ]
    )  # fmt: skip


@transaction.atomic
def moderate(*, comments, status, moderator, source, reason=""):
    """Approve, reject or mark as spam ``comments`` (a QuerySet) to ``status`` (a
    Comment.Status); record who and when on each, and in the trail (record_decisions,
    from ``source`` with ``reason``); notify on approval. Returns the comments changed
    (list[Comment]).

    Approving also approves an edit awaiting moderation (its text is then shown);
    rejecting or marking as spam hides the whole comment behind its placeholder and keeps
    a pending edit for the record. To refuse only an edit, see discard_pending_edits().
    """
    now = timezone.now()
    changed = []
    # Lock plain rows: the admin's queryset is annotated with a count of flags, and
    # PostgreSQL refuses FOR UPDATE on a GROUP BY query.
    rows = Comment.objects.filter(pk__in=comments.values("pk")).select_for_update()
    for comment in rows:
        was_approved = comment.is_approved
        comment.status = status
        comment.hidden_by_flags = False
        comment.moderated_by = moderator
        comment.moderated_at = now
        fields = ["status", "hidden_by_flags", "moderated_by", "moderated_at"]
        if status == Comment.Status.APPROVED and comment.pending_body:
            _apply_pending_edit(comment)
            fields += ["body", "body_html", "edited_at", *PENDING_EDIT_FIELDS]
        comment.save(update_fields=fields)
        changed.append(comment)
        if status == Comment.Status.APPROVED and not was_approved:
            queue_reply_notice(comment)
    record_decisions(
        changed, action=Action(status), moderator=moderator, source=source, reason=reason
    )
    return changed


@transaction.atomic
def discard_pending_edits(*, comments, moderator, source, reason=""):
    """Refuse the edits awaiting moderation of ``comments`` (a QuerySet): each comment
    keeps its approved text. Recorded in the trail (record_decisions) from ``source``,
    with ``reason``. Returns the comments that had one (list[Comment])."""
    now = timezone.now()
    changed = []
    rows = Comment.objects.filter(pk__in=comments.values("pk")).exclude(pending_body="")
    for comment in rows.select_for_update():
        _drop_pending_edit(comment)
        comment.moderated_by = moderator
        comment.moderated_at = now
        comment.save(update_fields=[*PENDING_EDIT_FIELDS, "moderated_by", "moderated_at"])
        changed.append(comment)
    record_decisions(
        changed, action=Action.EDIT_DISCARDED, moderator=moderator, source=source, reason=reason
    )
    return changed


@transaction.atomic
def flag_comment(*, comment, user, reason, note=""):
    """A reader flags a comment once; enough flags hide it until a moderator decides.

    Flags made before the last moderation decision do not count again.
    """
    _, created = Flag.objects.get_or_create(
        comment=comment, user=user, defaults={"reason": reason, "note": note}
    )
    if not created:
        return False
    flags = comment.flags.all()
    if comment.moderated_at:
        flags = flags.filter(created_at__gt=comment.moderated_at)
    if (
        comment.is_approved
        and not comment.hidden_by_flags
        and flags.count() >= settings.COMMENTS_FLAGS_TO_HIDE
    ):
        comment.hidden_by_flags = True
        comment.moderators_notified_at = None
        comment.save(update_fields=["hidden_by_flags", "moderators_notified_at"])
        queue_moderator_notice()
    return True


def block_commenter(*, user, moderator, reason=""):
    """Stop ``user`` from commenting (idempotent); returns their BlockedCommenter."""
    block, _ = BlockedCommenter.objects.get_or_create(
        user=user, defaults={"blocked_by": moderator, "reason": reason}
    )
    return block


@transaction.atomic
def block_authors(*, comments, moderator, source, reason=""):
    """Block the authors of ``comments`` (a QuerySet) from commenting: the admin's list
    action and the comment page's "Block author" button (issue 18). Staff and comments
    without an account are spared. Recorded in the trail on each comment whose author
    was blocked (record_decisions, from ``source``). Returns the readers blocked
    (list[User])."""
    blocked = [
        comment
        for comment in comments.select_related("author")
        if comment.author is not None and not comment.author.is_staff
    ]
    authors = {comment.author for comment in blocked}
    reason = plain_reason(reason)
    for author in authors:
        block_commenter(user=author, moderator=moderator, reason=reason)
    record_decisions(
        blocked, action=Action.AUTHOR_BLOCKED, moderator=moderator, source=source, reason=reason
    )
    return list(authors)


def is_blocked(user):
    """Whether a moderator has stopped ``user`` (a User) from commenting (bool), in one
    query: the admin's "Block author" button is offered only when not."""
    return BlockedCommenter.objects.filter(user=user).exists()


@transaction.atomic
def remove_comments_of(user):
    """On account deletion: the reader's comments go, or become '[deleted]' where others'
    replies hang on them, and a '[deleted]' placeholder left with no reply goes too: the
    rule of delete_comment(), for all of them at once (issue 23: one comment at a time,
    a reader with 1,000 comments took 10,854 queries).

    Reads the threads the reader wrote in once, decides in Python, then deletes and
    blanks in bulk: a constant number of queries whatever the reader wrote. The deletes
    go through QuerySet.delete(), which sends post_delete for each row (the page cache
    hears it); the blanking through update(), which sends rows_changed.
    """
    threads = Comment.objects.filter(author=user).values("thread_id")
    rows = Comment.objects.filter(thread_id__in=threads).values_list(
        "pk", "parent_id", "author_id", "is_removed"
    )
    children, mine, removed = defaultdict(list), set(), set()
    for pk, parent_id, author_id, is_removed in rows:
        children[parent_id].append(pk)
        if author_id == user.pk:
            mine.add(pk)
        if is_removed:
            removed.add(pk)
    deleted = set()

    def goes(pk):  # after all its replies were decided (children before parents)
        replies = children.get(pk, [])
        if not all(reply in deleted for reply in replies):
            return False
        # Its own goes when no reply stays; another's placeholder when its last went.
        return pk in mine or (pk in removed and bool(replies))

    for pk in _children_first(children):
        if goes(pk):
            deleted.add(pk)
    placeholders = mine - deleted
    # The trail keeps the decisions on them, not their text (delete_comment's rule).
    ModerationDecision.objects.filter(comment_number__in=mine).update(excerpt="")
    Comment.objects.filter(pk__in=deleted).delete()
    Comment.objects.filter(pk__in=placeholders).update(
        is_removed=True, body="", body_html="", pending_body="", pending_body_html="",
        pending_edited_at=None, hidden_by_flags=False,
    )  # fmt: skip
    Comment.objects.filter(author=user).update(author=None)


def _children_first(children):
    """Every comment in ``children`` ({parent pk or None: [pk]}), each after its replies
    (an iterative post-order walk from the first comments of the threads)."""
    order, stack = [], [(pk, False) for pk in children.get(None, [])]
    while stack:
        pk, expanded = stack.pop()
        if expanded:
            order.append(pk)
        else:
            stack.append((pk, True))
            stack.extend((reply, False) for reply in children.get(pk, []))
    return order


@transaction.atomic
def decide_from_link(*, comment_id, decision, moderator, reason=""):
    """Make ``decision`` (a comments.decisions.Decision, from a digest's link) on the
    comment whose pk is ``comment_id`` (int) as ``moderator`` (a User who may moderate),
    if it still awaits a moderator. Returns (Comment or None when it no longer exists,
    bool: decided now). The row is locked first, so two moderators following their
    links at once decide once."""
    comment = Comment.objects.select_for_update().filter(pk=comment_id).first()
    if comment is None or not awaits_moderation(comment_id):
        return comment, False
    [comment] = moderate(
        comments=Comment.objects.filter(pk=comment_id),
        status=decision.status,
        moderator=moderator,
        source=Source.DIGEST,
        reason=reason,
    )
    return comment, True
