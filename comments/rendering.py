"""Readers' Markdown, rendered once when saved and sanitized with an allow-list.

Only a safe subset is parsed (emphasis, links, lists, quotes, code); raw HTML is
escaped, not passed through, and nh3 then drops anything not on the allow-list, so
neither Markdown tricks nor HTML can put script, styles or frames into the page.
"""

import html
import re
from functools import cache

import nh3
from django.utils.html import strip_tags
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"


@cache
def _parser():
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
    md.disable(
        ["image", "heading", "lheading", "table", "html_block", "html_inline", "hr"],
        ignoreInvalid=True,
    )
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
    text = html.unescape(strip_tags(text))
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
