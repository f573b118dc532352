"""The discussion under a post: one page of threads, fetched in two queries and written
as HTML in Python.

A page holds up to COMMENTS_THREADS_PER_PAGE threads with every reply the viewer may
see. A thousand comments written through a template include per comment take about a
third of a second; written here, a few milliseconds. The markup is one function,
``comment_html``, which the page and the JSON answer to a new comment both use.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import Q
from django.urls import reverse
from django.utils import dateformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime

from .models import Comment


@dataclass
class Node:
    """A comment and the nodes of its replies, as the viewer may see them."""

    comment: Comment
    children: list["Node"] = field(default_factory=list)


def page_of_threads(*, post, viewer, page_number=1):
    """(list[Node], Page): the viewer's page of threads, in two queries (the count of
    threads, then the page's thread starters with every reply in those threads)."""
    visible = Comment.objects.visible_to(viewer).filter(post=post).select_related("author")
    starters = visible.filter(parent__isnull=True)
    per_page = settings.COMMENTS_THREADS_PER_PAGE
    page = Paginator(starters.values("pk"), per_page).get_page(page_number)
    offset = (page.number - 1) * per_page
    page_threads = starters.values("pk")[offset : offset + per_page]
    comments = list(visible.filter(thread__in=page_threads))
    children = {}
    for comment in comments:
        children.setdefault(comment.parent_id, []).append(comment)

    def node(comment):
        nodes = [child for child in map(node, children.get(comment.pk, [])) if child]
        # A '[deleted]' placeholder is there for its replies: with none this viewer may
        # see (pending, rejected or spam ones), it is not shown.
        if comment.is_removed and not nodes:
            return None
        return Node(comment, nodes)

    return [tree for tree in map(node, children.get(None, [])) if tree], page


def threads_html(nodes, *, post, viewer):
    """The <li> items of a list of threads (list[Node]) as safe HTML for ``viewer``."""
    return SafeString(
        "".join(
            format_html("<li>{}</li>", comment_html(n, post=post, viewer=viewer)) for n in nodes
        )
    )


def comment_html(node, *, post, viewer):
    """One comment as an <article>, with its replies, and the links this viewer may use.

    ``node`` is a Node (or a comment, shown without replies). Everyone sees the same
    article for a comment except the actions: "Reply" for readers, "Edit" and "Delete"
    for its author, "Flag" for other readers.
    """
    if isinstance(node, Comment):
        node = Node(node)
    comment = node.comment
    anchor = comment.anchor
    created = localtime(comment.created_at)
    if comment.is_removed:
        author, body = "[deleted]", mark_safe('<p class="comment-removed">[deleted]</p>')
    else:
        author = comment.display_author
        body = format_html(
            '<div class="comment-body">{}</div>{}',
            mark_safe(comment.body_html),  # sanitized by nh3 when it was saved
            _actions(comment, post=post, viewer=viewer),
        )
    return format_html(
        '<article class="comment{pending}" id="{anchor}" data-comment-id="{pk}" '
        'aria-labelledby="{anchor}-author"><header class="comment-header">'
        '<span class="comment-author" id="{anchor}-author">{author}</span> '
        '<a class="comment-permalink" href="#{anchor}"><time datetime="{iso}">{shown}</time></a>'
        "{edited}{badge}</header>{body}"
        '<ol class="comment-replies" data-replies-for="{pk}">{replies}</ol></article>',
        pending=" comment-pending" if comment.is_pending else "",
        anchor=anchor,
        pk=comment.pk,
        author=author,
        iso=created.isoformat(timespec="seconds"),
        shown=dateformat.format(created, "j M Y, H:i"),
        edited=mark_safe(' <span class="comment-edited">(edited)</span>')
        if comment.edited_at and not comment.is_removed
        else "",
        badge=mark_safe(' <strong class="badge">Awaiting moderation</strong>')
        if comment.is_pending
        else "",
        body=body,
        replies=threads_html(node.children, post=post, viewer=viewer),
    )


def _actions(comment, *, post, viewer):
    if not viewer.is_authenticated:
        return ""
    links = []
    name = comment.display_author
    if post.allow_comments and comment.is_approved:
        links.append(
            (
                reverse("comments:reply", args=[comment.pk]),
                f' data-reply-to="{comment.pk}"',
                "Reply",
                f" to {name}",
            )
        )
    if viewer.pk == comment.author_id:
        if comment.is_editable_by(viewer):
            links.append((reverse("comments:edit", args=[comment.pk]), "", "Edit", " your comment"))
        links.append((reverse("comments:delete", args=[comment.pk]), "", "Delete", " your comment"))
    elif comment.is_approved:
        links.append(
            (reverse("comments:flag", args=[comment.pk]), "", "Flag", f" comment by {name}")
        )
    return format_html(
        '<p class="comment-actions">{}</p>',
        format_html_join(
            " ",
            '<a href="{}"{}>{}<span class="visually-hidden">{}</span></a>',
            ((url, mark_safe(attrs), label, hidden) for url, attrs, label, hidden in links),
        ),
    )


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
