"""A cache of the post page: as a visitor without a session sees it, and as each reader
sees it.

A visitor's page is the same for every such visitor except the CSRF token of its forms,
which is stored as a placeholder and filled in per response; a reader's page is cached
per reader the same way. One site-wide content version, raised whenever a post, a
comment or a reader count changes (a tick or a new display name included), invalidates
every cached page at once; a reader's own version, raised when something only they see
changes (being blocked or unblocked, confirming an email address, any save of their
account such as a new password), invalidates their pages. Simple, and cheap at this size.

Pages are answered by posts.middleware.CachedPageMiddleware (early_response) before
sessions, authentication and routing run, and by the view when that misses.
"""

import struct
import threading
import time
import zlib
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.crypto import constant_time_compare

VERSION_KEY = "content-version"
CSRF_PLACEHOLDER = "\x00csrf-token\x00"
PAGE_TIMEOUT = 600
# A reader's own page serves their repeat views; kept briefly, since there is one per
# reader (about 110 KB each) where visitors share one.
READER_PAGE_TIMEOUT = 120


def content_changed():
    """Call when anything shown on a post page changes.

    Inside a transaction the version is raised at once and again after the commit:
    the second raise drops a page another request may have cached from the old data in
    between. Outside one, the change is already committed and once is enough.
    """
    if transaction.get_connection().in_atomic_block:
        _bump()
    transaction.on_commit(_bump)  # at once when not in a transaction


def _bump():
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (or the cache is unavailable)
        _start_version()


def _start_version():
    """A version never used before, even after the cache was emptied (Redis keeps
    nothing across a restart): each process's own copies of pages are kept under the
    version they were built for, and must never match an older page by accident."""
    version = time.time_ns() // 1000  # microseconds: no site makes a million changes a second
    if cache.add(VERSION_KEY, version, timeout=None):
        return version
    return cache.get(VERSION_KEY) or 0  # another process started one first (or no cache)


def is_cacheable(request):
    """A plain GET with no message waiting, by a reader or by a visitor with no session
    (a visitor's ticks live in their session)."""
    if not _plain_get(request):
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
            request._content_version = cache.get(VERSION_KEY) or _start_version()
        return request._content_version
    return cache.get(VERSION_KEY) or _start_version()


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


# This process's copy of each visitor page it has served: {where: (content version,
# CachedPage)}. A page view then costs one small read of the content version from the
# shared cache instead of fetching and unpickling the whole page; a version another
# server raised still replaces the copy at once. A few entries (one per post page and
# comments page viewed), bounded all the same.
_visitor_pages = {}
_visitor_pages_lock = threading.Lock()
LOCAL_PAGES = 64


def _where(request):
    page = request.GET.get("comments", "1")
    return f"{request.get_host()}:{request.path}:{page}"


def _visitor_key(version, where):
    return f"post-page:{version}:{where}"


def _reader_keys(user_id, where):
    """The keys read together for a reader's page: the content version, their own
    version, and the page (stored with the versions and login it was built for)."""
    return VERSION_KEY, f"reader-version:{user_id}", f"reader-page:{user_id}:{where}"


def _visitor_page(request):
    where = _where(request)
    version = content_version(request)
    held = _visitor_pages.get(where)
    if held is not None and held[0] == version and version:
        return held[1]
    page = cache.get(_visitor_key(version, where))
    if page is not None and version:
        _keep_locally(where, version, page)
    return page


def _keep_locally(where, version, page):
    with _visitor_pages_lock:  # gunicorn's threads share the dict; writes are rare
        if len(_visitor_pages) >= LOCAL_PAGES and where not in _visitor_pages:
            del _visitor_pages[next(iter(_visitor_pages))]  # the oldest
        _visitor_pages[where] = (version, page)


def _reader_page(request, user_id, auth_hash):
    """The reader's cached page if it was built from the current content and reader
    versions for the same login (a changed password changes the hash), or None."""
    version_key, reader_key, page_key = _reader_keys(user_id, _where(request))
    found = cache.get_many([version_key, reader_key, page_key])
    request._content_version = found.get(version_key) or _start_version()
    request._reader_version = found.get(reader_key) or 0
    entry = found.get(page_key)
    if entry is None:
        return None
    built_for = (request._content_version, request._reader_version)
    if entry["versions"] != built_for or not auth_hash:
        return None
    if not constant_time_compare(entry["auth_hash"], auth_hash):
        return None
    return entry["page"]


def _respond(request, page):
    token = get_token(request)
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(page.gzipped(token))
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(page.text(token))
    patch_vary_headers(response, ["Accept-Encoding", "Cookie"])
    response["Content-Length"] = len(response.content)  # else sent chunked
    return response


def _plain_get(request):
    return (
        request.method == "GET"
        and set(request.GET) <= {"comments"}
        and request.GET.get("comments", "1").isdigit()
        and not request.COOKIES.get("messages")
    )


def early_response(request):
    """The cached page for a request that has not been through sessions, authentication
    or URL routing yet (CachedPageMiddleware), or None to let the request go on.

    A visitor's page is served only for an address this process has already served as
    a post page, so other addresses cost nothing here. A reader's is served after
    reading their session directly, with the login checks Django's authentication
    would make: the session's user, backend and password hash (the page is stored
    with the hash it was built for, and saving the user raises their version)."""
    if not _plain_get(request):
        return None
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if session_key is None:
        if _where(request) not in _visitor_pages:
            return None
        page = _visitor_page(request)
    else:
        session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
        request.session = session  # SessionMiddleware uses it if the page is not here
        user_id = session.get(SESSION_KEY)
        if (
            user_id is None
            or "_messages" in session
            or session.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS
        ):
            return None
        page = _reader_page(request, user_id, session.get(HASH_SESSION_KEY))
    return None if page is None else _respond(request, page)


def cached_response(request):
    """The visitor's or reader's page from the cache, for the view (after a miss in
    the middleware, or on the first view in this process), or None."""
    if request.user.is_authenticated:
        page = _reader_page(request, str(request.user.pk), request.session.get(HASH_SESSION_KEY))
    else:
        page = _visitor_page(request)
    return None if page is None else _respond(request, page)


def put(request, html, timeout=None):
    where = _where(request)
    page = CachedPage(html)
    if not request.user.is_authenticated:
        version = content_version(request)
        cache.set(_visitor_key(version, where), page, timeout=timeout or PAGE_TIMEOUT)
        if version:
            _keep_locally(where, version, page)
        return
    user_id = str(request.user.pk)
    if not hasattr(request, "_reader_version"):
        request._reader_version = cache.get(f"reader-version:{user_id}") or 0
    entry = {
        "versions": (content_version(request), request._reader_version),
        "auth_hash": request.user.get_session_auth_hash(),
        "page": page,
    }
    cache.set(_reader_keys(user_id, where)[2], entry, timeout=timeout or READER_PAGE_TIMEOUT)
