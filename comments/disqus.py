"""Importing a Disqus XML export: threads matched to posts, replies kept as replies.

The XML is parsed with defusedxml, which refuses external entities and entity
expansion bombs. Everything happens in one transaction: a file that fails part-way
writes nothing.
"""

import datetime
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse
from django.db import transaction

from accounts.names import cleaned_name, names_not_to_pose_as
from core.dates import storable
from posts.models import Post, normalize_permalink

from .models import Comment
from .moderation import attach_point
from .rendering import plain_text, sanitize

NS = {"d": "http://disqus.com", "dsq": "http://disqus.com/disqus-internals"}
DSQ_ID = "{http://disqus.com/disqus-internals}id"
ROOT_TAG = "{http://disqus.com}disqus"


class DisqusImportError(Exception):
    pass


@dataclass
class Summary:
    """What an import did: ``threads`` in the file and ``threads_matched`` to posts;
    comments ``imported`` with their text; ``placeholders``, comments deleted or marked
    spam on Disqus that were imported without text or name because live replies hang
    on them; ``skipped`` (Counter), the comments left out, by reason."""

    threads: int = 0
    threads_matched: int = 0
    imported: int = 0
    placeholders: int = 0
    skipped: Counter = field(default_factory=Counter)


# Comments Disqus no longer shows: imported only as placeholders for their live replies.
WITHHELD = {"isDeleted": "deleted on Disqus", "isSpam": "spam on Disqus"}


def import_disqus(path, *, progress=None, progress_every=500):
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
    posts_by_thread = {}
    for thread in root.findall("d:thread", NS):
        summary.threads += 1
        post = _match_post(thread)
        if post is not None:
            summary.threads_matched += 1
            posts_by_thread[thread.get(DSQ_ID)] = post

    entries = _parents_first(root.findall("d:post", NS))
    imported = dict(Comment.objects.filter(disqus_id__isnull=False).values_list("disqus_id", "pk"))
    with transaction.atomic():
        run = _Import(posts_by_thread, imported, summary)
        for index, entry in enumerate(entries, start=1):
            reason = run.entry(entry)
            if reason:
                summary.skipped[reason] += 1
            if progress and index % progress_every == 0:
                progress(index, len(entries))
        # Withheld comments that no live reply needed stay out.
        for _, reason in run.withheld.values():
            summary.skipped[reason] += 1
    return summary


class _Import:
    """One import's state: comments made so far by Disqus id, and the withheld ones
    (deleted or spam on Disqus), made as placeholders once a live reply needs them."""

    def __init__(self, posts_by_thread, imported, summary):
        self.posts_by_thread = posts_by_thread
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
        )
        self.summary.imported += 1
        return None

    def _place(self, entry):
        """(Post, created datetime, None), or (None, None, the reason it has none)."""
        thread = entry.find("d:thread", NS)
        post = self.posts_by_thread.get(thread.get(DSQ_ID) if thread is not None else None)
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


def _match_post(thread):
    """A thread belongs to the post whose permalink is its link's path or its identifier."""
    candidates = []
    link = _text(thread, "d:link")
    if link:
        # A link urllib cannot split (http://[::1) has no path to match.
        with suppress(ValueError):
            candidates.append(urlsplit(link).path)
    identifier = _text(thread, "d:id")
    if identifier:
        candidates.append(identifier)
    for candidate in candidates:
        permalink = normalize_permalink(candidate)
        if permalink:
            post = Post.objects.filter(permalink=permalink).first()
            if post is not None:
                return post
    return None


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
