"""The comments app's part of a reader's data: their comments, and the moderation
decisions they made as a moderator, for the export and for account deletion (composed by
accounts.data, issue 20)."""

from .models import Comment, ModerationDecision, discussion_url, page_numbers
from .moderation import remove_comments_of


def reader_data(user):
    """{"comments": [...], "moderation_decisions": [...]}: the reader's comments not
    removed, and the decisions they made as a moderator (issue 27's trail), each oldest
    first, JSON-ready: three queries, whatever their number."""
    comments = list(
        Comment.objects.filter(author=user, is_removed=False)
        .select_related("post", "thread")
        .defer("post__body", "post__body_html", "thread__body", "thread__body_html")
        .order_by("created_at")
    )
    # Each comment's page as visitors see it, for all of them in one query (issue 23).
    pages = page_numbers(comments)
    return {
        "comments": [
            {
                "post": comment.post.title,
                "url": discussion_url(comment.post, pages[comment.pk], comment.anchor),
                "text": comment.body,
                "status": comment.status,
                "written_at": comment.created_at.isoformat(),
                "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
                "in_reply_to": comment.parent_id,
            }
            for comment in comments
        ],
        "moderation_decisions": [
            {
                "comment": decision.comment_number,
                "decision": decision.get_action_display(),
                "from": decision.get_source_display(),
                "reason": decision.reason,
                "decided_at": decision.decided_at.isoformat(),
            }
            for decision in ModerationDecision.objects.filter(moderator=user).order_by(
                "decided_at", "id"
            )
        ],
    }


def delete_reader_data(user):
    """Before the account goes: comments go, or become '[deleted]' where replies hang on
    them."""
    remove_comments_of(user)
