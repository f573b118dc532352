"""Setting and reading readers' ticks: one place for the view, the log-in merge and admin.

A logged-in reader's ticks are Tick rows; a visitor's are kept in their session
(so they survive reloads, with or without JavaScript) and merged on log-in.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from core.signals import rows_changed

from .models import ChecklistItem, Tick

SESSION_KEY = "checklist_ticks"  # {str(item id): ISO time ticked}


@dataclass
class ItemState:
    """One item for one viewer: ``item`` (a ChecklistItem), whether it is ``done``, when
    it was ticked, and whether the viewer's own tick is among ``item.reader_count``
    (``counted``: a logged-in reader's is; a visitor's, kept in their session, is not)."""

    item: ChecklistItem
    done: bool
    ticked_at: datetime | None = None
    counted: bool = False

    @property
    def readers(self):
        """The readers' count in words, as the viewer reads it beside their box (str).

        Issue 18: it never contradicts what the viewer did. Once they have done the item
        it speaks of them, "You and 3 other readers did this" or "You did this", whether
        or not their own tick is in the count (a visitor's is not, and for other readers
        the count may lag a minute behind, pages.page_cache).
        """
        others = self.item.reader_count - (1 if self.done and self.counted else 0)
        return readers_text(max(others, 0), you=self.done)


class Summary:
    """Done items among the post's current items, as every page shows them: the post
    page, its contents list, a tick's answer, "My progress" and the Articles page.

    Subclasses give ``done_count`` and ``total`` (ints). The percent is rounded half up
    (1 of 8 is 13%, where Python's round() would give 12%), in integers so that no
    float is ever one step off (issue 13).
    """

    @property
    def percent(self):
        """Whole percent done, 0 to 100, rounded half up; 0 for a post without items."""
        if not self.total:
            return 0
        return (200 * self.done_count + self.total) // (2 * self.total)

    @property
    def summary(self):
        """The progress in words, such as "2 of 9 done (22%)"."""
        return f"{self.done_count} of {self.total} done ({self.percent}%)"

    @property
    def is_complete(self):
        """True when every item is done (a post without items is never complete)."""
        return bool(self.total) and self.done_count >= self.total


@dataclass
class Counts(Summary):
    done_count: int
    total: int


@dataclass
class Progress(Summary):
    items: list[ItemState] = field(default_factory=list)

    @property
    def total(self):
        return len(self.items)

    @property
    def done_count(self):
        return sum(1 for state in self.items if state.done)

    def by_anchor(self):
        return {state.item.anchor: state for state in self.items}

    def as_json(self):
        """The viewer's whole state on the post, as a tick answers it (a dict for JSON):
        the counts and, for each current item in page order, its anchor, whether it is
        done and its readers' sentence. Issue 18: a page open in a stale tab updates
        every box from it, not only the one ticked."""
        return {
            "done_count": self.done_count,
            "total": self.total,
            "percent": self.percent,
            "summary": self.summary,
            "items": [
                {"item": state.item.anchor, "done": state.done, "readers": state.readers}
                for state in self.items
            ],
        }


def readers_text(others, *, you=False):
    """How many readers did an item, in words (str): ``others`` (int) readers besides
    the viewer, and ``you`` (bool) whether the viewer did it too."""
    if not you:
        return "1 reader did this" if others == 1 else f"{others} readers did this"
    if not others:
        return "You did this"
    return f"You and {others} other reader{'s' if others != 1 else ''} did this"


def progress_for(*, user, session, post, items=None):
    """The reader's (or the visitor's session's) progress through a post's current items."""
    if items is None:
        items = list(ChecklistItem.objects.current().filter(post=post))
    if user.is_authenticated:
        ticked = dict(
            Tick.objects.filter(user=user, item__post=post).values_list("item_id", "ticked_at")
        )
    else:
        ticked = session_ticks(session)
    return Progress(
        items=[
            ItemState(
                item=item,
                done=item.pk in ticked,
                ticked_at=ticked.get(item.pk),
                counted=user.is_authenticated,
            )
            for item in items
        ]
    )


def set_tick(*, user, item, done):
    """Record that a reader has (done=True) or has not done an item. Returns True if
    changed, and then sets item.reader_count to the new count.

    Setting a state rather than flipping it makes a retried or doubled request harmless;
    the tick is inserted unless there is one already, so two simultaneous ticks make one
    row. The tick and the item's count change together or not at all. This is the
    site's busiest write, so it is SQL rather than the ORM's get_or_create (a savepoint,
    a select, an insert and an update, each a round trip to the database).
    """
    if done:
        change = (
            f"INSERT INTO {Tick._meta.db_table} (user_id, item_id, ticked_at) "
            "VALUES (%s, %s, %s) ON CONFLICT (user_id, item_id) DO NOTHING RETURNING item_id"
        )
        params = [user.pk, item.pk, timezone.now()]
    else:
        change = (
            f"DELETE FROM {Tick._meta.db_table} WHERE user_id = %s AND item_id = %s "
            "RETURNING item_id"
        )
        params = [user.pk, item.pk]
    add_to_count = f"UPDATE {ChecklistItem._meta.db_table} SET reader_count = reader_count + %s "
    delta = 1 if done else -1
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement, so one round trip and atomic without BEGIN and COMMIT; the
            # item's row is locked (every reader of the item waits for it) only for
            # that statement.
            cursor.execute(
                f"WITH changed AS ({change}) {add_to_count}"
                "WHERE id IN (SELECT item_id FROM changed) RETURNING reader_count",
                [*params, delta],
            )
            row = cursor.fetchone()
        else:  # SQLite has no INSERT or DELETE inside WITH: two statements, one transaction
            with transaction.atomic():
                cursor.execute(change, params)
                row = None
                if cursor.fetchone() is not None:
                    cursor.execute(
                        f"{add_to_count}WHERE id = %s RETURNING reader_count", [delta, item.pk]
                    )
                    row = cursor.fetchone()
    if row is None:
        return False
    (item.reader_count,) = row
    # Raw SQL sends no post_save: say which reader's rows changed (their own pages are
    # then rebuilt; everyone else's counts catch up within the page cache's minute).
    rows_changed.send(sender=Tick, fields=None, user_ids=[user.pk])
    return True


def reader_progress(*, user, post_id):
    """The reader's progress through a post (a Progress) in one query: what a tick
    answers with (``ticked_at`` left out). SQL, as set_tick: building this query with
    the ORM took longer than running it. Each item has only the fields the answer needs."""
    with connection.cursor() as cursor:
        cursor.execute(
            # The reader's own tick joined per item through the (user, item) index,
            # rather than every reader's ticks joined and then filtered.
            "SELECT item.id, item.anchor, item.text, item.reader_count, tick.id IS NOT NULL "
            f"FROM {ChecklistItem._meta.db_table} item "
            f"LEFT JOIN {Tick._meta.db_table} tick ON tick.item_id = item.id "
            "AND tick.user_id = %s WHERE item.post_id = %s AND item.archived_at IS NULL "
            "ORDER BY item.position, item.id",
            [user.pk, post_id],
        )
        rows = cursor.fetchall()
    states = [
        ItemState(
            item=ChecklistItem(
                pk=pk, post_id=post_id, anchor=anchor, text=text, reader_count=reader_count
            ),
            done=bool(done),
            counted=True,
        )
        for pk, anchor, text, reader_count, done in rows
    ]
    return Progress(items=states)


def set_session_tick(*, session, item, done):
    """The same for a visitor without an account, kept in their session."""
    ticks = dict(session.get(SESSION_KEY, {}))
    key = str(item.pk)
    changed = (key in ticks) != done
    if done:
        ticks.setdefault(key, timezone.now().isoformat())
    else:
        ticks.pop(key, None)
    session[SESSION_KEY] = ticks
    return changed


@transaction.atomic
def merge_session_ticks(*, user, session):
    """On log-in or sign-up, add the visitor's ticks to the account (a union: nothing lost)."""
    ticks = session_ticks(session)
    if not ticks:
        return 0
    existing = set(
        Tick.objects.filter(user=user, item_id__in=ticks).values_list("item_id", flat=True)
    )
    merged = 0
    for item in ChecklistItem.objects.filter(pk__in=set(ticks) - existing):
        _, created = Tick.objects.get_or_create(
            user=user, item=item, defaults={"ticked_at": ticks[item.pk]}
        )
        if created:
            merged += 1
            ChecklistItem.objects.filter(pk=item.pk).update(reader_count=F("reader_count") + 1)
    session.pop(SESSION_KEY, None)
    return merged


@transaction.atomic
def reset_progress(*, user, session, post):
    """Forget every tick of this reader (or visitor) on one post."""
    if not user.is_authenticated:
        item_ids = set(ChecklistItem.objects.filter(post=post).values_list("pk", flat=True))
        ticks = {
            key: value
            for key, value in session.get(SESSION_KEY, {}).items()
            if int(key) not in item_ids
        }
        session[SESSION_KEY] = ticks
        return
    remove_ticks(Tick.objects.filter(user=user, item__post=post))


@transaction.atomic
def remove_ticks(ticks):
    """Delete ticks and lower the readers' counts of their items to match."""
    # Lock the ticks while listing them: a tick being removed by a simultaneous untick
    # is then waited for and left out, instead of being counted off a second time.
    item_ids = list(ticks.select_for_update(of=("self",)).values_list("item_id", flat=True))
    ticks.delete()
    for item_id in item_ids:
        ChecklistItem.objects.filter(pk=item_id).update(reader_count=F("reader_count") - 1)


def recount_readers(items):
    """Recompute reader counts from the ticks (an admin action, should they ever drift).
    Saved rather than updated: unlike a tick's count, a correction shows at once."""
    for item in items:
        item.reader_count = item.ticks.count()
        item.save(update_fields=["reader_count"])


def session_ticks(session):
    """A visitor's ticks kept in their session: {item id (int): when ticked (datetime)}."""
    ticks = {}
    for key, value in session.get(SESSION_KEY, {}).items():
        try:
            ticks[int(key)] = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            continue  # a value we did not write; ignore it rather than fail the page
    return ticks
