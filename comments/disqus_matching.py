"""Which post a Disqus thread belongs to (issue 21: every Disqus comment lands on its post).

A thread names its page by ``<link>`` (the absolute URL of the page on the old blog) and
``<id>`` (the ``disqus_identifier`` the page set: often its path, ``/2018/02/19/x``, or
its URL; often empty). Only the path of either counts: the old blog's host is ignored.
Two paths name the same page when their keys (``address_key``) are equal: percent-
decoded, case-folded, ``/a/b/index.html``, ``/a/b.html``, ``/a/b/`` and ``/a/b`` alike,
as static hosts (GitHub Pages, Netlify, S3) answer all of them with one file.

A thread matches a post, in this order (the first that finds one decides):

1. its link is the post's current address ("address"), or the same address written
   another way ("address written differently");
2. its link is one of the post's old addresses: a row of Django's redirects app that
   leads to the post, however many rows it passes; the address the post's file asked
   for (ImportRecord); the old blog's feed entry id, when the post keeps one;
3. its identifier, by 1 and 2 ("Disqus identifier");
4. its link or identifier with the old blog's base path (Jekyll's ``baseurl``, such as
   ``/blog``) taken off or put on: one or two leading segments dropped from the thread's
   path, or the first one or two segments of a post's address (a prefix common to
   posts) put before it ("base path").

A key that two posts share (``/A/`` and ``/a/``) goes to the post whose address is the
link as written, else to the older post; one that only a base path reaches goes to no
post when two posts would take it.
"""

import difflib
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.redirects.models import Redirect

from posts.models import ImportRecord, Post

# Names of a folder's page that static hosts serve for the folder itself.
INDEX_PAGES = ("index.html", "index.htm")
PAGE_SUFFIXES = (".html", ".htm")
# Most segments a base path has (Jekyll's baseurl: "/blog", "/~user/blog").
BASE_PATH_SEGMENTS = 2
# Most redirect rows followed from an old address to a post (a loop ends sooner).
MOST_HOPS = 20
# Below this similarity (difflib's ratio, 0..1) no post is named as the closest.
CLOSEST_AT_LEAST = 0.5

# How a thread was matched (summary lines), in the order they are tried.
BY_ADDRESS = "its address"
BY_VARIANT = "its address written differently (index.html, .html, slash, capitals)"
BY_OLD_ADDRESS = "an old address (redirect, imported file, feed id)"
BY_IDENTIFIER = "its Disqus identifier"
BY_BASE_PATH = "its address with or without the old blog's base path"


def url_path(value):
    """The path (str) of ``value``, an absolute URL or a path; "" when it has none (an
    empty value, or one urllib cannot split such as ``http://[::1``). A bare word
    (``dl-advice``, an identifier) is read as a path."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme or parts.netloc:
        return parts.path or "/"
    return parts.path


def address_key(path):
    """The form (str) under which two paths name one page on a static host: percent-
    decoded (UTF-8), NFC, case-folded, empty and trailing segments dropped, and a final
    ``index.html``/``index.htm`` or ``.html``/``.htm`` removed. ``/A/b/index.html``,
    ``/a/b/``, ``/a//b`` and ``/a/b.html`` all give ``/a/b``; ``/`` and "" give ``/``."""
    decoded = unicodedata.normalize("NFC", unquote(path or "")).casefold()
    segments = [segment for segment in decoded.split("/") if segment]
    if segments and segments[-1] in INDEX_PAGES:
        segments.pop()
    elif segments:
        for suffix in PAGE_SUFFIXES:
            if segments[-1].endswith(suffix) and len(segments[-1]) > len(suffix):
                segments[-1] = segments[-1][: -len(suffix)]
                break
    return "/" + "/".join(segments)


@dataclass(frozen=True)
class Match:
    """How a thread was matched: its ``post`` (Post), ``how`` (a BY_* label) and ``by``
    (str: the thread's link or identifier, whichever matched)."""

    post: Post
    how: str
    by: str


@dataclass(frozen=True)
class Closest:
    """The post most like an unmatched thread: ``post`` (Post) and ``ratio`` (0..1,
    difflib's SequenceMatcher ratio of their paths or their titles, the higher)."""

    post: Post
    ratio: float


class PostAddresses:
    """Every address of every post, by key: built in three queries (posts, redirects,
    import records), then each thread is matched without a query."""

    def __init__(self):
        self.posts = {post.pk: post for post in Post.objects.order_by("pk")}
        self.current = {}  # key -> [post pk], oldest post first
        self.exact = {}  # the address as written (decoded) -> post pk
        for post in self.posts.values():
            self.current.setdefault(address_key(post.permalink), []).append(post.pk)
            self.exact[unquote(post.permalink)] = post.pk
        self.old = {}  # key -> post pk
        for key, pk in self._old_addresses():
            if key not in self.current:
                self.old.setdefault(key, pk)
        self.prefixes = self._prefixes()
        self._candidates = self._titles = None  # for closest(), made at its first call

    def _old_addresses(self):
        """(key, post pk) for each old address of a post."""
        by_key = {key: pks[0] for key, pks in self.current.items()}
        # Redirect rows of this site, followed to the post they end at.
        leads_to = {}
        rows = Redirect.objects.filter(site_id=settings.SITE_ID).exclude(new_path="")
        for old_path, new_path in rows.values_list("old_path", "new_path"):
            old_path = old_path.split("?", 1)[0]  # a redirect written for a query string
            leads_to.setdefault(address_key(old_path), address_key(url_path(new_path)))
        for start in leads_to:
            key, hops = start, 0
            while key not in by_key and key in leads_to and hops < MOST_HOPS:
                key, hops = leads_to[key], hops + 1
            if key in by_key:
                yield start, by_key[key]
        # The address the post's file asked for, and the old blog's feed entry id.
        for pk, source in ImportRecord.objects.values_list("post_id", "source_permalink"):
            yield address_key(source), pk
        for post in self.posts.values():
            feed_id = getattr(post, "feed_id", "")  # kept by imports from Jekyll
            if url_path(feed_id) not in ("", "/"):
                yield address_key(url_path(feed_id)), post.pk

    def _prefixes(self):
        """The first one or two segments of posts' addresses, current and old, where
        more segments follow: the base paths a thread's link may lack."""
        found = set()
        for key in (*self.current, *self.old):
            segments = key.strip("/").split("/")
            for count in range(1, BASE_PATH_SEGMENTS + 1):
                if len(segments) > count:
                    found.add("/" + "/".join(segments[:count]))
        return found

    def _direct(self, path):
        """(post pk, how) for a path by its key, or (None, None)."""
        key = address_key(path)
        if key == "/":
            return None, None
        pks = self.current.get(key)
        if pks:
            written = unquote(path)
            exact = self.exact.get(written)
            if exact is None and not written.endswith("/"):
                exact = self.exact.get(written + "/")
            if exact is not None:
                return exact, BY_ADDRESS
            return pks[0], BY_VARIANT
        if key in self.old:
            return self.old[key], BY_OLD_ADDRESS
        return None, None

    def _by_base_path(self, path):
        """The post pk a path reaches with a base path dropped or added, or None (none,
        or two posts)."""
        key = address_key(path)
        segments = key.strip("/").split("/")
        found = set()
        for count in range(1, BASE_PATH_SEGMENTS + 1):
            if len(segments) > count:
                pk, _ = self._direct("/" + "/".join(segments[count:]))
                if pk is not None:
                    found.add(pk)
        if key != "/":
            for prefix in self.prefixes:
                pk, _ = self._direct(prefix + key)
                if pk is not None:
                    found.add(pk)
        return found.pop() if len(found) == 1 else None

    def match(self, *, link, identifier):
        """A Match for a thread's ``link`` and ``identifier`` (str, either may be empty),
        or None when no post is its."""
        tried = ((url_path(link), link, False), (url_path(identifier), identifier, True))
        for path, by, identified in tried:
            if path:
                pk, how = self._direct(path)
                if pk is not None:
                    return Match(self.posts[pk], BY_IDENTIFIER if identified else how, by)
        for path, by, _ in tried:
            if path:
                pk = self._by_base_path(path)
                if pk is not None:
                    return Match(self.posts[pk], BY_BASE_PATH, by)
        return None

    def closest(self, *, link, identifier, title):
        """The Closest post to an unmatched thread (its link, identifier and title, str),
        or None when none reaches CLOSEST_AT_LEAST."""
        if self._candidates is None:
            self._candidates = [(key, pk) for key, pks in self.current.items() for pk in pks]
            self._candidates += list(self.old.items())
            self._titles = [(post.title.casefold(), pk) for pk, post in self.posts.items()]
        paths = {address_key(url_path(value)) for value in (link, identifier) if value}
        paths.discard("/")
        best, floor = None, CLOSEST_AT_LEAST
        for forms, candidates in ((paths, self._candidates), (_title_forms(title), self._titles)):
            for form in forms:
                # difflib keeps what it learns of its second sequence: set it once.
                matcher = difflib.SequenceMatcher(None, "", form, autojunk=False)
                for candidate, pk in candidates:
                    matcher.set_seq1(candidate)
                    # The cheap upper bounds first: most posts are nowhere near.
                    if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
                        continue
                    ratio = matcher.ratio()
                    if ratio >= floor and (best is None or ratio > best.ratio):
                        best, floor = Closest(post=self.posts[pk], ratio=ratio), ratio
        return best


def _title_forms(title):
    """A thread's title, case-folded, whole and split at the separators blogs put
    between a post's title and the blog's name ("Post | Blog", "Blog: Post")."""
    title = (title or "").strip().casefold()
    if not title:
        return set()
    forms = {title}
    for separator in (" | ", " - ", " — ", " – ", ": ", " · "):
        forms.update(part.strip() for part in title.split(separator) if part.strip())
    return forms
