"""A whole Jekyll site read the way Jekyll 4 (and GitHub Pages' Jekyll 3) reads it, so its
posts keep their addresses here (issue 21).

Sources, Jekyll's documentation and code (lib/jekyll/*.rb):

* _config.yml: ``permalink`` (the named styles date, pretty, ordinal, weekdate and none,
  or a template: Configuration::STYLE_TO_PERMALINK; default "date"), ``baseurl``,
  ``url``, ``timezone``, ``exclude``, ``markdown_ext``, ``kramdown`` and the front-matter
  ``defaults`` with their ``scope`` (``path`` prefix or glob, ``type`` "posts"/"drafts":
  FrontmatterDefaults, later and longer scopes win, mappings merged deeply).
* Posts are the dated files (``YYYY-MM-DD-name.ext``) in every ``_posts`` folder of the
  site, subfolders included; drafts those in ``_drafts``. A ``_posts`` folder inside
  ``blog/`` gives its posts the category "blog"; folders inside ``_posts`` give none
  (Document#categories_from_path). Categories then come from defaults and front matter.
* A post's address is Jekyll's URL (URL, Drops::UrlDrop): the template's placeholders
  (``:title`` keeps capitals, ``:categories`` is lower-cased, ``:output_ext`` is
  ".html"), ".." and "./" removed, slashes squeezed; the site serves it under
  ``baseurl``. Dates are read in the site's ``timezone`` (none: UTC, as GitHub Pages
  builds).
* jekyll-feed's entry id is ``{{ post.id | absolute_url }}``, where Document#id is
  ``File.join(File.dirname(url), slug)``; a site with its own feed template (feed.xml,
  atom.xml...) gave the id its ``<id>``/``<guid>`` says (JekyllSite.feed_form). Kept as
  the post's feed_id.

Addresses (settings.JEKYLL_ADDRESSES, docs/writing.md): "jekyll" (the default) keeps each
post at the address Jekyll gave it, ``.html``, capitals and ``baseurl`` included, as most
migration guides advise; "clean" gives it "/<slug>/" and redirects from Jekyll's address
permanently. Either way the other addresses the old host answered for the same page
(``/x`` for ``/x.html``, ``/x/index.html`` for ``/x/``) redirect to it.
"""

import copy
import datetime
import fnmatch
import hashlib
import json
import os
import posixpath
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import yaml
from django.conf import settings
from django.urls import reverse

from . import assets, jekyll, scholar
from .models import PERMALINK_MAX_LENGTH, is_permalink, normalize_permalink, reserved_prefixes

CONFIG_NAMES = ("_config.yml", "_config.yaml")
# Where a site keeps its own feed template (without one, jekyll-feed writes /feed.xml).
FEED_TEMPLATES = ("feed.xml", "atom.xml", "rss.xml", "feed.atom", "feed/index.xml", "index.xml")
STYLES = {
    "none": "/:categories/:title:output_ext",
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
}
# Jekyll's default `exclude` (Configuration::DEFAULTS plus what EntryFilter always skips).
DEFAULT_EXCLUDE = [
    ".sass-cache", ".jekyll-cache", "gemfiles", "Gemfile", "Gemfile.lock", "node_modules",
    "vendor/bundle/", "vendor/cache/", "vendor/gems/", "vendor/ruby/",
]  # fmt: skip
DEFAULT_MARKDOWN_EXT = "markdown,mkdown,mkdn,mkd,md"
# Jekyll's DATE_FILENAME_MATCHER, on a file name.
DATED_NAME = re.compile(r"^(\d{2,4}-\d{1,2}-\d{1,2})-(.*)(\.[^.]+)$")
# Utils.slugify's modes: "default" keeps letters, marks and digits; "pretty" also
# ._~!$&'()+,;=@ (and :title keeps capitals).
# The punctuation Utils.slugify's "pretty" mode keeps besides letters, marks and digits.
PRETTY_PUNCTUATION = frozenset("._~!$&'()+,;=@")
PLACEHOLDER = re.compile(r":([a-z_]+)")
FRONT_MATTER_START = re.compile(rb"---\r?\n")
DATE_FORMATS = {
    "year": "%Y", "month": "%m", "day": "%d", "hour": "%H", "minute": "%M", "second": "%S",
    "short_month": "%b", "long_month": "%B", "short_year": "%y", "w_year": "%G",
    "week": "%V", "w_day": "%u", "short_day": "%a", "long_day": "%A", "y_day": "%j",
}  # fmt: skip
# Links in a post's Markdown or HTML: inline links and images, reference definitions,
# and the HTML attributes that load or link a file.
INLINE_LINK = re.compile(r"(\]\(\s*)(<[^>\n]*>|(?:[^\s()]|\([^\s()]*\))+)")
REFERENCE = re.compile(r"^( {0,3}\[[^\]\n]+\]:[ \t]*)(<[^>\n]*>|\S+)", re.MULTILINE)
HTML_ATTRIBUTE = re.compile(
    r"(\b(?:src|href|poster|data-src)\s*=\s*)(\"[^\"\n]*\"|'[^'\n]*')", re.IGNORECASE
)
# What link rewriting leaves alone: fenced code, Liquid highlight blocks, code spans.
CODE = re.compile(
    r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[ \t]*$|\Z)"
    r"|\{%-?\s*highlight\b.*?\{%-?\s*endhighlight\s*-?%\}"
    r"|(`+)[^`].*?\2",
    re.MULTILINE | re.DOTALL,
)


class SiteError(Exception):
    """A Jekyll site (or its _config.yml) that cannot be read; the message says why."""


def _slugify(text, keep=frozenset()):
    """Jekyll's Utils.slugify: each run of characters that are not letters, marks or
    digits (of any script) nor in ``keep`` becomes one "-", without one at either end."""
    out, dash = [], False
    for char in str(text):
        kept = (
            (char.isalnum() and char != "_")
            or char in keep
            or unicodedata.category(char).startswith("M")
        )
        if kept:
            out.append(char)
            dash = False
        elif not dash:
            out.append("-")
            dash = True
    slug = "".join(out)
    return slug.removeprefix("-").removesuffix("-")


def _slug_default(text):
    return _slugify(text).lower()


def _slug_pretty_cased(text):
    return _slugify(text, PRETTY_PUNCTUATION)


def sanitize_url(url):
    """Jekyll's URL#sanitize_url: a leading "/", ".." made "/", "./" dropped, "//" squeezed."""
    url = ("/" + url).replace("..", "/").replace("./", "")
    return re.sub(r"/{2,}", "/", url)


def ruby_dirname(path):
    """Ruby's File.dirname: trailing slashes ignored, "/" for a top-level name."""
    stripped = path.rstrip("/") or "/"
    return posixpath.dirname(stripped) or "."


def _deep_merge(base, other):
    """Jekyll's Utils.deep_merge_hashes: ``other`` wins, mappings merged key by key."""
    merged = dict(base)
    for key, value in other.items():
        if isinstance(merged.get(key), dict) and isinstance(value, dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _names(value):
    """A categories value as Jekyll reads it: a list, or a string of space-separated
    names (None: none)."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(item) for item in value if item is not None]
    return [str(value)]


def _link(address):
    """A post's address (str) as a link in Markdown: percent-encoded where "(", ")" or a
    space would end the link; the site decodes the path it is asked for."""
    return quote(address, safe="/-._~!$&'*+,;=@")


def _names_list(value):
    """A value that is one string or a list of them, as a list of str."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value if isinstance(item, str | int | float)]
    return []


def load_config(path):
    """The mapping (dict) a _config.yml holds. Raises SiteError naming the file and the
    line for a file that cannot be read or is not a YAML mapping."""
    from .importing import BoundedSafeLoader

    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SiteError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SiteError(f"{path}: is a directory, not a _config.yml") from None
    except UnicodeDecodeError as error:
        raise SiteError(f"{path}: is not UTF-8 text (bad byte at offset {error.start})") from None
    except OSError as error:
        raise SiteError(f"{path}: cannot be read ({error.strerror})") from None
    try:
        config = yaml.load(text, Loader=BoundedSafeLoader)  # noqa: S506 (a safe loader)
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise SiteError(f"{path}: invalid YAML{where}: {problem}") from None
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise SiteError(f"{path}: is not a mapping of settings to values")
    return config


@dataclass
class SourcePost:
    """One post file of the site, as far as its address goes."""

    path: Path
    relative: str  # to the site folder, with "/"
    kind: str  # "posts" or "drafts"
    folder_categories: list[str]
    jekyll_url: str = ""  # as Jekyll makes it (percent-encoded), without baseurl
    address: str = ""  # the post's permalink here
    old_addresses: list[str] = field(default_factory=list)
    feed_id: str = ""
    # The post as Liquid's ``site.posts`` shows it: url (Jekyll's, without baseurl), id,
    # slug, title, date (ISO 8601), categories, tags, path, name.
    liquid: dict = field(default_factory=dict)
    error: str = ""  # why its address could not be computed
    warnings: list[str] = field(default_factory=list)  # about its address


@dataclass
class Prepared:
    """What a site makes of one post file before the importer interprets it."""

    metadata: dict
    body: str
    warnings: list[str]
    address: str
    old_addresses: list[str]
    feed_id: str
    fingerprint: str


class JekyllSite:
    """A Jekyll site folder and its _config.yml, read once; then each post's address,
    front matter defaults, Liquid and links on request.

    ``folder`` (pathlib.Path): the site's source folder; ``config`` (dict): its
    _config.yml; ``url`` (str or None) replaces the config's ``url`` (GitHub Pages fills
    it in when the config has none). Raises SiteError for a config it cannot use.
    """

    def __init__(self, folder, config, *, url=None, addresses=None):
        self.folder = Path(folder)
        self.config = config
        self.addresses = addresses or getattr(settings, "JEKYLL_ADDRESSES", "jekyll")
        if self.addresses not in ("jekyll", "clean"):
            raise SiteError(
                f"JEKYLL_ADDRESSES is {self.addresses!r}: it is 'jekyll' (keep Jekyll's "
                "addresses) or 'clean' (/<slug>/, redirected from Jekyll's)"
            )
        self.baseurl = self._baseurl(config.get("baseurl"))
        self.url = str(url if url is not None else (config.get("url") or "")).rstrip("/")
        self.url_from_cname = False
        if not self.url:
            # GitHub Pages sets site.url from the custom domain in CNAME (jekyll-github-
            # metadata), over HTTPS, when the config has none.
            cname = self._cname()
            if cname:
                self.url, self.url_from_cname = f"https://{cname}", True
        if self.url and urlsplit(self.url).scheme not in ("http", "https"):
            raise SiteError(f"url is {self.url!r}: an http(s) address such as https://example.com")
        permalink = config.get("permalink") or "date"
        if not isinstance(permalink, str):
            raise SiteError(f"permalink is {permalink!r}: a style name or a template")
        self.permalink_style = permalink  # as written: pages' addresses follow it too
        self.permalink = STYLES.get(permalink, permalink)
        # The posts collection's own permalink wins (Configuration: the site's style is
        # only its default), as Jekyll's own site sets it.
        collections = config.get("collections")
        posts = collections.get("posts") if isinstance(collections, dict) else None
        if isinstance(posts, dict) and isinstance(posts.get("permalink"), str):
            self.permalink = posts["permalink"]
        zone_name = config.get("timezone")
        try:
            self.zone = zoneinfo.ZoneInfo(str(zone_name)) if zone_name else zoneinfo.ZoneInfo("UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise SiteError(
                f"timezone is {zone_name!r}, which is not a time zone name such as Europe/Paris"
            ) from None
        defaults = config.get("defaults") or []
        if not isinstance(defaults, list):
            raise SiteError("defaults is not a list of {scope, values}")
        self.defaults = [
            d for d in defaults if isinstance(d, dict) and isinstance(d.get("values"), dict)
        ]
        self.kramdown = config.get("kramdown") if isinstance(config.get("kramdown"), dict) else {}
        exclude = config.get("exclude")
        self.exclude = [str(e) for e in (exclude if isinstance(exclude, list) else [])]
        self.exclude += DEFAULT_EXCLUDE
        markdown_ext = str(config.get("markdown_ext") or DEFAULT_MARKDOWN_EXT)
        self.markdown_ext = {"." + ext.strip().lower() for ext in markdown_ext.split(",")}
        self.site_warnings = self._option_warnings()
        # jekyll-scholar's bibliography, its .bib files read once for all the posts.
        self.scholar = scholar.Scholar(self.folder, config.get("scholar"))
        self.posts = []  # SourcePost, in the order they are read
        self.by_url = {}  # a Jekyll URL (decoded, without baseurl) -> the address here
        self.by_name = {}  # post_url names -> SourcePost
        self.by_relative = {}  # relative path -> SourcePost
        self.files_linked = set()  # the site's files posts link to (Path)
        self.fingerprint = hashlib.sha256(
            json.dumps([config, self.url, self.addresses], sort_keys=True, default=str).encode()
        ).hexdigest()

    @classmethod
    def from_folder(cls, folder, *, config_path=None, url=None, addresses=None):
        """The site in ``folder`` (str or Path), with its _config.yml (or
        ``config_path``). Raises SiteError for a missing folder or a bad config."""
        folder = Path(folder)
        if not folder.exists():
            raise SiteError(f"{folder}: no such folder")
        if not folder.is_dir():
            raise SiteError(f"{folder}: is not a folder (give the Jekyll site's folder)")
        if config_path is None:
            found = [folder / name for name in CONFIG_NAMES if (folder / name).is_file()]
            config = load_config(found[0]) if found else {}
        else:
            config = load_config(config_path)
        return cls(folder.resolve(), config, url=url, addresses=addresses)

    def _cname(self):
        """The custom domain in the site's CNAME file (GitHub Pages), or ""."""
        try:
            lines = (self.folder / "CNAME").read_text(encoding="utf-8").split()
        except (OSError, UnicodeDecodeError):
            return ""
        domain = lines[0].strip().rstrip("/") if lines else ""
        return domain if re.fullmatch(r"[A-Za-z0-9.-]+(?::\d+)?", domain) else ""

    @staticmethod
    def _baseurl(value):
        """Jekyll's sanitized baseurl: "" or "/blog" (a leading "/", no trailing one)."""
        value = str(value or "").strip().rstrip("/")
        if value and not value.startswith("/"):
            value = "/" + value
        return value

    def _option_warnings(self):
        """Site settings whose effect the site does not reproduce, one warning each."""
        warnings = []
        if self.url_from_cname:
            warnings.append(
                f"site setting url: none in _config.yml: {self.url}, from CNAME, as GitHub "
                "Pages sets it (give --url if the old site was served otherwise)"
            )
        markdown = str(self.config.get("markdown") or "kramdown").lower()
        if markdown != "kramdown":
            warnings.append(f"site setting markdown: {markdown}: posts are read as kramdown")
        input_format = str(self.kramdown.get("input") or "GFM")
        if input_format.lower() not in ("gfm", "kramdown"):
            warnings.append(f"kramdown option input: {input_format}: read as GFM")
        if self.kramdown.get("hard_wrap") is True:
            warnings.append("kramdown option hard_wrap: true: line breaks are not kept")
        if self.kramdown.get("auto_ids") is False:
            warnings.append("kramdown option auto_ids: false: headings still get ids")
        if self.kramdown.get("auto_id_prefix"):
            prefix = self.kramdown["auto_id_prefix"]
            warnings.append(
                f"kramdown option auto_id_prefix: {prefix}: heading ids are kramdown's "
                "without it, so old links to a heading land only if they lack it too"
            )
        quotes = str(self.kramdown.get("smart_quotes") or "lsquo,rsquo,ldquo,rdquo")
        if quotes.replace(" ", "") != "lsquo,rsquo,ldquo,rdquo":
            warnings.append(f"kramdown option smart_quotes: {quotes}: quotes are ‘’“”")
        if self.kramdown.get("typographic_symbols"):
            warnings.append("kramdown option typographic_symbols: kramdown's own symbols used")
        return warnings

    # Finding the posts -------------------------------------------------------------

    def _excluded(self, relative):
        """Whether a path (relative, "/"-separated) is left out of the site, as
        EntryFilter does: names starting with '.', '_', '#' or ending with '~', and
        the config's exclude (a prefix or a glob)."""
        for pattern in self.exclude:
            pattern = pattern.strip("/")
            if not pattern:
                continue
            if relative == pattern or relative.startswith(pattern + "/"):
                return True
            if fnmatch.fnmatch(relative, pattern):
                return True
        return False

    def discover(self):
        """Every post and draft file of the site (list of SourcePost), in a stable order;
        also returns the warnings about files Jekyll leaves out (list of str)."""
        found, warnings = [], []
        for folder, kind in self._special_folders():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                relative = path.relative_to(self.folder).as_posix()
                inside = path.relative_to(folder).as_posix()
                if any(
                    part.startswith((".", "_", "#")) or part.endswith("~")
                    for part in inside.split("/")
                ):
                    continue
                if self._excluded(relative):
                    continue
                if not path.resolve().is_relative_to(self.folder):
                    # A symbolic link out of the site would publish whatever it points
                    # at (/etc/passwd, say); the site's own files are what is imported.
                    warnings.append(
                        f"{relative}: left out: it is a link to a file outside the site"
                    )
                    continue
                if kind == "posts" and not DATED_NAME.match(path.name):
                    warnings.append(
                        f"{relative}: left out, as Jekyll does: a post's file name starts "
                        "with its date (YYYY-MM-DD-title.md)"
                    )
                    continue
                if path.suffix.lower() not in self.markdown_ext | {".html", ".htm"}:
                    warnings.append(
                        f"{relative}: left out: Jekyll publishes it as it is, but it is "
                        f"not Markdown (its extension is not one of markdown_ext)"
                    )
                    continue
                found.append(
                    SourcePost(
                        path=path,
                        relative=relative,
                        kind=kind,
                        folder_categories=self.folder_categories(relative, "_" + kind),
                    )
                )
        return found, warnings

    def _special_folders(self):
        """The site's _posts and _drafts folders: at its top and in any folder Jekyll
        reads (not one it skips or excludes)."""
        for dirpath, dirnames, _ in os.walk(self.folder):
            here = Path(dirpath)
            relative = here.relative_to(self.folder).as_posix()
            for special, kind in (("_posts", "posts"), ("_drafts", "drafts")):
                if (here / special).is_dir():
                    yield here / special, kind
            dirnames[:] = sorted(
                name
                for name in dirnames
                if not name.startswith((".", "_", "#"))
                and not name.endswith("~")
                and not self._excluded(
                    f"{relative}/{name}".lstrip("./") if relative != "." else name
                )
            )

    @staticmethod
    def folder_categories(relative, special):
        """Document#categories_from_path: the folders above ``special`` ("_posts")."""
        if relative.startswith(special):
            return []
        above = re.sub(re.escape(special) + ".*", "", relative, count=1)
        basename = relative.rsplit("/", 1)[-1]
        return [part for part in above.split("/") if part and part not in (special, basename)]

    def defaults_for(self, relative, kind):
        """FrontmatterDefaults#all: the default values (dict) for the file at
        ``relative`` of type ``kind`` ("posts" or "drafts")."""
        merged, old_scope = {}, None
        for entry in self.defaults:
            scope = entry.get("scope") if isinstance(entry.get("scope"), dict) else {}
            if not self._applies(scope, relative, kind):
                continue
            if self._has_precedence(old_scope, scope):
                merged = _deep_merge(merged, copy.deepcopy(entry["values"]))
                old_scope = scope
        return merged

    def _applies(self, scope, relative, kind):
        wanted_type = scope.get("type")
        if wanted_type is not None:
            wanted = {"post": "posts", "draft": "drafts", "page": "pages"}.get(
                str(wanted_type), str(wanted_type)
            )
            # Drafts are documents of the posts collection: "posts" applies to them too;
            # "drafts" (which Jekyll 4 never matches) is taken as its author meant it.
            if wanted not in (kind, "posts"):
                return False
        scope_path = scope.get("path")
        if not isinstance(scope_path, str) or not scope_path.strip("/"):
            return True
        scope_path = scope_path.strip("/")
        if "*" in scope_path:
            return any(relative.startswith(match) for match in self._glob(scope_path))
        return relative.startswith(scope_path)

    def _glob(self, pattern):
        """The site's paths (relative, "/"-separated) a scope's glob matches, once."""
        cache = self.__dict__.setdefault("_glob_cache", {})
        if pattern not in cache:
            cache[pattern] = [
                path.relative_to(self.folder).as_posix() for path in self.folder.glob(pattern)
            ]
        return cache[pattern]

    @staticmethod
    def _has_precedence(old_scope, new_scope):
        if old_scope is None:
            return True
        new_path = str(new_scope.get("path") or "").strip("/")
        old_path = str(old_scope.get("path") or "").strip("/")
        if len(new_path) != len(old_path):
            return len(new_path) >= len(old_path)
        if "type" in new_scope:
            return True
        return "type" not in old_scope

    # Addresses -----------------------------------------------------------------------

    def index(self, sources):
        """Compute every post's address (reading its front matter only), so posts can
        link to each other; fills by_url and by_name. A file that cannot be read keeps
        its error for its own import."""
        from .importing import (
            PostImportError,
            has_front_matter,
            parse_post,
            read_post_file,
            repair_mojibake,
        )

        taken = {}
        for source in sources:
            try:
                text = repair_mojibake(read_post_file(source.path))
                metadata = parse_post(text)[0] if has_front_matter(text) else {}
                metadata = self.merged_metadata(source, metadata)
                self._address(source, metadata, taken)
            except (PostImportError, jekyll.FrontMatterError) as error:
                source.error = str(error)
                continue
            self.posts.append(source)
            self.by_url[unquote(source.jekyll_url)] = source.address
            self.by_url[source.address] = source.address  # as {% post_url %} gives it
            self.by_relative[source.relative] = source
            stem = source.path.stem
            inside = source.relative.split(f"_{source.kind}/", 1)[-1].rsplit(".", 1)[0]
            for name in (stem, inside):
                self.by_name.setdefault(name, source)

    def source_for(self, path):
        """The SourcePost of the file at ``path`` (Path): the indexed one, or one made
        for a file given on its own (import_post --config), a draft when it is in a
        _drafts folder."""
        path = Path(path).resolve()
        for source in self.posts:
            if source.path.resolve() == path:
                return source
        try:
            relative = path.relative_to(self.folder).as_posix()
        except ValueError:
            relative = path.name
        kind = "drafts" if "_drafts" in relative.split("/")[:-1] else "posts"
        return SourcePost(
            path=path,
            relative=relative,
            kind=kind,
            folder_categories=self.folder_categories(relative, "_" + kind),
        )

    def merged_metadata(self, source, metadata):
        """Front matter with the site's defaults under it and the folder categories, as
        Jekyll merges them (categories: folders, defaults, then the file's)."""
        defaults = self.defaults_for(source.relative, source.kind)
        merged = _deep_merge(defaults, metadata)
        categories = []
        for value in (source.folder_categories, _names(defaults.get("categories"))):
            categories += [name for name in value if name not in categories]
        categories += [n for n in _names(metadata.get("categories")) if n not in categories]
        if categories:
            merged["categories"] = categories
        if source.kind == "drafts":
            merged["published"] = False
        return merged

    def _date(self, source, metadata):
        """The post's date (aware datetime in the site's zone), as Jekyll dates it: front
        matter, else the file name, else (a draft) the file's modification time."""
        with jekyll.in_site_zone(self.zone):
            if metadata.get("date") is not None:
                moment = jekyll.parse_date(metadata["date"])
            else:
                moment, _ = jekyll.file_name_parts(source.path)
        if moment is None:
            moment = datetime.datetime.fromtimestamp(source.path.stat().st_mtime, tz=self.zone)
        return moment.astimezone(self.zone)

    def _address(self, source, metadata, taken):
        """Fill source.jekyll_url, address, old_addresses and feed_id."""
        stem = source.path.stem
        match = DATED_NAME.match(source.path.name)
        file_slug = match.group(2) if match else stem
        file_slug = re.sub(r"\.+$", "", file_slug)
        slug = metadata.get("slug")
        slug = str(slug) if slug is not None else file_slug
        date = self._date(source, metadata)
        categories = []
        for name in _names(metadata.get("categories")) + _names(metadata.get("category")):
            if name not in categories:
                categories.append(name)
        lowered = list(dict.fromkeys(name.lower() for name in categories))
        values = {
            "title": _slug_pretty_cased(slug) or _slug_pretty_cased(stem),
            "slug": _slug_default(slug) or _slug_default(stem),
            "name": _slug_default(stem),
            "categories": "/".join(lowered),
            "slugified_categories": "/".join(dict.fromkeys(_slug_default(n) for n in categories)),
            "output_ext": ".html",
            "collection": "posts",
            "path": "/" + source.relative.split(f"_{source.kind}/", 1)[-1].rsplit(".", 1)[0],
        }
        for name, form in DATE_FORMATS.items():
            values[name] = date.strftime(form)
        values["i_day"] = str(date.day)
        values["i_month"] = str(date.month)
        template = metadata.get("permalink")
        template = str(template) if template not in (None, "") else self.permalink

        def fill(found):
            name = found.group(1)
            pool = [name, name[:-1]] if name.endswith("_") else [name]
            winner = next((key for key in pool if key in values), None)
            if winner is None:
                raise jekyll.FrontMatterError(
                    f"has a permalink with :{name}, which is not one of Jekyll's placeholders"
                )
            return found.group(0).replace(
                ":" + winner, quote(values[winner], safe="/-._~!$&'()+,;=@"), 1
            )

        url = sanitize_url(PLACEHOLDER.sub(fill, template))
        source.jekyll_url = url
        served = self.baseurl + url  # where the old host answered, percent-encoded
        old = [served]
        if served.endswith("/"):
            old.append(served + "index.html")
        elif served.endswith(("/index.html", "/index.htm")):
            old.append(served.rsplit("/", 1)[0] + "/")  # and the folder it is the index of
        elif served.endswith((".html", ".htm")):
            old.append(served.rsplit(".", 1)[0])  # GitHub Pages serves /x.html at /x
        else:
            old.append(served + ".html")  # Jekyll wrote /x as x.html
        address = unquote(served)
        if not address.endswith("/") and not address.endswith((".html", ".htm")):
            address = address + "/"
        clean = normalize_permalink(_slug_default(slug) or _slug_default(stem) or "post")
        source.warnings = []
        if self.addresses == "clean":
            address = clean
        elif not self._usable(address):
            source.warnings.append(
                f"address {address} cannot be kept here ({self._why_unusable(address)}): "
                f"the post is at {clean}, and {served} redirects to it"
            )
            address = clean
        if taken.get(address, source.relative) != source.relative:
            raise jekyll.FrontMatterError(
                f"has the address {address}, which {taken[address]} has too; give one of "
                "them its own permalink"
            )
        taken[address] = source.relative
        source.address = address
        title = metadata.get("title")
        source.liquid = {
            "url": url,
            "id": url.removesuffix(".html").removesuffix("/") or "/",
            "slug": slug,  # as written: Jekyll's post.slug keeps its case
            "title": str(title) if title not in (None, "") else values["title"],
            "date": date.isoformat(),
            "categories": categories,
            "tags": [str(tag) for tag in _names(metadata.get("tags"))],
            "path": source.relative,
            "name": source.path.name,
        }
        # jekyll-redirect-from: the post's redirect_from addresses, under baseurl.
        for extra in _names_list(metadata.get("redirect_from")):
            extra = sanitize_url(quote(extra, safe="/-._~!$&'()+,;=@%"))
            old.append(self.baseurl + extra)
        source.old_addresses = [
            path
            for path in dict.fromkeys(old)
            if unquote(path) != address and len(path) <= 200  # the same, percent-encoded
        ]
        post_id = ruby_dirname(url).rstrip("/") + "/" + slug
        source.feed_id = self.feed_entry_id(post_id=post_id, url=url)

    def feed_entry_id(self, *, post_id, url):
        """The id (str) the old feed gave the post, as its template makes it (feed_form);
        "" when it was not an absolute URL (no site url: give --url)."""
        field_name, with_url, with_baseurl = self.feed_form
        path = post_id if field_name == "id" else url
        if not with_url or not self.url:
            return ""
        if not with_baseurl:
            parts = urlsplit(self.url)
            encoded = quote(unquote(path), safe="/-._~!$&'()*+,;=:@")
            return f"{parts.scheme.lower()}://{parts.netloc.lower()}{encoded}"
        return self.absolute(path)

    @cached_property
    def feed_form(self):
        """How the old site's feed made an entry's id: (field, with site url, with
        baseurl), field being "id" (post.id) or "url" (post.url). Read from the site's own
        feed template (feed.xml, atom.xml, rss.xml...: the <id> or <guid> of its loop over
        posts) when it has one; else jekyll-feed's ``{{ post.id | absolute_url }}``."""
        for name in FEED_TEMPLATES:
            path = self.folder / name
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            loop = re.search(r"\{%-?\s*for\s+(\w+)\s+in\s+(?:site\.posts|paginator\.posts)", text)
            if loop is None:
                continue
            variable = loop.group(1)
            entry = re.search(
                r"<(id|guid)\b[^>]*>(.*?)</\1>", text[loop.end() :], re.DOTALL | re.IGNORECASE
            )
            if entry is None:
                continue
            expression = entry.group(2)
            field_name = "id" if re.search(rf"\b{variable}\.id\b", expression) else "url"
            absolute = "absolute_url" in expression
            with_url = absolute or "site.url" in expression
            with_baseurl = absolute or "relative_url" in expression or "baseurl" in expression
            return field_name, with_url, with_baseurl
        return "id", True, True

    @cached_property
    def reserved(self):
        """posts.models.reserved_prefixes(), read once per import."""
        return reserved_prefixes()

    def _why_unusable(self, address):
        """Why (str) ``address`` cannot be a post's address here."""
        if len(address) > PERMALINK_MAX_LENGTH:
            return f"longer than {PERMALINK_MAX_LENGTH} characters"
        if is_permalink(address):
            return "the site uses its first segment itself"
        return "it holds a space, '%', '..' or another character addresses here leave out"

    def _usable(self, address):
        """Whether a post may keep ``address`` here: a safe path (posts.models.is_permalink)
        whose first segment the site does not use itself."""
        if not is_permalink(address) or len(address) > PERMALINK_MAX_LENGTH:
            return False
        return address.strip("/").split("/")[0] not in self.reserved

    def absolute(self, path):
        """Jekyll's absolute_url filter: site url + baseurl + path, percent-encoded where
        a URI needs it (Addressable's normalize), host lower-cased."""
        parts = urlsplit(self.url)
        full = self.baseurl + ("" if path.startswith("/") else "/") + path
        encoded = quote(unquote(full), safe="/-._~!$&'()*+,;=:@")
        return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}{encoded}"

    # One post's text ---------------------------------------------------------------------

    def prepare(self, source, metadata, body):
        """What the importer needs of one post of the site, once its front matter has the
        site's defaults (merged_metadata) and its Liquid is read (posts.liquid, by
        importing.read_post): the body with its links to the site's posts and files
        pointed to their addresses here, the post's address, old addresses and feed id.
        Raises jekyll.FrontMatterError."""
        if not source.address:
            self._address(source, metadata, {})
        body, warnings = self.rewrite_links(body, source, metadata)
        warnings = source.warnings + warnings
        metadata = dict(metadata)
        metadata["permalink"] = source.address
        return Prepared(
            metadata=metadata,
            body=body,
            warnings=warnings,
            address=source.address,
            old_addresses=source.old_addresses,
            feed_id=source.feed_id,
            fingerprint=self.fingerprint
            + json.dumps([source.address, source.old_addresses, body], default=str),
        )

    def liquid_site(self):
        """The ``site`` mapping Liquid reads: the config, with baseurl and url as Jekyll
        has them, and ``posts``: each post's SourcePost.liquid, newest first."""
        posts = sorted(
            (source.liquid for source in self.posts if source.kind == "posts" and source.liquid),
            key=lambda post: post["date"],
            reverse=True,
        )
        return {
            **self.config,
            **self.collections,
            "baseurl": self.baseurl,
            "url": self.url,
            "posts": posts,
        }

    @cached_property
    def collections(self):
        """{name: [document]} for each collection of _config.yml's ``collections`` but
        posts, as Liquid's ``site.NAME`` lists them: each document's front matter's text
        and numbers, and its ``url`` (the address Jekyll gave it, page_address; it is not
        imported), ``path`` and ``relative_path`` (``_name/…/x.md``), ``name``, ``slug``
        and ``collection``. An index post that lists a collection (lsieun.github.io's
        ``site.jekyll | where_exp: …``) links to where those pages were."""
        from .importing import PostImportError, has_front_matter, parse_post, read_post_file

        configured = self.config.get("collections")
        names = list(configured) if isinstance(configured, dict | list) else []
        found = {}
        for name in names:
            if not isinstance(name, str) or name == "posts" or not re.fullmatch(r"\w[\w-]*", name):
                continue
            folder = self.folder / f"_{name}"
            documents = []
            if folder.is_dir() and folder.resolve().is_relative_to(self.folder):
                for path in sorted(folder.rglob("*")):
                    relative = path.relative_to(self.folder).as_posix()
                    if not path.is_file() or path.suffix.lower() not in self.markdown_ext | {
                        ".html",
                        ".htm",
                    }:
                        continue
                    try:
                        text = read_post_file(path)
                        metadata = parse_post(text)[0] if has_front_matter(text) else {}
                    except (OSError, PostImportError, jekyll.FrontMatterError):
                        continue
                    document = {
                        key: value
                        for key, value in metadata.items()
                        if isinstance(value, str | int | float) and not isinstance(value, bool)
                    }
                    document.update(
                        url=self.page_address(relative) or "",
                        path=relative,
                        relative_path=relative,
                        name=path.name,
                        slug=str(metadata.get("slug") or path.stem),
                        collection=name,
                    )
                    document.setdefault("title", _slug_pretty_cased(path.stem))
                    documents.append(document)
            found[name] = documents
        return found

    def lookup_post(self, name):
        """{% post_url NAME %} (NAME as written: "2010-07-21-name" or
        "folder/2010-07-21-name"): the post's address here (str), or None when the site
        has no such post."""
        name = str(name).strip().strip("/")
        source = self.by_name.get(name) or self.by_name.get(name.rsplit("/", 1)[-1])
        return _link(source.address) if source else None

    def lookup_file(self, path):
        """{% link PATH %} (relative to the site folder): the address here (str) of the
        post in that file, or of the file's copy in media (copied now); None when it is
        neither (a page, say, which is not imported)."""
        path = unquote(str(path).strip().lstrip("/"))
        source = self.by_relative.get(path)
        if source is not None:
            return _link(source.address)
        target = self._site_file(path)
        if target is None:
            return None
        try:
            address = assets.copy_asset(target)
        except OSError:
            return None
        self.files_linked.add(target)
        return address

    def page_address(self, path):
        """The address (str, without baseurl, as Jekyll's ``url``) Jekyll gave the page or
        collection document in the file at ``path`` (relative to the site folder), which
        the importer does not bring over; None when there is no such Markdown or HTML
        file, or its collection is not output.

        Jekyll 4's rules: a document of a collection (``_docs/x.md``) takes its front
        matter's ``permalink``, else its collection's (``collections.NAME.permalink``,
        by default ``/:collection/:path:output_ext``; Jekyll::Document#url_template); a
        page takes its ``permalink``, else ``/:path/`` for an index and
        ``/:path/:basename`` with the suffix the site's permalink style gives pages
        (Jekyll::Page#template, Utils.add_permalink_suffix)."""
        from .importing import PostImportError, has_front_matter, parse_post, read_post_file

        relative = unquote(str(path)).strip().strip("/")
        parts = relative.split("/")
        if not relative or any(part in ("", ".", "..") for part in parts):
            return None
        file = self.folder.joinpath(*parts)
        suffix = file.suffix.lower()
        if suffix not in self.markdown_ext | {".html", ".htm"}:
            return None
        try:
            if not file.resolve().is_relative_to(self.folder) or not file.is_file():
                return None
            text = read_post_file(file)
            metadata = parse_post(text)[0] if has_front_matter(text) else {}
        except (OSError, PostImportError, jekyll.FrontMatterError):
            return None
        stem = file.stem
        collections = self.config.get("collections")
        collection = parts[0][1:] if parts[0].startswith("_") and len(parts) > 1 else None
        if collection is not None:
            settings = collections.get(collection) if isinstance(collections, dict) else None
            if not isinstance(settings, dict) or not settings.get("output"):
                return None
            template = settings.get("permalink") or "/:collection/:path:output_ext"
            template = STYLES.get(template, template)
        elif stem == "index":
            template = "/:path/"
        else:
            style = self.permalink_style
            if style == "pretty" or (style not in STYLES and style.endswith("/")):
                suffix_template = "/"
            elif style in STYLES or style.endswith(":output_ext"):
                suffix_template = ":output_ext"
            else:
                suffix_template = ""
            template = "/:path/:basename" + suffix_template
        if metadata.get("permalink") not in (None, ""):
            template = str(metadata["permalink"])
        inside = "/".join(parts[1:] if collection else parts[:-1])
        slug = str(metadata.get("slug") or stem)
        values = {
            "collection": collection or "",
            "path": "/".join(parts[1:])[: -len(file.suffix)] if collection else inside,
            "basename": stem,
            "name": _slug_default(stem),
            "title": _slug_pretty_cased(slug),
            "slug": _slug_default(slug),
            "output_ext": ".html",
        }

        def fill(found):
            return quote(values.get(found.group(1), found.group(0)), safe="/-._~!$&'()+,;=@")

        return sanitize_url(PLACEHOLDER.sub(fill, template))

    def _site_file(self, relative):
        """The site's file (Path) at ``relative`` (decoded, "/"-separated), or None: a
        file inside the site folder that Jekyll copies (not in a skipped or excluded
        folder) and that is not a post or a Markdown page."""
        relative = relative.strip("/")
        if not relative or "\x00" in relative:
            return None
        parts = relative.split("/")
        if any(part in ("", ".", "..") or part.startswith((".", "_", "#")) for part in parts):
            return None
        if self._excluded(relative):
            return None
        path = self.folder.joinpath(*parts)
        try:
            resolved = path.resolve()
            resolved.relative_to(self.folder)
        except (OSError, ValueError):
            return None  # a link pointing out of the site (a symbolic link, say)
        if not resolved.is_file() or resolved.suffix.lower() in self.markdown_ext:
            return None
        try:
            with resolved.open("rb") as opened:
                if FRONT_MATTER_START.match(opened.read(5)):
                    # A page, whatever its extension: Jekyll renders a file that opens
                    # with front matter (Utils.has_yaml_header?) and copies the others.
                    return None
        except OSError:
            return None
        return resolved

    def rewrite_links(self, body, source, metadata=None):
        """``body`` (str) with each link to a post of the site pointed at its address
        here and each link to one of the site's files (images, PDFs...) pointed at its
        copy in media (posts.assets); code is left alone. A relative link is read
        against the folder of the post's old address, or first against the front
        matter's ``media_subpath`` (Chirpy; ``img_path`` before Chirpy 7), where such
        themes look for a post's images; last against the site's root, where Chirpy
        reads it when a post has no ``media_subpath`` (its ``media-url.html`` joins the
        empty subpath, "/" and the link). Returns (body, warnings)."""
        warnings = []
        page_dir = self.baseurl + source.jekyll_url
        if not page_dir.endswith("/"):
            page_dir = posixpath.dirname(page_dir) + "/"
        bases = [page_dir]
        for key in ("media_subpath", "img_path"):
            subpath = (metadata or {}).get(key)
            if isinstance(subpath, str) and subpath.strip() and "://" not in subpath:
                bases.insert(0, "/" + subpath.strip().strip("/") + "/")
                break
        else:
            bases.append("/")

        def target(url):
            link = url[1:-1] if url.startswith("<") and url.endswith(">") else url
            new = self._rewrite(link, bases, source, warnings)
            if new is None or new == link:
                return url
            return f"<{new}>" if url.startswith("<") else new

        def rewrite(text):
            text = INLINE_LINK.sub(lambda m: m.group(1) + target(m.group(2)), text)
            text = REFERENCE.sub(lambda m: m.group(1) + target(m.group(2)), text)

            def attribute(match):
                quoted = match.group(2)
                new = target(quoted[1:-1])
                return match.group(1) + quoted[0] + new + quoted[0]

            return HTML_ATTRIBUTE.sub(attribute, text)

        pieces, position = [], 0
        for code in CODE.finditer(body):
            pieces.append(rewrite(body[position : code.start()]))
            pieces.append(code.group(0))
            position = code.end()
        pieces.append(rewrite(body[position:]))
        return "".join(pieces), warnings

    def _rewrite(self, link, bases, source, warnings):
        """The new address (str) of one link, or None to leave it."""
        if not link or link.startswith(("#", "mailto:", "data:", "tel:", "javascript:")):
            return None
        if link.startswith(assets.media_url(assets.FOLDER + "/")):
            return None  # a copy already made ({% link %})
        parts = urlsplit(link)
        if parts.scheme or parts.netloc:
            if not self.url:
                return None
            site = urlsplit(self.url)
            if parts.netloc.lower() != site.netloc.lower():
                return None
            path = parts.path
        else:
            path = parts.path
        if not path:
            return None
        paths = [path]
        if not path.startswith("/"):
            trailing = "/" if path.endswith("/") else ""
            paths = [posixpath.normpath(posixpath.join(base, path)) + trailing for base in bases]
        suffix = (f"?{parts.query}" if parts.query else "") + (
            f"#{parts.fragment}" if parts.fragment else ""
        )
        candidates = []
        for decoded in map(unquote, paths):
            if self.baseurl and (decoded == self.baseurl or decoded.startswith(self.baseurl + "/")):
                candidates.append(decoded[len(self.baseurl) :] or "/")
            candidates.append(decoded)
        for candidate in candidates:
            if candidate in ("/", "/index.html"):
                return reverse("pages:list") + suffix  # the old home page: this one
            for form in self._url_forms(candidate):
                if form in self.by_url:
                    return _link(self.by_url[form]) + suffix
            file = self._site_file(candidate)
            if file is not None:
                try:
                    address = assets.copy_asset(file)
                except OSError as error:
                    warnings.append(f"file {candidate} could not be copied ({error})")
                    return None
                self.files_linked.add(file)
                return address + suffix
        if not parts.scheme and not parts.netloc and link.startswith(("/", "./", "../")):
            warnings.append(f"link to {link}: no post or file of the site is there")
        return None

    @staticmethod
    def _url_forms(path):
        """The forms a link to a post may take: as written, with or without the
        trailing slash, /index.html, or .html."""
        forms = [path]
        if path.endswith("/index.html"):
            forms.append(path[: -len("index.html")])
        if path.endswith("/"):
            forms += [path.rstrip("/"), path.rstrip("/") + ".html"]
        else:
            forms += [path + "/", path + ".html"]
            if path.endswith(".html"):
                forms.append(path[: -len(".html")])
        return forms
