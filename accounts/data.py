"""A reader's own data: what the export contains and what deleting an account removes."""

from django.db import transaction

from checklists.models import Tick
from checklists.progress import remove_ticks


def export_data(user):
    """Everything the site keeps about a reader, as JSON-ready data."""
    ticks = Tick.objects.filter(user=user).select_related("item__post").order_by("ticked_at")
    return {
        "account": {
            "display_name": user.display_name,
            "emails": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in user.emailaddress_set.all()
            ]
            or [{"email": user.email, "verified": False, "primary": True}],
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
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
    }


@transaction.atomic
def delete_account(user):
    """Delete a reader and their ticks, keeping the readers' counts of items right."""
    remove_ticks(Tick.objects.filter(user=user))
    user.delete()
