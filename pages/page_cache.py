"""The page cache (post pages, the Articles and category pages), and everything that makes
a cached page stale.

A post page is kept whole, compressed, in Django's cache, for one of two viewers:

- **a visitor without a session**: one page for every such visitor, with nothing personal
  in it (no CSRF token, name, tick or message), so an HTTP cache in front may keep it too.
  It leaves with a weak ``ETag`` (a conditional GET gets 304 from Django's
  ConditionalGetMiddleware) and ``Cache-Control: public, max-age=0, s-maxage=5``: browsers
  revalidate every time, shared caches keep it for ``SHARED_SECONDS``.
- **a logged-in reader**: their own page, ``private``, served after Django's session and
  authentication middleware have run.

Anyone else (a visitor with ticks in their session, a pending message, a non-GET) gets a
page built for them and stored nowhere.

Nothing has to remember to delete a page. Each stored page records the *generations* it
was built under and is served only while they are all still current:

- ``content``: what every post page shows (categories, readers' public names, the
  header). Raised by the receivers in ``pages/receivers.py``.
- ``post:<permalink>``: what one post's pages show (the post, its checklist items, its
  comments), in every variant (page of comments). Raised by the same receivers for that
  post only, so a comment on one post leaves every other post's pages served (issue 23).
  A comment that nobody but its author can read yet (awaiting a moderator) raises only
  its author's generation; its approval raises the post's.
- ``lists``: what the Articles and category pages list (each post's title, summary,
  categories, count of comments and number of items). Raised with a post's, and by every
  comment or item change that raises its post's.
- ``reader:<id>``: what only that reader sees (their ticks, their account, their email
  addresses, their own comments awaiting a moderator, a comment block, their last visit:
  what is new since). Raised by the same receivers.
- for a reader, their CSRF secret: the page carries tokens made from it.

A generation is a random token, so a page built before a change can never match after
it, not even after Redis forgot everything. The page's key also carries the release (the
running code and templates), so a deploy never serves HTML from the one before.

Readers' counts ("N readers did this") are not a generation: a tick raises only its own
reader's generation, and everyone else's page catches up when it expires after
``PAGE_SECONDS``. That keeps a busy checklist from emptying every page.
"""

import gzip
import hashlib
import random
import secrets
import time
from dataclasses import dataclass
from functools import cache as memoize
from functools import partial
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.connection import ConnectionProxy

# How long a stored page may be served: the most that readers' counts lag behind.
PAGE_SECONDS = 60
# A page still current is rebuilt by one request once it is older than a random share of
# PAGE_SECONDS in this range, while every other request goes on getting it: no crowd of
# requests rebuilding the same page at once when it expires, and pages built together
# (each reader's, after a deploy) do not all expire together.
REFRESH_AFTER = (0.7, 0.9)
REFRESH_LOCK_SECONDS = 10
# How long an HTTP cache in front (nginx, a CDN) may keep a visitor's page without asking.
SHARED_SECONDS = 5
CONTENT = "content"
# What the Articles and category pages list: every published post's title, description,
# categories and count of comments.
LISTS = "lists"
# The cache shared by every app server, which misses while Redis is down (settings.CACHES).
cache = ConnectionProxy(caches, "shared")


def reader(user_id):
    """The generation scope (str) of what only this reader (a user's pk) sees."""
    return f"reader:{user_id}"


def post(permalink):
    """The generation scope (str) of what the pages of the post at ``permalink`` (str, a
    normalized permalink such as "/dl_advice/") show."""
    return f"post:{permalink}"


def changed(scope):
    """Make every page built under ``scope`` stale: now, and again once the current
    transaction commits (a page built in between from the old rows must not survive).

    The single way a generation moves; called by the receivers below and by the
    ``clear_page_cache`` command. Never raises: a cache that is down drops the write, and
    pages then expire within PAGE_SECONDS.
    """
    _new_generation(scope)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(partial(_new_generation, scope), robust=True)


def _new_generation(scope):
    cache.set(f"generation:{scope}", secrets.token_hex(8), timeout=None)


def source_folders():
    """The folders whose files make the running release (sorted list of Path): the
    installed apps that are folders of BASE_DIR (not the libraries of a virtual
    environment kept there), the project package (ROOT_URLCONF's), the template folders
    (TEMPLATES' DIRS) and the static folders (STATICFILES_DIRS).

    Derived from the settings, so a new app, template or static folder is covered the
    moment it is installed (issue 20)."""
    root = Path(settings.BASE_DIR).resolve()
    packages = [Path(config.path) for config in apps.get_app_configs()]
    packages.append(Path(import_module(settings.ROOT_URLCONF).__file__).parent)
    folders = {path.resolve() for path in packages if path.resolve().parent == root}
    for engine in settings.TEMPLATES:
        folders.update(Path(folder).resolve() for folder in engine.get("DIRS", []))
    folders.update(Path(folder).resolve() for folder in settings.STATICFILES_DIRS)
    return sorted(folder for folder in folders if folder.is_relative_to(root))


@memoize
def release():
    """The release part of every page key: ``settings.RELEASE`` when set, else a digest of
    the project's code, templates and static files (computed once per process)."""
    if settings.RELEASE:
        return settings.RELEASE
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR).resolve()
    for folder in source_folders():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class StoredPage:
    generations: tuple
    gzipped: bytes
    etag: str
    content_type: str
    refresh_at: float  # time.time() after which one request rebuilds it


def serve(request, build, *, scope=None, variant=""):
    """The response to a GET of a cached page (a post page, the Articles or a category
    page): from the cache when it holds a current one,
    else ``build()`` (a callable returning an HttpResponse), stored when it may be shared
    with the same viewer again.

    ``scope`` (str or None) is the generation of what this page alone shows (post()), on
    top of ``content`` and the reader's own; ``variant`` names what else the page depends
    on (the page of comments shown).
    A built response is stored only with status 200, no cookie set and no
    ``Cache-Control: no-store``; a visitor's only when it needed no CSRF token.
    """
    viewer = _viewer(request)
    if viewer is None:  # built for this request alone
        response = build()
        patch_cache_control(response, private=True)
        return response

    scopes = [CONTENT, *([scope] if scope else []), *([] if viewer == "visitor" else [viewer])]
    keys = [f"generation:{scope}" for scope in scopes]
    page_key = stored_page_key(request, viewer, variant)
    found = cache.get_many([page_key, *keys])
    current = tuple(found.get(key) for key in keys)
    stored = found.get(page_key)
    fresh = stored is not None and stored.generations == current + _personal(request, viewer)
    if fresh and None not in current:
        due = time.time() >= stored.refresh_at
        if not due or not cache.add(f"{page_key}:refresh", 1, timeout=REFRESH_LOCK_SECONDS):
            return _respond(request, stored, viewer)  # (another request is rebuilding it)

    missing = [key for key, generation in zip(keys, current, strict=True) if generation is None]
    if missing:
        # First use, or the cache forgot it: start one, and build under whichever the cache
        # holds now (ours, or a change's that came first). Any change after this moves it
        # again, so a page built from older rows is never current.
        for key in missing:
            cache.add(key, secrets.token_hex(8), timeout=None)
        started = cache.get_many(missing)
        current = tuple(
            started.get(key, generation) for key, generation in zip(keys, current, strict=True)
        )
    response = build()
    if None in current or not _storable(request, response, viewer):  # (the cache is down)
        if viewer != "visitor":
            patch_cache_control(response, private=True)
        return response
    stored = StoredPage(
        # A reader's page carries CSRF tokens made from their secret as it is now.
        generations=current + _personal(request, viewer),
        gzipped=gzip.compress(response.content, compresslevel=6, mtime=0),
        etag=f'W/"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"',
        content_type=response["Content-Type"],
        refresh_at=time.time() + PAGE_SECONDS * random.uniform(*REFRESH_AFTER),
    )
    cache.set(page_key, stored, timeout=PAGE_SECONDS)
    return _respond(request, stored, viewer)


def stored_page_key(request, viewer, variant=""):
    """The cache key (str) of ``viewer``'s page ("visitor" or "reader:<id>") at the
    request's path, for the ``variant`` (str) that serve() was given.

    The origin is ``settings.SITE_URL``'s, never the request's Host: every link in a page
    comes from SITE_URL, and a key taken from the Host let a client store a new page per
    made-up port until Redis evicted the rate limits (issue 19)."""
    parts = [release(), viewer, settings.SITE_URL, request.path, variant]
    return ":".join(["page", *parts])


def _viewer(request):
    """Whose page this request gets: "visitor", "reader:<id>", or None when the page is
    built for this request alone (not a GET, a message waiting, a visitor's session)."""
    if request.method not in ("GET", "HEAD") or get_messages(request):
        return None
    if request.user.is_authenticated:
        return reader(request.user.pk)
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None  # a visitor's ticks live in their session
    return "visitor"


def _personal(request, viewer):
    """What a reader's page depends on besides generations: their CSRF secret."""
    if viewer == "visitor":
        return ()
    secret = request.META.get("CSRF_COOKIE", "")
    return (hashlib.sha256(secret.encode()).hexdigest()[:16],)


def _storable(request, response, viewer):
    if response.status_code != 200 or response.cookies or response.streaming:
        return False
    if "no-store" in response.get("Cache-Control", ""):
        return False
    # A visitor's page that used a CSRF token would hand that token to everyone.
    return viewer != "visitor" or not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")


def _respond(request, stored, viewer):
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(stored.gzipped, content_type=stored.content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(stored.gzipped), content_type=stored.content_type)
    response["ETag"] = stored.etag
    patch_vary_headers(response, ["Accept-Encoding", "Cookie"])
    if viewer == "visitor":
        patch_cache_control(response, public=True, max_age=0, s_maxage=SHARED_SECONDS)
    else:
        patch_cache_control(response, private=True)
    return response
