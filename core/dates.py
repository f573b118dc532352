"""The instants the site can store and show, for every importer (issue 19).

PostgreSQL keeps timestamps up to the year 294276, but Python's datetime stops at the
year 9999: a date an importer accepted near either end was stored, then every page that
read it back answered 500. Each importer checks its dates here, so the rule holds
whatever the source format.
"""

import datetime

# A day inside Python's range at each end, so that the instant can be shown in any time
# zone (offsets are less than a day) without leaving it.
EARLIEST = datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)
LATEST = datetime.datetime(9999, 12, 30, 23, 59, 59, tzinfo=datetime.UTC)


class OutOfRange(ValueError):
    """A date the site cannot store and show again (before EARLIEST or after LATEST)."""


def storable(moment):
    """``moment`` (an aware datetime) as UTC, if the site can store and show it.

    Raises OutOfRange for an instant outside EARLIEST..LATEST, including one whose
    conversion to UTC leaves Python's range (9999-12-31T23:59:59-14:00), and ValueError
    for a naive datetime.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a date without a time zone cannot be stored as an instant")
    try:
        in_utc = moment.astimezone(datetime.UTC)
    except OverflowError:
        in_utc = None
    if in_utc is None or not EARLIEST <= in_utc <= LATEST:
        raise OutOfRange(
            f"{moment.isoformat()} is outside the dates the site can keep "
            f"({EARLIEST.date().isoformat()} to {LATEST.date().isoformat()})"
        )
    return in_utc
