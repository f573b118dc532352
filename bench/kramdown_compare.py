"""Compare the site's rendering of Jekyll posts with kramdown's (issue 21).

For each post of a folder, renders it as the site shows it once imported and as Jekyll's
kramdown renders it (Debian's ``ruby-kramdown`` and ``ruby-kramdown-parser-gfm``, GFM
input and Jekyll's default options, merged with the site's ``kramdown:``), then compares
what a reader gets: the visible text and the structure (headings and their ids, links,
images, tables, code blocks, footnotes, math).

The folder is a Jekyll site (the folder holding ``_posts``) or its ``_posts``: the site's
side is then exactly what ``import_jekyll`` stores, read with the importer's own reading
path (``posts.importing.read_post`` with the site's JekyllSite: _config.yml, front
matter defaults, Liquid, links, math switches, dialect), rendered as the stored post is
(``posts.markdown.render`` with the post's ``body``, ``use_math`` and ``dialect``).
Nothing is written: no database row, and files posts link to are only planned for
copying (posts.assets.deferred_copies). Any other folder (the corpus in
tests/cases/kramdown, files without front matter) is rendered as a kramdown body, math
on when the front matter asks. Prints one line per file and the totals:

* ``same``: the same visible text and structure;
* ``typography``: the same once quotes, dashes and ellipses are made plain;
* ``differs``: other visible differences (words, heading ids), nothing lost;
* ``broken``: markup shown as text (``{:``, ``{%``, ``$$``, ``|---|``), or a heading,
  table, code block, image, link, footnote or formula gained or lost;
* ``refused``: the file could not be read as a post.

Liquid is Jekyll's, not kramdown's: for a Jekyll site, kramdown reads each post as
Jekyll's own Liquid leaves it (Jekyll::Renderer#render_liquid with the site's payload,
_config.yml and _includes; plugins and the theme gem left out). Without Jekyll, or for a
post its Liquid raises on, and for any other folder, the post gets a small Liquid
pass standing in for Jekyll's (``{% raw %}`` unwrapped, ``{% highlight %}`` fenced,
comments dropped, ``site.baseurl``/``site.url`` and ``relative_url``/``absolute_url``
resolved, ``post_url``/``link`` made addresses, jekyll-scholar's tags made the elements
they give, empty, any other tag or output dropped), on
the file's own body (with the site's front matter defaults for its math switch).

Citations are the site's alone: jekyll-scholar is a plugin (not packaged by Debian), so
Jekyll's Liquid raises on ``{% cite %}`` and ``{% bibliography %}`` and the stand-in
drops them, while the site renders them (posts.scholar). The stand-in puts an empty
``<a class="citation">`` or ``<ol class="bibliography">`` where they were, so kramdown
reads the Markdown around them as it reads jekyll-scholar's HTML there (``_Adapted from
{% cite x %}_`` is emphasis). Those elements are set aside on both sides before
comparing (their text, links and lists), and so are the ids of headings that held a
citation (kramdown's side made them from the heading without it). Each run says how
many posts had citations compared that way: what they show is not checked here, but by
tests/posts/test_scholar.py. Chirpy's embeds (``{% include embed/youtube.html %}``) are
the theme's includes, which Jekyll's Liquid here does not have either: the site's
``a.embed-video``, ``video.embed-video`` and ``audio.embed-audio`` are set aside and
counted the same way (tests/posts/test_import_jekyll.py checks them).

Usage:
    python bench/kramdown_compare.py FOLDER [--verbose] [--dialect kramdown|commonmark]
                                     [--math] [--no-ids]
    python bench/kramdown_compare.py --store tests/cases/kramdown

``--store FOLDER`` writes kramdown's output beside each ``NAME.md`` as ``NAME.html`` (the
corpus the tests compare with, without Ruby). Without Ruby and kramdown, the script says
so and exits with status 2.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from django.core.exceptions import SuspiciousFileOperation
from django.utils.text import get_valid_filename

ROOT = Path(__file__).resolve().parent.parent

# Jekyll 4.3's kramdown defaults (Jekyll::Configuration::DEFAULTS), highlighting off: the
# highlighter's markup is not what is compared (the code's text is).
JEKYLL_KRAMDOWN = {
    "input": "GFM",
    "auto_ids": True,
    "toc_levels": [1, 2, 3, 4, 5, 6],
    "entity_output": "as_char",
    "smart_quotes": "lsquo,rsquo,ldquo,rdquo",
    "hard_wrap": False,
    "guess_lang": True,
    "footnote_nr": 1,
    "show_warnings": False,
    "syntax_highlighter": None,
}
KRAMDOWN_SCRIPT = r"""
require 'json'
require 'kramdown'
begin; require 'kramdown-parser-gfm'; rescue LoadError; end
request = JSON.parse(STDIN.read)
options = request['options'].transform_keys(&:to_sym)
options[:input] = options[:input] || 'GFM'
out = request['texts'].map do |text|
  begin
    Kramdown::Document.new(text, options).to_html
  rescue StandardError => e
    "<p>kramdown failed: #{e.class}</p>"
  end
end
puts JSON.generate(out)
"""
# Jekyll's own Liquid pass over each post of a site (Jekyll::Renderer#render_liquid, with
# the site's payload, _includes and _config.yml; plugins and theme left out), so that
# kramdown reads what Jekyll gives it. Prints {path: body, or {"error": why}}.
JEKYLL_LIQUID_SCRIPT = r"""
require 'json'
require 'jekyll'
# Ruby 3.1's Psych refuses Symbols (`style: :expanded`) where GitHub Pages' Ruby reads them.
class Psych::ClassLoader::Restricted
  alias_method :jekyll_find, :find
  def find(name)
    name == 'Symbol' ? ::Symbol : jekyll_find(name)
  end
end
request = JSON.parse(STDIN.read)
root = request['root']
overrides = {
  'source' => root, 'destination' => '/tmp/jliquid-unused', 'plugins' => [], 'theme' => nil,
  'quiet' => true, 'safe' => false, 'future' => true, 'unpublished' => true,
  'show_drafts' => false,
  'liquid' => { 'error_mode' => 'lax', 'strict_filters' => false, 'strict_variables' => false }
}
config = Jekyll.configuration(overrides)
config['theme'] = nil
site = Jekyll::Site.new(config)
site.reset
site.read
payload = site.site_payload
out = {}
site.posts.docs.each do |doc|
  begin
    renderer = Jekyll::Renderer.new(site, doc, payload)
    renderer.payload['page'] = doc.to_liquid
    renderer.payload['paginator'] = nil
    info = { registers: { site: site, page: renderer.payload['page'] },
             strict_filters: false, strict_variables: false }
    next out[doc.path] = doc.content unless doc.render_with_liquid?
    out[doc.path] = renderer.render_liquid(doc.content, renderer.payload, info, doc.path)
  rescue StandardError, SyntaxError => e
    out[doc.path] = { 'error' => "#{e.class}: #{e.message[0, 200]}" }
  end
end
puts JSON.generate(out)
"""
MATH_KEYS = ("use_math", "mathjax", "math", "katex")
TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "--",
        "\u2014": "---",
        "\u2026": "...",
        "\u00ab": "<<",
        "\u00bb": ">>",
        "\u00a0": " ",
    }
)
# Markup a reader should never see as text.
LEAKS = {
    "attribute list": re.compile(r"\{:[^}\n]*\}"),
    "Liquid": re.compile(r"\{%.*?%\}|\{\{.*?\}\}"),
    "table pipes": re.compile(r"\|\s*:?-{3,}"),
    "math delimiters": re.compile(r"\$\$|\\\\\(|\\\\\["),
    "footnote marker": re.compile(r"\[\^[^\]\s]+\]"),
}
LIQUID_ADDRESS = re.compile(r"\{[%{]|%7B(?:%25|%7B)", re.IGNORECASE)
# The site's rendering of Chirpy's embed includes (posts/liquid.py): kramdown's side has
# nothing there, since the theme's _includes are not in the blog's repository.
SET_ASIDE = {"embed-video", "embed-audio"}
MATH_SOURCE = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
MATH_MARK = "\u27e8math\u27e9"
# MathJax's $…$, which themes with math on (Chirpy, al-folio) turn into formulas.
EMPHASIS_TAG = re.compile(r"</?(?:em|strong)>")
# "$$…$$" left as text by kramdown ("\$$…$$" mid-sentence), which MathJax reads as
# display math.
DISPLAY_DOLLAR_MATH = re.compile(r"\$\$[^$]*?[^\s$][^$]*?\$\$")
# A formula padded on both sides ("$ x $") is one too: MathJax has no rule against it.
DOLLAR_MATH = re.compile(
    r"(?<![\\$])\$(?:(?!\s)[^$\n]+?(?<![\s\\])|[ \t][^$\n]*?[^\s$][^$\n]*?[ \t])\$(?!\$)"
)


@dataclass
class Structure:
    """What a reader gets from a page of HTML, as comparable values."""

    text: str = ""
    headings: list = field(default_factory=list)  # [(level, text)]
    ids: set = field(default_factory=set)  # every id in the page (headings' and aliases)
    heading_ids: list = field(default_factory=list)  # the headings' own ids, in order
    links: list = field(default_factory=list)  # [(text, href)]
    images: list = field(default_factory=list)  # [(alt, file name as stored)]
    tables: list = field(default_factory=list)  # [[[cell text, ...] per row] per table]
    code: list = field(default_factory=list)  # [text of each code block]
    footnotes: int = 0
    math: int = 0
    set_aside: int = 0  # elements of SET_ASIDE classes left out of the comparison
    split_math: int = 0  # kramdown's side: $…$ formulas its emphasis split (structure)
    addresses: list = field(default_factory=list)  # every href and src as written
    citations: int = 0  # a.citation and ol.bibliography elements set aside
    cited_headings: set = field(default_factory=set)  # indexes of headings that held one


class _Reader(HTMLParser):
    SKIP = {"script", "style", "template"}
    # Blocks are apart on the page whatever whitespace the HTML has between them.
    BLOCKS = {"p", "pre", "div", "li", "ul", "ol", "blockquote", "table", "tr", "td", "th"}
    BLOCKS |= {"h1", "h2", "h3", "h4", "h5", "h6", "dl", "dt", "dd", "figure", "hr", "br"}
    BLOCKS |= {"details", "summary", "section", "aside", "figcaption"}

    def __init__(self, dollar_math=False, own=(), mathjax=False):
        super().__init__(convert_charrefs=True)
        self.dollar_math = dollar_math
        self.mathjax = mathjax
        self.own = own
        self.skip_tag = None
        self.result = Structure()
        self.parts = []
        self.stack = []  # open elements: [tag, attrs, collected text]
        self.skip = 0
        self.in_math = 0
        self.rows = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id") and not self.skip:
            self.result.ids.add(attrs["id"])
        if tag in self.SKIP or self.skip_tag == tag:
            self.skip += 1
            return
        if self.skip:
            return
        classes = (attrs.get("class") or "").split()
        if tag == "td" and {"gutter", "rouge-gutter"} & set(classes):
            # The line numbers of Jekyll's {% highlight … linenos %}, which the importer
            # drops (issue 21): the code is compared, not its gutter.
            self.skip_tag = tag
            self.skip += 1
            return
        if set(classes) & SET_ASIDE:
            # What the site made of a theme's include that Jekyll's Liquid here cannot
            # run (kramdown's side lost it): set aside, and counted.
            self.result.set_aside += 1
            self.skip_tag = tag
            self.skip += 1
            return
        if (tag, "citation") in _classes(tag, classes) or (tag, "bibliography") in _classes(
            tag, classes
        ):
            # jekyll-scholar's markup, which kramdown's side cannot have (module docstring).
            self.result.citations += 1
            if any(re.fullmatch(r"h[1-6]", item[0]) for item in self.stack):
                self.result.cited_headings.add(len(self.result.headings))
            self.skip_tag = tag
            self.skip += 1
            return
        if attrs.get("id") == "markdown-toc":
            # kramdown's contents list for {:toc}: the site's page has its own.
            self.skip_tag = tag
            self.skip += 1
            return
        if tag == "math":
            self.in_math += 1
            if self.in_math == 1:
                self._data(f" {MATH_MARK} ")
                self.result.math += 1
            return
        for key in ("href", "src"):
            if attrs.get(key):
                self.result.addresses.append(attrs[key])
        if tag in self.BLOCKS:
            self.parts.append(" ")
        if tag == "img":
            name = stored_name((attrs.get("src") or "").rsplit("/", 1)[-1])
            self.result.images.append((attrs.get("alt") or "", name))
            return
        if tag == "sup" and (attrs.get("id") or "").startswith("fnref"):
            self.result.footnotes += 1
        if tag == "table" and "rouge-table" not in classes:
            self.rows = []
        if tag in {"br", "hr", "input"}:
            return
        self.stack.append([tag, attrs, []])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in {"img", "br", "hr", "input", "math"} and self.stack:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in self.SKIP or (self.skip and tag == self.skip_tag):
            self.skip = max(0, self.skip - 1)
            if not self.skip:
                self.skip_tag = None
            return
        if self.skip:
            return
        if tag == "math":
            self.in_math = max(0, self.in_math - 1)
            return
        if tag in self.BLOCKS:
            self.parts.append(" ")
        while self.stack:
            open_tag, attrs, texts = self.stack.pop()
            text = _squash("".join(texts))
            self._finish(open_tag, attrs, text)
            if self.stack:  # inline markup (Rouge's spans in code) joins its text
                joined = "".join(texts)
                self.stack[-1][2].append(f" {joined} " if open_tag in self.BLOCKS else joined)
            if open_tag == tag:
                break

    def _finish(self, tag, attrs, text):
        if re.fullmatch(r"h[1-6]", tag):
            self.result.headings.append((int(tag[1]), text))
            self.result.heading_ids.append(attrs.get("id"))
        elif tag == "a" and attrs.get("href") is not None:
            self.result.links.append((text, _href(attrs["href"], self.own)))
        elif tag == "pre" and not any(item[0] == "pre" for item in self.stack):
            self.result.code.append(text)  # a pre in a pre (linenos' table) is one block
        elif tag in {"td", "th"} and self.rows is not None:
            if not self.rows:
                self.rows.append([])
            self.rows[-1].append(text)
        elif tag == "tr" and self.rows is not None:
            self.rows.append([])
        elif tag == "table" and self.rows is not None:
            self.result.tables.append([row for row in self.rows if row])
            self.rows = None

    def handle_data(self, data):
        if self.skip or self.in_math:
            return
        in_code = any(item[0] in {"code", "pre"} for item in self.stack)
        if self.mathjax and not in_code:
            self.result.math += len(MATH_SOURCE.findall(data))
            data = MATH_SOURCE.sub(f" {MATH_MARK} ", data)
        if self.dollar_math and not in_code:
            self.result.math += len(DISPLAY_DOLLAR_MATH.findall(data))
            data = DISPLAY_DOLLAR_MATH.sub(f" {MATH_MARK} ", data)
            formulas = len(DOLLAR_MATH.findall(data))
            if formulas:
                self.result.math += formulas
                data = DOLLAR_MATH.sub(f" {MATH_MARK} ", data)
        self._data(data)

    def _data(self, data):
        self.parts.append(data)
        if self.stack:
            self.stack[-1][2].append(data)


def _classes(tag, classes):
    """The (tag, class) pairs of jekyll-scholar's markup an element has."""
    wanted = {("a", "citation"), ("ol", "bibliography")}
    return {(tag, name) for name in classes} & wanted


def _squash(text):
    # Variation selectors only choose how a glyph is drawn (text or emoji "↩"); a zero-
    # width space is not seen at all (the importer drops it: importing.repair_mojibake).
    for invisible in ("\ufe0e", "\ufe0f", "\u200b"):
        text = text.replace(invisible, "")
    return " ".join(text.split())


def _href(href, own=()):
    """A link's address as compared: external ones whole, fragments whole, addresses of
    this blog only as "internal" (the site gives imported files and posts new ones);
    ``own`` (tuple of str) are the blog's own absolute addresses (its ``url``), whose
    links the importer points to the imported post or file."""
    href = href.strip()
    if href.startswith("#"):
        return href
    bare = re.sub(r"(?i)^(https?:)?//", "", href).rstrip("/")
    if any(bare == site or bare.startswith(site + "/") for site in own):
        return "internal"
    if re.match(r"(?i)(https?:)?//|mailto:", href):
        return href.rstrip("/")
    return "internal"


def structure(page_html, *, kramdown=False, dollar_math=False, own=()):
    """The Structure (text, headings, ids, links, images, tables, code, footnotes, math)
    of ``page_html`` (str). ``kramdown``: the page is kramdown's, whose formulas are
    MathJax source (``\\(…\\)``, ``\\[…\\]``) rather than MathML; ``dollar_math``:
    its ``$…$`` outside code are formulas too, as MathJax shows them on a page with math;
    ``own``: the blog's own absolute addresses, counted as internal links (see _href).
    """
    # MathJax finds formulas in the page's text, as the reader reads it: not in
    # attributes (a link's "\\(19\\)"), code, or kramdown's contents list, left out.
    reader = _Reader(dollar_math=kramdown and dollar_math, own=own, mathjax=kramdown)
    reader.feed(page_html)
    reader.close()
    while reader.stack:
        reader.handle_endtag(reader.stack[-1][0])
    result = reader.result
    result.text = _squash(unicodedata.normalize("NFC", "".join(reader.parts)))
    if kramdown and dollar_math and EMPHASIS_TAG.search(page_html):
        # "$a_1$ and $b_2$": kramdown made emphasis of the TeX's underscores, so MathJax
        # found no formula there on the old blog; the site keeps TeX whole (issue 21).
        whole = structure(EMPHASIS_TAG.sub("", page_html), kramdown=True, dollar_math=True)
        result.split_math = max(0, whole.math - result.math)
    return result


def compare(site_html, kramdown_html, *, ids=True, math=False, own=()):
    """(verdict, [reasons]) for the site's page against kramdown's, both str of HTML.

    The verdict is "same", "typography", "differs" or "broken" (see the module's
    docstring). ``ids``: whether heading ids count (a kramdown id must name an element of
    the site's page, a heading or one of its aliases); ``math``: whether the post has
    math on (so MathJax reads kramdown's ``$…$``); ``own`` (tuple of str, such as
    ("karpathy.github.io",)): the blog's own hosts and paths, whose absolute links count as
    internal, since the importer points them to the imported post.
    """
    site = structure(site_html, own=own)
    theirs = structure(kramdown_html, kramdown=True, dollar_math=math, own=own)
    broken = []
    for name, pattern in LEAKS.items():
        shown = len(pattern.findall(site.text)) - len(pattern.findall(theirs.text))
        if shown > 0:
            broken.append(f"{name} shown as text ({shown})")
    unread = [address for address in site.addresses if LIQUID_ADDRESS.search(address)]
    if unread:
        broken.append(f"Liquid in addresses ({len(unread)})")
    for name in ("headings", "tables", "code", "images", "links"):
        ours, kramdowns = getattr(site, name), getattr(theirs, name)
        if len(ours) != len(kramdowns):
            broken.append(f"{name}: {len(ours)} here, {len(kramdowns)} in kramdown")
    if site.footnotes != theirs.footnotes:
        broken.append(f"footnotes: {site.footnotes} here, {theirs.footnotes} there")
    repaired = 0 < site.math - theirs.math <= theirs.split_math
    if site.math != theirs.math and not repaired:
        broken.append(f"math: {site.math} here, {theirs.math} there")
    if broken:
        return "broken", broken
    differs = []
    if ids:
        missing = [
            anchor
            for index, anchor in enumerate(theirs.heading_ids)
            if anchor and anchor not in site.ids and index not in site.cited_headings
        ]
        if missing:
            differs.append(f"heading ids missing: {', '.join(missing[:5])}")
    for name in ("headings", "tables", "code", "links", "images"):
        ours, kramdowns = _plain(getattr(site, name)), _plain(getattr(theirs, name))
        if ours != kramdowns:
            differs.append(f"{name} differ: {_first_differing(ours, kramdowns)}")
    if repaired:
        differs.append(
            f"formulas whole here that kramdown's emphasis split there: {site.math - theirs.math}"
        )
    if site.text == theirs.text and not differs and site.images == theirs.images:
        return "same", []
    if _plain(site.text) == _plain(theirs.text) and not differs:
        if site.text == theirs.text:  # only an image's description, by its typography
            return "typography", [f"images: {_first_differing(site.images, theirs.images)}"]
        return "typography", [_first_difference(site.text, theirs.text)]
    if _plain(site.text) != _plain(theirs.text):
        differs.append(_first_difference(_plain(site.text), _plain(theirs.text)))
    return "differs", differs


def _plain(value):
    if isinstance(value, str):
        return _squash(value.translate(TYPOGRAPHY))
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _first_differing(ours, theirs):
    """The first pair of items that differ in two lists, as a reason (str)."""
    here, there = next(
        (pair for pair in zip(ours, theirs, strict=False) if pair[0] != pair[1]), (None, None)
    )
    return f"here {str(here)[:80]!r}, kramdown {str(there)[:80]!r}"


def stored_name(name):
    """An image's file name (str, the last part of its address) as the importer stores the
    file (posts.assets.storage_name: Django's ``get_valid_filename``, after reading its
    percent-escapes), so "0 excel.png", "0%20excel.png" and "0_excel.png" are one image."""
    name = unquote(name)
    try:
        return get_valid_filename(name)
    except SuspiciousFileOperation:  # "", "." or "..": nothing a file is stored as
        return name


def _first_difference(ours, theirs):
    index = next(
        (i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b),
        min(len(ours), len(theirs)),
    )
    here, there = ours[index : index + 40], theirs[index : index + 40]
    return f"text at {index}: here {here!r}, kramdown {there!r}"


# Kramdown's side.


def kramdown_available():
    """Whether Ruby with the kramdown library is installed (bool)."""
    try:
        done = subprocess.run(
            ["ruby", "-e", "require 'kramdown'"], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def kramdown_html(texts, options=None):
    """kramdown's HTML (list of str) for each Markdown text of ``texts``, with Jekyll's
    default options updated by ``options`` (a dict of kramdown options)."""
    request = {"options": {**JEKYLL_KRAMDOWN, **(options or {})}, "texts": list(texts)}
    done = subprocess.run(
        ["ruby", "-e", KRAMDOWN_SCRIPT],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout)


def jekyll_bodies(root):
    """{absolute path (str): the post's body after Jekyll's own Liquid, or None where
    Jekyll's Liquid raised} for the posts of the Jekyll site at ``root`` (Path); {}
    when Jekyll is not installed or cannot read the site (jekyll_liquid stands in)."""
    try:
        done = subprocess.run(
            ["ruby", "-e", JEKYLL_LIQUID_SCRIPT],
            input=json.dumps({"root": str(root)}),
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        found = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        return {}
    return {path: None if isinstance(body, dict) else body for path, body in found.items()}


def jekyll_liquid(body, site):
    """``body`` (str) after a small stand-in for Jekyll's Liquid pass (see the module's
    docstring); ``site`` is the _config.yml mapping ({} without one)."""
    baseurl = str(site.get("baseurl") or "").rstrip("/")
    url = str(site.get("url") or "").rstrip("/")
    body = re.sub(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}", "", body, flags=re.S)
    raws = []

    def keep_raw(match):
        raws.append(match.group(1))
        return f"\x00{len(raws) - 1}\x00"

    body = re.sub(r"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}", keep_raw, body, flags=re.S)

    def highlight(match):
        language = match.group(1) or ""
        return f"\n```{language}\n{match.group(2).strip(chr(10))}\n```\n"

    body = re.sub(
        r"\{%-?\s*highlight\s+([\w+#.-]+)?[^%]*%\}(.*?)\{%-?\s*endhighlight\s*-?%\}",
        highlight,
        body,
        flags=re.S,
    )

    def output(match):
        expression = match.group(1).strip()
        value = ""
        literal = re.match(r"""(["'])(.*?)\1""", expression)
        if literal:
            value = literal.group(2)
        elif expression.startswith("site.baseurl"):
            value = baseurl
        elif expression.startswith("site.url"):
            value = url
        if "relative_url" in expression:
            value = baseurl + "/" + value.lstrip("/")
        elif "absolute_url" in expression:
            value = url + baseurl + "/" + value.lstrip("/")
        return value

    body = re.sub(r"\{\{-?(.*?)-?\}\}", output, body, flags=re.S)
    body = re.sub(r"\{%-?\s*post_url\s+(\S+)\s*-?%\}", r"/post_url/\1", body)
    body = re.sub(r"\{%-?\s*link\s+(\S+)\s*-?%\}", r"/\1", body)
    # jekyll-scholar's elements, empty: set aside when compared (module docstring).
    body = re.sub(r"\{%-?\s*(?:cite|reference)\s.*?%\}", '<a class="citation"></a>', body)
    body = re.sub(r"\{%-?\s*bibliography\b.*?%\}", '<ol class="bibliography"></ol>', body)
    body = re.sub(r"\{%.*?%\}", "", body, flags=re.S)
    return re.sub(r"\x00(\d+)\x00", lambda match: raws[int(match.group(1))], body)


# The site's side.


def read_posts(folder):
    """[(path, metadata or None, body or None, problem or None)] for the Markdown files
    under ``folder``; a file without front matter is all body (the corpus)."""
    from posts.importing import PostImportError, parse_post, read_post_file, repair_mojibake

    found = []
    folder = Path(folder)
    for path in sorted(folder.rglob("*")) if folder.is_dir() else [folder]:
        if path.suffix.lower() not in {".md", ".markdown", ".mkd"} or not path.is_file():
            continue
        try:
            text = repair_mojibake(read_post_file(path))
            if not text.lstrip().startswith("---"):
                found.append((path, {}, text, None))
                continue
            metadata, body, _warnings = parse_post(text)
        except PostImportError as error:
            found.append((path, None, None, str(error)))
            continue
        found.append((path, metadata, body, None))
    return found


def math_on(metadata):
    """Whether a post's front matter (dict) switches math on."""
    return any(metadata.get(key) is True for key in MATH_KEYS)


def site_html(metadata, body, *, dialect="kramdown", math=False):
    """The site's HTML (str) for a post's body, as an imported post is rendered."""
    from posts.markdown import render

    math = math or math_on(metadata)
    return render(body, math=math, dialect=dialect).html


def jekyll_site_root(folder):
    """The Jekyll site (Path) ``folder`` is, or whose ``_posts`` it is; None otherwise."""
    folder = Path(folder).resolve()
    if folder.name == "_posts" and folder.is_dir():
        return folder.parent
    if (folder / "_posts").is_dir():
        return folder
    return None


@dataclass
class SitePost:
    """One post of a Jekyll site as both sides read it."""

    path: Path
    problem: str | None = None  # why the importer refuses it
    site_html: str = ""  # the page's HTML here, as import_jekyll stores the post
    body: str = ""  # the file's body as written (kramdown's side runs Liquid on it)
    math: bool = False  # whether the post has math on (front matter, defaults, site)
    liquid: bool = True  # whether Jekyll runs Liquid on it (render_with_liquid)
    crash: str = ""  # the site's renderer raised: why


def read_site(root, folder, *, dialect=None, math=False):
    """(SitePost list, JekyllSite) for the posts under ``folder`` of the Jekyll site at
    ``root`` (Path): each read by the importer (read_post with the site, as import_jekyll
    does), nothing written. ``dialect`` (str or None) and ``math`` override the stored
    post's dialect and math switch (the script's --dialect and --math)."""
    from posts.assets import deferred_copies
    from posts.importing import (
        PostImportError,
        _math,
        has_front_matter,
        parse_post,
        read_post,
        read_post_file,
        repair_mojibake,
    )
    from posts.jekyll_site import JekyllSite
    from posts.markdown import render

    site = JekyllSite.from_folder(root)
    sources, _notes = site.discover()
    site.index(sources)
    folder = Path(folder).resolve()
    liquid_done = jekyll_bodies(root)
    found = []
    with deferred_copies():
        for source in sources:
            if source.kind != "posts" or not source.path.resolve().is_relative_to(folder):
                continue  # Jekyll builds no drafts unless asked
            entry = SitePost(path=source.path)
            found.append(entry)
            if source.error:
                entry.problem = source.error
                continue
            try:
                post = read_post(source.path, jekyll_site=site, source=source)
                text = repair_mojibake(read_post_file(source.path))
                if has_front_matter(text):
                    metadata, entry.body, _warnings = parse_post(text)
                else:
                    metadata, entry.body = {}, text.strip()
            except PostImportError as error:
                entry.problem = str(error)
                continue
            metadata = site.merged_metadata(source, metadata)
            entry.math = math or _math(metadata, site.config)
            entry.liquid = metadata.get("render_with_liquid") is not False
            jekylls = liquid_done.get(str(source.path.resolve()))
            if jekylls is not None:  # Jekyll's own Liquid ran: kramdown reads its output
                # The file as received may have lost its encoding on the way (the seed
                # article's mojibake): Jekyll read it whole on the old blog, so kramdown
                # reads the repaired text, as the importer does.
                entry.body, entry.liquid = repair_mojibake(jekylls), False
            elif entry.liquid:
                print(f"{source.relative}: Jekyll's Liquid not run, stand-in used", file=sys.stderr)
            values = post.values
            try:
                entry.site_html = render(
                    values["body"],
                    math=math or values["use_math"],
                    dialect=dialect or values["dialect"],
                ).html
            except Exception as error:  # a crash is the worst rendering: count it, go on
                entry.crash = f"render raised {type(error).__name__}: {error}"
    return found, site


def site_config(folder):
    """The _config.yml mapping of the Jekyll site holding ``folder`` ({} without one)."""
    import yaml

    for directory in [Path(folder).resolve(), *Path(folder).resolve().parents][:3]:
        config = directory / "_config.yml"
        if config.is_file():
            try:
                loaded = yaml.safe_load(config.read_text(encoding="utf-8", errors="replace"))
            except yaml.YAMLError:
                return {}
            return loaded if isinstance(loaded, dict) else {}
    return {}


def _setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advice_site.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")
    import django

    django.setup()


def store(folder):
    """Write kramdown's HTML beside each NAME.md of ``folder`` as NAME.html."""
    sources = sorted(Path(folder).glob("*.md"))
    outputs = kramdown_html(path.read_text(encoding="utf-8") for path in sources)
    for path, output in zip(sources, outputs, strict=True):
        path.with_suffix(".html").write_text(output, encoding="utf-8")
        print(f"wrote {path.with_suffix('.html')}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--store", action="store_true", help="write the corpus's .html files")
    parser.add_argument("--verbose", action="store_true", help="print why each file differs")
    parser.add_argument("--dialect", default="kramdown", choices=["kramdown", "commonmark"])
    parser.add_argument("--math", action="store_true", help="math on site-wide")
    parser.add_argument("--no-ids", action="store_true", help="leave heading ids out")
    arguments = parser.parse_args(argv)
    if not kramdown_available():
        print("kramdown is not installed: apt-get install ruby-kramdown ruby-kramdown-parser-gfm")
        return 2
    if arguments.store:
        store(arguments.folder)
        return 0
    _setup_django()
    root = jekyll_site_root(arguments.folder)
    if root is not None:
        entries, site = read_site(
            root,
            arguments.folder,
            dialect=arguments.dialect if arguments.dialect != "kramdown" else None,
            math=arguments.math,
        )
        config, options = site.liquid_site(), dict(site.kramdown)
        own = (
            (re.sub(r"(?i)^https?://", "", site.url + site.baseurl).rstrip("/"),)
            if site.url
            else ()
        )
    else:
        config, own = site_config(arguments.folder), ()
        options = config.get("kramdown") if isinstance(config.get("kramdown"), dict) else {}
        entries = []
        for path, metadata, body, problem in read_posts(arguments.folder):
            entry = SitePost(path=path, problem=problem, body=body or "")
            if not problem:
                entry.math = arguments.math or math_on(metadata)
                try:
                    entry.site_html = site_html(
                        metadata, body, dialect=arguments.dialect, math=entry.math
                    )
                except Exception as error:  # a crash is the worst rendering: count it, go on
                    entry.crash = f"render raised {type(error).__name__}: {error}"
            entries.append(entry)
    options = {key: value for key, value in options.items() if key != "syntax_highlighter"}
    readable = [entry for entry in entries if not entry.problem]
    theirs = kramdown_html(
        (jekyll_liquid(entry.body, config) if entry.liquid else entry.body for entry in readable),
        options,
    )
    totals = {"same": 0, "typography": 0, "differs": 0, "broken": 0, "refused": 0}
    cited = embedded = 0  # posts whose citations or embeds were set aside (module docstring)
    for entry in entries:
        if entry.problem:
            totals["refused"] += 1
            print(f"refused     {entry.path}: {entry.problem}")
    folder = Path(arguments.folder).resolve()
    for entry, kramdown_page in zip(readable, theirs, strict=True):
        if entry.crash:
            verdict, reasons = "broken", [entry.crash]
        else:
            verdict, reasons = compare(
                entry.site_html, kramdown_page, math=entry.math, ids=not arguments.no_ids, own=own
            )
        totals[verdict] += 1
        if not entry.crash:
            seen = structure(entry.site_html, own=own)
            cited += bool(seen.citations)
            embedded += bool(seen.set_aside)
        detail = f"  ({'; '.join(reasons)})" if reasons and arguments.verbose else ""
        path = entry.path.resolve()
        name = path.relative_to(folder) if path != folder else entry.path
        print(f"{verdict:<11} {name}{detail}")
    posts = entries
    rendered = sum(totals.values()) - totals["refused"]
    shares = ", ".join(
        f"{name} {count} ({100 * count / rendered:.0f}%)"
        if rendered and name != "refused"
        else f"{name} {count}"
        for name, count in totals.items()
    )
    print(f"{len(posts)} files, {rendered} rendered: {shares}")
    print(
        f"{cited} posts with jekyll-scholar citations, compared with their a.citation and "
        "ol.bibliography set aside (kramdown's side runs no plugins)"
    )
    print(
        f"{embedded} posts with Chirpy embeds, compared with the site's link or player set "
        "aside (kramdown's side has no theme includes)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
