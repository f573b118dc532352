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
"""

import dataclasses
import datetime
from collections import Counter
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

import reversion
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse
from django.db import transaction

from accounts.names import cleaned_name, names_not_to_pose_as
from core.dates import storable

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
    entries = _parents_first(root.findall("d:post", NS))
    posts_by_thread, deleted_threads = _match_threads(root, entries, summary)
    imported = dict(Comment.objects.filter(disqus_id__isnull=False).values_list("disqus_id", "pk"))
    with transaction.atomic():
        _close_discussions(posts_by_thread, summary)
        run = _Import(posts_by_thread, deleted_threads, imported, summary)
        for index, entry in enumerate(entries, start=1):
            reason = run.entry(entry)
            if reason:
                summary.skipped[reason] += 1
            if progress and index % progress_every == 0:
                progress(index, len(entries))
        # Withheld comments that no live reply needed stay out.
        for _, reason in run.withheld.values():
            summary.skipped[reason] += 1
        summary.hidden_earlier = _hide_earlier_imports(entries, deleted_threads)
    return summary


def _hide_earlier_imports(entries, deleted_threads):
    """Reject the comments of threads deleted on Disqus that an earlier import published
    (before issue 21 it published them), unless a moderator has decided on them since;
    the number rejected. Through Comment.objects.update(), which the page cache hears."""
    ids = [
        entry.get(DSQ_ID)
        for entry in entries
        if _Import._thread_id(entry) in deleted_threads and entry.get(DSQ_ID)
    ]
    return Comment.objects.filter(
        disqus_id__in=ids,
        status=Comment.Status.APPROVED,
        is_removed=False,
        moderated_at__isnull=True,
    ).update(status=Comment.Status.REJECTED)


def _match_threads(root, entries, summary):
    """({thread's Disqus id: (Post, _Thread)} for the matched threads, the set of ids of
    threads deleted on Disqus), counting matches and listing the unmatched in
    ``summary``."""
    live_comments = Counter()
    for entry in entries:
        if not any(_text(entry, f"d:{flag}") == "true" for flag in WITHHELD):
            thread = entry.find("d:thread", NS)
            live_comments[thread.get(DSQ_ID) if thread is not None else None] += 1
    addresses = PostAddresses()
    posts_by_thread, deleted = {}, set()
    for element in root.findall("d:thread", NS):
        summary.threads += 1
        thread = _Thread.of(element)
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
    (deleted or spam on Disqus), made as placeholders once a live reply needs them."""

    def __init__(self, posts_by_thread, deleted_threads, imported, summary):
        self.posts_by_thread = posts_by_thread
        self.deleted_threads = deleted_threads  # Disqus ids of threads deleted there
        self.imported = imported  # Disqus id -> pk, from earlier imports
        self.summary = summary
        self.by_disqus_id = {}
        self.withheld = {}  # Disqus id -> (entry, reason)
        self.taken_names = names_not_to_pose_as()

    def entry(self, entry):
        """Import one <post>; the reason it was skipped (str), or None."""
        disqus_id = entry.get(DSQ_ID)
        if not disqus_id:
            return "no Disqus id"
        if len(disqus_id) > Comment._meta.get_field("disqus_id").max_length:
            return "Disqus id too long"
        if disqus_id in self.imported or disqus_id in self.by_disqus_id:
            return "already imported"
        for flag, reason in WITHHELD.items():
            if _text(entry, f"d:{flag}") == "true":
                self.withheld[disqus_id] = (entry, reason)
                return None  # counted at the end, unless a live reply needs it
        post, created, reason = self._place(entry)
        if reason:
            return reason
        hidden = self._thread_id(entry) in self.deleted_threads
        message = _text(entry, "d:message")
        if not message.strip():
            return "empty message"
        parent, reason = self._parent(entry)
        if reason:
            return reason
        body_html = sanitize(message)
        self._save(
            entry,
            post=post,
            parent=parent,
            # The rules of names typed here (accounts.names) hold for imported ones too.
            author_name=cleaned_name(_text(entry, "d:author/d:name"), self.taken_names)
            or "Disqus reader",
            body=plain_text(body_html),
            body_html=body_html,
            created_at=created,
            # Disqus shows no comment of a deleted thread: nor does the site.
            status=Comment.Status.REJECTED if hidden else Comment.Status.APPROVED,
        )
        self.summary.imported += 1
        self.summary.hidden += hidden
        return None

    @staticmethod
    def _thread_id(entry):
        thread = entry.find("d:thread", NS)
        return thread.get(DSQ_ID) if thread is not None else None

    def _place(self, entry):
        """(Post, created datetime, None), or (None, None, the reason it has none)."""
        post, _ = self.posts_by_thread.get(self._thread_id(entry), (None, None))
        if post is None:
            return None, None, "thread not matched to a post"
        created = _datetime(_text(entry, "d:createdAt"))
        if created is None:
            return None, None, "bad date"
        return post, created, None

    def _parent(self, entry):
        """(the Comment to attach to or None, None), or (None, the reason it has none).
        A withheld parent is made a placeholder now, and its withheld ancestors too."""
        parent_element = entry.find("d:parent", NS)
        if parent_element is None or not parent_element.get(DSQ_ID):
            return None, None
        key = parent_element.get(DSQ_ID)
        parent = self.by_disqus_id.get(key)
        if parent is None and key in self.imported:
            parent = Comment.objects.filter(pk=self.imported[key]).first()
        if parent is None and key in self.withheld:
            parent = self._placeholder(key)
        if parent is None:
            return None, "reply to a comment that was not imported"
        return attach_point(parent), None

    def _placeholder(self, disqus_id):
        """The withheld comment ``disqus_id`` as a placeholder (no text, no name): deleted
        on Disqus as a deleted comment, spam as a comment a moderator removed. None when
        it cannot be placed (no post, bad date, a parent that is not there)."""
        entry, reason = self.withheld.pop(disqus_id)
        post, created, problem = self._place(entry)
        parent, problem = (None, problem) if problem else self._parent(entry)
        if problem:
            self.summary.skipped[reason] += 1
            return None
        spam = reason == WITHHELD["isSpam"]
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

    def _save(self, entry, *, parent, **fields):
        fields.setdefault("status", Comment.Status.APPROVED)
        comment = Comment(
            parent=parent, depth=parent.depth + 1 if parent else 0, author=None, **fields
        )
        comment.disqus_id = entry.get(DSQ_ID)
        comment.save()  # sets the thread too
        self.by_disqus_id[comment.disqus_id] = comment
        return comment


def _parents_first(entries):
    """Order comments so every parent comes before its replies, then by date.

    Dates alone are not enough: a reply can carry its parent's second, or an earlier one.
    """
    parent_of = {}
    for entry in entries:
        parent = entry.find("d:parent", NS)
        parent_of[entry.get(DSQ_ID)] = parent.get(DSQ_ID) if parent is not None else None
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

    return sorted(
        entries, key=lambda entry: (depth(entry.get(DSQ_ID)), _text(entry, "d:createdAt"))
    )


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
