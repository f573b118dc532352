"""Importing a Disqus XML export: threads matched to posts, replies kept as replies.

The XML is parsed with defusedxml, which refuses external entities and entity
expansion bombs. Everything happens in one transaction: a file that fails part-way
writes nothing.
"""

import datetime
import html
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse
from django.db import transaction
from django.utils.html import strip_tags

from posts.models import Post, normalize_permalink

from .models import Comment
from .moderation import attach_point
from .rendering import sanitize

NS = {"d": "http://disqus.com", "dsq": "http://disqus.com/disqus-internals"}
DSQ_ID = "{http://disqus.com/disqus-internals}id"
ROOT_TAG = "{http://disqus.com}disqus"


class DisqusImportError(Exception):
    pass


@dataclass
class Summary:
    threads: int = 0
    threads_matched: int = 0
    imported: int = 0
    skipped: Counter = field(default_factory=Counter)


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
        by_disqus_id = {}
        for index, entry in enumerate(entries, start=1):
            reason = _import_entry(entry, posts_by_thread, imported, by_disqus_id, summary)
            if reason:
                summary.skipped[reason] += 1
            if progress and index % progress_every == 0:
                progress(index, len(entries))
    return summary


def _import_entry(entry, posts_by_thread, imported, by_disqus_id, summary):
    disqus_id = entry.get(DSQ_ID)
    if not disqus_id:
        return "no Disqus id"
    if len(disqus_id) > Comment._meta.get_field("disqus_id").max_length:
        return "Disqus id too long"
    if disqus_id in imported or disqus_id in by_disqus_id:
        return "already imported"
    if _text(entry, "d:isDeleted") == "true":
        return "deleted on Disqus"
    if _text(entry, "d:isSpam") == "true":
        return "spam on Disqus"
    thread = entry.find("d:thread", NS)
    post = posts_by_thread.get(thread.get(DSQ_ID) if thread is not None else None)
    if post is None:
        return "thread not matched to a post"
    message = _text(entry, "d:message")
    if not message.strip():
        return "empty message"
    created = _datetime(_text(entry, "d:createdAt"))
    if created is None:
        return "bad date"

    parent = None
    parent_element = entry.find("d:parent", NS)
    if parent_element is not None and parent_element.get(DSQ_ID):
        parent_key = parent_element.get(DSQ_ID)
        parent = by_disqus_id.get(parent_key)
        if parent is None and parent_key in imported:
            parent = Comment.objects.filter(pk=imported[parent_key]).first()
        if parent is None:
            return "reply to a comment that was not imported"
        parent = attach_point(parent)

    body_html = sanitize(message)
    comment = Comment(
        post=post,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        author=None,
        author_name=_text(entry, "d:author/d:name")[:100] or "Disqus reader",
        body=html.unescape(strip_tags(body_html)).strip(),
        body_html=body_html,
        status=Comment.Status.APPROVED,
        created_at=created,
        disqus_id=disqus_id,
    )
    comment.save()  # sets the thread too
    by_disqus_id[disqus_id] = comment
    summary.imported += 1
    return None


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
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment
