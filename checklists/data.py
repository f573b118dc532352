"""The checklists app's part of a reader's data: their ticks and visits, for the export
and for account deletion (composed by accounts.data, issue 20)."""

from .models import Tick, Visit
from .progress import remove_ticks


def reader_data(user):
    """{"checklist_ticks": [...], "post_visits": [...]}: JSON-ready, oldest tick first."""
    ticks = Tick.objects.filter(user=user).select_related("item__post").order_by("ticked_at")
    return {
        "checklist_ticks": [
            {
                "post": tick.item.post.title,
                "post_url": tick.item.post.get_absolute_url(),
                "item": tick.item.text,
                "item_archived": tick.item.is_archived,
                "ticked_at": tick.ticked_at.isoformat(),
            }
            for tick in ticks
        ],
        # Kept to tell a returning reader what is new since their last visit.
        "post_visits": [
            {
                "post": visit.post.title,
                "post_url": visit.post.get_absolute_url(),
                "visited_at": visit.visited_at.isoformat(),
                "previous_visited_at": visit.previous_visited_at.isoformat()
                if visit.previous_visited_at
                else None,
            }
            for visit in Visit.objects.filter(user=user).select_related("post")
        ],
    }


def delete_reader_data(user):
    """Before the account goes: its ticks go, keeping the readers' counts of items right
    (its visits go with the account, by cascade)."""
    remove_ticks(Tick.objects.filter(user=user))
