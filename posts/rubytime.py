"""Dates written as text, read the way Jekyll reads them: with Ruby's ``Time.parse``.

Jekyll reads a front matter date it gets as text with ``Utils.parse_date``, which is
``Time.parse(input).localtime``. ``Time.parse`` (Ruby's lib/time.rb) takes its parts
from ``Date._parse`` (ext/date/date_parse.c) and its offset from ``Time.zone_offset``.
This module follows both, for every form they read, checked against Ruby 3.1:

* ``Date._parse`` first takes a weekday name, then a time (``09:30``, ``09:30:00.25``,
  ``9am``, ``18h30``, with ``am``/``pm``) and the zone written right after it, then
  the date by the first of its patterns that matches: ``29 Jan 2023``, ``Jan 29, 2023``,
  ``2023-01-29`` (ISO), ``H27.01.29`` (Japanese eras), ``29-Jan-2023``, slashes
  (``2023/01/29``, ``29/01/2023``), dots (``29.01.2023``), ordinal days (``2023-029``),
  ``Jan 2023``, ``29th``, and digits alone (``20230129``, ``20230129T183022``). Whatever
  else the text holds is ignored: in ``2023-01-29 18:30:22 2023 -0800`` (a Jekyll
  release note) the stray year parts the zone from the time, so Ruby reads no zone.
* ``s3e`` decides which of three numbers is the year, month and day: a number of more
  than two digits (or with a "'") is the year; a two-digit year is 19xx from 69, else
  20xx.
* ``Time.zone_offset`` knows ``+hh:mm``, ``+hhmm``, ``+hh`` (two digits), ``Z``, ``UTC``,
  ``UT``, ``GMT``, the North American names (EST, EDT, CST, CDT, MST, MDT, PST, PDT) and
  military letters; any other zone (``CEST``, ``IST``, ``UTC+8``, ``+8``) leaves the
  time in the local zone, which for Jekyll is its ``timezone``, here the site's.

Two differences, on purpose: a date without a year is refused (Ruby takes the year of
the build, so the post's date would change every year), and a day the month does not
have ("2021-02-30") is refused rather than rolled into the next month.
"""

import re
from dataclasses import dataclass

MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
MONTH_NUMBER = {name: number for number, name in enumerate(MONTHS.split("|"), start=1)}
BC = r"(c(?:e|\.e\.)|b(?:ce|\.c\.e\.)|a(?:d|\.d\.)|b(?:c|\.c\.))?"

NOT_KEPT = re.compile(r"[^-+',./:@\w\[\]]+|_+")
WEEKDAY = re.compile(r"\b(sun|mon|tue|wed|thu|fri|sat)[^-/\d\s]*", re.IGNORECASE)
TIME = re.compile(
    r"("
    r"(?:\d+\s*:\s*\d+(?:\s*:\s*\d+(?:[,.]\d*)?)?|\d+\s*h(?:\s*\d+m?(?:\s*\d+s?)?)?)"
    r"(?:\s*[ap](?:m\b|\.m\.))?"
    r"|\d+\s*[ap](?:m\b|\.m\.)"
    r")"
    r"(?:\s*("
    r"(?:gmt|utc?)?[-+]\d+(?:[,.:]\d+(?::\d+)?)?"
    r"|(?:[^\W\d_]|[.\s])+?(?:standard|daylight)\stime\b"
    r"|[^\W\d_]+(?:\sdst)?\b"
    r"))?",
    re.IGNORECASE,
)
TIME_PARTS = re.compile(
    r"\A(\d+)h?(?:\s*:?\s*(\d+)m?(?:\s*:?\s*(\d+)(?:[,.](\d+))?s?)?)?(?:\s*([ap])(?:m\b|\.m\.))?",
    re.IGNORECASE,
)
EU = re.compile(
    rf"('?\d+)[^-\d\s']*\s*({MONTHS})[^-\d\s']*"
    rf"(?:\s*(?:\s*{BC}\s*('?-?\d+(?:(?:st|nd|rd|th)\b)?)))?",
    re.IGNORECASE,
)
US = re.compile(
    rf"\b({MONTHS})[^-\d\s']*\s*('?\d+)[^-\d\s']*(?:\s*,?\s*{BC}\s*('?-?\d+))?",
    re.IGNORECASE,
)
ISO = re.compile(r"('?[-+]?\d+)-(\d+)-('?-?\d+)")
JIS = re.compile(r"\b([mtshr])(\d+)\.(\d+)\.(\d+)", re.IGNORECASE)
JIS_ERAS = {"m": 1867, "t": 1911, "s": 1925, "h": 1988, "r": 2018}
VMS_DAY_FIRST = re.compile(rf"('?-?\d+)-({MONTHS})[^-/.]*-('?-?\d+)", re.IGNORECASE)
VMS_MONTH_FIRST = re.compile(rf"\b({MONTHS})[^-/.]*-('?-?\d+)(?:-('?-?\d+))?", re.IGNORECASE)
SLASHES = re.compile(r"('?-?\d+)/\s*('?\d+)(?:\D\s*('?-?\d+))?")
DOTS = re.compile(r"('?-?\d+)\.\s*('?\d+)\.\s*('?-?\d+)")
ORDINAL_GUARD = re.compile(r"[,.](\d{2}|\d{4})-\d{3}\b")
ORDINAL = re.compile(r"\b(\d{2}|\d{4})-(\d{3})\b")
MONTH_DAY = re.compile(r"--(\d{2})?-(\d{2})\b")
QUOTED_YEAR = re.compile(r"'(\d+)\b")
MONTH_ALONE = re.compile(rf"\b({MONTHS})\S*", re.IGNORECASE)
ORDINAL_DAY = re.compile(r"(\d+)(st|nd|rd|th)\b", re.IGNORECASE)
DIGITS = re.compile(
    r"([-+]?)(\d{2,14})(?:\s*t?\s*(\d{2,6})?(?:[,.](\d*))?)?"
    r"(?:\s*(z\b|[-+]\d{1,4}\b|\[[-+]?\d[^\]]*\]))?",
    re.IGNORECASE,
)
FRAGMENT = re.compile(r"\A\s*(\d{1,2})\s*\Z")

# Time.zone_offset's table (lib/time.rb, ZoneOffset), in hours, and its two numeric forms.
ZONE_OFFSETS = {
    "UTC": 0, "Z": 0, "UT": 0, "GMT": 0,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    **{letter: hours for letter, hours in zip("ABCDEFGHI", range(1, 10), strict=True)},
    "K": 10, "L": 11, "M": 12,
    **{letter: -hours for letter, hours in zip("NOPQRSTUVWXY", range(1, 13), strict=True)},
}  # fmt: skip
NUMERIC_ZONE = re.compile(r"\A([+-])(\d\d)(:?)(\d\d)(?:\3(\d\d))?\Z")
HOURS_ZONE = re.compile(r"\A[+-]\d\d\Z")
MAX_LENGTH = 128


@dataclass
class Parts:
    """What Ruby's Date._parse found (each None when absent)."""

    year: int | None = None
    month: int | None = None
    day: int | None = None
    year_day: int | None = None
    hour: int | None = None
    minute: int | None = None
    second: int | None = None
    microsecond: int | None = None
    zone: str | None = None
    two_digit_year: bool = True  # "_comp": a 0..99 year is completed to 19xx/20xx

    @property
    def offset_seconds(self):
        """Time.zone_offset of the zone: seconds east of UTC, or None (local time)."""
        if self.zone is None:
            return None
        zone = self.zone.upper()
        numeric = NUMERIC_ZONE.match(zone)
        if numeric:
            sign = -1 if numeric[1] == "-" else 1
            return sign * (int(numeric[2]) * 3600 + int(numeric[4]) * 60 + int(numeric[5] or 0))
        if HOURS_ZONE.match(zone):
            return int(zone) * 3600
        if zone in ZONE_OFFSETS:
            return ZONE_OFFSETS[zone] * 3600
        return None


def parse(text):
    """Parts (the fields Ruby's ``Date._parse(text, true)`` sets) of ``text`` (str), or
    None when it holds no date or time at all (Time.parse's ArgumentError)."""
    if len(text) > MAX_LENGTH:  # Date._parse's limit (date 3.2.1, Ruby 3.0.3 on)
        return None
    text = NOT_KEPT.sub(" ", text)
    parts = Parts()
    text = _take(WEEKDAY, text, lambda match: None)
    text = _take(TIME, text, lambda match: _time(parts, match))
    for pattern, read in (
        (EU, lambda m: _s3e(parts, m[4], str(MONTH_NUMBER[m[2][:3].lower()]), m[1])),
        (US, lambda m: _s3e(parts, m[4], str(MONTH_NUMBER[m[1][:3].lower()]), m[2])),
        (ISO, lambda m: _s3e(parts, m[1], m[2], m[3])),
        (JIS, lambda m: _jis(parts, m)),
        (VMS_DAY_FIRST, lambda m: _s3e(parts, m[3], str(MONTH_NUMBER[m[2][:3].lower()]), m[1])),
        (VMS_MONTH_FIRST, lambda m: _s3e(parts, m[3], str(MONTH_NUMBER[m[1][:3].lower()]), m[2])),
        (SLASHES, lambda m: _s3e(parts, m[1], m[2], m[3])),
        (DOTS, lambda m: _s3e(parts, m[1], m[2], m[3])),
        (MONTH_DAY, lambda m: _month_day(parts, m)),
        (ORDINAL, lambda m, rest=text: _ordinal(parts, m, rest)),
        (QUOTED_YEAR, lambda m: setattr(parts, "year", int(m[1]))),
        (MONTH_ALONE, lambda m: setattr(parts, "month", MONTH_NUMBER[m[1][:3].lower()])),
        (ORDINAL_DAY, lambda m: setattr(parts, "day", int(m[1]))),
        (DIGITS, lambda m: _digits(parts, m)),
    ):
        match = pattern.search(text)
        if match and read(match) is not False:
            text = text[: match.start()] + " " * len(match[0]) + text[match.end() :]
            break
    fragment = FRAGMENT.match(text)
    if fragment:  # a lone number: the day beside a time, or the hour beside a day
        if parts.hour is not None and parts.day is None:
            parts.day = int(fragment[1])
        elif parts.day is not None and parts.hour is None:
            parts.hour = int(fragment[1])
    if parts.two_digit_year and parts.year is not None and 0 <= parts.year <= 99:
        parts.year += 1900 if parts.year >= 69 else 2000
    fields = (parts.year, parts.month, parts.day, parts.year_day, parts.hour, parts.minute)
    if all(value is None for value in (*fields, parts.second)):
        return None
    return parts


def _take(pattern, text, read):
    match = pattern.search(text)
    if match is None:
        return text
    read(match)
    return text[: match.start()] + " " * len(match[0]) + text[match.end() :]


def _time(parts, match):
    pieces = TIME_PARTS.match(match[1])
    hour = int(pieces[1])
    if pieces[5]:
        hour = hour % 12 + (12 if pieces[5].lower() == "p" else 0)
    parts.hour = hour
    parts.minute = int(pieces[2]) if pieces[2] else None
    parts.second = int(pieces[3]) if pieces[3] else None
    if pieces[4]:
        parts.microsecond = int(pieces[4][:6].ljust(6, "0"))
    if match[2]:
        parts.zone = match[2]


def _jis(parts, match):
    parts.year = JIS_ERAS[match[1].lower()] + int(match[2])
    parts.month, parts.day = int(match[3]), int(match[4])
    parts.two_digit_year = False


def _month_day(parts, match):
    parts.month = int(match[1]) if match[1] else None
    parts.day = int(match[2])


def _ordinal(parts, match, text):
    if ORDINAL_GUARD.search(text):
        return False
    parts.year, parts.year_day = int(match[1]), int(match[2])
    if len(match[1]) > 2:
        parts.two_digit_year = False
    return True


def _digits(parts, match):
    """date_parse.c's parse_ddd, for the forms a date takes: dd, mmdd, yymmdd, yyyymmdd,
    yymmddhhmm(ss), yyyymmddhhmm(ss), then an optional time (hh, hhmm, hhmmss) and zone."""
    sign, digits, time, fraction, zone = match.groups()
    if time is None and fraction is not None:
        return False  # seconds with a fraction and no date: not a form a date takes
    if len(digits) in {3, 5, 7}:  # ddd, yyddd, yyyyddd: a day of the year
        year, year_day = digits[:-3], int(digits[-3:])
        parts.year_day = year_day
        if year:
            parts.year = -int(year) if sign == "-" else int(year)
            parts.two_digit_year = len(year) == 2 and not sign
        return True
    widths = {
        2: ("day",), 4: ("month", "day"), 6: ("year", "month", "day"),
        8: ("year4", "month", "day"), 10: ("month", "day", "hour", "minute"),
        12: ("year", "month", "day", "hour", "minute", "second"),
        14: ("year4", "month", "day", "hour", "minute", "second"),
    }  # fmt: skip
    if len(digits) not in widths:
        return False
    position = 0
    for name in widths[len(digits)]:
        width = 4 if name == "year4" else 2
        value = int(digits[position : position + width])
        position += width
        if name.startswith("year"):
            parts.year = -value if sign == "-" else value
            parts.two_digit_year = width == 2 and not sign
        else:
            setattr(parts, name, value)
    if time:
        for index, name in enumerate(("hour", "minute", "second")[: len(time) // 2]):
            setattr(parts, name, int(time[index * 2 : index * 2 + 2]))
        if fraction:
            parts.microsecond = int(fraction[:6].ljust(6, "0"))
    if zone:
        parts.zone = zone.strip("[]").split(":")[-1] if zone.startswith("[") else zone
    return True


def _s3e(parts, year, month, day):
    """date_parse.c's s3e: which of three numbers (str or None) is the year, the month
    and the day; a year with more than two digits, or a sign, is not completed."""
    if year is not None and month is not None and day is None:
        year, month, day = day, year, month
    if year is None:
        if day is not None and len(day) > 2:
            year, day = day, None
        if day is not None and day.startswith("'"):
            year, day = day, None
    if year is not None:
        digits = re.search(r"[-+]?\d+", year)
        if digits and digits.end() < len(year):  # "15th": a day, not a year
            year, day = day, year[digits.start() :]
    if month is not None and (month.startswith("'") or len(month) > 2):
        year, month, day = month, day, year  # "us -> be"
    if day is not None and (day.startswith("'") or len(day) > 2):
        year, day = day, year
    if year is not None:
        digits = re.search(r"([-+]?)(\d+)", year)
        if digits:
            parts.year = int(digits[1] + digits[2])
            if digits[1] or len(digits[2]) > 2:
                parts.two_digit_year = False
    if month is not None:
        digits = re.search(r"\d+", month)
        if digits:
            parts.month = int(digits[0])
    if day is not None:
        digits = re.search(r"\d+", day)
        if digits:
            parts.day = int(digits[0])
