"""Importing a Disqus XML export: threads matched to posts, replies kept as replies.

The XML is parsed with defusedxml, which refuses external entities and entity
expansion bombs. Everything happens in one transaction: a file that fails part-way
writes nothing.

Threads are matched to posts by comments.disqus_matching (addresses, old addresses,
their other spellings, identifiers). A thread's state on Disqus holds here (issue 21):

- closed (``<isClosed>true``): Disqus "halts the discussion while allowing the current
  comments to remain visible" (help.disqus.com, "Closing comment threads"); its comments
  are imported as usual and the post's discussion is closed (Post.allow_comments);
- deleted (``<isDeleted>true``): Disqus shows the thread's comments nowhere; they are
  imported rejected, so no reader sees them and a moderator may still approve one in
  the admin (those an earlier import published are rejected, unless a moderator has
  decided on them since), and the post's discussion is closed too.

A post that another thread keeps open and live on Disqus (the same page under two
URLs, one thread of which was closed or deleted) keeps its discussion open.

Comments are written in batches (issue 23: one save() per comment made 10,000 comments
cost 44,000 queries): bulk_create, BATCH rows an INSERT, and the stored counts
(comments.counts) and the page cache (pages.receivers) hear the import once, through
core.signals.rows_changed naming the posts it gave comments.
"""

import dataclasses
import datetime
from collections import Counter
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

import reversion
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse
from django.conf import settings
from django.db import transaction
from django.db.models import F

from accounts.names import cleaned_name, names_not_to_pose_as
from core.dates import storable
from core.signals import rows_changed

from .disqus_matching import BY_BASE_PATH, Closest, PostAddresses
from .models import Comment
from .moderation import attach_point
from .rendering import plain_text, sanitize

NS = {"d": "http://disqus.com", "dsq": "http://disqus.com/disqus-internals"}
DSQ_ID = "{http://disqus.com/disqus-internals}id"
ROOT_TAG = "{http://disqus.com}disqus"


class DisqusImportError(Exception):
    pass


@dataclass(frozen=True)
class Unmatched:
    """A thread no post matched: its ``link``, ``identifier`` and ``title`` (str, as in
    the export), ``comments`` (int, the live ones lost with it) and the ``closest`` post
    (a disqus_matching.Closest, or None)."""

    link: str
    identifier: str
    title: str
    comments: int
    closest: Closest | None


@dataclass
class Summary:
    """What an import did: ``threads`` in the file and ``threads_matched`` to posts, with
    ``matched_by`` (Counter: how, a disqus_matching BY_* label); ``by_base_path`` (list of
    (str, Post): the link or identifier that matched, and its post), the matches made
    only by adding or dropping a base path, listed for a person to check; ``unmatched``
    (list of Unmatched), the threads with live comments that no post matched, most
    comments first, the closest post looked for in the first MOST_LISTED; and
    ``unmatched_empty``, the count of those without; comments ``imported`` with their
    text, of which ``hidden`` were imported rejected because Disqus deleted their
    thread; ``hidden_earlier``, comments of such threads that an earlier import had
    published and this one rejected; ``placeholders``, comments deleted or marked spam
    on Disqus that were imported without text or name because live replies hang on
    them; ``skipped``
    (Counter), the comments left out, by reason; ``closed`` (list of (Post, reason str)),
    the posts whose discussion this import closed."""

    threads: int = 0
    threads_matched: int = 0
    matched_by: Counter = field(default_factory=Counter)
    unmatched: list = field(default_factory=list)
    unmatched_empty: int = 0
    by_base_path: list = field(default_factory=list)
    imported: int = 0
    hidden: int = 0
    hidden_earlier: int = 0
    placeholders: int = 0
    skipped: Counter = field(default_factory=Counter)
    closed: list = field(default_factory=list)


@dataclass(frozen=True)
class _Thread:
    """A <thread> of the export, as the import reads it."""

    disqus_id: str
    link: str
    identifier: str
    title: str
    closed: bool
    deleted: bool

    @classmethod
    def of(cls, element):
        return cls(
            disqus_id=element.get(DSQ_ID) or "",
            link=_text(element, "d:link"),
            identifier=_text(element, "d:id"),
            title=_text(element, "d:title"),
            closed=_text(element, "d:isClosed") == "true",
            deleted=_text(element, "d:isDeleted") == "true",
        )


# Most unmatched threads the summary lists, with the post closest to each.
MOST_LISTED = 100

# Comments Disqus no longer shows: imported only as placeholders for their live replies.
WITHHELD = {"isDeleted": "deleted on Disqus", "isSpam": "spam on Disqus"}


@dataclass(frozen=True, slots=True)
class _Entry:
    """A <post> of the export (a comment), read from its element once: ``disqus_id``
    (str, or None when it has none), ``thread_id`` and ``parent_id`` (the Disqus ids of
    its thread and of the comment it replies to, str or None), ``created_at``,
    ``message`` and ``author_name`` (str, as written), and ``withheld`` (the WITHHELD
    reason, str, when Disqus deleted it or marked it spam; else None)."""

    disqus_id: str | None
    thread_id: str | None
    parent_id: str | None
    created_at: str
    message: str
    author_name: str
    withheld: str | None

    @classmethod
    def of(cls, element):
        thread, parent = element.find("d:thread", NS), element.find("d:parent", NS)
        return cls(
            disqus_id=element.get(DSQ_ID),
            thread_id=thread.get(DSQ_ID) if thread is not None else None,
            parent_id=(parent.get(DSQ_ID) or None) if parent is not None else None,
            created_at=_text(element, "d:createdAt"),
            message=_text(element, "d:message"),
            author_name=_text(element, "d:author/d:name"),
            withheld=next(
                (
                    reason
                    for flag, reason in WITHHELD.items()
                    if _text(element, f"d:{flag}") == "true"
                ),
                None,
            ),
        )


# Comments written in one INSERT; ids read in one query.
BATCH = 1000


def import_disqus(path, *, progress=None, progress_every=500):
    """Import the Disqus export at ``path`` (a path): comments onto the posts their
    threads match, each once however often it is run; returns a Summary.

    Raises DisqusImportError, its message naming the problem, for a file that is missing,
    unreadable, not well-formed XML, unsafe XML (entities) or not a Disqus export;
    nothing is written then.
    """
    try:
        root = parse(path).getroot()
    except FileNotFoundError:
        raise DisqusImportError("no such file") from None
    except OSError as error:  # a directory, no permission
        raise DisqusImportError(f"could not be read ({error.strerror})") from None
    except (ParseError, UnicodeDecodeError) as error:
        raise DisqusImportError(f"is not well-formed XML ({error})") from None
    except DefusedXmlException as error:
        raise DisqusImportError(f"was refused as unsafe XML ({error.__class__.__name__})") from None
    if root.tag != ROOT_TAG:
        raise DisqusImportError(
            f"is not a Disqus export (its root element is <{root.tag}>, not <disqus>)"
        )

    summary = Summary()
    entries = _parents_first([_Entry.of(element) for element in root.findall("d:post", NS)])
    threads = [_Thread.of(element) for element in root.findall("d:thread", NS)]
    del root  # the tree of a large export weighs more than what was read from it
    posts_by_thread, deleted_threads = _match_threads(threads, entries, summary)
    imported = dict(Comment.objects.filter(disqus_id__isnull=False).values_list("disqus_id", "pk"))
    with transaction.atomic():
        _close_discussions(posts_by_thread, summary)
        run = _Import(posts_by_thread, deleted_threads, imported, summary)
        run.load_earlier_parents(entries)
        for index, entry in enumerate(entries, start=1):
            reason = run.entry(entry)
            if reason:
                summary.skipped[reason] += 1
            if len(run.unsaved) >= BATCH:
                run.flush()
            if progress and index % progress_every == 0:
                progress(index, len(entries))
        run.flush()
        # Withheld comments that no live reply needed stay out.
        for entry in run.withheld.values():
            summary.skipped[entry.withheld] += 1
        run.tell_receivers()
        summary.hidden_earlier = _hide_earlier_imports(entries, deleted_threads)
    return summary


def _hide_earlier_imports(entries, deleted_threads):
    """Reject the comments of threads deleted on Disqus that an earlier import published
    (before issue 21 it published them), unless a moderator has decided on them since;
    the number rejected. Through Comment.objects.update(), which the page cache hears."""
    ids = [
        entry.disqus_id
        for entry in entries
        if entry.thread_id in deleted_threads and entry.disqus_id
    ]
    return Comment.objects.filter(
        disqus_id__in=ids,
        status=Comment.Status.APPROVED,
        is_removed=False,
        moderated_at__isnull=True,
    ).update(status=Comment.Status.REJECTED)


def _match_threads(threads, entries, summary):
    """({thread's Disqus id: (Post, _Thread)} for the matched ones of ``threads`` (a list
    of _Thread), the set of ids of threads deleted on Disqus), counting matches and
    listing the unmatched in ``summary``; ``entries`` (a list of _Entry) give the number
    of live comments each unmatched thread loses."""
    live_comments = Counter(entry.thread_id for entry in entries if entry.withheld is None)
    addresses = PostAddresses()
    posts_by_thread, deleted = {}, set()
    for thread in threads:
        summary.threads += 1
        match = addresses.match(link=thread.link, identifier=thread.identifier)
        if match is None:
            count = live_comments[thread.disqus_id]
            if not count:
                summary.unmatched_empty += 1
                continue
            summary.unmatched.append(
                Unmatched(thread.link, thread.identifier, thread.title, count, None)
            )
            continue
        summary.threads_matched += 1
        summary.matched_by[match.how] += 1
        if match.how == BY_BASE_PATH:
            summary.by_base_path.append((match.by, match.post))
        posts_by_thread[thread.disqus_id] = (match.post, thread)
        if thread.deleted:
            deleted.add(thread.disqus_id)
    # The threads that lose the most comments first; the closest post is looked for
    # for those listed (difflib is slow on thousands).
    summary.unmatched.sort(key=lambda thread: -thread.comments)
    summary.unmatched[:MOST_LISTED] = [
        dataclasses.replace(
            thread,
            closest=addresses.closest(
                link=thread.link, identifier=thread.identifier, title=thread.title
            ),
        )
        for thread in summary.unmatched[:MOST_LISTED]
    ]
    return posts_by_thread, deleted


def _close_discussions(posts_by_thread, summary):
    """Close the discussion of each post whose threads are all closed or deleted on
    Disqus, through Post.save() (a revision, and the page cache hears it)."""
    threads_of = {}
    for post, thread in posts_by_thread.values():
        threads_of.setdefault(post.pk, (post, []))[1].append(thread)
    for post, threads in threads_of.values():
        if any(not (thread.closed or thread.deleted) for thread in threads):
            continue
        reason = (
            "its thread was deleted on Disqus"
            if all(thread.deleted for thread in threads)
            else "its thread was closed on Disqus"
        )
        if post.allow_comments:
            with reversion.create_revision():
                reversion.set_comment(f"Comments closed: {reason}")
                post.allow_comments = False
                post.save(update_fields=["allow_comments"])
            summary.closed.append((post, reason))


class _Import:
    """One import's state: comments made so far by Disqus id, and the withheld ones
    (deleted or spam on Disqus), made as placeholders once a live reply needs them.

    Comments are made in memory (entry()) and written BATCH at a time (flush()), with
    bulk_create through the base manager, which sends no signal per batch: the receivers
    that keep the counts and the page cache hear the whole import once, from
    tell_receivers(). So the queries of an import depend on its number of batches, not
    of comments (issue 23: 10,000 comments cost 44,000 queries one by one)."""

    def __init__(self, posts_by_thread, deleted_threads, imported, summary):
        self.posts_by_thread = posts_by_thread
        self.deleted_threads = deleted_threads  # Disqus ids of threads deleted there
        self.imported = imported  # Disqus id -> pk, from earlier imports
        self.summary = summary
        self.by_disqus_id = {}  # Disqus id -> Comment made by this import
        self.unsaved = []  # of those, the ones not yet written, parents before replies
        self.touched_posts = set()  # pks of the posts given comments
        self.earlier = {}  # Disqus id -> Comment of an earlier import a reply here needs
        self.withheld = {}  # Disqus id -> _Entry
        self.taken_names = names_not_to_pose_as()
        self.names = {}  # a name as written on Disqus -> the name shown (cleaned_name)

    def load_earlier_parents(self, entries):
        """Read the comments of earlier imports that comments of ``entries`` reply to, with
        the ancestors attach_point() climbs through: one query per BATCH of them and per
        level climbed, instead of one per reply."""
        wanted = {
            self.imported[entry.parent_id]
            for entry in entries
            if entry.parent_id in self.imported and entry.disqus_id not in self.imported
        }
        loaded = {}
        while wanted:
            rows = _in_batches(Comment._base_manager.order_by(), sorted(wanted))
            loaded.update((comment.pk, comment) for comment in rows)
            wanted = {
                comment.parent_id
                for comment in loaded.values()
                if comment.depth >= settings.COMMENTS_MAX_DEPTH
                and comment.parent_id
                and comment.parent_id not in loaded
            }
        for comment in loaded.values():
            if comment.parent_id in loaded:
                comment.parent = loaded[comment.parent_id]
            if comment.disqus_id:
                self.earlier[comment.disqus_id] = comment

    def entry(self, entry):
        """Import one <post> (an _Entry); the reason it was skipped (str), or None."""
        disqus_id = entry.disqus_id
        if not disqus_id:
            return "no Disqus id"
        if len(disqus_id) > Comment._meta.get_field("disqus_id").max_length:
            return "Disqus id too long"
        if disqus_id in self.imported or disqus_id in self.by_disqus_id:
            return "already imported"
        if entry.withheld:
            self.withheld[disqus_id] = entry
            return None  # counted at the end, unless a live reply needs it
        post, created, reason = self._place(entry)
        if reason:
            return reason
        hidden = entry.thread_id in self.deleted_threads
        if not entry.message.strip():
            return "empty message"
        parent, reason = self._parent(entry)
        if reason:
            return reason
        body_html = sanitize(entry.message)
        self._save(
            entry,
            post=post,
            parent=parent,
            author_name=self._name(entry.author_name),
            body=plain_text(body_html),
            body_html=body_html,
            created_at=created,
            # Disqus shows no comment of a deleted thread: nor does the site.
            status=Comment.Status.REJECTED if hidden else Comment.Status.APPROVED,
        )
        self.summary.imported += 1
        self.summary.hidden += hidden
        return None

    def _name(self, written):
        """The name shown for a Disqus author's name (str): the rules of names typed here
        (accounts.names) hold for imported ones too; worked out once per name."""
        if written not in self.names:
            self.names[written] = cleaned_name(written, self.taken_names) or "Disqus reader"
        return self.names[written]

    def _place(self, entry):
        """(Post, created datetime, None), or (None, None, the reason it has none)."""
        post, _ = self.posts_by_thread.get(entry.thread_id, (None, None))
        if post is None:
            return None, None, "thread not matched to a post"
        created = _datetime(entry.created_at)
        if created is None:
            return None, None, "bad date"
        return post, created, None

    def _parent(self, entry):
        """(the Comment to attach to or None, None), or (None, the reason it has none).
        A withheld parent is made a placeholder now, and its withheld ancestors too."""
        key = entry.parent_id
        if not key:
            return None, None
        parent = self.by_disqus_id.get(key) or self.earlier.get(key)
        if parent is None and key in self.withheld:
            parent = self._placeholder(key)
        if parent is None:
            return None, "reply to a comment that was not imported"
        return attach_point(parent), None

    def _placeholder(self, disqus_id):
        """The withheld comment ``disqus_id`` as a placeholder (no text, no name): deleted
        on Disqus as a deleted comment, spam as a comment a moderator removed. None when
        it cannot be placed (no post, bad date, a parent that is not there)."""
        entry = self.withheld.pop(disqus_id)
        post, created, problem = self._place(entry)
        parent, problem = (None, problem) if problem else self._parent(entry)
        if problem:
            self.summary.skipped[entry.withheld] += 1
            return None
        spam = entry.withheld == WITHHELD["isSpam"]
        comment = self._save(
            entry,
            post=post,
            parent=parent,
            status=Comment.Status.SPAM if spam else Comment.Status.APPROVED,
            is_removed=not spam,
            created_at=created,
        )
        self.summary.placeholders += 1
        return comment

    def _save(self, entry, *, post, parent, **fields):
        """A Comment for ``entry``, made now and written at the next flush()."""
        fields.setdefault("status", Comment.Status.APPROVED)
        comment = Comment(
            post=post,
            parent=parent,
            depth=parent.depth + 1 if parent else 0,
            author=None,
            disqus_id=entry.disqus_id,
            **fields,
        )
        self.by_disqus_id[comment.disqus_id] = comment
        self.unsaved.append(comment)
        self.touched_posts.add(post.pk)
        return comment

    def flush(self):
        """Write the comments made since the last flush: a reply whose parent is among
        them waits for the INSERT that writes its parent (the rows get their ids from
        it), so there is one INSERT per level of replies among them and per BATCH, and
        one UPDATE per INSERT of first comments, whose thread is themselves.

        Comment.save() sets the thread the same way, one row at a time."""
        level_of = {}  # id(Comment) -> how many unsaved ancestors it waits for
        levels = []
        for comment in self.unsaved:
            parent = comment.parent
            level = level_of[id(parent)] + 1 if parent is not None and parent.pk is None else 0
            level_of[id(comment)] = level
            if level == len(levels):
                levels.append([])
            levels[level].append(comment)
        for comments in levels:
            for start in range(0, len(comments), BATCH):
                batch = comments[start : start + BATCH]
                for comment in batch:
                    if comment.parent is not None:
                        comment.thread_id = comment.parent.thread_id
                Comment._base_manager.bulk_create(batch)
                firsts = [comment for comment in batch if comment.thread_id is None]
                for comment in firsts:
                    comment.thread_id = comment.pk
                if firsts:
                    Comment._base_manager.filter(pk__in=[c.pk for c in firsts]).update(
                        thread_id=F("pk")
                    )
        self.unsaved = []

    def tell_receivers(self):
        """Tell those who follow comments' changes (comments.counts, the page cache:
        pages.receivers) about the rows written, once for the import, naming the posts
        whose comments changed (core.signals.rows_changed)."""
        if self.touched_posts:
            rows_changed.send(sender=Comment, fields=None, post_ids=self.touched_posts)


def _in_batches(queryset, pks):
    """The rows of ``queryset`` whose pk is in ``pks`` (a list), read BATCH pks a query:
    SQLite takes a limited number of parameters in one statement."""
    for start in range(0, len(pks), BATCH):
        yield from queryset.filter(pk__in=pks[start : start + BATCH])


def _parents_first(entries):
    """Order comments so every parent comes before its replies, then by date.

    Dates alone are not enough: a reply can carry its parent's second, or an earlier one.
    """
    parent_of = {entry.disqus_id: entry.parent_id for entry in entries}
    depths = {}

    def depth(disqus_id):
        seen = []
        while disqus_id in parent_of and disqus_id not in depths and disqus_id not in seen:
            seen.append(disqus_id)
            disqus_id = parent_of[disqus_id]
        known = depths.get(disqus_id, 0)
        for offset, ancestor in enumerate(reversed(seen), start=1):
            depths[ancestor] = known + offset
        return depths.get(seen[0], known) if seen else known

    return sorted(entries, key=lambda entry: (depth(entry.disqus_id), entry.created_at))


def _text(element, path):
    found = element.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def _datetime(value):
    """The instant a Disqus date names (UTC without an offset), or None for text that is
    not a date or a date the site cannot keep (core.dates.storable)."""
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        return storable(moment)
    except ValueError:  # OutOfRange too
        return None
