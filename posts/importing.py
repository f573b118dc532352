"""Importing Jekyll-style Markdown files (YAML front matter + body) as posts.

The importer never overwrites an editor's work (issue 10): each import records what it
wrote (ImportRecord: the file's hash and the fields it produced). The next import skips
a file that has not changed, applies one that changed when the post has not been
edited since, and keeps the post as the editor left it, saying so in one line, when
both changed (``import_post --force`` takes the file then).
"""

import contextlib
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import reversion
import yaml
from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from frontmatter.default_handlers import YAMLHandler

from . import jekyll, liquid, previews, scholar
from .jekyll import FrontMatterError
from .models import Category, ImportRecord, Post, normalize_permalink
from .xmltext import forbidden_characters, xml_safe

FRONT_MATTER_BOUNDARY = YAMLHandler().FM_BOUNDARY

# Every key Jekyll documents (Front Matter, Posts, Permalinks), with what it does here.
JEKYLL_KEYS = {
    "title": "the post's title (without one, the file name's words, as Jekyll does)",
    "date": "the date shown and the one that orders posts and the feed",
    "permalink": "the post's address; Jekyll's placeholders (:year, :title, ...) work",
    "published": "false imports the post as a draft",
    "category": "a category, as with categories",
    "categories": "a list, or a string of space-separated names",
    "slug": "the :title of the address, instead of the file name's",
    "layout": "accepted; the site has one layout",
    "redirect_from": "old addresses of the post (jekyll-redirect-from), redirected to it",
    "excerpt": "the description when there is none (as jekyll-seo-tag does), as text",
    "excerpt_separator": "the text before it is the description when there is none",
    "render_with_liquid": "false keeps the body's Liquid as written",
}
# The theme's own keys, which this site gives a meaning.
SITE_KEYS = {
    "description": "the summary under the title, in lists and meta tags",
    "comments": "false turns the discussion off",
    "use_math": "true renders $...$ as mathematics",
    "mathjax": "true renders math, as use_math (and math, katex)",
    "math": "true renders math, as use_math",
    "katex": "true renders math, as use_math",
    "author": "the author's name (a name, or a mapping with a name), in the page's metadata",
    "authors": "the first author, as author",
    "image": "the link preview's image (og:image): a path or URL, or {path, alt, ...}",
    "media_subpath": "the folder a relative image path is in (Chirpy)",
    "img_path": "the folder a relative image path is in (Chirpy before 7)",
    "last_modified_at": "when the article last changed: the feed's updated, the sitemap's lastmod",
}
# The keys that switch math on (the site's own, then MathJax's, Chirpy's and KaTeX's),
# in a post's front matter or, site-wide, in _config.yml.
MATH_KEYS = ("use_math", "mathjax", "math", "katex")
# Documented keys this site has no place for: each is refused in one warning line.
REFUSED_KEYS = {
    "tags": "this site has categories, not tags",
}
DESCRIPTION_LENGTH = 300
# Where themes keep the image a bare front matter ``image: cover.png`` names.
IMAGE_FOLDERS = ("assets/images", "assets/img", "images", "img", "assets")
# The most values front matter may stand for once its aliases are followed: a real
# post's has a few dozen; a "billion laughs" alias bomb expands to 10^9 (issue 19).
FRONT_MATTER_MAX_VALUES = 10_000
# A post file larger than this is refused before it is read: the largest posts of the
# real blogs measured are under 100 kB, and a 60 MB file kept the renderer busy for
# more than five minutes with no word to the person importing.
POST_FILE_MAX_BYTES = 1_000_000
# A jekyll-scholar tag (posts.scholar), which makes a post depend on the .bib files.
SCHOLAR_TAG = re.compile(r"\{%-?\s*(?:cite|bibliography|reference)\b")

# A run of characters that are not ASCII: UTF-8 bytes decoded with the wrong codec
# always come out as such a run, since multi-byte UTF-8 never contains ASCII bytes.
NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
# Codecs that UTF-8 is commonly mis-decoded with: Mac OS Roman (this article's
# damage: '‚Äã' for U+200B), then Windows-1252 and Latin-1 ('â€™' for '’').
MISDECODINGS = ("mac_roman", "cp1252", "latin-1")
# What UTF-8's commonest lead bytes look like through each wrong codec: Mac OS Roman
# shows E2 (punctuation) as '‚', C2/C3 (Latin-1 letters) as '¬'/'√' and F0 (emoji) as
# U+F8FF; Windows-1252 and Latin-1 show them as 'â', 'Â'/'Ã' and 'ð'. A run without
# such a sign is genuine text, even when it happens to decode ('«Ça»' is not 'ǂa»').
DAMAGE_SIGNS = {
    "mac_roman": ("‚Ä", "¬", "√", "\uf8ff"),
    "cp1252": ("â€", "Â", "Ã", "ðŸ"),
    "latin-1": ("â\x80", "Â", "Ã", "ð\x9f"),
}
ZERO_WIDTH_SPACE = "\u200b"


# Jekyll's Utils.has_yaml_header?: the file starts with a '---' line.
JEKYLL_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n")


def has_front_matter(text):
    """Whether ``text`` (str) starts with a '---' line (Jekyll's has_yaml_header?,
    leading blank lines allowed)."""
    return JEKYLL_FRONT_MATTER.match(text.lstrip()) is not None


class PostImportError(Exception):
    """A file that cannot be imported; the message names the problem."""


@dataclass
class ImportResult:
    post: Post
    # "created", "updated", "unchanged", or "kept" (edited in admin and in the file).
    action: str
    warnings: list[str] = field(default_factory=list)

    def describe(self, name):
        """The one line the command prints for this file."""
        if self.action == "kept":
            return (
                f"{name}: kept {self.post.permalink} ({self.post.title}) as edited in admin; "
                f"the file changed too. Run import_post --force {name} to take the file"
            )
        return f"{name}: {self.action} {self.post.permalink} ({self.post.title})"


def repair_mojibake(text):
    """Undo UTF-8 text that was decoded through a wrong 8-bit codec.

    Each non-ASCII run that shows a codec's sign of damage is re-encoded with that
    codec and decoded as UTF-8; a run that does not round-trip strictly, or shows no
    sign, is genuine text and is left alone.
    Zero-width spaces, invisible leftovers of the editor that wrote the file, are dropped.
    """

    def fix(match):
        run = match.group(0)
        for codec in MISDECODINGS:
            if not any(sign in run for sign in DAMAGE_SIGNS[codec]):
                continue
            try:
                repaired = run.encode(codec).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            # A repair that starts with a combining mark is a wrong guess (Mac OS Roman
            # reads cp1252's 'Ã©' as U+0329); the next codec gets its turn.
            if repaired != run and not unicodedata.category(repaired[0]).startswith("M"):
                return repaired
        return run

    return NON_ASCII_RUN.sub(fix, text).replace(ZERO_WIDTH_SPACE, "")


def read_post_file(path):
    """Read a file's text, or raise PostImportError saying why it cannot be read
    (larger than POST_FILE_MAX_BYTES, not text, not UTF-8)."""
    try:
        size = path.stat().st_size
        if size > POST_FILE_MAX_BYTES:
            raise PostImportError(
                f"is {size:,} bytes, more than the {POST_FILE_MAX_BYTES:,} a post may have"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PostImportError("no such file") from None
    except IsADirectoryError:
        raise PostImportError("is a directory, not a file") from None
    except OSError as error:
        raise PostImportError(f"cannot be read ({error.strerror})") from None
    if b"\x00" in raw:
        raise PostImportError("is not text (it contains NUL bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PostImportError(f"is not UTF-8 text (bad byte at offset {error.start})") from None


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class BoundedSafeLoader(_SafeLoader):
    """PyYAML's safe loader (libyaml's where installed), refusing a document that stands
    for more than FRONT_MATTER_MAX_VALUES values once aliases are followed, or that
    refers to itself. Aliases are kept (Jekyll's YAML allows them); only their
    expansion is bounded, before anything is built from the document.

    Raises yaml.constructor.ConstructorError (a yaml.YAMLError) for such a document.
    """

    def get_single_data(self):
        node = self.get_single_node()
        if node is None:
            return None
        _count_values(node, {}, set())
        return self.construct_document(node)


def _count_values(node, counted, path):
    """How many values ``node`` stands for with every alias followed (memoized by node,
    so an alias bomb is counted in linear time)."""
    key = id(node)
    if key in counted:
        return counted[key]
    if key in path:
        raise yaml.constructor.ConstructorError(
            None, None, "an alias refers to the value it is part of", node.start_mark
        )
    path.add(key)
    if isinstance(node, yaml.SequenceNode):
        total = 1 + sum(_count_values(item, counted, path) for item in node.value)
    elif isinstance(node, yaml.MappingNode):
        total = 1 + sum(
            _count_values(k, counted, path) + _count_values(v, counted, path) for k, v in node.value
        )
    else:
        total = 1
    path.discard(key)
    if total > FRONT_MATTER_MAX_VALUES:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"it stands for more than {FRONT_MATTER_MAX_VALUES:,} values (counting each "
            "value an alias repeats)",
            node.start_mark,
        )
    counted[key] = total
    return total


def parse_post(text):
    """Split front matter from body and check it; return (metadata, body, warnings).

    Raises PostImportError for text without YAML front matter, or front matter that is
    not a mapping; the warnings name the keys that are refused or unknown.
    """
    text = text.strip()
    if not text.startswith("---"):
        raise PostImportError("has no YAML front matter (it must start with a '---' line)")
    handler = YAMLHandler()
    try:
        front_matter, body = handler.split(text)
    except ValueError:
        raise PostImportError(
            "has front matter that never ends: add a closing '---' line"
        ) from None
    try:
        metadata = handler.load(front_matter, Loader=BoundedSafeLoader)
    except RecursionError:
        raise PostImportError("has front matter nested too deeply") from None
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise PostImportError(f"has invalid YAML front matter{where}: {problem}") from None
    except ValueError as error:  # YAML reads 'date: 2020-13-45' as a date, then fails
        raise PostImportError(f"has an invalid date in its front matter: {error}") from None
    if metadata is None:  # empty front matter, as Jekyll allows: defaults everywhere
        metadata = {}
    if not isinstance(metadata, dict):
        raise PostImportError("has front matter that is not a mapping of keys to values")
    body = body.strip()
    warnings = []
    for key in metadata:
        if key in REFUSED_KEYS:
            warnings.append(f"front matter key '{key}' ignored: {REFUSED_KEYS[key]}")
        elif key not in JEKYLL_KEYS and key not in SITE_KEYS:
            warnings.append(f"unknown front matter key '{key}' ignored")
    return metadata, body, warnings


@dataclass
class PostFile:
    """What a file says a post is, every value as it will be stored."""

    permalink: str
    slug: str
    values: dict  # title, description, body, status, allow_comments, use_math, dates, ...
    categories: list[str]
    sha256: str
    warnings: list[str]
    # The front matter's image, as written (a path or URL), before it is copied.
    image: str = ""
    # Without a permalink, the address importers before issue 10 gave the file (its
    # title's slug): a post made then, with no import record, is this file's post.
    legacy_permalink: str | None = None
    # Addresses the post had on its old site (Jekyll's, when it is not kept, and the
    # other forms the old host served), each redirected to it (issue 21).
    old_addresses: list[str] = field(default_factory=list)


def read_post(
    path,
    *,
    site=None,
    site_root=None,
    lookup_post=None,
    lookup_file=None,
    jekyll_site=None,
    source=None,
):
    """Read, repair and interpret a post file; raise PostImportError saying why not.

    ``site`` is the Jekyll site's _config.yml ({"baseurl": ..., "url": ...,
    "excerpt_separator": ..., "mathjax": ..., "author": ...}; {} for a lone file).
    ``site_root`` (Path) is the site's folder, where a front matter ``image`` and a
    ``{% link %}`` are looked for: by default the folder above ``_posts`` or
    ``_drafts``, or else the file's own. ``lookup_post`` and ``lookup_file`` give the
    addresses ``{% post_url %}`` and ``{% link %}`` resolve to (posts.liquid); by
    default, posts already imported (by their file name) and files under ``site_root``,
    copied into media. ``{% cite %}`` and the other jekyll-scholar tags read the .bib
    files of the site's ``scholar: source`` folder (posts.scholar).

    ``jekyll_site`` (posts.jekyll_site.JekyllSite) is the whole Jekyll site the file is
    part of (import_jekyll, import_post --config): its _config.yml is then ``site``, its
    folder ``site_root``, its posts and files the lookups, and its front matter
    defaults, time zone, address rules and links apply; ``source`` is the file's
    SourcePost there (found from ``path`` when not given). Every imported post is
    kramdown (Post.dialect).
    """
    text = repair_mojibake(read_post_file(path))
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if jekyll_site is not None and not has_front_matter(text):
        # Jekyll publishes a post without front matter too (Document#read_content), its
        # title from its file name.
        metadata, body, warnings = {}, text.strip(), []
    else:
        metadata, body, warnings = parse_post(text)
    source_name, zone, prepared = path.name, contextlib.nullcontext(), None
    if jekyll_site is not None:
        source = source or jekyll_site.source_for(path)
        metadata = jekyll_site.merged_metadata(source, metadata)
        site, site_root = jekyll_site.liquid_site(), jekyll_site.folder
        lookup_post, lookup_file = jekyll_site.lookup_post, jekyll_site.lookup_file
        source_name, zone = source.relative, jekyll.in_site_zone(jekyll_site.zone)
    site = dict(site or {})
    site_root = Path(site_root) if site_root is not None else _site_root(path)
    if jekyll_site is not None:
        bibliography = jekyll_site.scholar
    else:
        bibliography = scholar.Scholar(site_root, site.get("scholar"))
    cites = SCHOLAR_TAG.search(body) is not None
    with zone:
        if metadata.get("render_with_liquid") is not False:  # Jekyll 4.1's switch
            body, liquid_warnings = liquid.resolve_liquid(
                body,
                site=site,
                lookup_post=lookup_post or (lambda name: _post_address(site_root, site, name)),
                lookup_file=lookup_file or (lambda name: _copied_file_address(site_root, name)),
                source_name=source_name,
                line_offset=_lines_before_body(text, body),
                page=metadata,
                lookup_page=jekyll_site.page_address if jekyll_site is not None else None,
                scholar=bibliography,
            )
            warnings.extend(liquid_warnings)
        try:
            if jekyll_site is not None:
                # Links to the site's posts and files, and the post's address (Jekyll's).
                prepared = jekyll_site.prepare(source, metadata, body)
                metadata, body = prepared.metadata, prepared.body
                warnings.extend(prepared.warnings)
                sha256 = hashlib.sha256((text + prepared.fingerprint).encode()).hexdigest()
            if cites:  # its citations change when the .bib files do
                sha256 = hashlib.sha256((sha256 + bibliography.fingerprint).encode()).hexdigest()
            found = _interpret(path, metadata, body, sha256, warnings, site=site)
        except FrontMatterError as error:
            raise PostImportError(str(error)) from None
        found.values["image"] = _preview_image(found.image, site, site_root, warnings)
    found.values["dialect"] = Post.Dialect.KRAMDOWN
    if prepared is not None:
        found.values["feed_id"] = prepared.feed_id
        found.old_addresses = list(prepared.old_addresses)
        found.legacy_permalink = None
    return found


def _site_root(path):
    """The Jekyll site's folder for a post file: the one holding its _posts or _drafts
    (subfolders of them included), or else the file's own folder."""
    path = Path(path).resolve()
    for folder in path.parents:
        if folder.name in {"_posts", "_drafts"}:
            return folder.parent
    return path.parent


def _lines_before_body(text, body):
    """How many lines of the file come before the body (its front matter and the blank
    lines after it), so a warning can give the line of the file."""
    stripped = text.strip()
    boundaries = list(FRONT_MATTER_BOUNDARY.finditer(stripped))
    start = boundaries[1].end() if len(boundaries) > 1 else 0
    found = stripped.find(body[:80], start) if body else -1
    before = text[: len(text) - len(text.lstrip())].count("\n")
    return before + stripped.count("\n", 0, found if found >= 0 else start)


def _post_address(site_root, site, name):
    """``{% post_url NAME %}`` for a lone post: the address of the post imported from
    ``_posts/NAME.*``, or else the one the file of that name in the site's _posts
    will have when imported (its permalink, read from its front matter); None when
    there is neither."""
    address = _imported_post_address(name)
    if address is not None:
        return address
    folder = site_root / "_posts"
    for candidate in sorted(folder.rglob(f"{name.rsplit('/', 1)[-1]}.*")):
        if not str(candidate.with_suffix("")).endswith("/" + name):
            continue
        try:
            text = repair_mojibake(read_post_file(candidate))
            metadata, _, _ = parse_post(text)
            return _interpret(candidate, metadata, "", "", [], site=site).permalink
        except (PostImportError, FrontMatterError):
            return None
    return None


def _imported_post_address(name):
    """The address of the post imported from ``_posts/NAME.*`` (``{% post_url NAME %}``:
    "2010-07-21-name", or "folder/2010-07-21-name"), or None. Like Jekyll, a name
    without a folder finds the post in any folder."""
    stem = name.rsplit("/", 1)[-1]
    records = ImportRecord.objects.filter(source_path__contains=f"/{stem}.").select_related("post")
    for record in records.order_by("pk"):
        source = Path(record.source_path)
        if source.stem == stem and str(source.with_suffix("")).endswith("/" + name):
            return record.post.permalink
    return None


def _copied_file_address(site_root, name):
    """``{% link PATH %}`` for a lone post: the file at PATH under the site's folder,
    copied into media (its URL), or None when there is none (a page of the old site)."""
    from .assets import copy_asset

    candidate = (site_root / name).resolve()
    if not candidate.is_relative_to(site_root.resolve()) or not candidate.is_file():
        return None
    if candidate.suffix.lower() in {".md", ".markdown", ".html", ".htm"}:
        return None  # a page, not a file: it has no address here
    try:
        return copy_asset(candidate)
    except OSError:
        return None


def _interpret(path, metadata, body, sha256, warnings, *, site=None):
    file_date, name = jekyll.file_name_parts(path)
    title = metadata.get("title")
    if title is None:  # Jekyll titles an untitled post after its file name
        title = jekyll.titleize(name)
    if not isinstance(title, str | int | float) or isinstance(title, bool):
        raise PostImportError("has a title that is not text")
    title = str(title).strip()
    if not title:
        raise PostImportError("has no title in its front matter")
    date = jekyll.parse_date(metadata["date"]) if metadata.get("date") is not None else None
    shown_date = date or file_date
    categories = _category_names(metadata)
    slug_source = metadata.get("slug")
    slug = slugify(str(slug_source if slug_source is not None else name))[:190]
    if "permalink" in metadata and metadata["permalink"] is not None:
        permalink = jekyll.expand_permalink(
            str(metadata["permalink"]), date=shown_date, title=slug, categories=categories
        )
    else:
        # Jekyll's :title: the post keeps its address (and identity) whatever its
        # title or categories become.
        if not slug:
            raise PostImportError(
                "has no permalink, and its file name gives no address (addresses are made "
                "of Latin letters, digits, '-' and '_'); add a permalink"
            )
        permalink = slug
    if any(unicodedata.category(char) == "Cc" for char in permalink):
        # Refused before any query: PostgreSQL cannot even compare text holding a NUL.
        raise PostImportError("has a permalink with control characters (such as NUL)")
    published = _flag(metadata, "published", default=True)
    site = site or {}
    modified = metadata.get("last_modified_at")
    values = {
        "title": title,
        "description": _description(metadata, body, site),
        "body": body.strip() + "\n",
        "status": Post.Status.PUBLISHED if published else Post.Status.DRAFT,
        "allow_comments": _flag(metadata, "comments", default=True),
        "use_math": _math(metadata, site),
        "publication_date": shown_date,
        "author": jekyll.author_name(metadata, site)[:200],
        "modified_at": (
            jekyll.parse_date(modified, key="last_modified_at") if modified is not None else None
        ),
    }
    if shown_date is not None:
        values["published_at"] = shown_date
    for key in ("title", "description", "body"):
        dropped = forbidden_characters(values[key])
        if dropped:
            values[key] = xml_safe(values[key])
            warnings.append(
                f"the {key} had characters XML 1.0 forbids ({', '.join(dropped)}); "
                "form feeds and other separators became spaces, the rest were dropped"
            )
    return PostFile(
        permalink=normalize_permalink(permalink),
        slug=slugify(title)[:190] or slug or "post",
        values=values,
        categories=categories,
        sha256=sha256,
        warnings=warnings,
        image=jekyll.image_path(metadata),
        legacy_permalink=(
            None if metadata.get("permalink") is not None else normalize_permalink(slugify(title))
        ),
    )


def _description(metadata, body, site):
    """The description: the front matter's, or else the text of its ``excerpt`` (as
    jekyll-seo-tag describes a page), or else the text before the excerpt separator when
    the post has one: ``excerpt_separator`` (front matter, then _config.yml) or
    ``<!--more-->``. Jekyll's default excerpt, the first paragraph, is not stored: link
    previews fall back to it (posts.previews.body_excerpt), lists show no summary."""
    for key in ("description", "excerpt"):
        value = metadata.get(key)
        if value is not None and str(value).strip():
            text = previews.markdown_text(value) if key == "excerpt" else str(value).strip()
            return previews.shorten(text, DESCRIPTION_LENGTH)
    separator = metadata.get("excerpt_separator") or site.get("excerpt_separator")
    for candidate in (separator, "<!--more-->"):
        if isinstance(candidate, str) and candidate.strip() and candidate in body:
            head = body.split(candidate, 1)[0]
            return previews.shorten(previews.markdown_text(head), DESCRIPTION_LENGTH)
    return ""


def _math(metadata, site):
    """Whether the post renders math: any of MATH_KEYS in its front matter (the first
    given wins), or else in the site's _config.yml."""
    for source in (metadata, site):
        for key in MATH_KEYS:
            if key in source and source[key] is not None:
                return jekyll.switched_on(source[key], key=key)
    return False


def _preview_image(reference, site, site_root, warnings):
    """Post.image for the front matter's image (str as written; "" for none): an
    absolute http(s) URL as it is, or the file it names under the site's folder copied
    into media (its URL). A file that is not there is named in a warning, and the post
    has no image."""
    from .assets import copy_asset

    if not reference:
        return ""
    if re.match(r"^https?://", reference, re.IGNORECASE):
        return reference[:500]
    path = reference.split("?", 1)[0].split("#", 1)[0]
    for key in ("url", "baseurl"):
        prefix = str(site.get(key) or "").rstrip("/")
        if prefix and path.startswith(prefix + "/"):
            path = path[len(prefix) :]
    if path.startswith("//"):
        return ("https:" + reference)[:500]
    candidates = [path.lstrip("/")]
    if "/" not in path:  # a bare file name: themes put it in their images folder
        candidates += [f"{folder}/{path}" for folder in IMAGE_FOLDERS]
    for relative in candidates:
        candidate = (site_root / relative).resolve()
        if candidate.is_relative_to(site_root.resolve()) and candidate.is_file():
            try:
                return copy_asset(candidate)
            except OSError:
                break
    warnings.append(f"front matter image '{reference}' is not a file of the site; no preview image")
    return ""


def _category_names(metadata):
    """Jekyll's category and categories, together, each name once."""
    names = []
    for key in ("category", "categories"):
        value = metadata.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            value = value.split() if key == "categories" else [value]
        if not isinstance(value, list):
            raise PostImportError(f"has '{key}' that is neither a list nor a string")
        for name in value:
            name = xml_safe(str(name)).strip()
            if name and name not in names:
                names.append(name)
    return names


def import_post(
    path,
    *,
    force=False,
    site=None,
    site_root=None,
    lookup_post=None,
    lookup_file=None,
    jekyll_site=None,
):
    """Create or update the post in a Markdown file (pathlib.Path); an ImportResult.

    A post is the file's when its import record names the file's address, or when it
    has that permalink. ``force`` takes the file even over edits made in admin, or over
    a post another file imported. ``site``, ``site_root``, ``lookup_post``,
    ``lookup_file`` and ``jekyll_site`` are the Jekyll site's settings and lookups, as
    read_post takes them.
    Raises PostImportError, with nothing written, for a file that cannot be imported
    (its preview image may already be copied into media: copies are content-addressed).
    """
    found = read_post(
        path,
        site=site,
        site_root=site_root,
        lookup_post=lookup_post,
        lookup_file=lookup_file,
        jekyll_site=jekyll_site,
    )
    return save_post_file(found, path, force=force)


def save_post_file(found, path, *, force=False):
    """Write what read_post() found in the file at ``path`` to its post; an ImportResult.
    Raises PostImportError, with nothing written, when the post cannot take it."""
    with transaction.atomic(), reversion.create_revision():
        reversion.set_comment(f"Imported from {path.name}")
        source_path = str(path.resolve())
        records = ImportRecord.objects.select_related("post")
        # The file's address names its post; failing that, the same file imported
        # before under another address (its permalink changed: the post moves).
        record = (
            records.filter(source_permalink=found.permalink).first()
            or records.filter(source_path=source_path).first()
        )
        post = record.post if record else Post.objects.filter(permalink=found.permalink).first()
        if post is None and found.legacy_permalink:
            # Imported before records were kept, at its title's slug: it moves to the
            # file's address (the old one redirects), unless edited since (below).
            post = Post.objects.filter(
                permalink=found.legacy_permalink, import_record__isnull=True
            ).first()
        if not force:
            _check_not_another_files(post, source_path, found.permalink)
        warnings = list(found.warnings)
        if post is None:
            post = Post(
                permalink=found.permalink,
                slug=Post.unique_slug(found.slug),
                published_at=found.values.get(
                    "published_at", timezone.now().replace(microsecond=0)
                ),
            )
            action = "created"
        else:
            current = _fields(post)
            if not force:
                if record and record.source_sha256 == found.sha256:
                    if record.source_path != source_path:  # the same file, moved
                        record.source_path = source_path
                        record.save(update_fields=["source_path"])
                    return ImportResult(post=post, action="unchanged", warnings=warnings)
                if _edited_in_admin(current, record, found):
                    return ImportResult(post=post, action="kept", warnings=warnings)
            action = "updated"
            if post.status == Post.Status.PUBLISHED and found.values["status"] == Post.Status.DRAFT:
                warnings.append(
                    f"{post.permalink} was public and is now a draft (published: false)"
                )
        for name, value in found.values.items():
            setattr(post, name, value)
        post.permalink = found.permalink
        try:
            post.full_clean(exclude=None if action == "created" else ["slug"])
        except ValidationError as error:
            raise PostImportError(_first_message(error)) from None
        categories = [_category(name) for name in found.categories]
        if action == "updated" and current == _fields(post, categories):
            action = "unchanged"
        else:
            post.save()
            warnings.extend(post.render_warnings)
            post.categories.set(categories)
        _redirect_old_addresses(found.old_addresses, post)
        ImportRecord.objects.update_or_create(
            post=post,
            defaults={
                "source_permalink": found.permalink,
                "source_path": source_path,
                "source_sha256": found.sha256,
                "fields": _fields(post, categories),
                "imported_at": timezone.now(),
            },
        )
    return ImportResult(post=post, action=action, warnings=warnings)


def _redirect_old_addresses(old_addresses, post):
    """Each address the post had on its old site answers 301 to where it is now, unless
    a post lives there (Django's redirects app, posts.middleware)."""
    site_id = settings.SITE_ID
    for old in old_addresses:
        if old == post.permalink or Post.objects.filter(permalink=old).exists():
            continue
        Redirect.objects.update_or_create(
            site_id=site_id, old_path=old, defaults={"new_path": post.permalink}
        )


def _check_not_another_files(post, source_path, permalink):
    """Raise PostImportError when ``post`` was imported from another file that is still
    there: two files asking for one address (the same file-name slug without a
    permalink, say) would otherwise overwrite each other's post at every start. A record
    whose file is gone means the file moved, and this one takes the post over."""
    record = getattr(post, "import_record", None) if post is not None else None
    if record is None or record.source_path == source_path:
        return
    if Path(record.source_path).exists():
        raise PostImportError(
            f"asks for {permalink}, which is the post of {record.source_path}; give one "
            "of the two files its own permalink (or --force to take the post over)"
        )


def _edited_in_admin(current, record, found):
    """Whether the post differs from what the last import of this file wrote.

    A post without a record (imported before records were kept, or made in admin) is
    unedited when it holds what the file holds, apart from fields older imports never
    wrote.
    """
    if record is not None:
        # Fields a record made before they existed (author, image, dialect, ...) are not
        # compared.
        return any(current.get(key) != value for key, value in record.fields.items())
    compared = ["title", "description", "body", "status", "allow_comments", "use_math"]
    compared += ["categories"] + (["published_at"] if "published_at" in found.values else [])
    wanted = {
        **{key: _json(value) for key, value in found.values.items()},
        "body": _text(found.values["body"]),
        "categories": sorted(Category.slug_for(name) for name in found.categories),
    }
    return any(current[key] != wanted[key] for key in compared)


def _fields(post, categories=None):
    """The post's importable fields as JSON values, to record and to compare.

    The body is compared as text: line endings (a browser sends CRLF) and trailing
    blank lines do not make an edit.
    """
    if categories is None:
        categories = post.categories.all() if post.pk else []
    return {
        "title": post.title,
        "description": post.description,
        "body": _text(post.body),
        "status": post.status,
        "allow_comments": post.allow_comments,
        "use_math": post.use_math,
        "author": post.author,
        "image": post.image,
        "modified_at": _json(post.modified_at),
        "published_at": _json(post.published_at),
        "publication_date": _json(post.publication_date),
        "permalink": post.permalink,
        "categories": sorted(category.slug for category in categories),
        "dialect": post.dialect,
        "feed_id": post.feed_id,
    }


def _text(body):
    return body.replace("\r\n", "\n").replace("\r", "\n").rstrip()


def _json(value):
    # Whole seconds: the admin's date and time fields keep no more.
    return value.replace(microsecond=0).isoformat() if hasattr(value, "isoformat") else value


def _flag(metadata, key, *, default):
    value = metadata.get(key, default)
    if isinstance(value, bool):
        return value
    raise PostImportError(f"has '{key}: {value}', which should be true or false")


def _category(name):
    slug = Category.slug_for(name)
    if not slug:
        raise PostImportError(f"has a category name without letters or digits: {name!r}")
    category, _ = Category.objects.get_or_create(slug=slug, defaults={"name": name.strip()})
    return category


def _first_message(error):
    for field_name, messages in error.message_dict.items():
        return f"has an invalid {field_name}: {messages[0]}"
    return str(error)
