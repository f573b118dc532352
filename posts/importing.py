"""Importing Jekyll-style Markdown files (YAML front matter + body) as posts."""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

import frontmatter
import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .models import Category, Post, normalize_permalink

KNOWN_KEYS = {"title", "description", "categories", "permalink", "comments", "use_math", "date"}
# Keys that only meant something to Jekyll's theme: accepted without a warning.
IGNORED_KEYS = {"layout"}

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


class PostImportError(Exception):
    """A file that cannot be imported; the message names the problem."""


@dataclass
class ImportResult:
    post: Post
    action: str  # "created", "updated" or "unchanged"
    warnings: list[str] = field(default_factory=list)


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
    """Read a file's text, or raise PostImportError saying why it cannot be read."""
    try:
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


def parse_post(text):
    """Split front matter from body and check it; return (metadata, body, warnings)."""
    if not text.lstrip().startswith("---"):
        raise PostImportError("has no YAML front matter (it must start with a '---' line)")
    try:
        metadata, body = frontmatter.parse(text)
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise PostImportError(f"has invalid YAML front matter{where}: {problem}") from None
    except ValueError as error:  # YAML reads 'date: 2020-13-45' as a date, then fails
        raise PostImportError(f"has an invalid date in its front matter: {error}") from None
    if not metadata:
        raise PostImportError("has no YAML front matter (it must start with a '---' line)")
    if not isinstance(metadata, dict):
        raise PostImportError("has front matter that is not a mapping of keys to values")
    title = metadata.get("title")
    if not isinstance(title, str) or not title.strip():
        raise PostImportError("has no title in its front matter")
    warnings = [
        f"unknown front matter key '{key}' ignored"
        for key in metadata
        if key not in KNOWN_KEYS | IGNORED_KEYS
    ]
    return metadata, body, warnings


def import_post(path):
    """Create or update (matched by permalink) the post in a Markdown file."""
    text = repair_mojibake(read_post_file(path))
    metadata, body, warnings = parse_post(text)
    title = metadata["title"].strip()
    permalink = normalize_permalink(str(metadata.get("permalink") or slugify(title)))
    categories = metadata.get("categories") or []
    if isinstance(categories, str):
        categories = categories.split()
    if not isinstance(categories, list):
        raise PostImportError("has 'categories' that is neither a list nor a string")

    with transaction.atomic():
        post = Post.objects.filter(permalink=permalink).first()
        created = post is None
        if created:
            post = Post(permalink=permalink, slug=_unique_slug(title), status=Post.Status.PUBLISHED)
        before = None if created else _snapshot(post)
        post.title = title
        post.description = str(metadata.get("description") or "")[:300]
        post.body = body.strip() + "\n"
        post.allow_comments = _flag(metadata, "comments", default=True)
        post.use_math = _flag(metadata, "use_math", default=False)
        if "date" in metadata:
            post.published_at = _datetime(metadata["date"])
        try:
            post.full_clean(exclude=None if created else ["slug"])
        except ValidationError as error:
            raise PostImportError(_first_message(error)) from None
        category_objects = [_category(str(name)) for name in categories]
        if before is not None and before == _snapshot(post, category_objects):
            return ImportResult(post=post, action="unchanged", warnings=warnings)
        post.save()
        post.categories.set(category_objects)
    return ImportResult(post=post, action="created" if created else "updated", warnings=warnings)


def _snapshot(post, categories=None):
    """What an import can change, to leave an unchanged post untouched (idempotent)."""
    if categories is None:
        categories = post.categories.all()
    return (
        post.title,
        post.description,
        post.body,
        post.allow_comments,
        post.use_math,
        post.published_at,
        sorted(category.pk for category in categories),
    )


def _flag(metadata, key, *, default):
    value = metadata.get(key, default)
    if isinstance(value, bool):
        return value
    raise PostImportError(f"has '{key}: {value}', which should be true or false")


def _datetime(value):
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time())
    else:
        raise PostImportError(f"has 'date: {value}', which is not a date such as 2020-05-01")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return moment


def _category(name):
    slug = slugify(name)
    if not slug:
        raise PostImportError(f"has a category name without letters or digits: {name!r}")
    category, _ = Category.objects.get_or_create(slug=slug, defaults={"name": name.strip()})
    return category


def _unique_slug(title):
    base = slugify(title)[:190] or "post"
    slug, number = base, 2
    while Post.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _first_message(error):
    for field_name, messages in error.message_dict.items():
        return f"has an invalid {field_name}: {messages[0]}"
    return str(error)
