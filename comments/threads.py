"""The discussion under a post: threads paginated by their first comment, in few queries."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import Q

from .models import Comment


def discussion(*, post, user, page_number=1):
    """The page of threads to show, each as a tree of {"comment", "children"} nodes.

    Three queries whatever the size of the discussion: the count of threads, one page of
    thread starters, and every visible reply in those threads.
    """
    visible = Comment.objects.visible_to(user).filter(post=post).select_related("author")
    starters = visible.filter(parent__isnull=True)
    page = Paginator(starters, settings.COMMENTS_THREADS_PER_PAGE).get_page(page_number)
    roots = list(page.object_list)
    replies = visible.filter(thread__in=roots, parent__isnull=False) if roots else []

    children = {}
    for reply in replies:
        children.setdefault(reply.parent_id, []).append(reply)

    def node(comment):
        return {"comment": comment, "children": [node(c) for c in children.get(comment.pk, [])]}

    return {"threads": [node(root) for root in roots], "page": page}


def comment_url(comment, viewer=None):
    """The comment's address on the page of its thread, as its author (or viewer) sees it."""
    viewer = viewer or comment.author or AnonymousUser()
    root = comment.thread or comment
    earlier_threads = (
        Comment.objects.visible_to(viewer)
        .filter(post_id=comment.post_id, parent__isnull=True)
        .filter(Q(created_at__lt=root.created_at) | Q(created_at=root.created_at, pk__lt=root.pk))
        .count()
    )
    page = earlier_threads // settings.COMMENTS_THREADS_PER_PAGE + 1
    query = f"?comments={page}" if page > 1 else ""
    return f"{comment.post.get_absolute_url()}{query}#{comment.anchor}"
