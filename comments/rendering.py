"""Readers' Markdown, rendered once when saved and sanitized with an allow-list.

Only a safe subset is parsed (emphasis, links, lists, quotes, code); raw HTML is
escaped, not passed through, and nh3 then drops anything not on the allow-list, so
neither Markdown tricks nor HTML can put script, styles or frames into the page.
"""

from functools import cache

import nh3
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
