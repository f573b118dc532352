"""The site's one Markdown renderer, used for pages and for the admin live preview.

CommonMark (markdown-it-py) with three additions the articles need:

* every heading gets a stable id from ``heading_id``, one slug rule for every script
  (an explicit kramdown-style ``{#id}`` wins; old ids live on as aliases),
* ``## <input type="checkbox"> Text`` headings become checklist headings: a real
  checkbox named by the heading text (``aria-labelledby``, not a ``<label>``: a click
  or double-click on the text must not tick it, issue 18), which the checklists app
  makes interactive,
* mathematics become MathML on the server (posts.math): ``$...$`` / ``$$...$$`` when
  a post asks for math, and kramdown's forms in imported posts (``dialect="kramdown"``),
  whose headings also answer to the ids kramdown gave them (posts.kramdown_ids).

GFM tables, strikethrough and footnotes are on for every post; a post imported from a
Jekyll blog is rendered with ``dialect="kramdown"``, kramdown's constructs as Jekyll
rendered them (posts/kramdown.py).

Raw HTML stays enabled because articles are written by staff editors (the Jekyll
source uses it); reader-written text goes through the comments app's sanitizer.
"""

import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from markdown_it import MarkdownIt

from posts.kramdown import gfm_extensions, kramdown_plugin
from posts.kramdown_ids import add_kramdown_aliases, record_kramdown_ids
from posts.math import math_plugin

CHECKBOX_TAG = re.compile(r"^<input\b[^>]*\btype\s*=\s*[\"']?checkbox[\"']?[^>]*>$", re.IGNORECASE)
# A kramdown attribute list ending a heading: "{#id}", "{: #id}", "{#id .class}".
ATTRIBUTE_LIST = re.compile(r"\s*\{(?::\s*([^{}\n]*)|([#.][^{}\n]*))\}\s*$")
# One part of a kramdown attribute list: "#id", ".class", key="value" (or 'value', or
# a bare value), or anything else, which is named in a warning.
ATTRIBUTE_PART = re.compile(r"""[\w-]+=(?:"[^"]*"|'[^']*'|[^\s"']+)|\S+""")
# Markup that only works on the page: the renderer's checklist box and its label, and
# any form control an editor wrote in raw HTML (attribute values may hold a ">").
_ATTRIBUTES = r"""(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*/?"""
FORM_CONTROL = re.compile(
    rf"<(?P<tag>button|select|textarea)\b{_ATTRIBUTES}>.*?</(?P=tag)\s*>"
    rf"|<input\b{_ATTRIBUTES}>|</?(?:label|form|fieldset|legend|output)\b{_ATTRIBUTES}>",
    re.IGNORECASE | re.DOTALL,
)
CHECKLIST_CLASS = ' class="checklist-heading"'
# A checklist heading's text, which names its box (the span ends where the heading does).
CHECKLIST_TEXT = re.compile(
    r'<span class="checklist-text" id="[^"]*">(?P<text>.*?)</span>(?=</h[1-6]>)', re.DOTALL
)
BLANK_TARGET_ANCHOR = re.compile(r"<a\b(?=[^>]*\btarget\s*=\s*[\"']?_blank)[^>]*>", re.IGNORECASE)
REL_ATTRIBUTE = re.compile(r"\srel\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
SELF_CLOSING_END = re.compile(r"(?:(?<=[\"'])|\s)/\s*$")
WORD = re.compile(r"\w+")
NOT_READ = re.compile(r"<[^>]*>|\]\([^)\s]*\)|\bhttps?://\S+")
WORDS_PER_MINUTE = 200


@dataclass(frozen=True)
class Heading:
    id: str
    text: str
    level: int
    checklist: bool = False


@dataclass
class Rendered:
    html: str
    headings: list[Heading] = field(default_factory=list)
    # What the author wrote that the renderer could not use, one sentence each.
    warnings: list[str] = field(default_factory=list)

    @property
    def checklist(self):
        return [heading for heading in self.headings if heading.checklist]


MAX_ID_LENGTH = 80
# Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt) whose
# characters are letters or marks, so the letter/digit/mark filter would keep them:
# variation selectors (U+FE0F makes "⚙" an emoji), the combining grapheme joiner,
# Khmer inherent vowels, Mongolian free variation selectors and the Hangul fillers.
# The format characters among the ignorables (ZWJ, ZWNJ, soft hyphen, bidi marks,
# tags) are category Cf, which the filter drops already.
IGNORABLE_MARKS = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]"
)


def heading_id(text):
    """The anchor id (str) for a heading's text (str), the same rule for every script.

    Django's ``slugify(allow_unicode=True)``: NFKC-normalised, lower-cased, keeping
    letters, digits and "_" of any script, runs of spaces and hyphens made one "-".
    One addition: combining marks are kept too (Unicode category M), without which
    Devanagari, Bengali or Thai words lose their vowel signs ("हिन्दी" would become
    "हनद"); plain-ASCII text has none, so its ids are exactly Django's ASCII slugify
    (issue 10). Marks that are never seen are not kept (issue 22): the variation
    selectors and other default-ignorable code points (IGNORABLE_MARKS), and enclosing
    marks (category Me, the keycap of "1️⃣"), which draw around an emoji or symbol, so
    "Set up your tools ⚙️" is "set-up-your-tools", not "set-up-your-tools-" with an
    invisible U+FE0F. At most 80 characters, never empty: "section" when nothing is left.
    """
    value = unicodedata.normalize("NFKC", str(text)).lower()
    value = IGNORABLE_MARKS.sub("", value)
    value = "".join(
        char
        for char in value
        if char in "-_"
        or char.isspace()
        or (unicodedata.category(char)[0] in "LNM" and unicodedata.category(char) != "Me")
    )
    value = re.sub(r"[-\s]+", "-", value).strip("-_")
    return value[:MAX_ID_LENGTH].rstrip("-") or "section"


HEADING_WITH_ID = re.compile(r'<(h[1-6]) id="([^"]+)"[^>]*>.*?</\1>', re.DOTALL)


def link_headings(body_html, headings):
    """The rendered article (str) with a visible link beside every heading that has an
    id, named "Link to this section: <heading text>" (issue 13), to copy or open.
    ``headings`` is Post.headings ([{id, text, ...}]), which names each link.

    The link follows the heading inside a ``div.heading-row`` rather than sitting in it,
    so a heading's accessible name stays its own text. Added to the page when it is
    built rather than stored: the feed shows the stored HTML, where "#id" leads nowhere.
    """
    texts = {heading["id"]: heading["text"] for heading in headings}

    def add_link(match):
        anchor = html.unescape(match.group(2))
        text = texts.get(anchor, anchor)
        return (
            f'<div class="heading-row">{match.group(0)}'
            f'<a class="heading-link" href="#{match.group(2)}"><span aria-hidden="true">#</span>'
            f'<span class="visually-hidden">Link to this section: {html.escape(text)}</span></a>'
            "</div>"
        )

    return HEADING_WITH_ID.sub(add_link, body_html)


def reading_minutes(markdown_text):
    """Whole minutes to read a text at 200 words a minute, at least one.

    Only what a reader reads counts: not HTML tags, link addresses or bare markup.
    """
    text = NOT_READ.sub(" ", markdown_text)
    words = sum(1 for token in text.split() if WORD.search(token))
    return max(1, round(words / WORDS_PER_MINUTE))


DIALECTS = ("commonmark", "kramdown")


def render(text, *, math=False, aliases=None, dialect="commonmark"):
    """Render Markdown (str) to a Rendered: HTML, headings and warnings.

    ``aliases`` maps ids a heading used to have to its id now ({old: current}); each
    old id that no heading has now is kept as an empty element at the start of that
    heading, so links shared with the old id (such as ``#section-2``) still land.

    ``dialect`` is "commonmark" (what editors write here) or "kramdown" (imported Jekyll
    posts): kramdown's constructs (posts.kramdown), math forms (posts.math) and, as
    aliases, the heading ids kramdown gave (posts.kramdown_ids). Any other value raises
    ValueError.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown Markdown dialect {dialect!r}; expected one of {DIALECTS}")
    env = {"aliases": aliases or {}, "warnings": [], "dialect": dialect}
    body = _parser(math, dialect).render(text, env)
    return Rendered(html=body, headings=env.get("headings", []), warnings=env["warnings"])


def display_html(body_html):
    """The stored HTML (str) for places that only show it, such as the Atom feed.

    Checklist headings become plain headings (their text out of the span that names
    the box), and form controls (inputs, buttons, labels, forms) are dropped, keeping
    their text: feed readers keep such markup
    (feedparser's sanitizer lets it through), and an entry's content is for display
    (RFC 4287 section 4.1.3).
    """
    plain = CHECKLIST_TEXT.sub(r"\g<text>", FORM_CONTROL.sub("", body_html))
    return plain.replace(CHECKLIST_CLASS, "")


def render_preview(text):
    """markdownx's preview hook: the page renderer, with math on (see docs/writing.md)."""
    return render(text, math=True).html


@cache
def _parser(math, dialect="commonmark"):
    md = MarkdownIt("commonmark", {"html": True})
    gfm_extensions(md)
    if dialect == "kramdown":
        kramdown_plugin(md)
    md.core.ruler.push("heading_ids", _heading_ids)
    md.core.ruler.push("safe_blank_targets", _safe_blank_targets)
    md.add_render_rule("heading_open", _render_heading_open)
    md.add_render_rule("heading_close", _render_heading_close)
    math_plugin(md, dialect=dialect, math=math)
    if dialect == "kramdown":
        md.core.ruler.before("heading_ids", "kramdown_ids", record_kramdown_ids)
        md.core.ruler.after("heading_ids", "kramdown_aliases", add_kramdown_aliases)
    return md


def _heading_ids(state):
    """Give each heading a unique id and record it, marking checklist headings."""
    seen = set()
    # The next suffix to try for each base id: each "-n" below it is taken already, so
    # a post of many same-named headings is numbered in linear time (20,000 "# Notes"
    # took 42 s, past gunicorn's 30 s, when each repeat tried every number from 2).
    next_suffix = {}
    headings = []
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        children = inline.children or []
        checklist = bool(children) and _is_checkbox(children[0])
        if checklist:
            del children[0]
            if children and children[0].type == "text":
                children[0].content = children[0].content.lstrip()
        explicit = None
        if children and children[-1].type == "text":
            match = ATTRIBUTE_LIST.search(children[-1].content)
            if match:
                children[-1].content = children[-1].content[: match.start()]
                text = " ".join(_plain_text(children).split())
                attributes = match.group(1) if match.group(1) is not None else match.group(2)
                explicit = _pinned_id(match.group(0).strip(), attributes, text, state.env)
        text = " ".join(_plain_text(children).split())
        base = explicit or heading_id(text)
        # A repeated id takes "-2", "-3", ...; in kramdown's posts "-1", "-2", ... as
        # kramdown numbered them, so the old blog's links to repeats land too.
        anchor = base
        suffix = next_suffix.get(base, 1 if state.env.get("dialect") == "kramdown" else 2)
        while anchor in seen:
            anchor, suffix = f"{base}-{suffix}", suffix + 1
        if anchor != base:
            next_suffix[base] = suffix
        seen.add(anchor)
        token.attrSet("id", anchor)
        token.meta["checklist"] = checklist
        tokens[index + 2].meta["checklist"] = checklist
        headings.append(Heading(id=anchor, text=text, level=int(token.tag[1]), checklist=checklist))
    aliases = state.env.get("aliases") or {}
    for token in tokens:
        if token.type == "heading_open":
            token.meta["aliases"] = sorted(
                old
                for old, current in aliases.items()
                if current == token.attrGet("id") and old not in seen
            )
    state.env["headings"] = headings


def _pinned_id(written, attributes, text, env):
    """The id a kramdown attribute list pins ("{#id}", "{: #id .class}",
    '{: id="id"}'), or None.

    The list is never shown as text; what cannot be used is named in a warning.
    """
    pinned = None
    for part in ATTRIBUTE_PART.findall(attributes):
        key, _, value = part.partition("=")
        candidate = part[1:] if part.startswith("#") else None
        if key == "id" and value:
            candidate = value.strip("\"'")
        if candidate is not None and pinned is None:
            if _is_pinnable(candidate):
                pinned = candidate
                continue
            env["warnings"].append(
                f"heading '{text}': {written} is not a usable id (letters, digits, '-' "
                f"and '_', at most {MAX_ID_LENGTH}); the id comes from the heading's text"
            )
        else:
            env["warnings"].append(
                f"heading '{text}': '{part}' in {written} is not used (only an {{#id}} is)"
            )
    return pinned


def _is_pinnable(candidate):
    """An id an author may pin: letters, digits and marks of any script, "_" and "-"."""
    return 0 < len(candidate) <= MAX_ID_LENGTH and all(
        char in "-_" or char.isalnum() or unicodedata.category(char)[0] == "M" for char in candidate
    )


def _is_checkbox(token):
    return token.type == "html_inline" and CHECKBOX_TAG.match(token.content.strip()) is not None


def _plain_text(children):
    return "".join(
        child.content
        for child in children
        if child.type in {"text", "code_inline"} or child.type.startswith("math")
    )


def _safe_blank_targets(state):
    """Raw HTML links that open a new tab get rel="noopener noreferrer"."""
    for token in state.tokens:
        if token.type == "html_block":
            token.content = _add_rel(token.content)
        for child in token.children or []:
            if child.type == "html_inline":
                child.content = _add_rel(child.content)


def _add_rel(fragment):
    def fix(match):
        tag = REL_ATTRIBUTE.sub("", match.group(0))
        # Drop a self-closing "/" (after a space or a quote), never the last character
        # of an unquoted value such as href=/dl_advice/.
        tag = SELF_CLOSING_END.sub("", tag[:-1]).rstrip()
        return tag + ' rel="noopener noreferrer">'

    return BLANK_TARGET_ANCHOR.sub(fix, fragment)


def _render_heading_open(renderer, tokens, index, options, env):
    token = tokens[index]
    opening = renderer.renderToken(tokens, index, options, env)
    # Old ids of this heading, as empty elements inside it: a link to one lands here.
    opening += "".join(
        f'<span id="{html.escape(old)}" class="heading-alias"></span>'
        for old in token.meta.get("aliases", [])
    )
    if not token.meta.get("checklist"):
        return opening
    anchor = token.attrGet("id")
    opening = opening.replace(">", ' class="checklist-heading">', 1)
    # The box is named by the text beside it rather than wrapped with it in a <label>:
    # only the box ticks, so selecting a word or tapping the heading changes nothing
    # (issue 18).
    return (
        f'{opening}<input type="checkbox" class="checklist-box" id="check-{anchor}" '
        f'name="item" value="{anchor}" aria-labelledby="{checklist_text_id(anchor)}" '
        f'data-checklist-item="{anchor}">'
        f'<span class="checklist-text" id="{checklist_text_id(anchor)}">'
    )


def checklist_text_id(anchor):
    """The id (str) of the element holding a checklist heading's text, which names its
    checkbox (issue 18); ``anchor`` is the heading's id (letters, digits, marks, "-" and
    "_", so safe in HTML)."""
    return f"check-{anchor}-text"


def _render_heading_close(renderer, tokens, index, options, env):
    closing = renderer.renderToken(tokens, index, options, env)
    if tokens[index].meta.get("checklist"):
        return "</span>" + closing
    return closing
