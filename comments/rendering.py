"""Readers' Markdown, rendered once when saved and sanitized with an allow-list.

Only a safe subset is parsed (emphasis, links, lists, quotes, code); raw HTML is
escaped, not passed through, and nh3 then drops anything not on the allow-list, so
neither Markdown tricks nor HTML can put script, styles or frames into the page.

Bare addresses become links as GitHub Flavored Markdown's autolink extension makes them
(issue 18), and an image is written as the text "[image: alt]", linked to the image's
address, since comments show no images.
"""

import html
import re
from functools import cache
from urllib.parse import urlsplit

import nh3
from django.utils.html import escape, format_html
from linkify_it import LinkifyIt
from linkify_it.main import Match
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"


_GFM_TRAILING = re.compile(r"[?!.,:*_~]+$")
_ENTITY_AT_END = re.compile(r"&[a-zA-Z0-9]+;$")


class GfmLinkify(LinkifyIt):
    """linkify-it-py set to GFM's autolink extension (github.github.com/gfm, "Autolinks
    (extension)"): ``http://`` and ``https://`` addresses, ``www.`` ones (given
    ``http://``) and email addresses; not ``ftp:``, protocol-relative ``//`` addresses or
    bare domains such as ``example.com``. Trailing punctuation and an unbalanced closing
    parenthesis stay outside the link (linkify-it's rules, which are GFM's)."""

    def __init__(self):
        super().__init__(
            schemas={
                "ftp:": None,
                "//": None,
                "www.": {"validate": self._validate_www, "normalize": self._normalize_www},
            },
            options={"fuzzy_link": False, "fuzzy_email": True, "fuzzy_ip": False},
        )
        # GFM links an email address under any top-level domain, not only linkify-it's
        # list of well-known ones.
        self.tlds(["[a-z]{2,63}"], keep_old=True)

    def match(self, text):
        """linkify-it's matches (list[Match] or None), trimmed as GFM trims them."""
        found = [self._trimmed(text, match) for match in super().match(text) or []]
        return [match for match in found if match] or None

    def match_at_start(self, text):
        """linkify-it's match at the start of ``text`` (Match or None), trimmed as GFM
        trims it."""
        match = super().match_at_start(text)
        return match and self._trimmed(text, match)

    def _trimmed(self, text, match):
        """``match`` without the trailing characters GFM leaves out of an autolink:
        ``? ! . , : * _ ~``, and an entity reference such as ``&amp;`` before a final
        ``;``. None when nothing is left after the scheme."""
        raw = text[match.index : match.last_index]
        if text[match.last_index : match.last_index + 1] == ";":  # linkify-it left it out
            raw += ";"
        while True:
            shorter = _ENTITY_AT_END.sub("", _GFM_TRAILING.sub("", raw))
            if shorter == raw:
                break
            raw = shorter
        if len(raw) >= match.last_index - match.index:
            return match
        if len(raw) <= len(match.schema):
            return None
        trimmed = Match(text, match.schema, match.index, match.index + len(raw))
        # The schema's normalizer, as linkify-it applies it: ours for www., else its default.
        (self._normalize_www if trimmed.schema == "www." else self.normalize)(trimmed)
        return trimmed

    def _validate_www(self, text, pos):
        """The length (int) of a www. address's rest, from ``pos``, or 0: a host with at
        least one period after "www.", then a port and a path."""
        if not self.re.get("www"):
            self.re["www"] = re.compile(
                self.re["src_host_port_strict"] + self.re["src_path"], re.IGNORECASE
            )
        found = self.re["www"].match(text, pos)
        if not found or "." not in re.split(r"[:/?#]", found.group(), maxsplit=1)[0]:
            return 0
        return len(found.group())

    def _normalize_www(self, match):
        match.url = "http://" + match.url


def _image_as_text(self, tokens, idx, options, env):
    """An image as the text "[image: alt]" ("[image]" without alt), linked to the image's
    address unless it already is inside a link (issue 18: comments show no images, and
    the image rule off left a stray "!" before a link)."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    text = f"[image: {alt}]" if alt.strip() else "[image]"
    depth = sum({"link_open": 1, "link_close": -1}.get(before.type, 0) for before in tokens[:idx])
    src = token.attrGet("src") or ""
    # Markdown lets an image's address be data:image/…, which no link may have.
    if depth > 0 or not src or urlsplit(src).scheme.lower() not in ALLOWED_SCHEMES | {""}:
        return escape(text)
    return format_html('<a href="{}">{}</a>', src, text)


@cache
def _parser():
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True})
    md.linkify = GfmLinkify()
    md.enable("linkify")
    md.disable(
        ["heading", "lheading", "table", "html_block", "html_inline", "hr"],
        ignoreInvalid=True,
    )
    md.add_render_rule("image", _image_as_text)
    return md


def render_comment(text):
    return sanitize(_parser().render(text))


def sanitize(html):
    """Keep only the allow-listed tags, attributes and URL schemes; mark links ugc."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


# Where a line ends in readers' HTML (the allow-listed tags above): a paragraph, quote,
# list or code block ends with a blank line, a list item or a <br> with a line break.
_BLOCK_END = re.compile(r"</(?:p|blockquote|pre|ul|ol)>\n?", re.IGNORECASE)
_LINE_END = re.compile(r"(?:<br\s*/?>|</li>)\n?", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<li(?:\s[^>]*)?>", re.IGNORECASE)


def plain_text(html_text):
    """The text of a comment's sanitized HTML (str) as plain text (str), for emails, the
    admin and the Markdown kept of imported comments: paragraphs stay apart, separated by
    a blank line, a <br> and each list item start a new line (issue 11: imported Disqus
    comments read "daily.Second line" without this)."""
    text = _BLOCK_END.sub("\n\n", html_text)
    text = _LIST_ITEM.sub("- ", _LINE_END.sub("\n", text))
    # nh3 with no tag allowed keeps the text of every element (as strip_tags() does) in
    # a third of its time: a Disqus import renders 100,000 of these (issue 23).
    text = html.unescape(nh3.clean(text, tags=set(), strip_comments=True))
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
