"""What a link preview says about a post: its description as text, and its JSON-LD.

jekyll-seo-tag's rules (lib/jekyll-seo-tag/drop.rb, json_ld_drop.rb): the description
is the page's ``description`` or else its excerpt (by default its first paragraph),
made plain text (markdownify, strip_html, normalize_whitespace); the JSON-LD of a post
is a ``BlogPosting`` with its headline, description, dates, address, author, image and
publisher.
"""

import html
import re

from markdown_it import MarkdownIt

TAG = re.compile(r"<[^>]*>")
# Blocks whose text is not prose a preview can quote: code, maths, scripts, tables.
SKIPPED_BLOCKS = re.compile(
    r"<(pre|script|style|table|figure|math)\b.*?</\1\s*>|<span class=\"liquid-placeholder\">.*?</span>",
    re.DOTALL | re.IGNORECASE,
)
PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p\s*>", re.DOTALL | re.IGNORECASE)
DESCRIPTION_LENGTH = 300


def plain_text(fragment):
    """The text (str) of an HTML fragment (str): tags dropped, entities decoded,
    whitespace runs made one space (jekyll-seo-tag's strip_html and
    normalize_whitespace)."""
    return " ".join(html.unescape(TAG.sub(" ", fragment)).split())


def markdown_text(markdown):
    """The text (str) of a short Markdown fragment such as a front matter ``excerpt``
    (jekyll-seo-tag's markdownify, then plain_text); raw HTML in it is dropped too."""
    return plain_text(MarkdownIt("commonmark", {"html": True}).render(str(markdown)))


def shorten(text, limit=DESCRIPTION_LENGTH):
    """``text`` (str) in at most ``limit`` characters, cut after a whole word with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-–—") + "…"


def body_excerpt(body_html):
    """A preview's text for a post without a description (str, "" when none): its first
    paragraph that has words, as jekyll-seo-tag's default excerpt, at most 300
    characters. Code, maths, tables and Liquid placeholders are not quoted."""
    for paragraph in PARAGRAPH.finditer(SKIPPED_BLOCKS.sub(" ", body_html)):
        text = plain_text(paragraph.group(1))
        if any(char.isalnum() for char in text):
            return shorten(text)
    return ""
