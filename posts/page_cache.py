"""A cache of the post page as an anonymous visitor without a session sees it.

That page is the same for every such visitor except the CSRF token of its forms, which
is stored as a placeholder and filled in per response. One site-wide content version,
raised whenever a post, a comment or a reader count changes, invalidates every cached
page at once: simple, correct, and cheap at this site's size.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "content-version"
CSRF_PLACEHOLDER = "\x00csrf-token\x00"
PAGE_TIMEOUT = 600


def content_changed():
    """Call when anything shown on a post page changes.

    The version is raised at once and again after the commit: the second raise drops
    a page another request may have cached from the old data in between.
    """
    _bump()
    transaction.on_commit(_bump)


def _bump():
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (or the cache is unavailable)
        cache.set(VERSION_KEY, 1, timeout=None)


def is_cacheable(request):
    """Anonymous, no session (so no ticks, no messages) and a plain GET."""
    return (
        request.method == "GET"
        and set(request.GET) <= {"comments"}
        and request.GET.get("comments", "1").isdigit()
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.user.is_authenticated
    )


def content_version(request=None):
    """The current site-wide content version, part of every derived cache key; read
    once per request when the request is given."""
    if request is not None:
        if not hasattr(request, "_content_version"):
            request._content_version = cache.get(VERSION_KEY) or 0
        return request._content_version
    return cache.get(VERSION_KEY) or 0


def post_and_items(permalink, request=None):
    """The post at a permalink with its categories and current checklist items, from the
    cache while no content changes (three queries saved on every page view), or None."""
    key = f"post:{content_version(request)}:{permalink}"
    found = cache.get(key)
    if found is None:
        from checklists.models import ChecklistItem

        from .models import Post

        post = Post.objects.prefetch_related("categories").filter(permalink=permalink).first()
        items = list(ChecklistItem.objects.current().filter(post=post)) if post else []
        found = (post, items)
        cache.set(key, found, timeout=PAGE_TIMEOUT)
    return found if found[0] is not None else None


def _key(request):
    version = content_version(request)
    page = request.GET.get("comments", "1")
    return f"post-page:{version}:{request.get_host()}:{request.path}:{page}"


def get(request):
    return cache.get(_key(request))


def put(request, html):
    cache.set(_key(request), html, timeout=PAGE_TIMEOUT)
