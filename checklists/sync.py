"""Keeping a post's checklist items in step with its checkbox headings."""

from difflib import SequenceMatcher

from django.db import transaction
from django.utils import timezone

from core.signals import rows_changed

from .models import ChecklistItem

# The fields sync_items() writes on an item it keeps.
SYNCED_FIELDS = ["anchor", "text", "position", "archived_at", "revised_at"]


@transaction.atomic
def sync_items(post):
    """Match the post's checkbox headings to its items so readers' ticks survive edits.

    In order: a heading whose id an item already has is that item (reordered, or back
    after removal: its ticks return); a heading with a new id may be an item whose
    heading vanished, with edited wording (see _edited_headings); any other heading is
    a new item; an item left without a heading is archived, never deleted.
    An item added, reworded or put back gets ``revised_at`` set to now: what readers
    are told is new since their last visit (issue 10). A move or a new id is not news.
    An author who wants a heading's identity fixed pins its id with ``{#id}``.

    At most three queries whatever the number of headings (issue 23: one per heading
    made a 200-file import slow): the items read and locked, one UPDATE of those that
    changed, one INSERT of the new ones; through the base manager, and the page cache
    told once, naming the post (core.signals.rows_changed).
    """
    headings = post.checklist_headings
    # Through the post: each item carries it, so what hears the saves needs no query.
    items = list(post.checklist_items.select_for_update())
    by_anchor = {item.anchor: item for item in items}
    now = timezone.now()

    matched = {}
    for position, heading in enumerate(headings):
        item = by_anchor.get(heading["id"])
        if item is not None:
            matched[position] = item

    new_positions = [position for position in range(len(headings)) if position not in matched]
    claimed = {item.pk for item in matched.values()}
    vanished = sorted(
        (item for item in items if item.pk not in claimed and item.archived_at is None),
        key=lambda item: item.position,
    )
    for position, item in _edited_headings(new_positions, headings, vanished):
        matched[position] = item
    for position in new_positions:
        matched.setdefault(position, ChecklistItem(post=post, anchor=headings[position]["id"]))

    # A heading id is unique in a post, and any item that already had it was matched
    # above, so no anchor written below is another item's: one UPDATE may write them all.
    kept = {item.pk for item in matched.values() if item.pk is not None}
    changed_items = []
    for item in items:
        if item.pk not in kept and item.archived_at is None:
            item.archived_at = now
            changed_items.append(item)

    for position, heading in enumerate(headings):
        item = matched[position]
        changed = (
            item.pk is None
            or item.anchor != heading["id"]
            or item.text != heading["text"]
            or item.position != position
            or item.archived_at is not None
        )
        if changed:
            text = heading["text"][:300]
            # New to readers: added, reworded or put back ("new since your last visit").
            if item.pk is None or item.text != text or item.archived_at is not None:
                item.revised_at = now
            item.anchor = heading["id"]
            item.text = text
            item.position = position
            item.archived_at = None
            changed_items.append(item)

    ChecklistItem._base_manager.bulk_update(
        [item for item in changed_items if item.pk is not None], SYNCED_FIELDS
    )
    ChecklistItem._base_manager.bulk_create([item for item in changed_items if item.pk is None])
    if changed_items:
        rows_changed.send(sender=ChecklistItem, fields=None, post_ids=[post.pk])


SIMILAR_ENOUGH = 0.5


def _edited_headings(positions, headings, vanished):
    """Pair new headings with vanished items that are the same advice, reworded.

    A new heading at the very position of a vanished item is that item reworded (the
    usual edit); otherwise it is the vanished item whose wording is most alike, if
    alike enough (a heading reworded while another was removed or added before it).
    """
    scored = []
    for position in positions:
        for item in vanished:
            ratio = SequenceMatcher(
                None, headings[position]["text"].lower(), item.text.lower()
            ).ratio()
            if item.position == position:
                scored.append((1 + ratio, position, item))
            elif ratio >= SIMILAR_ENOUGH:
                scored.append((ratio, position, item))
    scored.sort(key=lambda candidate: candidate[0], reverse=True)
    pairs, used_positions, used_items = [], set(), set()
    for _, position, item in scored:
        if position in used_positions or item.pk in used_items:
            continue
        pairs.append((position, item))
        used_positions.add(position)
        used_items.add(item.pk)
    return pairs
