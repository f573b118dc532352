"""The checklists app's part of a post page: its one public entry point for posts.views."""

from dataclasses import dataclass

from django.utils.safestring import SafeString

from .models import ChecklistItem
from .progress import Progress, progress_for
from .rendering import interactive_body


@dataclass(frozen=True)
class Checklist:
    """What the post page shows of its checklist: ``progress`` (a Progress: the viewer's
    state of each current item, its counts and percent) and ``body`` (safe str: the
    article's HTML with each checklist heading live for this viewer)."""

    progress: Progress
    body: SafeString


def checklist_for(request, post):
    """The checklist of ``post`` (a Post) for ``request.user``, or for the visitor's
    session: two queries for a reader (the items, their ticks), one for a visitor."""
    items = list(ChecklistItem.objects.current().filter(post=post))
    progress = progress_for(user=request.user, session=request.session, post=post, items=items)
    return Checklist(progress=progress, body=interactive_body(post.body_html, progress))
