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
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString

from .models import Comment

ROW_FIELDS = (
    "pk",
    "parent_id",
    "author_id",
    "author__display_name",
    "author_name",
    "status",
    "is_removed",
    "created_at",
    "edited_at",
    "body_html",
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
    is_removed: bool
    created_at: datetime
    edited_at: datetime | None
    body_html: str
    children: list["Node"] = field(default_factory=list)

    @classmethod
    def of(cls, comment):
        """The node of a Comment instance, without replies."""
        author = comment.author if comment.author_id else None
        return cls(
            *(getattr(comment, name) for name in ("pk", "parent_id", "author_id")),
            author.display_name if author else None,
            *(getattr(comment, name) for name in ROW_FIELDS[4:]),
        )

    @property
    def display_author(self):
        return Comment.author_label(self.author_id, self.author_display_name, self.author_name)


def page_of_threads(*, post, viewer, page_number=1):
    """(list[Node], Page): the viewer's page of threads, in two queries (the count of
    threads, then the page's thread starters with every reply in those threads)."""
    visible = Comment.objects.visible_to(viewer).filter(post=post)
    starters = visible.filter(parent__isnull=True)
    per_page = settings.COMMENTS_THREADS_PER_PAGE
    page = Paginator(starters.values("pk"), per_page).get_page(page_number)
    offset = (page.number - 1) * per_page
    page_threads = starters.values("pk")[offset : offset + per_page]
    rows = visible.filter(thread__in=page_threads).values_list(*ROW_FIELDS)
    children = {}
    for row in rows:
        node = Node(*row)
        children.setdefault(node.parent_id, []).append(node)

    def grown(node):
        node.children = [child for child in map(grown, children.get(node.pk, [])) if child]
        # A '[deleted]' placeholder is there for its replies: with none this viewer may
        # see (pending, rejected or spam ones), it is not shown.
        return None if node.is_removed and not node.children else node

    return [tree for tree in map(grown, children.get(None, [])) if tree], page


EDITED = ' <span class="comment-edited">(edited)</span>'
AWAITING = ' <strong class="badge">Awaiting moderation</strong>'


class _Writer:
    """What stays the same for every comment of one page: the viewer, the time and time
    zone, the links' address patterns and the month names (Django's are lazy)."""

    def __init__(self, post, viewer):
        self.viewer_id = viewer.pk if viewer.is_authenticated else None
        self.may_reply = post.allow_comments and self.viewer_id is not None
        self.edit_after = timezone.now() - settings.COMMENTS_EDIT_WINDOW
        self.zone = timezone.get_current_timezone()
        self.months = [str(month).title() for month in MONTHS_3.values()]
        self.urls = {
            name: reverse(f"comments:{name}", args=[0]).replace("/0/", "/{}/")
            for name in ("reply", "edit", "delete", "flag")
        }

    def threads(self, nodes):
        return "".join(f"<li>{self.comment(node)}</li>" for node in nodes)

    def comment(self, node):
        anchor = f"comment-{node.pk}"
        created = node.created_at.astimezone(self.zone)
        shown = f"{created.day} {self.months[created.month - 1]} {created.year}, {created:%H:%M}"
        pending = node.status == Comment.Status.PENDING
        if node.is_removed:
            author, after = "[deleted]", '<p class="comment-removed">[deleted]</p>'
        else:
            author = escape(node.display_author)
            # body_html was sanitized by nh3 when the comment was saved.
            after = f'<div class="comment-body">{node.body_html}</div>{self.actions(node, author)}'
        edited = node.edited_at and not node.is_removed
        return (
            f'<article class="comment{" comment-pending" if pending else ""}" id="{anchor}" '
            f'data-comment-id="{node.pk}" aria-labelledby="{anchor}-author">'
            f'<header class="comment-header"><span class="comment-author" id="{anchor}-author">'
            f'{author}</span> <a class="comment-permalink" href="#{anchor}"><time datetime="'
            f'{created.isoformat(timespec="seconds")}">{shown}</time></a>'
            f"{EDITED if edited else ''}{AWAITING if pending else ''}</header>"
            f'{after}<ol class="comment-replies" data-replies-for="{node.pk}">'
            f"{self.threads(node.children)}</ol></article>"
        )

    def actions(self, node, author):
        """Reply for readers; Edit (within the window) and Delete for the author; Flag
        for other readers. Each link's hidden words say whose comment it acts on."""
        if self.viewer_id is None:
            return ""
        approved, links = node.status == Comment.Status.APPROVED, []
        if self.may_reply and approved:
            links.append(("reply", f' data-reply-to="{node.pk}"', "Reply", f" to {author}"))
        if self.viewer_id == node.author_id:
            if node.created_at >= self.edit_after:
                links.append(("edit", "", "Edit", " your comment"))
            links.append(("delete", "", "Delete", " your comment"))
        elif approved:
            links.append(("flag", "", "Flag", f" comment by {author}"))
        return '<p class="comment-actions">{}</p>'.format(
            " ".join(
                f'<a href="{self.urls[name].format(node.pk)}"{attrs}>{label}'
                f'<span class="visually-hidden">{hidden}</span></a>'
                for name, attrs, label, hidden in links
            )
        )


def threads_html(nodes, *, post, viewer):
    """The <li> items of a list of threads (list[Node]) as safe HTML for ``viewer``."""
    return SafeString(_Writer(post, viewer).threads(nodes))


def comment_html(comment, *, post, viewer):
    """One new comment (a Comment, without replies) as an <article> for ``viewer``."""
    return SafeString(_Writer(post, viewer).comment(Node.of(comment)))


def comment_url(comment, viewer=None):
    """The comment's address on the page of its thread, as its author (or viewer) sees it."""
    viewer = viewer or comment.author or AnonymousUser()
    root = comment if comment.thread_id in (None, comment.pk) else comment.thread
    earlier_threads = (
        Comment.objects.visible_to(viewer)
        .filter(post_id=comment.post_id, parent__isnull=True)
        .filter(Q(created_at__lt=root.created_at) | Q(created_at=root.created_at, pk__lt=root.pk))
        .count()
    )
    page = earlier_threads // settings.COMMENTS_THREADS_PER_PAGE + 1
    query = f"?comments={page}" if page > 1 else ""
    return f"{comment.post.get_absolute_url()}{query}#{comment.anchor}"
