"""The checklists app's part of a post page: its one public entry point for pages.views.

Everything the post page shows of the checklist comes from here: the live article body,
the contents list with each item's state, the progress and its percent, "Next unticked
item" or the completion message, and what is new since the reader's last visit. The
Articles page asks here for each post's progress too.
"""

import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count
from django.utils.safestring import SafeString

from posts.models import Post

from .models import ChecklistItem, Tick
from .progress import Counts, ItemState, Progress, progress_for, session_ticks
from .rendering import interactive_body
from .visits import VISIT_INTERVAL, previous_visit, record_visit

# {post path: Unix time of the visit last recorded from this session}: lets a view skip
# the database for the rest of the hour.
SESSION_VISITS_KEY = "checklist_visits"


@dataclass(frozen=True)
class ContentsEntry:
    """One line of the contents list: a heading's ``id``, ``text`` and ``level`` (int),
    and for a checklist heading the viewer's ``state`` (an ItemState) and whether it is
    ``new`` since their last visit."""

    id: str
    text: str
    level: int
    state: ItemState | None = None
    new: bool = False

    @property
    def done(self):
        return self.state is not None and self.state.done


@dataclass(frozen=True)
class Checklist:
    """What the post page shows of its checklist for one viewer.

    ``progress``: a Progress (each current item's state, the counts and the percent).
    ``body``: safe str, the article's HTML with each checklist heading live.
    ``contents``: ContentsEntry list, the contents list in page order.
    ``new_items``: ChecklistItem list, items added or reworded since the reader's
    previous visit (empty for visitors and first visits); ``previous_visit`` its time.
    """

    progress: Progress
    body: SafeString
    contents: list[ContentsEntry] = field(default_factory=list)
    new_items: list[ChecklistItem] = field(default_factory=list)
    previous_visit: datetime | None = None

    @property
    def next_item(self):
        """The first item not done (a ChecklistItem), or None when all are done.

        Without JavaScript "Next unticked item" leads here; the script picks the first
        one after the reader's position on the page instead.
        """
        return next((state.item for state in self.progress.items if not state.done), None)

    @property
    def next_anchor(self):
        """Where "Next unticked item" leads without JavaScript: the next item's heading
        id, or the first item's once all are done ("" for a post without items)."""
        item = self.next_item or (self.progress.items[0].item if self.progress.items else None)
        return item.anchor if item else ""


def checklist_for(request, post):
    """The checklist of ``post`` (a Post) for ``request.user``, or for the visitor's
    session. Queries: for a visitor, the items; for a reader, also their ticks and their
    previous visit. A visitor without a session always gets 0 done: their page is shared
    by every visitor (pages.page_cache)."""
    items = list(ChecklistItem.objects.current().filter(post=post))
    progress = progress_for(user=request.user, session=request.session, post=post, items=items)
    previous = previous_visit(user=request.user, post=post) if items else None
    new_items = [item for item in items if previous is not None and item.revised_at > previous]
    states = progress.by_anchor()
    new_anchors = {item.anchor for item in new_items}
    contents = [
        ContentsEntry(
            id=heading["id"],
            text=heading["text"],
            level=heading["level"],
            state=states.get(heading["id"]),
            new=heading["id"] in new_anchors,
        )
        for heading in post.toc_headings
    ]
    return Checklist(
        progress=progress,
        body=interactive_body(post.body_html, progress),
        contents=contents,
        new_items=new_items,
        previous_visit=previous if new_items else None,
    )


def note_visit(request):
    """Record a logged-in reader's view of the post page at ``request.path_info``
    (checklists.visits), at most once every VISIT_INTERVAL.

    pages.views calls this before the page cache answers, so a page served from the
    cache counts too. Most views cost nothing: the reader's session, loaded anyway to
    know who they are, remembers when this browser last had a visit recorded here. Once
    an hour a view asks the database (the post, then the visit); the visit's own rule
    still holds for a reader with several browsers.
    """
    if request.method not in ("GET", "HEAD") or not request.user.is_authenticated:
        return
    now = time.time()
    path = request.path_info
    recorded = request.session.get(SESSION_VISITS_KEY, {})
    last = recorded.get(path)
    if isinstance(last, int | float) and 0 <= now - last < VISIT_INTERVAL.total_seconds():
        return
    post_id = (
        Post.objects.visible_to(request.user)
        .filter(permalink=path)
        .values_list("pk", flat=True)
        .first()
    )
    if post_id is None:
        return  # not a post's address (a 404, or a redirect to the right one)
    record_visit(user=request.user, post_id=post_id)
    recent = {
        key: value
        for key, value in recorded.items()
        if isinstance(value, int | float) and now - value < VISIT_INTERVAL.total_seconds()
    }
    request.session[SESSION_VISITS_KEY] = {**recent, path: now}


def progress_by_post(request, posts):
    """The viewer's progress through each of ``posts`` (Posts) that has a checklist:
    {post id: Counts}. Two queries for a reader; for a visitor, two when their session
    holds ticks and none otherwise (then {}: nothing of theirs to show)."""
    post_ids = [post.pk for post in posts]
    if not post_ids:
        return {}
    user = request.user
    if user.is_authenticated:
        done_rows = Tick.objects.filter(
            user=user, item__post__in=post_ids, item__archived_at__isnull=True
        ).values_list("item__post")
    else:
        ticked = session_ticks(request.session)
        if not ticked:
            return {}
        done_rows = (
            ChecklistItem.objects.current().filter(pk__in=ticked, post__in=post_ids)
        ).values_list("post")
    # order_by(): a GROUP BY query must not group by the models' default ordering too.
    done = dict(done_rows.order_by().annotate(count=Count("pk")))
    totals = (
        ChecklistItem.objects.current()
        .filter(post__in=post_ids)
        .order_by()
        .values_list("post")
        .annotate(count=Count("pk"))
    )
    return {
        post_id: Counts(done_count=done.get(post_id, 0), total=total) for post_id, total in totals
    }
