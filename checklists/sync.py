"""Keeping a post's checklist items in step with its checkbox headings."""

from django.db import transaction
from django.utils import timezone

from .models import ChecklistItem


@transaction.atomic
def sync_items(post):
    """Match the post's checkbox headings to its items so readers' ticks survive edits.

    In order: a heading whose id an item already has is that item (reordered, or back
    after removal: its ticks return); a heading with a new id at the position of an
    item whose heading disappeared is that item with edited wording; any other heading
    is a new item; an item left without a heading is archived, never deleted.
    An author who wants a heading's identity fixed pins its id with ``{#id}``.
    """
    headings = post.checklist_headings
    items = list(ChecklistItem.objects.select_for_update().filter(post=post))
    by_anchor = {item.anchor: item for item in items}
    now = timezone.now()

    matched = {}
    for position, heading in enumerate(headings):
        item = by_anchor.get(heading["id"])
        if item is not None:
            matched[position] = item

    claimed = {item.pk for item in matched.values()}
    unclaimed_current = {
        item.position: item for item in items if item.pk not in claimed and item.archived_at is None
    }
    for position, heading in enumerate(headings):
        if position in matched:
            continue
        item = unclaimed_current.pop(position, None)
        if item is None:
            item = ChecklistItem(post=post, anchor=heading["id"])
        matched[position] = item

    # Archive before writing anchors: a heading id is unique in a post, and any item
    # that already had it was matched above, so no rename collides with another item.
    kept = {item.pk for item in matched.values() if item.pk is not None}
    for item in items:
        if item.pk not in kept and item.archived_at is None:
            item.archived_at = now
            item.save(update_fields=["archived_at"])

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
            item.anchor = heading["id"]
            item.text = heading["text"][:300]
            item.position = position
            item.archived_at = None
            item.save()
