"""What a link preview says about a post: its description as text, and its JSON-LD.

jekyll-seo-tag's rules (lib/jekyll-seo-tag/drop.rb, json_ld_drop.rb): the description
is the page's ``description`` or else its excerpt (by default its first paragraph),
made plain text (markdownify, strip_html, normalize_whitespace); the JSON-LD of a post
is a ``BlogPosting`` with its headline, description, dates, address, author, image and
publisher.
"""

import datetime
import html
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.encoding import iri_to_uri
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

from core.site import absolute_url

TAG = re.compile(r"<[^>]*>")
# What Liquid's strip_html drops whole, before the tags: scripts, styles, comments.
HIDDEN = re.compile(r"<script.*?</script>|<!--.*?-->|<style.*?</style>", re.DOTALL | re.IGNORECASE)
# Blocks whose text is not prose a preview can quote: code, maths, scripts, tables.
SKIPPED_BLOCKS = re.compile(
    r"<(pre|script|style|table|figure|math)\b.*?</\1\s*>"
    r'|<span class="liquid-placeholder">.*?</span>',
    re.DOTALL | re.IGNORECASE,
)
PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p\s*>", re.DOTALL | re.IGNORECASE)
DESCRIPTION_LENGTH = 300


def plain_text(fragment):
    """The text (str) of an HTML fragment (str): tags dropped (Liquid's strip_html, so
    "<b>a</b>." stays "a."), entities decoded, whitespace runs made one space
    (normalize_whitespace)."""
    return " ".join(html.unescape(TAG.sub("", HIDDEN.sub("", fragment))).split())


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


@dataclass(frozen=True)
class LinkPreview:
    """What a post page's meta tags say (pages/templates/pages/post_detail.html).

    ``description``: its description, or an excerpt of its body ("" when it has no
    prose); ``image``: the preview image's absolute URL ("" for none); ``modified``: when
    it last changed (its ``modified_at``, else its last save); ``json_ld``: the
    ``<script type="application/ld+json">`` element (safe HTML).
    """

    description: str
    image: str
    modified: datetime.datetime
    json_ld: str


# What JSON must not hold raw inside a <script>: "</script>" ends it, "<!--" changes how
# it is read (HTML's script data rules); Django's json_script escapes the same three.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def link_preview(post):
    """The LinkPreview of ``post`` (a Post), with the JSON-LD ``BlogPosting``
    jekyll-seo-tag writes for a post: headline, description, datePublished,
    dateModified, url, mainEntityOfPage, author (a Person), image and publisher (the
    site, an Organization)."""
    description = post.description or body_excerpt(post.body_html)
    image = post.image
    if image.startswith("/"):
        image = absolute_url(iri_to_uri(image))
    modified = post.modified_at or post.updated_at
    published = post.publication_date or post.published_at
    changed = modified or published
    url = absolute_url(iri_to_uri(post.get_absolute_url()))
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "description": description or None,
        "datePublished": published.isoformat(timespec="seconds") if published else None,
        "dateModified": changed.isoformat(timespec="seconds") if changed else None,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "author": {"@type": "Person", "name": post.author} if post.author else None,
        "image": image or None,
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
    }
    text = json.dumps({key: value for key, value in data.items() if value is not None})
    script = format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(JSON_SCRIPT_ESCAPES)),  # noqa: S308 escaped above
    )
    return LinkPreview(description=description, image=image, modified=modified, json_ld=script)
