"""What a Jekyll post's file name and front matter mean, read the way Jekyll reads them.

Sources: Jekyll's documentation (Front Matter, Posts, Permalinks) and its behaviour:
``Document#merge_date!`` turns any ``date`` into a string and reads it with Ruby's
``Time.parse``; a file named ``YYYY-MM-DD-title.md`` takes its date and ``:title``
from the name; ``published: false`` leaves a post out of the site.
"""

import calendar
import contextlib
import contextvars
import datetime
import re
from pathlib import Path

from django.utils import timezone
from django.utils.text import slugify

from core.dates import OutOfRange, storable

from . import rubytime

# Jekyll's post file name: "2021-06-15-my-post.md" (Jekyll's Document::DATE_FILENAME_MATCHER).
DATED_FILE_NAME = re.compile(r"^(?P<date>\d{2,4}-\d{1,2}-\d{1,2})-(?P<name>.+)$")
# Jekyll's permalink placeholders (docs: Permalinks), longest first so ":short_year"
# is not read as ":short" followed by "_year".
PLACEHOLDERS = (
    "slugified_categories", "short_month", "long_month", "short_year", "categories",
    "output_ext", "collection", "short_day", "long_day", "i_month", "w_year", "minute",
    "second", "i_day", "month", "title", "w_day", "y_day", "year", "week", "hour", "slug",
    "name", "day",
)  # fmt: skip
PLACEHOLDER = re.compile(":(" + "|".join(PLACEHOLDERS) + r")|:([a-z_]+)")
DATE_PLACEHOLDERS = set(PLACEHOLDERS) - {
    "title", "slug", "name", "categories", "slugified_categories", "output_ext", "collection",
}  # fmt: skip


# The time zone a Jekyll site's dates are read in (its _config.yml's timezone), while
# posts of that site are imported (in_site_zone); otherwise the site's own TIME_ZONE.
_SITE_ZONE = contextvars.ContextVar("jekyll_site_zone", default=None)


def site_zone():
    """The zone (tzinfo) a date without an offset is read in: the Jekyll site's being
    imported (in_site_zone), else settings.TIME_ZONE."""
    return _SITE_ZONE.get() or timezone.get_default_timezone()


@contextlib.contextmanager
def in_site_zone(zone):
    """Read dates without an offset in ``zone`` (tzinfo) inside the block, as Jekyll
    reads them in its site's ``timezone`` (docs: Configuration options)."""
    token = _SITE_ZONE.set(zone)
    try:
        yield
    finally:
        _SITE_ZONE.reset(token)


class FrontMatterError(ValueError):
    """Front matter that cannot be read; the message says why, in one line."""


def parse_date(value, *, key="date"):
    """The instant (an aware datetime) a front matter date means, as Jekyll reads it.

    ``value`` is what YAML made of it:

    * a YAML timestamp (datetime): with an offset, that instant; without one, UTC
      (YAML 1.1's rule, which Ruby's Psych follows);
    * a YAML date: midnight in the site's time zone (settings.TIME_ZONE), as Jekyll
      reads it in its own;
    * anything else as text, read as liberally as Ruby's ``Time.parse``: the documented
      ``YYYY-MM-DD HH:MM:SS +/-TTTT`` with any part after the day left out (which YAML
      does not take for a timestamp), ``T`` or a space, ``Z``, ``+05:30``, ``+0530``,
      zone names such as UTC, GMT or EST, RFC 2822 ("Tue, 15 Jun 2021 09:30:00 +0000")
      and written-out dates ("June 15, 2021"). Without an offset: the site's time zone.

    Raises FrontMatterError for text that is not a whole date (year, month and day), or
    for a date the site cannot keep (core.dates.storable).
    """
    moment = _moment(value, key=key)
    try:
        return storable(moment)
    except OutOfRange as error:
        raise FrontMatterError(f"has '{key}: {value}', which is not a date: {error}") from None


def _moment(value, *, key):
    """What parse_date reads ``value`` as: an aware datetime, in any zone."""
    if isinstance(value, datetime.datetime):
        moment = value
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=datetime.UTC)
        return moment
    if isinstance(value, datetime.date):
        return _midnight(value)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FrontMatterError(_not_a_date(key, value))
    return _ruby_time(str(value).strip(), value, key=key)


def _ruby_time(text, value, *, key):
    """Ruby's ``Time.parse(text)`` (posts.rubytime), in the site's time zone when the
    text names no zone Ruby knows; FrontMatterError where Ruby raises ArgumentError,
    and for a date without a year or with a day its month does not have."""
    parts = rubytime.parse(text)
    if parts is None:
        raise FrontMatterError(_not_a_date(key, value))
    if parts.year is None:
        raise FrontMatterError(
            f"has '{key}: {value}', which names no year (Jekyll would take the year it is built in)"
        )
    try:
        if parts.year_day is not None:
            if not 1 <= parts.year_day <= (366 if calendar.isleap(parts.year) else 365):
                raise ValueError(f"day {parts.year_day} is not a day of {parts.year}")
            day = datetime.date(parts.year, 1, 1) + datetime.timedelta(days=parts.year_day - 1)
        else:
            day = datetime.date(parts.year, parts.month or 1, parts.day or 1)
        hour, minute, second = parts.hour or 0, parts.minute or 0, parts.second or 0
        # Ruby takes 24:00:00 for the next midnight and a leap second 60 as the next minute.
        extra = datetime.timedelta(hours=24 if hour == 24 else 0, seconds=1 if second == 60 else 0)
        if hour > 24 or (hour == 24 and (minute or second)) or minute > 59 or second > 60:
            raise ValueError(f"{hour}:{minute:02d}:{second:02d} is not a time of day")
        moment = (
            datetime.datetime.combine(
                day,
                datetime.time(hour % 24, minute, min(second, 59), parts.microsecond or 0),
            )
            + extra
        )
    except (ValueError, OverflowError) as error:
        raise FrontMatterError(f"has '{key}: {value}', which is not a date: {error}") from None
    offset = parts.offset_seconds
    if offset is None:
        return timezone.make_aware(moment, site_zone())
    if abs(offset) >= 86400:  # Ruby: "utc_offset out of range"
        raise FrontMatterError(_not_a_date(key, value))
    return moment.replace(tzinfo=datetime.timezone(datetime.timedelta(seconds=offset)))


def _not_a_date(key, value):
    return (
        f"has '{key}: {value}', which is not a date such as 2021-06-15 or 2021-06-15 09:30:00 +0530"
    )


def _midnight(day):
    moment = datetime.datetime.combine(day, datetime.time())
    return timezone.make_aware(moment, site_zone())


def file_name_parts(path):
    """(date or None, name) from a post's file name, as Jekyll splits it.

    "2021-06-15-my-post.md" gives midnight of 15 June 2021 in the site's time zone and
    "my-post"; "my-post.md" gives None and "my-post". An impossible date in the name
    ("2021-02-30-x.md"), or one the site cannot keep ("9999-12-31-x.md" east of UTC),
    is not a date, and the whole stem is the name.
    """
    stem = Path(path).stem
    match = DATED_FILE_NAME.match(stem)
    if match:
        try:
            day = datetime.date(*map(int, match.group("date").split("-")))
            return storable(_midnight(day)), match.group("name")
        except ValueError:  # OutOfRange too: a day the site cannot keep is no date
            return None, stem
    return None, stem


def titleize(name):
    """Jekyll's title for a post without one: its file name's words, capitalised."""
    return " ".join(word.capitalize() for word in re.split(r"[-_\s]+", name) if word)


def expand_permalink(template, *, date, title, categories):
    """A permalink with Jekyll's placeholders filled in (docs: Permalinks).

    ``date`` (aware datetime or None) gives :year, :month, :day and the rest, in the
    site's time zone; ``title`` is the post's :title and :slug (its file name's slug, or
    its ``slug`` key); ``categories`` (list of str) gives :categories, one path segment
    each, lower-cased as Jekyll does; :output_ext is empty, since every address here
    ends with "/". Raises FrontMatterError for a placeholder Jekyll does not define,
    or a date placeholder on a post without a date.
    """
    local = timezone.localtime(date) if date else None
    segments = [slugify(name) for name in categories]

    def value(name):
        if name in DATE_PLACEHOLDERS and local is None:
            raise FrontMatterError(
                f"has a permalink with :{name}, but no date (front matter or file name)"
            )
        iso_year, iso_week, iso_day = local.isocalendar() if local else (0, 0, 0)
        values = {
            "title": title,
            "slug": title,
            "name": title,
            "categories": "/".join(segments),
            "slugified_categories": "/".join(segments),
            "output_ext": "",
            "collection": "posts",
        }
        if local is not None:
            values |= {
                "year": f"{local.year:04d}",
                "short_year": f"{local.year % 100:02d}",
                "month": f"{local.month:02d}",
                "i_month": str(local.month),
                # Names lower-cased: addresses here are lower-case.
                "short_month": local.strftime("%b").lower(),
                "long_month": local.strftime("%B").lower(),
                "day": f"{local.day:02d}",
                "i_day": str(local.day),
                "y_day": f"{local.timetuple().tm_yday:03d}",
                "w_year": str(iso_year),
                "week": f"{iso_week:02d}",
                "w_day": str(iso_day),
                "short_day": local.strftime("%a").lower(),
                "long_day": local.strftime("%A").lower(),
                "hour": f"{local.hour:02d}",
                "minute": f"{local.minute:02d}",
                "second": f"{local.second:02d}",
            }
        return values[name]

    def replace(match):
        if match.group(2):
            raise FrontMatterError(
                f"has a permalink with :{match.group(2)}, which is not one of Jekyll's placeholders"
            )
        return value(match.group(1))

    path = PLACEHOLDER.sub(replace, str(template))
    # Jekyll drops the empty segments an empty :categories leaves ("//" becomes "/").
    return re.sub(r"/{2,}", "/", path)


def author_name(metadata, site=None):
    """The author's name (str, "" for none), as jekyll-seo-tag finds it: the post's
    ``author`` (or ``authors``), else the site's ``author``; a name, a mapping with a
    ``name`` (or ``login``), or a list of either, whose first counts."""
    site = site or {}
    for value in (metadata.get("author"), metadata.get("authors"), site.get("author")):
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, dict):
            value = value.get("name") or value.get("login")
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            name = " ".join(str(value).split())
            if name:
                return name
    return ""


def image_path(metadata):
    """The front matter's image as written (str, "" for none): ``image`` as a path or
    URL, or jekyll-seo-tag's mapping's ``path`` (``url`` too); a relative path is in the
    post's ``media_subpath`` (Chirpy; ``img_path`` before Chirpy 7) when it has one."""
    value = metadata.get("image")
    if isinstance(value, dict):
        value = value.get("path") or value.get("url")
    if not isinstance(value, str) or not value.strip():
        return ""
    value = value.strip()
    folder = metadata.get("media_subpath") or metadata.get("img_path")
    if isinstance(folder, str) and folder.strip() and not re.match(r"^(?:[a-z]+:|/)", value):
        value = folder.strip().rstrip("/") + "/" + value
    return value


TRUE_WORDS = {"true", "yes", "on"}
FALSE_WORDS = {"false", "no", "off", ""}


def switched_on(value, *, key):
    """Whether a front matter switch such as ``mathjax`` (bool, or "true"/"yes"/"on",
    "false"/"no"/"off") is on; a mapping or list (a theme's settings, such as
    ``math: {engine: katex}``) is on, as Liquid's ``if`` takes it. Raises
    FrontMatterError for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, dict | list):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise FrontMatterError(f"has '{key}: {value}', which should be true or false")
