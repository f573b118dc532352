"""A reader's own data: what the export contains and what deleting an account removes."""

from django.db import transaction

from checklists.models import Tick, Visit
from checklists.progress import remove_ticks
from comments.models import Comment
from comments.moderation import remove_comments_of


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
            "notify_replies": user.notify_replies,
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "comments": [
            {
                "post": comment.post.title,
                "url": comment.get_absolute_url(),
                "text": comment.body,
                "status": comment.status,
                "written_at": comment.created_at.isoformat(),
                "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
                "in_reply_to": comment.parent_id,
            }
            for comment in Comment.objects.filter(author=user, is_removed=False)
            .select_related("post")
            .order_by("created_at")
        ],
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


@transaction.atomic
def delete_account(user):
    """Delete a reader, their ticks and their comments (a '[deleted]' placeholder stays
    where others replied), keeping the readers' counts of items right."""
    remove_ticks(Tick.objects.filter(user=user))
    remove_comments_of(user)
    user.delete()
