"""Readers' visits to post pages: what "new since your last visit" is measured from.

Issue 10: a visit is a logged-in reader's view of the post page, recorded at most once
every VISIT_INTERVAL, also when the page came from the page cache. An item is new to a
reader when it was added, reworded or put back (``ChecklistItem.revised_at``, kept by
checklists.sync) after the visit before their latest one, so the notice stays for the
hour of a visit instead of vanishing at the first reload.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Visit

VISIT_INTERVAL = timedelta(hours=1)


def record_visit(*, user, post_id, now=None):
    """Record that ``user`` (a User) viewed the post ``post_id`` (int) at ``now`` (an
    aware datetime, default the current time). Returns True when a visit was recorded.

    A first visit makes the row; a visit VISIT_INTERVAL or more after the latest moves
    that one to ``previous_visited_at``; one sooner changes nothing. Saved through the
    ORM, so the page cache hears a moved visit and rebuilds only this reader's pages
    (pages.page_cache): the notice on them depends on the previous visit. Two views at
    the same moment record one visit (the row is unique per reader and post).
    """
    now = now or timezone.now()
    visit = Visit.objects.filter(user=user, post_id=post_id).first()
    if visit is None:
        try:
            with transaction.atomic():
                Visit.objects.create(user=user, post_id=post_id, visited_at=now)
        except IntegrityError:
            return False  # a view at the same moment recorded it
        return True
    if visit.visited_at > now - VISIT_INTERVAL:
        return False
    visit.previous_visited_at = visit.visited_at
    visit.visited_at = now
    visit.save(update_fields=["previous_visited_at", "visited_at"])
    return True


def previous_visit(*, user, post):
    """When ``user`` visited ``post`` before their latest recorded visit (an aware
    datetime), or None for a visitor, a first visit or a reader not seen before."""
    if not user.is_authenticated:
        return None
    return (
        Visit.objects.filter(user=user, post=post)
        .values_list("previous_visited_at", flat=True)
        .first()
    )
