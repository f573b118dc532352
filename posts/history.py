"""Posts' revision history (django-reversion), and restoring a revision.

Every Post.save() is a revision (see Post.save): one made in admin names the editor,
one made by the importer names the file. Restoring never writes a row the way
reversion's own revert does (raw, past Post.save()): it sets the post's fields and
saves it like any edit, so the HTML is rendered, the checklist items follow the
headings and readers' ticks stay on their items.

Before a restore, the editor sees what it changes (issue 22): the fields, and the
article's text as readers see it, block by block (paragraphs, headings, list items),
word by word (``text_changes``), rather than a diff of the Markdown source.
"""

import datetime
import difflib
from dataclasses import dataclass, field
from html.parser import HTMLParser

import reversion
from django.db import transaction
from django.utils import formats, timezone
from reversion.models import Version

from .models import Category, Post

# What a revision holds of a post and a restore puts back (see DERIVED_FIELDS).
RESTORED_FIELDS = (
    "title",
    "slug",
    "permalink",
    "description",
    "body",
    "status",
    "published_at",
    "publication_date",
    "allow_comments",
    "use_math",
)


def versions_of(post):
    """The post's revisions (reversion Versions), newest first, with who made each."""
    return (
        Version.objects.get_for_object(post)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def describe(version):
    """ "27 November 2026, 10:03": when a revision was made, in the site's time zone."""
    return formats.date_format(timezone.localtime(version.revision.date_created), "j F Y, H:i")


@transaction.atomic
def restore_version(*, version, user):
    """Make the post what ``version`` (a Version of a Post) recorded; return the post.

    The restore is itself a revision, made by ``user`` (a User or None). Categories
    deleted since are left out. Raises django.core.exceptions.ValidationError when
    the revision's values no longer fit (its permalink now belongs to another post),
    and reversion.errors.RevertError when the revision cannot be read; nothing is
    written then.
    """
    post = Post.objects.select_for_update().get(pk=version.object_id)
    data = version.field_dict
    for name in RESTORED_FIELDS:
        if name in data:
            setattr(post, name, data[name])
    post.full_clean()
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(f"Restored the version of {describe(version)}")
        post.save()
        post.categories.set(Category.objects.filter(pk__in=data.get("categories", [])))
    return post


# The fields shown when a restore would change them, with their labels, in form order.
SHOWN_FIELDS = {
    "title": "Title",
    "slug": "Slug",
    "permalink": "Permalink",
    "description": "Description",
    "status": "Status",
    "published_at": "Published at",
    "publication_date": "Date shown",
    "allow_comments": "Allow comments",
    "use_math": "Use math",
}


def restored_post(*, post, version):
    """An unsaved copy of ``post`` (a Post) as restoring ``version`` would make it,
    rendered (body_html and headings set) exactly as Post.save() would render it.

    Raises reversion.errors.RevertError when the revision cannot be read.
    """
    copy = Post(**{f.attname: getattr(post, f.attname) for f in Post._meta.concrete_fields})
    data = version.field_dict
    for name in RESTORED_FIELDS:
        if name in data:
            setattr(copy, name, data[name])
    copy.render()
    return copy


def field_changes(*, before, after):
    """[(label, now, after restoring)] (str each) for the SHOWN_FIELDS that differ
    between two Posts, as an editor reads them (dates in the site's time zone)."""

    def shown(value):
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, datetime.datetime):
            return formats.date_format(timezone.localtime(value), "j F Y, H:i")
        return "(blank)" if value in (None, "") else str(value)

    return [
        (label, shown(getattr(before, name)), shown(getattr(after, name)))
        for name, label in SHOWN_FIELDS.items()
        if getattr(before, name) != getattr(after, name)
    ]


@dataclass(frozen=True)
class Block:
    """One block of an article as a reader sees it: ``kind`` is what it is
    ("Paragraph", "Heading", "List item", "Code", "Quote", "Table row"), ``words`` its
    visible text split at white space."""

    kind: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Part:
    """A run of words in a changed block: ``change`` is "same", "removed" or "added"."""

    change: str
    text: str


@dataclass
class BlockChange:
    """One block that a restore changes, removes or adds.

    ``status`` is "changed" (``parts`` marks words removed and added), "removed" or
    "added" (the whole block); ``unchanged_before`` counts the unchanged blocks between
    it and the previous change, which are not shown; ``under`` is the text of the
    heading the block sits under ("" for a heading, or before the first one), to say
    where it is.
    """

    kind: str
    status: str
    parts: list[Part] = field(default_factory=list)
    unchanged_before: int = 0
    under: str = ""


# Elements that start and end a block of text; which kind a block is comes from the
# nearest of KINDS around its text.
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "tfoot", "thead", "tr", "ul",
})  # fmt: skip
KINDS = {
    **{f"h{level}": "Heading" for level in range(1, 7)},
    "pre": "Code",
    "li": "List item",
    "tr": "Table row",
    "dt": "Term",
    "dd": "Definition",
    "caption": "Table caption",
    "figcaption": "Caption",
    "blockquote": "Quote",
}
HIDDEN_TAGS = frozenset({"script", "style", "template", "head", "title"})
VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                       "meta", "source", "track", "wbr"})  # fmt: skip


class _BlockReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        # The block's text so far, in pieces: words split only once it ends, so "an
        # <strong>expert</strong>." stays "an expert." rather than "an expert .".
        self.blocks, self.open, self.text, self.hidden = [], [], [], 0

    def flush(self):
        words = "".join(self.text).split()
        if words:
            kind = next((KINDS[tag] for tag in reversed(self.open) if tag in KINDS), "Paragraph")
            self.blocks.append(Block(kind=kind, words=tuple(words)))
        self.text = []

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN_TAGS:
            self.hidden += 1
        if tag in BLOCK_TAGS:
            self.flush()
        if tag == "img":
            alt = " ".join((dict(attrs).get("alt") or "").split())
            self.text.append(f" [Image: {alt}] " if alt else " [Image] ")
        if tag in ("td", "th") and "".join(self.text).strip():
            self.text.append(" | ")
        if tag == "br":
            self.text.append(" ")
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self.open and self.open[-1] == tag:
            self.open.pop()

    def handle_endtag(self, tag):
        if tag in HIDDEN_TAGS:
            self.hidden = max(0, self.hidden - 1)
        if tag in BLOCK_TAGS:
            self.flush()
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data):
        if not self.hidden:
            self.text.append(data)


def visible_blocks(body_html):
    """The blocks (list of Block) of rendered HTML (str) as a reader sees them: the
    visible text of each paragraph, heading, list item, code block, quote or table row,
    in order; images count as "[Image: their description]". Blocks without text
    (a checklist box, an alias anchor, a rule) are left out."""
    reader = _BlockReader()
    reader.feed(body_html)
    reader.close()
    reader.flush()
    return reader.blocks


# Two blocks this alike (difflib's ratio of their words) are one block edited; below
# it, one removed and another added.
SAME_BLOCK_RATIO = 0.4


def text_changes(before_html, after_html):
    """What changes (list of BlockChange, in reading order) in the text readers see when
    the article's rendered HTML goes from ``before_html`` to ``after_html`` (str each).

    Blocks are matched with difflib (stdlib) on their whole text, then an edited block's
    words are matched again, so a changed word is marked inside its paragraph. Empty
    when the text is the same; changes of markup alone (a link's address, an id) are
    not text and do not show.
    """
    before, after = visible_blocks(before_html), visible_blocks(after_html)
    under_before, under_after = _headings_above(before), _headings_above(after)
    changes = []
    unchanged = 0

    def add(status, blocks, index, parts=None):
        nonlocal unchanged
        block = blocks[index]
        under = (under_before if blocks is before else under_after)[index]
        text = " ".join(block.words)
        parts = parts or [Part(status, text)]
        changes.append(BlockChange(block.kind, status, parts, unchanged, under))
        unchanged = 0

    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            unchanged += i2 - i1
            continue
        j = j1
        for i in range(i1, i2):
            match = next((k for k in range(j, j2) if _alike(before[i], after[k])), None)
            if match is None:
                add("removed", before, i)
                continue
            for k in range(j, match):
                add("added", after, k)
            add("changed", after, match, _word_parts(before[i], after[match]))
            j = match + 1
        for k in range(j, j2):
            add("added", after, k)
    return changes


def _headings_above(blocks):
    """For each block, the text (str) of the nearest heading before it; "" for none and
    for headings themselves."""
    above, current = [], ""
    for block in blocks:
        if block.kind == "Heading":
            above.append("")
            current = " ".join(block.words)
        else:
            above.append(current)
    return above


def _alike(old, new):
    if old.kind != new.kind:
        return False
    matcher = difflib.SequenceMatcher(None, old.words, new.words, autojunk=False)
    # The cheap upper bounds first: a rewritten article compares many pairs.
    return (
        matcher.real_quick_ratio() >= SAME_BLOCK_RATIO
        and matcher.quick_ratio() >= SAME_BLOCK_RATIO
        and matcher.ratio() >= SAME_BLOCK_RATIO
    )


def _word_parts(old, new):
    parts = []
    matcher = difflib.SequenceMatcher(None, old.words, new.words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(Part("same", " ".join(old.words[i1:i2])))
            continue
        if i2 > i1:
            parts.append(Part("removed", " ".join(old.words[i1:i2])))
        if j2 > j1:
            parts.append(Part("added", " ".join(new.words[j1:j2])))
    return parts
