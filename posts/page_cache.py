"""A cache of the post page: as a visitor without a session sees it, and as each reader
sees it.

A visitor's page is the same for every such visitor except the CSRF token of its forms,
which is stored as a placeholder and filled in per response; a reader's page is cached
per reader the same way. One site-wide content version, raised whenever a post, a
comment or a reader count changes (a tick or a new display name included), invalidates
every cached page at once; a reader's own version, raised when something only they see
changes (being blocked or unblocked, confirming an email address), invalidates their
pages. Simple, and cheap at this size.
"""

import struct
import zlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

VERSION_KEY = "content-version"
CSRF_PLACEHOLDER = "\x00csrf-token\x00"
PAGE_TIMEOUT = 600
# A reader's own page serves their repeat views; kept briefly, since there is one per
# reader (about 110 KB each) where visitors share one.
READER_PAGE_TIMEOUT = 120


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
    """A plain GET with no message waiting, by a reader or by a visitor with no session
    (a visitor's ticks live in their session)."""
    if not (
        request.method == "GET"
        and set(request.GET) <= {"comments"}
        and request.GET.get("comments", "1").isdigit()
        and not request.COOKIES.get("messages")
    ):
        return False
    if request.user.is_authenticated:
        return "_messages" not in request.session
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def reader_changed(user_id):
    """Call when something only this reader sees on a post page changes without changing
    content (blocked or unblocked, an email address confirmed). Raised at once and again
    after the commit, as the content version is."""

    def bump():
        key = f"reader-version:{user_id}"
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=None)

    bump()
    transaction.on_commit(bump)


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
        if post is None:
            return None  # not cached: any path reaches this view, and misses would pile up
        found = (post, list(ChecklistItem.objects.current().filter(post=post)))
        cache.set(key, found, timeout=PAGE_TIMEOUT)
    return found


def _key(request):
    version = content_version(request)
    page = request.GET.get("comments", "1")
    where = f"{request.get_host()}:{request.path}:{page}"
    if request.user.is_authenticated:
        user_id = request.user.pk
        if not hasattr(request, "_reader_version"):  # once per request, as content_version
            request._reader_version = cache.get(f"reader-version:{user_id}") or 0
        return f"reader-page:{version}:{user_id}:{request._reader_version}:{where}"
    return f"post-page:{version}:{where}"


class CachedPage:
    """A page kept both as text and as gzip pieces around its CSRF tokens.

    Compressing a 60 KB page costs more than everything else a cached view does, and
    the page differs per visitor only in its tokens. Each piece between tokens is
    compressed once, ending on a full flush (byte-aligned, with no back-references
    across it), so a response is the pieces joined with a freshly compressed token: a
    valid gzip stream, as pigz builds them.
    """

    HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # gzip, no name, no time

    def __init__(self, html):
        self.pieces = html.encode().split(CSRF_PLACEHOLDER.encode())
        last = len(self.pieces) - 1
        self.deflated = [_deflate(piece, final=i == last) for i, piece in enumerate(self.pieces)]

    def text(self, token):
        return token.encode().join(self.pieces)

    def gzipped(self, token):
        token = token.encode()
        deflated_token = _deflate(token, final=False)
        crc, size, out = 0, 0, [self.HEADER]
        for index, (piece, deflated) in enumerate(zip(self.pieces, self.deflated, strict=True)):
            if index:
                out.append(deflated_token)
                crc, size = zlib.crc32(token, crc), size + len(token)
            out.append(deflated)
            crc, size = zlib.crc32(piece, crc), size + len(piece)
        out.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(out)


def _deflate(data, *, final):
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(
        zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH
    )


def cached_response(request):
    """The visitor's or reader's page from the cache, compressed when the browser
    accepts gzip, or None."""
    page = cache.get(_key(request))
    if page is None:
        return None
    token = get_token(request)
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(page.gzipped(token))
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(page.text(token))
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def put(request, html, timeout=None):
    if timeout is None:
        timeout = READER_PAGE_TIMEOUT if request.user.is_authenticated else PAGE_TIMEOUT
    cache.set(_key(request), CachedPage(html), timeout=timeout)
