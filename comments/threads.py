"""The discussion under a post: one page of threads, fetched in two queries and written
as HTML in Python.

A page holds up to COMMENTS_THREADS_PER_PAGE threads with every reply the viewer may
see. The comments are read as plain rows (no model instances) and written with string
formatting: a thousand comments took about a third of a second through a template
include per comment, and take a few milliseconds here. The markup is one function,
``comment_html``, which the page and the JSON answer to a new comment both use.
"""

from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString

from .models import Comment, Flag, hidden_reason, readable_by
from .rules import Acting, Action, can_moderate

ROW_FIELDS = (
    "pk",
    "parent_id",
    "author_id",
    "author__display_name",
    "author_name",
    "status",
    "hidden_by_flags",
    "is_removed",
    "created_at",
    "edited_at",
    "body_html",
    "pending_body_html",
)


@dataclass(slots=True)
class Node:
    """A comment as the page shows it (the ROW_FIELDS of a Comment) and its replies."""

    pk: int
    parent_id: int | None
    author_id: int | None
    author_display_name: str | None
    author_name: str
    status: str
    hidden_by_flags: bool
    is_removed: bool
    created_at: datetime
    edited_at: datetime | None
    body_html: str
    pending_body_html: str
    flagged: bool = False  # by the viewer (issue 18: the page says "Flagged")
    children: list["Node"] = field(default_factory=list)

    @classmethod
    def of(cls, comment):
        """The node of a Comment instance, without replies."""
        return cls(
            *(getattr(comment, name) for name in ("pk", "parent_id", "author_id")),
            comment.author.display_name if comment.author_id else None,
            *(getattr(comment, name) for name in ROW_FIELDS[4:]),
        )

    @property
    def display_author(self):
        return Comment.author_label(self.author_id, self.author_display_name, self.author_name)


def page_of_threads(*, post, viewer, page_number=1):
    """(list[Node], Page): the viewer's page of threads, in two queries (the count of
    threads, then the page's thread starters with every reply in those threads).

    The thread rule (issue 11): a comment whose text the viewer may not read (deleted,
    removed by a moderator, hidden by flags, another reader's awaiting moderation) is
    shown as a placeholder saying why while a reply under it is shown, and left out
    otherwise; so whatever happens to one comment, the replies others may read stay.
    """
    starters = Comment.objects.threads_for(post, viewer)
    per_page = settings.COMMENTS_THREADS_PER_PAGE
    page = Paginator(starters.values("pk"), per_page).get_page(page_number)
    offset = (page.number - 1) * per_page
    page_threads = starters.values("pk")[offset : offset + per_page]
    # Only the rows that may show: readable ones, and those with replies (placeholders
    # when a reply under them is shown); another reader's pending reply is not fetched.
    viewer_id = viewer.pk if viewer.is_authenticated else None
    # Whether the viewer flagged it, in the same query (issue 18).
    flagged = (
        Exists(Flag.objects.filter(comment=OuterRef("pk"), user_id=viewer_id))
        if viewer_id is not None
        else Value(False)
    )
    rows = (
        Comment.objects.filter(thread__in=page_threads)
        .filter(readable_by(viewer) | Exists(Comment.objects.filter(parent=OuterRef("pk"))))
        .annotate(flagged=flagged)
        .values_list(*ROW_FIELDS, "flagged")
    )
    children = {}
    for row in rows:
        node = Node(*row)
        children.setdefault(node.parent_id, []).append(node)

    def grown(node):
        node.children = [child for child in map(grown, children.get(node.pk, [])) if child]
        if node.children or not _hidden(node, viewer_id):
            return node
        return None

    return [tree for tree in map(grown, children.get(None, [])) if tree], page


def _hidden(node, viewer_id):
    """Why the viewer may not read this node's text (a Hidden), or None."""
    return hidden_reason(
        status=node.status,
        hidden_by_flags=node.hidden_by_flags,
        is_removed=node.is_removed,
        own=viewer_id is not None and node.author_id == viewer_id,
    )


EDITED = ' <span class="comment-edited">(edited)</span>'
AWAITING = ' <strong class="badge">Awaiting moderation</strong>'
EDIT_AWAITING = ' <strong class="badge">Your edit awaits moderation</strong>'
FLAGGED = ' <strong class="badge">Hidden after readers\' flags until a moderator looks</strong>'


class _Writer:
    """What stays the same for every comment of one page: the viewer and their standing,
    the time and time zone, the links' address patterns and the month names (Django's
    are lazy)."""

    def __init__(self, post, viewer, standing=None):
        self.viewer_id = viewer.pk if viewer.is_authenticated else None
        self.acting = Acting(viewer, post, standing=standing)
        self.zone = timezone.get_current_timezone()
        self.months = [str(month).title() for month in MONTHS_3.values()]
        self.urls = {
            action: reverse(f"comments:{action}", args=[0]).replace("/0/", "/{}/")
            for action in Action
        }
        # Moderators get a link from each placeholder to the comment in the admin.
        self.review_url = (
            reverse("admin:comments_comment_change", args=[0]).replace("/0/", "/{}/")
            if viewer.is_authenticated and viewer.is_staff and can_moderate(viewer)
            else None
        )

    def threads(self, nodes):
        return "".join(f"<li>{self.comment(node)}</li>" for node in nodes)

    def comment(self, node):
        anchor = f"comment-{node.pk}"
        created = node.created_at.astimezone(self.zone)
        shown = f"{created.day} {self.months[created.month - 1]} {created.year}, {created:%H:%M}"
        own = self.viewer_id is not None and node.author_id == self.viewer_id
        hidden = _hidden(node, self.viewer_id)
        pending = not hidden and node.status == Comment.Status.PENDING
        if hidden:
            # Neither the text nor the name: only why it is not shown.
            author, badges = f"[{hidden.value}]", ""
            # Its author may still delete it; nobody may reply to or flag it.
            after = f'<p class="comment-removed">{hidden.label}</p>{self.actions(node, author)}'
            if self.review_url and not node.is_removed:
                url = self.review_url.format(node.pk)
                after += f'<p class="comment-actions"><a href="{url}">Review in the admin</a></p>'
        else:
            author = f"<bdi>{escape(node.display_author)}</bdi>"
            own_edit = own and node.pending_body_html
            badges = "".join(
                badge
                for badge, shows in (
                    (EDITED, node.edited_at or own_edit),
                    (AWAITING, pending),
                    (EDIT_AWAITING, own_edit and not pending),
                    (FLAGGED, own and node.hidden_by_flags),
                )
                if shows
            )
            # body_html was sanitized by nh3 when the comment was saved.
            body = node.pending_body_html if own_edit else node.body_html
            after = f'<div class="comment-body" dir="auto">{body}</div>{self.actions(node, author)}'
        return (
            f'<article class="comment{" comment-pending" if pending else ""}" id="{anchor}" '
            f'data-comment-id="{node.pk}" aria-labelledby="{anchor}-author">'
            f'<header class="comment-header"><span class="comment-author" id="{anchor}-author">'
            f'{author}</span> <a class="comment-permalink" href="#{anchor}"><time datetime="'
            f'{created.isoformat(timespec="seconds")}">{shown}</time></a>{badges}</header>'
            f'{after}<ol class="comment-replies" data-replies-for="{node.pk}">'
            f"{self.threads(node.children)}</ol></article>"
        )

    def actions(self, node, author):
        """The links comments.rules.may_act_on() allows this viewer: Reply, Edit, Delete,
        Flag. Each link's hidden words say whose comment it acts on. A comment the viewer
        has flagged says "Flagged" instead of offering Flag again (issue 18)."""
        if self.viewer_id is None:
            return ""
        links = []
        for action, label, hidden in (
            (Action.REPLY, "Reply", f" to {author}"),
            (Action.EDIT, "Edit", " your comment"),
            (Action.DELETE, "Delete", " your comment"),
            (Action.FLAG, "Flag", f" comment by {author}"),
        ):
            if self.acting.on(node, action):
                if action == Action.FLAG and node.flagged:
                    links.append('<span class="comment-flagged">Flagged</span>')
                    continue
                attrs = f' data-reply-to="{node.pk}"' if action == Action.REPLY else ""
                links.append(
                    f'<a href="{self.urls[action].format(node.pk)}"{attrs}>{label}'
                    f'<span class="visually-hidden">{hidden}</span></a>'
                )
        return f'<p class="comment-actions">{" ".join(links)}</p>' if links else ""


def threads_html(nodes, *, post, viewer, standing=None):
    """The <li> items of a list of threads (list[Node]) as safe HTML for ``viewer``
    (``standing``: their comments.rules.Standing, read when not given)."""
    return SafeString(_Writer(post, viewer, standing).threads(nodes))


def comment_html(comment, *, post, viewer, standing=None):
    """One new comment (a Comment, without replies) as an <article> for ``viewer``
    (``standing``: their comments.rules.Standing, read when not given)."""
    return SafeString(_Writer(post, viewer, standing).comment(Node.of(comment)))
