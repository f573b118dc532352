"""The discussion under a post: threads paginated by their first comment, in few queries."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import cached_property

from posts.page_cache import content_version

from .models import Comment


class Discussion:
    """The page of threads to show, each a tree of {"comment", "children"} nodes.

    Lazy: nothing is queried until the template asks, so a cached rendering of the
    discussion costs no query at all. When it is built, it takes two queries whatever
    the size of the discussion, even none: the count of threads, then one page of thread
    starters with every visible reply in those threads.
    """

    def __init__(self, *, post, user, page_number=1, has_own_comments=None, content_version=None):
        self.content_version = content_version
        self.post = post
        self.user = user
        self.page_number = page_number
        self._has_own_comments = has_own_comments

    @cached_property
    def _built(self):
        visible = (
            Comment.objects.visible_to(self.user).filter(post=self.post).select_related("author")
        )
        starters = visible.filter(parent__isnull=True)
        per_page = settings.COMMENTS_THREADS_PER_PAGE
        page = Paginator(starters, per_page).get_page(self.page_number)
        # The page's thread starters and every visible reply in their threads in one
        # query, run even when the discussion is empty: the page costs the same queries
        # with no comment as with thousands.
        offset = (page.number - 1) * per_page
        page_threads = starters.values("pk")[offset : offset + per_page]
        comments = list(visible.filter(thread__in=page_threads))
        roots = [comment for comment in comments if comment.parent_id is None]
        children = {}
        for reply in comments:
            if reply.parent_id is not None:
                children.setdefault(reply.parent_id, []).append(reply)

        def node(comment):
            nodes = [node(child) for child in children.get(comment.pk, [])]
            nodes = [child for child in nodes if child]
            # A '[deleted]' placeholder is there for its replies: with none this viewer
            # may see (pending, rejected or spam ones), it is not shown.
            if comment.is_removed and not nodes:
                return None
            return {"comment": comment, "children": nodes}

        return [tree for tree in (node(root) for root in roots) if tree], page

    @property
    def threads(self):
        return self._built[0]

    @property
    def page(self):
        return self._built[1]

    @cached_property
    def approved_count(self):
        """Approved comments on the post (not per page), cached until content changes."""
        return cache.get_or_set(
            f"comment-count:{self.content_version or content_version()}:{self.post.pk}",
            lambda: Comment.objects.approved().filter(post=self.post, is_removed=False).count(),
            timeout=600,
        )

    @cached_property
    def cache_key(self):
        """Who sees the same rendering: visitors, or readers with nothing of their own in
        this post (reply and flag links), or one reader with their own comments here."""
        if not self.user.is_authenticated:
            viewer = "visitor"
        elif self._has_own_comments or (
            self._has_own_comments is None
            and Comment.objects.filter(post=self.post, author=self.user).exists()
        ):
            viewer = f"reader-{self.user.pk}"
        else:
            viewer = "reader"
        return f"{self.post.pk}:{self.page_number}:{viewer}"

    @property
    def cache_timeout(self):
        # A reader's own rendering shows "Edit" links that expire after a few minutes.
        return 60 if self.cache_key.endswith(f"reader-{self.user.pk}") else 600


def discussion(*, post, user, page_number=1, has_own_comments=None, content_version=None):
    return Discussion(
        post=post,
        user=user,
        page_number=page_number,
        has_own_comments=has_own_comments,
        content_version=content_version,
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
