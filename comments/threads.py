"""The discussion under a post: one page of threads, fetched in two queries and written
as HTML in Python.

A page holds up to COMMENTS_THREADS_PER_PAGE threads with every reply the viewer may
see. The comments are read as plain rows (no model instances) and written with Django's
format_html(), which escapes every value that is not already safe HTML: a thousand
comments took about a third of a second through a template include per comment, and
take a few milliseconds here. The markup is one function, ``comment_html``, which the
page and the JSON answer to a new comment both use.
"""

import html
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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


def format_html(template, *values):
    """Django's ``format_html()`` (str, safe HTML) for the hundreds of comments of a page:
    each value escaped unless it is safe HTML already, the template filled, the result
    marked safe. The same result as django.utils.html.format_html, which
    tests/comments/test_threads.py checks for every kind of value; only faster, since
    Django's conditional_escape() passes each value through escape()'s lazy-string
    wrapper, which costs three times html.escape() itself (issue 20: the comments' HTML
    built by construction, with the page's build time kept)."""
    return SafeString(
        template.format(
            *[value if type(value) is SafeString else _escaped(value) for value in values]
        )
    )


def _escaped(value):
    """django.utils.html.conditional_escape(), without escape()'s lazy-string wrapper; the
    kinds a comment's values come in are told apart first, by exact type."""
    kind = type(value)
    if kind is SafeString:
        return value
    if kind is str:
        return html.escape(value)
    if kind is int:
        return str(value)  # digits and a sign: html.escape() would return them as they are
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


# The markup of a comment is a format string filled by one format_html() call per comment,
# which escapes every value not already safe HTML: escaping holds by construction (issue
# 20). Its fields are written by name here and numbered once (_positional), and the links
# a viewer gets are part of it (_Writer.template), because format_html costs microseconds
# a call and a value, and a page has hundreds of comments (figures: docs/performance.md,
# "The page built from nothing").
FIELDS = ("pk", "pending", "author", "datetime", "shown", "badges", "body", "review", "replies")


def _positional(template):
    """``template`` (a format string) with each field {name} of FIELDS numbered by its
    place there: str.format fills numbered fields faster than named ones, and each value
    is passed, and escaped, once however often it appears."""
    for number, name in enumerate(FIELDS):
        template = template.replace(f"{{{name}}}", f"{{{number}}}")
    return template


_HEAD = (
    '<article class="comment{pending}" id="comment-{pk}" data-comment-id="{pk}" '
    'aria-labelledby="comment-{pk}-author"><header class="comment-header">'
    '<span class="comment-author" id="comment-{pk}-author">'
)
_TIME = (
    '</span> <a class="comment-permalink" href="#comment-{pk}">'
    '<time datetime="{datetime}">{shown}</time></a>{badges}</header>'
)
_REPLIES = '<ol class="comment-replies" data-replies-for="{pk}">{replies}</ol></article>'
# A comment whose text the viewer may read; [ACTIONS] is where the links go.
SHOWN = _positional(
    f"{_HEAD}<bdi>{{author}}</bdi>{_TIME}"
    f'<div class="comment-body" dir="auto">{{body}}</div>[ACTIONS]{_REPLIES}'
)
# A placeholder: neither the text nor the name, only why it is not shown (``author`` is
# the reason, ``body`` the sentence saying why), and for a moderator the ``review`` link.
PLACEHOLDER = _positional(
    f"{_HEAD}[{{author}}]{_TIME}"
    f'<p class="comment-removed">{{body}}</p>[ACTIONS]{{review}}{_REPLIES}'
)
REVIEW = '<p class="comment-actions"><a href="{}">Review in the admin</a></p>'
# The links under a comment; [URL] is the link's address (_address_pattern).
LINKS = {
    Action.REPLY: _positional(
        '<a href="[URL]" data-reply-to="{pk}">Reply'
        '<span class="visually-hidden"> to <bdi>{author}</bdi></span></a>'
    ),
    Action.EDIT: '<a href="[URL]">Edit<span class="visually-hidden"> your comment</span></a>',
    Action.DELETE: '<a href="[URL]">Delete<span class="visually-hidden"> your comment</span></a>',
    Action.FLAG: _positional(
        '<a href="[URL]">Flag<span class="visually-hidden"> comment by <bdi>{author}</bdi>'
        "</span></a>"
    ),
}
FLAGGED_BY_VIEWER = '<span class="comment-flagged">Flagged</span>'
# Constant markup, no value in it.
PENDING_CLASS = mark_safe(" comment-pending")
EDITED = mark_safe(' <span class="comment-edited">(edited)</span>')
AWAITING = mark_safe(' <strong class="badge">Awaiting moderation</strong>')
EDIT_AWAITING = mark_safe(' <strong class="badge">Your edit awaits moderation</strong>')
FLAGGED = mark_safe(
    ' <strong class="badge">Hidden after readers\' flags until a moderator looks</strong>'
)
NO_HTML = mark_safe("")
ACTIONS = tuple(Action)  # in the order the links show


def _address_pattern(name):
    """The address of the comments view ``name``, escaped for HTML and for str.format,
    with the comment's id field where its id goes: a piece of a format string."""
    address = escape(reverse(name, args=[0])).replace("{", "{{").replace("}", "}}")
    return address.replace("/0/", f"/{{{FIELDS.index('pk')}}}/")


class _Writer:
    """What stays the same for every comment of one page: the viewer and their standing,
    the time and time zone, the links' markup and the month names (Django's are lazy)."""

    def __init__(self, post, viewer, standing=None):
        self.viewer_id = viewer.pk if viewer.is_authenticated else None
        self.acting = Acting(viewer, post, standing=standing)
        self.zone = timezone.get_current_timezone()
        self.months = [str(month).title() for month in MONTHS_3.values()]
        self.links = {
            action: LINKS[action].replace("[URL]", _address_pattern(f"comments:{action}"))
            for action in Action
        }
        self.links["flagged"] = FLAGGED_BY_VIEWER
        self.templates = {}  # the format string of each kind of comment, made once a page
        # Moderators get a link from each placeholder to the comment in the admin.
        self.review_url = (
            reverse("admin:comments_comment_change", args=[0]).replace("/0/", "/{}/")
            if viewer.is_authenticated and viewer.is_staff and can_moderate(viewer)
            else None
        )

    def threads(self, nodes):
        """The <li> items of ``nodes`` (list[Node]) with their replies, safe HTML."""
        # Each item is format_html()'s output: joined, they are safe as they are.
        return SafeString("".join([self.comment(node, item=True) for node in nodes]))

    def comment(self, node, *, item=False):
        """The <article> of ``node`` with its replies (in an <li> when ``item``), safe
        HTML."""
        created = node.created_at.astimezone(self.zone)
        # "7 Nov 2026, 09:05"; the hour and minute without strftime, which took longer.
        shown = (
            f"{created.day} {self.months[created.month - 1]} {created.year}, "
            f"{created.hour:02}:{created.minute:02}"
        )
        own = self.viewer_id is not None and node.author_id == self.viewer_id
        hidden = _hidden(node, self.viewer_id)
        pending = not hidden and node.status == Comment.Status.PENDING
        review = NO_HTML
        if hidden:
            author, badges, body = hidden.value, NO_HTML, hidden.label
            if self.review_url and not node.is_removed:
                review = format_html(REVIEW, self.review_url.format(node.pk))
        else:
            author = node.display_author
            own_edit = own and node.pending_body_html
            badges = NO_HTML
            for badge, shows in (
                (EDITED, node.edited_at or own_edit),
                (AWAITING, pending),
                (EDIT_AWAITING, own_edit and not pending),
                (FLAGGED, own and node.hidden_by_flags),
            ):
                if shows:
                    badges += badge
            # Sanitized by nh3's allow-list when the comment was saved (comments.rendering):
            # the one HTML the page takes as it is.
            body = SafeString(node.pending_body_html if own_edit else node.body_html)
        return format_html(
            self.template(node, hidden, item),
            # The values, in the order of FIELDS.
            node.pk,
            PENDING_CLASS if pending else NO_HTML,
            author,
            created.isoformat(timespec="seconds"),
            shown,
            badges,
            body,
            review,
            self.threads(node.children) if node.children else NO_HTML,
        )

    def template(self, node, hidden, item):
        """The format string of ``node``'s article: shown or a placeholder (``hidden``),
        in an <li> or not (``item``), with the links comments.rules.may_act_on() allows
        this viewer: Reply, Edit, Delete, Flag. Each link's hidden words say whose comment
        it acts on. A comment the viewer has flagged says "Flagged" instead of offering
        Flag again (issue 18)."""
        links = ()
        if self.viewer_id is not None:
            links = tuple(
                "flagged" if action == Action.FLAG and node.flagged else action
                for action in ACTIONS
                if self.acting.on(node, action)
            )
        key = (bool(hidden), item, links)
        if key not in self.templates:
            actions = " ".join(self.links[link] for link in links)
            template = (PLACEHOLDER if hidden else SHOWN).replace(
                "[ACTIONS]", f'<p class="comment-actions">{actions}</p>' if links else ""
            )
            self.templates[key] = f"<li>{template}</li>" if item else template
        return self.templates[key]


def threads_html(nodes, *, post, viewer, standing=None):
    """The <li> items of a list of threads (list[Node]) as safe HTML for ``viewer``
    (``standing``: their comments.rules.Standing, read when not given)."""
    return _Writer(post, viewer, standing).threads(nodes)


def comment_html(comment, *, post, viewer, standing=None):
    """One new comment (a Comment, without replies) as an <article> for ``viewer``
    (``standing``: their comments.rules.Standing, read when not given)."""
    return _Writer(post, viewer, standing).comment(Node.of(comment))
