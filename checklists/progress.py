"""Setting and reading readers' ticks: one place for the view, the log-in merge and admin.

A logged-in reader's ticks are Tick rows; a visitor's are kept in their session
(so they survive reloads, with or without JavaScript) and merged on log-in.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from posts.page_cache import content_changed

from .models import ChecklistItem, Tick

SESSION_KEY = "checklist_ticks"  # {str(item id): ISO time ticked}


@dataclass
class ItemState:
    item: ChecklistItem
    done: bool
    ticked_at: datetime | None = None


@dataclass
class Progress:
    """Done items among the post's current items: the one formula shown everywhere."""

    items: list[ItemState] = field(default_factory=list)

    @property
    def total(self):
        return len(self.items)

    @property
    def done_count(self):
        return sum(1 for state in self.items if state.done)

    @property
    def percent(self):
        return round(100 * self.done_count / self.total) if self.total else 0

    @property
    def summary(self):
        return f"{self.done_count} of {self.total} done"

    def by_anchor(self):
        return {state.item.anchor: state for state in self.items}


def progress_for(*, user, session, post, items=None):
    """The reader's (or the visitor's session's) progress through a post's current items."""
    if items is None:
        items = list(ChecklistItem.objects.current().filter(post=post))
    if user.is_authenticated:
        ticked = dict(
            Tick.objects.filter(user=user, item__post=post).values_list("item_id", "ticked_at")
        )
    else:
        ticked = _session_ticks(session)
    return Progress(
        items=[
            ItemState(item=item, done=item.pk in ticked, ticked_at=ticked.get(item.pk))
            for item in items
        ]
    )


@transaction.atomic
def set_tick(*, user, item, done):
    """Record that a reader has (done=True) or has not done an item. Returns True if changed.

    Setting a state rather than flipping it makes a retried or doubled request harmless;
    the unique constraint plus get_or_create makes two simultaneous ticks one row.
    """
    if done:
        _, changed = Tick.objects.get_or_create(user=user, item=item)
        delta = 1
    else:
        deleted, _ = Tick.objects.filter(user=user, item=item).delete()
        changed = bool(deleted)
        delta = -1
    if changed:
        # The page shows how many readers did each item; raising the content version
        # also drops this reader's own cached pages, so their tick shows at once.
        content_changed()
        # Last before the commit: every reader of this item waits for this row's lock,
        # so it is held for as short a time as possible.
        ChecklistItem.objects.filter(pk=item.pk).update(reader_count=F("reader_count") + delta)
    return changed


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
    ticks = _session_ticks(session)
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
    if merged:
        content_changed()
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
    if item_ids:
        content_changed()


def recount_readers(items):
    """Recompute reader counts from the ticks (an admin action, should they ever drift)."""
    for item in items:
        ChecklistItem.objects.filter(pk=item.pk).update(reader_count=item.ticks.count())
    content_changed()


def _session_ticks(session):
    ticks = {}
    for key, value in session.get(SESSION_KEY, {}).items():
        try:
            ticks[int(key)] = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            continue  # a value we did not write; ignore it rather than fail the page
    return ticks
