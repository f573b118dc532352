"""kramdown's Markdown, as Jekyll blogs write it, for posts imported from them (issue 21).

Jekyll renders posts with kramdown 2.4 and, as these blogs configure it, its GFM input
(``kramdown: input: GFM``, Jekyll's defaults: ``hard_wrap: false``, ``auto_ids: true``,
``smart_quotes: lsquo,rsquo,ldquo,rdquo``). ``posts.markdown.render(dialect="kramdown")``
adds to the site's CommonMark parser what such posts need to look as they looked there:

* ``gfm_extensions``, for both dialects: GFM tables with alignment, ``~~strikethrough~~``
  and footnotes (``[^1]``, numbered and linked as kramdown does: ``#fn:1``, ``#fnref:1``);
* ``kramdown_plugin``, for imported posts only:

  - ``\\\\`` ending a line is a line break, as two spaces are;
  - GFM task lists (``- [ ]``, ``- [x]``) as kramdown shows them, disabled boxes that are
    never checklist items (only ``## <input type="checkbox">`` headings are);
  - definition lists (``term`` / ``: definition``) and abbreviations (``*[HTML]: …``);
  - emphasis as kramdown reads it, each from its opening delimiter to the first one that
    may close it, never inside one of its kind (``parser/kramdown/emphasis.rb``);
  - kramdown's typography: ``---`` → —, ``--`` → –, ``...`` → …, ``<<``/``>>`` → «/»,
    and quotes → ‘’“” by kramdown's own rules (``parser/kramdown/smart_quotes.rb``),
    never in code, raw HTML, link addresses or image descriptions;
  - attribute lists, block (``{: …}`` on the line after or before a block; one on the
    line after a paragraph's text ends the paragraph there, as kramdown ends it) and span
    (``[a](b){:target="_blank"}``): ids always, classes from ``ALLOWED_CLASSES``,
    ``target``/``rel`` on links, anything else dropped silently; ``{:toc}`` removes the
    element it marks (the page has its own contents list); attribute list definitions
    (``{:name: …}``), ``{::comment}`` and ``{::options}`` leave nothing;
  - block HTML as kramdown reads it: an element starting a line runs to its closing tag,
    blank lines included (CommonMark ends it at the first blank line and reads the rest
    as Markdown, so an indented line becomes a code block), read without the indentation
    of the list item or quote it is in, and ``markdown="1"`` makes its content Markdown.

Where CommonMark and kramdown disagree elsewhere, the editor's dialect stays CommonMark
(docs/writing.md). Nothing here raises on bad Markdown: what cannot be read stays text.
"""

import html
import re

from markdown_it.common.utils import mdTrim
from markdown_it.rules_block import fence as commonmark_fence
from markdown_it.rules_block import heading as commonmark_heading
from markdown_it.rules_block import html_block as commonmark_html_block
from markdown_it.rules_block import list_block as commonmark_list
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from posts.kramdown_ids import KRAMDOWN_HEADER_ID

# Classes an attribute list may give: Chirpy's callouts, which name what the block is.
# A theme's layout classes are not (Lil'Log's "center", from its own minima stylesheet,
# not Minima's or Chirpy's): the site's stylesheet lays out images and tables itself.
ALLOWED_CLASSES = frozenset({"prompt-tip", "prompt-info", "prompt-warning", "prompt-danger"})

# A block attribute list on a line of its own: "{: .class #id key="v"}"; "{::...}" and
# "{:/...}" are extensions, not attribute lists. "{:name: ...}" defines a reusable list.
BLOCK_IAL = re.compile(r"^[ \t]*\{:(?![:/])([^{}\n]*)\}[ \t]*$")
ALD = re.compile(r"^ {0,3}\{:[\w-]+:[^{}\n]*\}[ \t]*$")
EXTENSION = re.compile(r"^ {0,3}\{::(?:options|comment)\b[^{}\n]*/\}[ \t]*$")
# kramdown's block extensions with a body: a comment leaves nothing, nomarkdown its raw text.
EXTENSION_START = re.compile(r" {0,3}\{::(comment|nomarkdown|options)\b([^{}\n]*?)(/?)\}[ \t]*")
LIST_MARKER = re.compile(r"(?:[*+-]|\d{1,9}[.)])(?:[ \t]|$)")
SPAN_IAL = re.compile(r"\{:(?![:/])([^{}\n]*)\}")
IAL_PART = re.compile(r"""([\w-]+)=("|')(.*?)\2|([#.][^\s#.]+)|([\w-]+)""")
SAFE_ID = re.compile(r"[^\W\d_]?[\w:.-]{1,80}")
SAFE_TARGET = re.compile(r"_?[\w-]{1,40}")
REL_WORD = re.compile(r"[a-z-]{1,30}")


def _names(text):
    return frozenset(text.split())


# kramdown's block HTML (parser/html.rb): a tag starting a line opens a raw block unless it
# names a span element; its content is Markdown with markdown="1" (as block or span text,
# by element: any other element's content, a table's or a list's, stays raw), else kept
# as written up to the matching closing tag.
HTML_SPAN_ELEMENTS = _names(
    "a abbr acronym b big bdo br button cite code del dfn em i img input ins kbd "
    "label mark option q rb rbc rp rt rtc ruby samp select small span strong sub sup "
    "tt u var"
)
HTML_VOID_ELEMENTS = _names(
    "area base br col command embed hr img input keygen link meta param source track wbr"
)
HTML_SPAN_CONTENT = _names(
    "a abbr acronym b bdo big button cite caption del dfn dt em h1 h2 h3 h4 h5 h6 i "
    "ins label legend optgroup p q rb rbc rp rt rtc ruby select small span strong sub "
    "sup th tt"
)
HTML_BLOCK_CONTENT = _names(
    "address applet article aside blockquote body dd details div dl fieldset figure "
    "figcaption footer form header hgroup iframe li main map menu nav noscript object "
    "section summary td"
)
_ATTRIBUTES = r"""(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*"""
HTML_OPEN_TAG = re.compile(rf"<([A-Za-z][\w:-]*)({_ATTRIBUTES})\s*(/?)>", re.DOTALL)
# A run of backticks, which opens or closes a code span, and what stands for a code
# span's "|" while tables are read (one character, so every offset stays).
BACKTICKS = re.compile(r"`+")
HIDDEN_PIPE = "\ue000"
EMPTY_HEADING = re.compile(r"#{1,6}[ \t]*")
SPACED_TITLE = re.compile(r"""(.*?)\s+(["'])(.*)\2""", re.DOTALL)
PARENTHESIS_MARKER = re.compile(r"\d{1,9}\)")
# An ordered list item as kramdown starts one (parser/kramdown/list.rb, LIST_START_OL).
ORDERED_ITEM = re.compile(r"\d+\.[ \t|]")
# kramdown's table lines (parser/kramdown/table.rb): a row holds a "|" at its start or
# one not escaped; a separator line is made of "|", ":", "+", "-" (a footer's of "=").
TABLE_PIPE = re.compile(r"\||.*?[^\\\n]\|")
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
TABLE_SEPARATOR = re.compile(r"[+|: \t-]*?-[+|: \t-]*?")
TABLE_FOOTER_SEPARATOR = re.compile(r"[+|: \t=]*?=[+|: \t=]*?")
TABLE_ALIGNMENT = re.compile(r"[ \t]?(:?)-+(:?)[ \t]?")
SETEXT_UNDERLINE = re.compile(r" {0,3}(?:=+|-+)[ \t]*")
# What kramdown reads before a table: code, a quote, a heading, a rule, a list, a
# definition or math (block HTML is told by its element).
NOT_A_TABLE_START = re.compile(
    r"(?:```|~~~|>|#{1,6}(?:[ \t]|$)|([-*_])[ \t]*\1[ \t]*\1|[*+-][ \t]|\d+\.[ \t]|:[ \t]"
    r"|\$\$)"
)
HTML_BLOCK_ALT = ["paragraph", "reference", "blockquote"]  # as markdown-it's own rule
LAZY_HTML = re.compile(
    r" {0,3}</?(?!(?:" + "|".join(sorted(HTML_SPAN_ELEMENTS)) + r")\b)[A-Za-z][\w:-]*"
)
HTML_CLOSE_TAG = re.compile(r"</([A-Za-z][\w:-]*)\s*>")
HTML_TAG_NAME = re.compile(r"</?([A-Za-z][\w:-]*)")
MARKDOWN_ATTRIBUTE = re.compile(r"""\s+markdown\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")

# Abbreviation definitions (parser/kramdown/abbreviation.rb).
ABBREVIATION = re.compile(r"^ {0,3}\*\[([^\]\n]+)\]:[ \t]*(.*?)[ \t]*$")

# kramdown's smart quotes, rule by rule (parser/kramdown/smart_quotes.rb). Each is tried
# in order where a quote (with the character before it, when that is still unread
# text) is found; the numbers name a group kept as text, the names a quote made.
# Ruby's \w, \s and \d are ASCII, hence re.ASCII.
_SQ_PUNCT = r"""[!"#$%'()*+,\-./:;<=>?@\[\\\]^_`{|}~]"""
_SQ_CLOSE = r"[^ \\\t\r\n\[{(-]"
_FLAGS = re.ASCII | re.MULTILINE | re.DOTALL
SQ_RULES = [
    (re.compile(r"""("|')(?=[_*]{1,2}\S)""", _FLAGS), ["lquote1"]),
    (re.compile(rf"""("|')(?={_SQ_PUNCT}(?!\.\.)\B)""", _FLAGS), ["rquote1"]),
    (re.compile(r"""(\s?)"'(?=\w)""", _FLAGS), [1, "ldquo", "lsquo"]),
    (re.compile(r"""(\s?)'"(?=\w)""", _FLAGS), [1, "lsquo", "ldquo"]),
    (re.compile(r"""(\s?)'(?=\d\ds)""", _FLAGS), [1, "rsquo"]),
    (re.compile(r"""(\s)('|")(?=\w)""", _FLAGS), [1, "lquote2"]),
    (re.compile(rf"""({_SQ_CLOSE})('|")""", _FLAGS), [1, "rquote2"]),
    (re.compile(r"""("|')(?=\s|s\b|$)""", _FLAGS), ["rquote1"]),
    (re.compile(r"""(.?)'""", _FLAGS), [1, "lsquo"]),
    (re.compile(r"""(.?)\"""", _FLAGS), [1, "ldquo"]),
]
QUOTES = {"lsquo": "\u2018", "rsquo": "\u2019", "ldquo": "\u201c", "rdquo": "\u201d"}
# Which quote a rule's "1"/"2" names, by the straight quote it found.
SQ_SUBSTITUTES = {
    ("rquote", '"'): "rdquo",
    ("rquote", "'"): "rsquo",
    ("lquote", '"'): "ldquo",
    ("lquote", "'"): "lsquo",
}
# Where kramdown's span parsers for quotes and typographic symbols start, quotes first.
# A character that starts another span parser ("*", "_", "[", "`") is read by it, so a
# quote right after one has no character before it.
TYPOGRAPHY_START = re.compile(r"""[^\\*_\[`]?["']|--|\.\.\.|(?:\\| )?(?:<<|>>)""", re.DOTALL)
TYPOGRAPHIC_SYMBOLS = re.compile(r"---|--|\.\.\.|\\<<|\\>>|<< | >>|<<|>>")
TYPOGRAPHIC_TEXT = {
    "---": "\u2014",
    "--": "\u2013",
    "...": "\u2026",
    "\\<<": "<<",
    "\\>>": ">>",
    "<< ": "\u00ab\u00a0",
    " >>": "\u00a0\u00bb",
    "<<": "\u00ab",
    ">>": "\u00bb",
}
# What a span element looks like in the source, for the quote rules' look-ahead.
MARKUP_AFTER = {"link_open": "[", "image": "![", "footnote_ref": "[^"}
RAW_INLINE_OPEN = re.compile(r"^<(code|kbd|samp|var|script|style|math|textarea)\b", re.I)


def gfm_extensions(md):
    """GFM tables and strikethrough, and footnotes with kramdown's markup, on ``md`` (a
    MarkdownIt). Harmless for the editor's CommonMark too: without them a table shows
    as pipes and ``~~`` or ``[^1]`` as text."""
    md.enable(["table", "strikethrough"])
    footnote_plugin(md, inline=False)
    md.add_render_rule("footnote_ref", _render_footnote_ref)
    md.add_render_rule("footnote_block_open", _render_footnote_block_open)
    md.add_render_rule("footnote_block_close", _render_footnote_block_close)
    md.add_render_rule("footnote_open", _render_footnote_open)
    md.add_render_rule("footnote_anchor", _render_footnote_anchor)
    md.core.ruler.push("table_alignment_classes", _table_alignment_classes)


def _table_alignment_classes(state):
    """A table cell's alignment as ``class="align-left|center|right"`` (static/css/site.css)
    rather than ``style="text-align:..."``: the site's CSP (``style-src 'self'``) drops
    inline styles, so the columns showed unaligned."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open"):
            style = token.attrs.pop("style", None) if token.attrs else None
            if style:
                token.attrs["class"] = "align-" + style.split(":", 1)[1].strip()


def kramdown_plugin(md):
    """kramdown's additions to Markdown (see the module's docstring) on ``md``, a
    MarkdownIt that already has ``gfm_extensions``."""
    tasklists_plugin(md, enabled=False, label=True)
    deflist_plugin(md)
    md.block.ruler.before(
        "html_block", "kramdown_html_block", _html_block, {"alt": ["paragraph", "reference"]}
    )
    md.block.ruler.at("html_block", _span_html_starts_paragraph, {"alt": HTML_BLOCK_ALT})
    md.block.ruler.at("code", _indented_code)
    md.block.ruler.at(
        "fence", _fence_with_lazy_lines, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    md.block.ruler.at("table", _kramdown_table)
    md.block.ruler.at(
        "list", _list_without_parenthesis, {"alt": ["paragraph", "reference", "blockquote"]}
    )
    md.block.ruler.at(
        "heading", _heading_with_text, {"alt": ["paragraph", "reference", "blockquote"]}
    )
    md.inline.ruler.at("backticks", _code_span)
    md.inline.ruler.at("emphasis", _emphasis)
    md.inline.ruler.before("escape", "kramdown_line_break", _line_break)
    md.inline.ruler.after("link", "kramdown_link", _spaced_link)
    md.inline.ruler.after("image", "kramdown_image", _spaced_link)
    md.block.ruler.before("paragraph", "kramdown_abbreviation", _abbreviation_definition)
    md.block.ruler.before(
        "paragraph", "kramdown_quote_end", _attribute_list_ends_quote, {"alt": ["blockquote"]}
    )
    md.block.ruler.at("paragraph", _paragraph)
    md.block.ruler.before(
        "html_block", "kramdown_extension", _extension_block, {"alt": ["paragraph"]}
    )
    md.core.ruler.after("normalize", "kramdown_code_pipes", _hide_code_pipes)
    md.core.ruler.after("block", "kramdown_block_attributes", _block_attributes)
    md.core.ruler.after("inline", "kramdown_code_pipes_back", _show_code_pipes)
    md.core.ruler.after("kramdown_code_pipes_back", "kramdown_span_attributes", _span_attributes)
    md.core.ruler.after("kramdown_span_attributes", "kramdown_stray_tags", _stray_closing_tags)
    md.core.ruler.after("kramdown_stray_tags", "kramdown_typography", _typography)
    md.core.ruler.after("kramdown_typography", "kramdown_abbreviations", _abbreviations)
    md.core.ruler.after("kramdown_abbreviations", "kramdown_remove_toc", _remove_toc)


# Footnotes, as kramdown writes them (converter/html.rb).


def _footnote_name(token):
    return html.escape(str(token.meta.get("label") or token.meta["id"] + 1))


def _render_footnote_ref(renderer, tokens, index, options, env):
    token = tokens[index]
    name = _footnote_name(token)
    sub = token.meta.get("subId", 0)
    ref_id = f"fnref:{name}" + (f":{sub}" if sub else "")
    return (
        f'<sup id="{ref_id}" role="doc-noteref"><a href="#fn:{name}" class="footnote">'
        f"{token.meta['id'] + 1}</a></sup>"
    )


def _render_footnote_block_open(renderer, tokens, index, options, env):
    return '<div class="footnotes" role="doc-endnotes">\n<ol>\n'


def _render_footnote_block_close(renderer, tokens, index, options, env):
    return "</ol>\n</div>\n"


def _render_footnote_open(renderer, tokens, index, options, env):
    return f'<li id="fn:{_footnote_name(tokens[index])}" role="doc-endnote">'


def _render_footnote_anchor(renderer, tokens, index, options, env):
    token = tokens[index]
    sub = token.meta.get("subId", 0)
    ref_id = f"fnref:{_footnote_name(token)}" + (f":{sub}" if sub else "")
    # Later references' links back are numbered, as kramdown numbers them ("↩2").
    number = f"<sup>{sub + 1}</sup>" if sub else ""
    return (
        f' <a href="#{ref_id}" class="reversefootnote" role="doc-backlink">\u21a9\ufe0e{number}</a>'
    )


# Code.


def _indented_code(state, start_line, end_line, silent):
    """An indented code block as kramdown reads it (parser/kramdown/codeblock.rb): a
    line that is not indented right after a code line still belongs to it (joined to
    the line before by a space), and blank lines followed by an indented line too."""
    if state.sCount[start_line] - state.blkIndent < 4:
        return False
    line = last = start_line
    while line < end_line:
        if state.isEmpty(line):
            following = state.skipEmptyLines(line)
            if following < end_line and state.sCount[following] - state.blkIndent >= 4:
                line = following
                continue
            break
        text = state.src[state.bMarks[line] : state.eMarks[line]]
        indented = state.sCount[line] - state.blkIndent >= 4
        if not indented and (BLOCK_IAL.match(text) or LAZY_HTML.match(text)):
            break
        last, line = line, line + 1
    if silent:
        return True
    content = state.getLines(start_line, last + 1, 4 + state.blkIndent, False)
    # Relative to the block, the lazy lines are the ones indented less than 4.
    lines = state.src[state.bMarks[start_line] : state.eMarks[last]].split("\n")
    pieces = []
    for raw, stripped in zip(lines, content.split("\n"), strict=False):
        if pieces and raw.strip() and len(raw) - len(raw.lstrip(" ")) < 4 and "\t" not in raw[:4]:
            pieces[-1] += " " + stripped
        else:
            pieces.append(stripped)
    token = state.push("code_block", "code", 0)
    token.content = "\n".join(pieces).rstrip("\n") + "\n"
    token.map = [start_line, last + 1]
    state.line = last + 1
    return True


def _code_span(state, silent):
    """A code span as kramdown reads it (parser/kramdown/codespan.rb): a lone backtick
    between spaces is a backtick; a single one runs to the next backtick, spaces kept; a
    longer run to the same run, one space trimmed at each end; unclosed, it is text."""
    source, start = state.src, state.pos
    if source[start] != "`":
        return False
    run = BACKTICKS.match(source, start).group(0)
    after_run = start + len(run)
    if len(run) == 1:
        before = source[start - 1] if start else ""
        if (not before or before.isspace()) and source[after_run : after_run + 1].isspace():
            if not silent:
                state.pending += run
            state.pos = after_run
            return True
    end = source.find(run, after_run, state.posMax)
    if end < 0:
        if not silent:
            state.pending += run
        state.pos = after_run
        return True
    if not silent:
        content = source[after_run:end]
        if len(run) > 1:
            content = content[1:] if content.startswith(" ") else content
            content = content[:-1] if content.endswith(" ") else content
        token = state.push("code_inline", "code", 0)
        token.markup = run
        token.content = content
    state.pos = end + len(run)
    return True


# Emphasis.

# kramdown's emphasis (parser/kramdown/emphasis.rb) is read from its opening delimiter to
# the first one that may close it, not paired by CommonMark's flanking rules.
EMPHASIS_START = re.compile(r"\*\*?|__?")
RUBY_SPACE = " \t\n\r\f\v"  # Ruby's \s


def _emphasis(state, silent):
    """Emphasis as kramdown reads it: ``*``/``_`` opens an em and ``**``/``__`` a strong
    unless a space follows, unless an ``_`` follows a letter (``snake_case``), and never
    inside an element of its own kind (``**a **b** c**`` is one strong, its inner ``**``
    text). It runs to the first delimiter after some content that follows no space, is no
    ``**`` for an em and, for ``_``, is followed by no letter or digit; an unclosed strong
    is tried as an em from its second character; unclosed, the delimiters are text."""
    source, start = state.src, state.pos
    run = EMPHASIS_START.match(source, start, state.posMax)
    if run is None:
        return False
    delimiter = run.group(0)
    element = "strong" if len(delimiter) == 2 else "em"
    open_elements = _open_emphasis(state)
    if (
        (delimiter[0] == "_" and _after_letter(source, start))
        or (run.end() < len(source) and source[run.end()] in RUBY_SPACE)
        or element in open_elements
    ):
        close = None
    else:
        begin = run.end()
        close = _emphasis_close(state, begin, delimiter, element)
        if close is None and element == "strong" and open_elements[-1:] != ["em"]:
            delimiter, element, begin = delimiter[0], "em", start + 1
            close = _emphasis_close(state, begin, delimiter, element)
    if close is None:
        if not silent:
            state.pending += run.group(0)
        state.pos = run.end()
        return True
    if not silent:
        token = state.push(f"{element}_open", element, 1)
        token.markup = delimiter
        maximum = state.posMax
        state.pos, state.posMax = begin, close
        open_elements.append(element)
        try:
            state.md.inline.tokenize(state)
        finally:
            open_elements.pop()
            state.posMax = maximum
        token = state.push(f"{element}_close", element, -1)
        token.markup = delimiter
    state.pos = close + len(delimiter)
    return True


def _open_emphasis(state):
    """The emphasis elements the text at ``state.pos`` is in, outermost first."""
    if not hasattr(state, "kramdown_emphasis"):
        state.kramdown_emphasis = []
        # Where each scan for a closing delimiter ended, by where it was and what it was
        # in: a paragraph of unclosed "*" is read in linear time, not quadratic.
        state.kramdown_emphasis_ends = {}
    return state.kramdown_emphasis


def _after_letter(source, position):
    """Whether ``position`` follows a letter, or a letter and "-" (Ruby's
    ``/[[:alpha:]]-?[[:alpha:]]*\\z/``)."""
    before = source[max(position - 2, 0) : position]
    return bool(before) and (
        before[-1].isalpha() or (before.endswith("-") and before[:-1].isalpha())
    )


def _emphasis_close(state, begin, delimiter, element):
    """Where the ``element`` opened by ``delimiter`` before ``begin`` closes, or None:
    the first ``delimiter`` that may close it, the rest of the text read span by span as
    its content is (a code span, a link or an inner emphasis hides its delimiters)."""
    source, maximum, saved = state.src, state.posMax, state.pos
    open_elements = _open_emphasis(state)
    ends = state.kramdown_emphasis_ends
    open_elements.append(element)
    context = (delimiter, element, tuple(open_elements), maximum)
    visited, position, close = [], begin, None
    try:
        while position < maximum:
            if position > begin:
                if (position, context) in ends:
                    close = ends[position, context]
                    break
                if source.startswith(delimiter, position) and _closes(
                    source, position, delimiter, element
                ):
                    close = position
                    break
                visited.append(position)
            state.pos = position
            _skip_span(state)
            position = state.pos
    finally:
        open_elements.pop()
        state.pos = saved
    for position in visited:
        ends[position, context] = close
    return close


def _closes(source, position, delimiter, element):
    after = position + len(delimiter)
    return (
        source[position - 1] not in RUBY_SPACE
        and (
            element != "em"
            or not source.startswith(delimiter * 2, position)
            or source.startswith(delimiter, after + 1)
        )
        and (delimiter[0] != "_" or not source[after : after + 1].isalnum())
    )


def _skip_span(state):
    """Move ``state.pos`` past the span that starts there (one character of text when no
    rule reads one), as markdown-it's ``skipToken`` does but without its cache, which
    keeps one end for each position whatever emphasis the span is in."""
    position = state.pos
    if state.level < state.md.options["maxNesting"]:
        for rule in state.md.inline.ruler.getRules(""):
            state.level += 1
            found = rule(state, True)
            state.level -= 1
            if found and state.pos > position:
                return
            state.pos = position
    state.pos = position + 1


def _heading_with_text(state, start_line, end_line, silent):
    """CommonMark's ATX heading, except one with no text ("####"), which kramdown's GFM
    parser leaves as a paragraph."""
    line = state.src[state.bMarks[start_line] + state.tShift[start_line] : state.eMarks[start_line]]
    if EMPTY_HEADING.fullmatch(line):
        return False
    return commonmark_heading(state, start_line, end_line, silent)


def _spaced_link(state, silent):
    """An inline link or image whose address has spaces (``[text](my page.html)``),
    which kramdown reads as written and CommonMark leaves as text: the address runs to
    the matching ")" on the line, an optional "title" at its end."""
    source, start = state.src, state.pos
    image = source.startswith("![", start)
    label_start = start + (2 if image else 1)
    if not (image or source.startswith("[", start)):
        return False
    label_end = state.md.helpers.parseLinkLabel(state, label_start - 1, not image)
    if label_end < 0 or not source.startswith("(", label_end + 1):
        return False
    depth, position = 0, label_end + 2
    while position < state.posMax and source[position] != "\n":
        if source[position] == "(":
            depth += 1
        elif source[position] == ")":
            if depth == 0:
                break
            depth -= 1
        position += 1
    else:
        return False
    destination = source[label_end + 2 : position].strip()
    titled = SPACED_TITLE.fullmatch(destination)
    address, title = (titled.group(1), titled.group(3)) if titled else (destination, "")
    address = address.strip().removeprefix("<").removesuffix(">")
    href = state.md.normalizeLink(address)
    if not address or " " not in address or not state.md.validateLink(href):
        return False
    if not silent:
        if image:
            token = state.push("image", "img", 0)
            token.attrs = {"src": href, "alt": ""}
            token.children = []
            token.content = source[label_start:label_end]
            state.md.inline.parse(token.content, state.md, state.env, token.children)
        else:
            maximum = state.posMax
            state.pos, state.posMax = label_start, label_end
            token = state.push("link_open", "a", 1)
            token.attrs = {"href": href}
            state.linkLevel += 1
            state.md.inline.tokenize(state)
            state.linkLevel -= 1
            state.posMax = maximum
            token_close = state.push("link_close", "a", -1)
            token_close.markup = ""
        if title:
            token.attrSet("title", title)
    state.pos = position + 1
    return True


def _line_break(state, silent):
    """kramdown's own line break (parser/kramdown/line_break.rb): ``\\\\`` ending a
    line, as two spaces do (CommonMark reads an escaped backslash and goes on)."""
    if not state.src.startswith("\\\\\n", state.pos):
        return False
    if not silent:
        state.push("hardbreak", "br", 0)
    state.pos += 3
    while state.pos < state.posMax and state.src[state.pos] in " \t":
        state.pos += 1
    return True


def _list_without_parenthesis(state, start_line, end_line, silent):
    """CommonMark's list, except that "1)" starts none (kramdown numbers only "1."), that
    any number ends a paragraph ("text" / "2. item", where CommonMark lets only "1."), and
    that a numbered list counts from 1 whatever its first number, as kramdown's does."""
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if PARENTHESIS_MARKER.match(state.src, begin):
        return False
    if silent and state.parentType == "paragraph" and ORDERED_ITEM.match(state.src, begin):
        # CommonMark's list rule tells a paragraph's end by its parent; as the start of a
        # block of its own, any number starts a list.
        state.parentType = "list"
        try:
            return commonmark_list(state, start_line, end_line, silent)
        finally:
            state.parentType = "paragraph"
    first = len(state.tokens)
    found = commonmark_list(state, start_line, end_line, silent)
    if found and not silent and state.tokens[first].type == "ordered_list_open":
        state.tokens[first].attrs.pop("start", None)
    return found


def _fence_with_lazy_lines(state, start_line, end_line, silent):
    """A fenced code block as kramdown's GFM parser reads it (parser/gfm.rb,
    FENCED_CODEBLOCK_MATCH): only with its closing fence; an unclosed one is text, where
    CommonMark runs it to the end of its container. In a list item, a line indented
    less than the item's text right after a line that is not blank is still the item's
    (a lazy line, parser/kramdown/list.rb), so a closing fence written less indented
    than its opening one closes it; CommonMark ends the item there instead, and the
    fence line opens a second code block."""
    if not commonmark_fence(state, start_line, end_line, True):
        return False
    opening = state.src[state.bMarks[start_line] + state.tShift[start_line] :]
    run = re.match(r"`{3,}|~{3,}", opening).group(0)
    closing = re.compile(rf"{re.escape(run[0])}{{{len(run)},}}[ \t]*")
    lazy, line, closed = [], start_line + 1, False
    while line < end_line:
        text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
        if state.sCount[line] < state.blkIndent and text:
            previous = state.src[state.bMarks[line - 1] : state.eMarks[line - 1]]
            if not previous.strip() or LIST_MARKER.match(text):
                break  # the item ends: after a blank line, or at the next item
            lazy.append(line)
            if closing.fullmatch(text):
                closed = True
                break
        elif state.sCount[line] - state.blkIndent < 4 and closing.fullmatch(text):
            closed = True
            break
        line += 1
    if not closed:
        return False
    if silent:
        return True
    saved = {index: state.sCount[index] for index in lazy}
    for index in lazy:
        state.sCount[index] = state.blkIndent
    try:
        return commonmark_fence(state, start_line, end_line, silent)
    finally:
        for index, count in saved.items():
            state.sCount[index] = count


def _kramdown_table(state, start_line, end_line, silent):
    """A table as kramdown reads one (parser/kramdown/table.rb): after a block boundary,
    consecutive lines holding a "|" (outside code spans), a separator line (``|---|:-:|``)
    making the rows above it the header, and a block boundary after it. Unlike GFM, the
    header is optional (a lone ``a | b`` line is a one-row table, as in a list item),
    rows are padded to the widest, and a line without "|" is no row."""
    if state.sCount[start_line] - state.blkIndent >= 4 or not after_block_boundary(
        state, start_line
    ):
        return False
    first = _line_text(state, start_line)
    following = _line_text(state, start_line + 1) if start_line + 1 < end_line else ""
    if NOT_A_TABLE_START.match(first) or SETEXT_UNDERLINE.fullmatch(following):
        return False
    tag = HTML_OPEN_TAG.match(first) or HTML_CLOSE_TAG.match(first)
    if first.startswith("<!--") or (tag and tag.group(1).lower() not in HTML_SPAN_ELEMENTS):
        return False  # block HTML comes first
    line, rows, header, alignment = start_line, [], None, []
    while line < end_line and not state.isEmpty(line):
        text = _line_text(state, line)
        if state.sCount[line] < state.blkIndent or not TABLE_PIPE.match(text):
            break
        separator = TABLE_SEPARATOR.fullmatch(text.rstrip())
        if separator or TABLE_FOOTER_SEPARATOR.fullmatch(text.rstrip()):
            if separator and rows and header is None:
                header, rows = rows, []
                alignment = [_alignment(*parts) for parts in TABLE_ALIGNMENT.findall(text)]
        else:
            rows.append(_table_cells(text))
        line += 1
    boundary = (
        line >= end_line
        or state.isEmpty(line)
        or state.sCount[line] < state.blkIndent
        or BLOCK_IAL.match(_line_text(state, line))
        or _line_text(state, line).strip() == "^"
    )
    if not rows or not boundary:
        return False
    if silent:
        return True
    columns = max(len(row) for row in [*(header or []), *rows])
    alignment = (alignment + [""] * columns)[:columns]
    token = state.push("table_open", "table", 1)
    token.map = [start_line, line]
    for section, cell_tag, section_rows in (("thead", "th", header), ("tbody", "td", rows)):
        if not section_rows:
            continue
        state.push(f"{section}_open", section, 1)
        for row in section_rows:
            state.push("tr_open", "tr", 1)
            for index, cell in enumerate(row + [""] * (columns - len(row))):
                token = state.push(f"{cell_tag}_open", cell_tag, 1)
                if alignment[index]:
                    token.attrs = {"style": f"text-align:{alignment[index]}"}
                token = state.push("inline", "", 0)
                token.content = cell.strip()
                token.children = []
                state.push(f"{cell_tag}_close", cell_tag, -1)
            state.push("tr_close", "tr", -1)
        state.push(f"{section}_close", section, -1)
    state.push("table_close", "table", -1)
    state.line = line
    return True


def _line_text(state, line):
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def after_block_boundary(state, line):
    """Whether a block starting at ``line`` follows a kramdown block boundary
    (parser/kramdown/block_boundary.rb), as kramdown's tables, block math and headings
    need: the start of the text or of a container, a blank line or an end-of-block
    marker (``^``), with or without block attribute lists between. Attribute lists right
    after a block's last line are that block's (``![a](b.png)`` / ``{: .c}``): no
    boundary follows them, so ``a | b`` on the next line is text, not a table."""
    first = line
    while first > 0 and _lone_attribute_list(state, first - 1):
        first -= 1
    if first == 0 or (first == line and state.tokens and state.tokens[-1].nesting == 1):
        return True  # the start of the text, or a container's first block
    if first < line and (_container_start(state) or 0) >= first:
        return True  # lists standing first in a container
    previous = first - 1
    text = _line_text(state, previous)
    # An attribute list definition ends its block, but only lists after it stand alone.
    definition = first < line and ALD.match(text)
    return bool(state.isEmpty(previous) or text.strip() == "^" or definition)


def _lone_attribute_list(state, line):
    text = _line_text(state, line)
    return (
        state.sCount[line] - state.blkIndent < 4 and BLOCK_IAL.match(text) and not ALD.match(text)
    )


def _container_start(state):
    """The first line (int) of the quote or list item being read, if any."""
    if not state.level:
        return None
    level = 0
    for token in reversed(state.tokens):
        level -= token.nesting
        if level < 0:
            return token.map[0] if token.map else None
    return None


def _table_cells(text):
    """A table row's cells (list of str): split at each "|" not escaped (a code span's
    are hidden by now), without the empty cells before a leading and after a trailing
    "|"."""
    cells = UNESCAPED_PIPE.split(text)
    if text.lstrip().startswith("|") and not cells[0].strip():
        cells = cells[1:]
    if len(cells) > 1 and not cells[-1].strip():
        cells = cells[:-1]
    return cells


def _alignment(left, right):
    if left and right:
        return "center"
    return "right" if right else "left" if left else ""


# A "|" in a code span does not end a table cell in kramdown (GFM's tables split there).


def _hide_code_pipes(state):
    if "|" in state.src and "`" in state.src:
        state.src = "\n".join(_hide_line_pipes(line) for line in state.src.split("\n"))


def _hide_line_pipes(line):
    """``line`` with the "|" of its code spans hidden: backtick runs pair left to right,
    a run with the next one of the same length."""
    if "|" not in line or "`" not in line:
        return line
    runs = list(BACKTICKS.finditer(line))
    pieces, copied, index = [], 0, 0
    while index < len(runs):
        opening = runs[index]
        following = index + 1
        while following < len(runs) and len(runs[following].group(0)) != len(opening.group(0)):
            following += 1
        if following == len(runs):
            index += 1
            continue
        closing = runs[following]
        pieces.append(line[copied : opening.end()])
        pieces.append(line[opening.end() : closing.start()].replace("|", HIDDEN_PIPE))
        copied = closing.start()
        index = following + 1
    pieces.append(line[copied:])
    return "".join(pieces)


def _show_code_pipes(state):
    if HIDDEN_PIPE not in state.src:
        return
    for token in state.tokens:
        token.content = token.content.replace(HIDDEN_PIPE, "|")
        for child in token.children or []:
            child.content = child.content.replace(HIDDEN_PIPE, "|")


# Block HTML, read to its closing tag.


def _html_block(state, start_line, end_line, silent):
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    source = state.src
    match = HTML_OPEN_TAG.match(source, begin)
    if match is None:
        return False
    name = match.group(1).lower()
    if name in HTML_SPAN_ELEMENTS:
        return False
    if name in HTML_VOID_ELEMENTS or match.group(3):
        # An element without content is the whole block: the next line is not part of it.
        last = start_line
        while last + 1 < end_line and state.eMarks[last] < match.end():
            last += 1
        if state.eMarks[last] < match.end() or source[match.end() : state.eMarks[last]].strip():
            return False
        if not silent:
            _push_html(state, state.getLines(start_line, last + 1, state.blkIndent, False))
            state.line = last + 1
        return True
    close = _matching_close(source, match.end(), name)
    last = start_line
    if close is None:
        # kramdown closes an element left open at the end of the text it is in.
        last = end_line - 1
        close_start = close_end = state.eMarks[last]
        if not silent:
            state.env.setdefault("warnings", []).append(
                f"<{name}> on line {start_line + 1} is never closed: kramdown, and so this "
                f"page, keeps everything after it as raw HTML; add </{name}>"
            )
    else:
        close_start, close_end = close
        while last < end_line and state.eMarks[last] < close_end:
            last += 1
        if last >= end_line:
            return False
    if silent:
        return True
    # The block's lines without the indentation of the list item (or the quote's ">")
    # it is in, as kramdown reads a container's content.
    source = state.getLines(start_line, last + 1, state.blkIndent, False).rstrip("\n")
    begin = len(source) - len(source.lstrip(" \t"))
    match = HTML_OPEN_TAG.match(source, begin)
    if match is None:  # an opening tag the indentation was part of: kept as written
        _push_html(state, source)
        state.line = last + 1
        return True
    close = _matching_close(source, match.end(), name) if close is not None else None
    close_start, close_end = close or (len(source), len(source))
    whole_end = len(source)
    markdown = MARKDOWN_ATTRIBUTE.search(match.group(2))
    value = (
        next((group for group in markdown.groups() if group is not None), "") if markdown else ""
    )
    value = value.lower()
    model = value if value in {"block", "span"} else _content_model(name)
    parse = model != "raw" and (
        value in {"1", "block", "span"}
        or (markdown is None and state.env.get("kramdown_parse_block_html", False))
    )
    if not parse:
        opening = source[: match.end()]
        if markdown is not None:
            opening = opening.replace(markdown.group(0), "", 1)
        _push_raw(state, opening + source[match.end() : whole_end])
    else:
        opening = source[begin : match.end()]
        if markdown is not None:
            opening = opening.replace(markdown.group(0), "", 1)
        _push_html(state, opening)
        _push_markdown(state, model, source[match.end() : close_start])
        _push_html(state, source[close_start:whole_end])
    state.line = last + 1
    return True


LINE_START_TAG = re.compile(rf"^ {{0,3}}<([A-Za-z][\w:-]*)({_ATTRIBUTES})\s*(/?)>", re.MULTILINE)
FENCED_CODE = re.compile(
    r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?^ {0,3}\1[ \t]*$", re.MULTILINE | re.DOTALL
)


def inside_raw_html(text):
    """Whether the end of the kramdown Markdown ``text`` (str) lies inside a block HTML
    element that kramdown keeps as raw HTML: one opened at a line's start, not closed in
    ``text``, without ``markdown="1"``. Liquid's ``{% highlight %}`` there became HTML
    before kramdown read the post, which a fenced code block would not (it stays text).
    Fenced code in ``text`` is skipped; an approximation of parser/html.rb, never raises."""
    text = FENCED_CODE.sub(lambda match: " " * len(match.group(0)), text)
    position = 0
    while True:
        match = LINE_START_TAG.search(text, position)
        if match is None:
            return False
        position = match.end()
        name = match.group(1).lower()
        if name in HTML_SPAN_ELEMENTS or name in HTML_VOID_ELEMENTS or match.group(3):
            continue
        close = _matching_close(text, match.end(), name)
        if close is not None:
            position = close[1]
            continue
        markdown = MARKDOWN_ATTRIBUTE.search(match.group(2))
        value = next((g for g in markdown.groups() if g is not None), "") if markdown else ""
        if value.lower() in {"1", "block"} and _content_model(name) != "raw":
            continue  # its content is Markdown: look inside it
        return True


def _push_html(state, text):
    if text.strip():
        token = state.push("html_block", "", 0)
        token.content = text.rstrip("\n") + "\n"


# How deep elements with markdown="1" may nest inside one another before the inner ones
# are kept as HTML: a 72 kB file of 3,000 nested <div markdown="1"> overflowed
# Python's stack (RecursionError, a traceback in import_post and a 500 in admin).
MARKDOWN_NESTING_MAX = 50


def _push_markdown(state, model, text):
    """The content of an element whose content is Markdown: block or span text; as HTML
    below MARKDOWN_NESTING_MAX elements with markdown="1"."""
    if model == "span":
        token = state.push("inline", "", 0)
        token.content = text.strip()
        token.children = []
        return
    depth = state.env.get("kramdown_markdown_depth", 0)
    if depth >= MARKDOWN_NESTING_MAX:
        _push_html(state, text)
        return
    state.env["kramdown_markdown_depth"] = depth + 1
    try:
        state.md.block.parse(text.strip("\n") + "\n", state.md, state.env, state.tokens)
    finally:
        state.env["kramdown_markdown_depth"] = depth


def _push_raw(state, text):
    """Raw HTML, except the content of elements in it with a markdown attribute, which
    kramdown reads as Markdown however deep they are."""
    emitted = position = 0
    while "markdown" in text[position:]:
        match = HTML_OPEN_TAG.search(text, position)
        if match is None:
            break
        position = match.end()
        markdown = MARKDOWN_ATTRIBUTE.search(match.group(2))
        if markdown is None:
            continue
        name = match.group(1).lower()
        value = next(group for group in markdown.groups() if group is not None).lower()
        model = value if value in {"block", "span"} else _content_model(name)
        close = _matching_close(text, match.end(), name)
        if close is None or model == "raw" or value not in {"1", "block", "span"}:
            continue
        opening = text[match.start() : match.end()].replace(markdown.group(0), "", 1)
        _push_html(state, text[emitted : match.start()] + opening)
        _push_markdown(state, model, text[match.end() : close[0]])
        emitted = close[0]
        position = close[1]
    _push_html(state, text[emitted:])


def _content_model(name):
    if name in HTML_BLOCK_CONTENT:
        return "block"
    return "span" if name in HTML_SPAN_CONTENT else "raw"


def _span_html_starts_paragraph(state, start_line, end_line, silent):
    """CommonMark's HTML block, except where a span element's tag starts the line: that
    starts a paragraph in kramdown (an image with its caption, say)."""
    begin = state.bMarks[start_line] + state.tShift[start_line]
    tag = HTML_TAG_NAME.match(state.src, begin)
    if tag and tag.group(1).lower() in HTML_SPAN_ELEMENTS:
        return False
    return commonmark_html_block(state, start_line, end_line, silent)


def _matching_close(source, position, name):
    """(start, end) of the tag closing ``name`` from ``position`` on, counting nested
    ones, or None."""
    pattern = re.compile(rf"<(/?){re.escape(name)}(?=[\s/>])[^>]*>", re.IGNORECASE)
    depth = 1
    for match in pattern.finditer(source, position):
        if match.group(1):
            depth -= 1
            if depth == 0:
                return match.start(), match.end()
        elif not match.group(0).endswith("/>"):
            depth += 1
    return None


def _extension_block(state, start_line, end_line, silent):
    """kramdown's extensions: ``{::comment}…{:/comment}`` leaves nothing,
    ``{::nomarkdown}…{:/nomarkdown}`` its text as raw HTML (``{:/}`` also ends either),
    ``{::options … /}`` nothing but its ``parse_block_html`` setting, which makes the
    content of later HTML blocks Markdown."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    begin = state.bMarks[start_line]
    match = EXTENSION_START.match(state.src, begin, state.eMarks[start_line])
    if match is None:
        return False
    name, attributes, closed = match.groups()
    if closed:
        if silent:
            return True
        if name == "options":
            setting = re.search(r"""parse_block_html\s*=\s*["']?(\w+)""", attributes)
            if setting:
                state.env["kramdown_parse_block_html"] = setting.group(1) == "true"
        state.line = start_line + 1
        return True
    close = re.compile(r"\{:/(?:" + name + r")?\}").search(state.src, match.end())
    if close is None:
        return False
    last = start_line
    while last < end_line and state.eMarks[last] < close.end():
        last += 1
    if last >= end_line:
        return False
    if silent:
        return True
    if name == "nomarkdown":
        token = state.push("html_block", "", 0)
        token.map = [start_line, last + 1]
        token.content = state.src[match.end() : close.start()].strip("\n") + "\n"
    state.line = last + 1
    return True


# Paragraphs.


def _paragraph(state, start_line, end_line, silent):
    """markdown-it's paragraph, ended as kramdown ends it after a block attribute list (or
    a definition) on its own line: kramdown applies the list to the paragraph read so far
    and starts a new block on the next line (parser/kramdown/paragraph.rb stops at an IAL
    line), so ``![a](b.png)`` / ``{: .c}`` / ``*Fig. 1*`` is an image's paragraph, then a
    caption's, and an indented line after the list is code. Lists before any text are a
    block of their own, naming the block after them (a table, code, a paragraph)."""
    next_line = start_line + 1
    terminators = state.md.block.ruler.getRules("paragraph")
    end_line = state.lineMax
    old_parent = state.parentType
    state.parentType = "paragraph"
    while next_line < end_line:
        if state.isEmpty(next_line):
            break
        if _attribute_list_line(state, next_line - 1) and not _attribute_list_line(
            state, next_line
        ):
            break
        # Indented: a lazy line; a quote's lazy line was checked by the quote's rule.
        if state.sCount[next_line] - state.blkIndent > 3 or state.sCount[next_line] < 0:
            next_line += 1
            continue
        if any(rule(state, next_line, end_line, True) for rule in terminators):
            break
        next_line += 1
    content = mdTrim(state.getLines(start_line, next_line, state.blkIndent, False))
    state.line = next_line
    token = state.push("paragraph_open", "p", 1)
    token.map = [start_line, state.line]
    token = state.push("inline", "", 0)
    token.content = content
    token.map = [start_line, state.line]
    token.children = []
    state.push("paragraph_close", "p", -1)
    state.parentType = old_parent
    return True


def _attribute_list_ends_quote(state, start_line, end_line, silent):
    """Whether ``start_line`` ends a quote whose paragraph went on lazily with a block
    attribute list: kramdown gives the list to the quote and reads on after it."""
    if not silent or _attribute_list_line(state, start_line):
        return False
    line = start_line - 1
    if line < 0 or not _attribute_list_line(state, line):
        return False
    while line >= 0 and _attribute_list_line(state, line):
        line -= 1
    return line >= 0 and not state.isEmpty(line)


def _attribute_list_line(state, line):
    if state.sCount[line] - state.blkIndent >= 4:
        return False
    text = state.src[state.bMarks[line] : state.eMarks[line]]
    return bool(BLOCK_IAL.match(text) or ALD.match(text))


# Abbreviations.


def _abbreviation_definition(state, start_line, end_line, silent):
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    line = state.src[state.bMarks[start_line] : state.eMarks[start_line]]
    match = ABBREVIATION.match(line)
    if match is None:
        return False
    if silent:
        return True
    definitions = state.env.setdefault("kramdown_abbreviations", {})
    # The following definition lines too, in one go: taken one line a call, markdown-it
    # tried a setext heading at each, reading every line after it (5,000 definitions
    # took 93 s).
    line = start_line
    while match is not None:
        definitions[match.group(1).strip()] = match.group(2)
        line += 1
        if line >= end_line or state.sCount[line] - state.blkIndent >= 4:
            break
        match = ABBREVIATION.match(state.src[state.bMarks[line] : state.eMarks[line]])
    state.line = line
    return True


def _abbreviations(state):
    """Wrap each defined abbreviation, as a whole word, in ``<abbr title>``."""
    definitions = state.env.get("kramdown_abbreviations")
    if not definitions:
        return
    names = sorted(definitions, key=len, reverse=True)
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(name) for name in names) + r")(?!\w)", re.ASCII
    )
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        children = []
        for child in token.children:
            if child.type != "text" or not pattern.search(child.content):
                children.append(child)
                continue
            position = 0
            for match in pattern.finditer(child.content):
                children.append(_text(child.content[position : match.start()]))
                title = html.escape(definitions[match.group(1)])
                children.append(_html_inline(f'<abbr title="{title}">'))
                children.append(_text(match.group(1)))
                children.append(_html_inline("</abbr>"))
                position = match.end()
            children.append(_text(child.content[position:]))
        token.children = [child for child in children if child.type != "text" or child.content]


def _text(content):
    token = Token("text", "", 0)
    token.content = content
    return token


def _html_inline(content):
    token = Token("html_inline", "", 0)
    token.content = content
    return token


# Attribute lists.


def parse_attribute_list(text):
    """The parts of a kramdown attribute list's inside (str, what is between "{:" and
    "}"): (id or None, [classes], {key: value}, [references such as "toc"])."""
    anchor, classes, pairs, references = None, [], {}, []
    for key, _quote, value, short, reference in IAL_PART.findall(text):
        if key:
            pairs[key.lower()] = value
        elif short.startswith("#"):
            anchor = short[1:]
        elif short.startswith("."):
            classes.append(short[1:])
        elif reference:
            references.append(reference.lower())
    if "id" in pairs:
        anchor = pairs.pop("id")
    classes += pairs.pop("class", "").split()
    return anchor, classes, pairs, references


def _apply_attributes(token, text, *, link=False):
    """Give ``token`` what the attribute list ``text`` may set: an id, allowed classes and,
    on a link, target and rel. Returns the list's references ("toc")."""
    anchor, classes, pairs, references = parse_attribute_list(text)
    if anchor and SAFE_ID.fullmatch(anchor):
        token.attrSet("id", anchor)
    allowed = [name for name in classes if name in ALLOWED_CLASSES]
    if allowed:
        existing = token.attrGet("class")
        token.attrSet("class", " ".join(filter(None, [existing, *allowed])))
    if link:
        target = pairs.get("target", "")
        rel = [word for word in pairs.get("rel", "").lower().split() if REL_WORD.fullmatch(word)]
        if SAFE_TARGET.fullmatch(target):
            token.attrSet("target", target)
            if target == "_blank":
                rel += [word for word in ("noopener", "noreferrer") if word not in rel]
        if rel:
            token.attrSet("rel", " ".join(rel))
    return references


def _block_attributes(state):
    """Block attribute lists: taken out of the text they end (or stand as), and given to
    the block they name; definitions and comment/options extensions dropped."""
    tokens = state.tokens
    lines = state.src.split("\n")
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "tr_open" and _ial_row(tokens, index):
            close = _close_index(tokens, index)
            text = BLOCK_IAL.match(tokens[index + 2].content.strip()).group(1)
            table = _enclosing_open(tokens, index, "table_open")
            del tokens[index : close + 1]
            if table is not None:
                _attach(tokens[table], text)
            continue
        if token.type != "inline" or index == 0 or tokens[index - 1].type != "paragraph_open":
            index += 1
            continue
        content_lines = token.content.split("\n")
        ials = []
        while content_lines and _is_block_extra(content_lines[-1]):
            ials.insert(0, content_lines.pop())
        leading = []
        while content_lines and _is_block_extra(content_lines[0]):
            leading.append(content_lines.pop(0))
        if not ials and not leading:
            index += 1
            continue
        opening = tokens[index - 1]
        if not content_lines:
            # The paragraph is only attribute lists: they name a neighbouring block.
            target = _neighbour_block(tokens, index - 1)
            del tokens[index - 1 : index + 2]
            for text in _ial_texts(leading + ials):
                if target is not None:
                    _attach(tokens[target], text)
            index = max(index - 1, 0)
            continue
        token.content = "\n".join(content_lines)
        for text in _ial_texts(leading):
            _attach(opening, text)
        target = index - 1
        last_line = opening.map[1] - 1 if opening.map else None
        if (
            ials
            and last_line is not None
            and last_line < len(lines)
            and BLOCK_IAL.match(lines[last_line])
            and opening.level > 0
        ):
            # An unindented list after a list item's or quote's last line names the list
            # or the quote, as a lazy line does (kramdown reads it after the block).
            outer = _outermost_container(tokens, index - 1)
            if outer is not None:
                target = outer
        for text in _ial_texts(ials):
            _attach(tokens[target], text)
        index += 1


def _is_block_extra(line):
    return bool(BLOCK_IAL.match(line) or ALD.match(line) or EXTENSION.match(line))


def _ial_texts(lines):
    matches = [BLOCK_IAL.match(line) for line in lines if not ALD.match(line)]
    return [match.group(1) for match in matches if match]


def _ial_row(tokens, index):
    """Whether the table row at ``index`` is an attribute list kramdown reads after the
    table (its first cell alone holds it, and it is the table's last row)."""
    close = _close_index(tokens, index)
    cells = [tokens[i] for i in range(index, close) if tokens[i].type == "inline"]
    return (
        bool(cells)
        and BLOCK_IAL.match(cells[0].content.strip()) is not None
        and all(not cell.content.strip() for cell in cells[1:])
        and close + 1 < len(tokens)
        and tokens[close + 1].type in {"tbody_close", "thead_close"}
    )


def _close_index(tokens, index):
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth == 0:
            return position
    return len(tokens) - 1


def _enclosing_open(tokens, index, kind):
    depth = 0
    for position in range(index - 1, -1, -1):
        depth += tokens[position].nesting
        if depth > 0 and tokens[position].type == kind:
            return position
    return None


def _outermost_container(tokens, index):
    outer, depth = None, 0
    for position in range(index - 1, -1, -1):
        depth += tokens[position].nesting
        if depth > 0:
            outer, depth = position, 0
    return outer


def _neighbour_block(tokens, index):
    """The opening token of the block an attribute-list-only paragraph at ``index`` names:
    the block just before it when they touch, else the next one at its level."""
    level = tokens[index].level
    paragraph_start = tokens[index].map[0] if tokens[index].map else None
    previous = None
    for position in range(index - 1, -1, -1):
        if tokens[position].level < level:
            break
        if tokens[position].level == level and tokens[position].nesting >= 0:
            previous = position
            break
    if previous is not None:
        block = tokens[previous]
        if block.map is None or paragraph_start is None or block.map[1] == paragraph_start:
            return previous
    for position in range(index + 3, len(tokens)):
        if tokens[position].level < level:
            break
        if tokens[position].level == level and tokens[position].nesting >= 0:
            return position - 3 if position > index else position
    return previous


def _attach(token, text):
    """Give a block's opening ``token`` the attribute list ``text``; "toc" marks it for
    removal, and a heading's id goes where the heading rule reads pinned ids."""
    if token.type == "heading_open":
        anchor = parse_attribute_list(text)[0]
        token.meta["kramdown_id"] = anchor
        return
    references = _apply_attributes(token, text)
    if "toc" in references:
        token.meta["kramdown_toc"] = True


def _span_attributes(state):
    """Span attribute lists right after an emphasis, link, image or code span: given to
    it and taken out of the text. After plain text kramdown keeps one as text too."""
    for inline in state.tokens:
        if inline.type != "inline" or not inline.children:
            continue
        children = inline.children
        for position in range(1, len(children)):
            child = children[position]
            if child.type != "text" or not child.content.startswith("{:"):
                continue
            match = SPAN_IAL.match(child.content)
            previous = children[position - 1]
            if match is None or previous.type not in {
                "em_close",
                "strong_close",
                "s_close",
                "link_close",
                "image",
                "code_inline",
            }:
                continue
            target = previous
            if previous.nesting == -1:
                target = children[_matching_open(children, position - 1)]
            _apply_attributes(target, match.group(1), link=target.type == "link_open")
            child.content = child.content[match.end() :]
        inline.children = [c for c in children if c.type != "text" or c.content]
    # A heading's attribute list (read by the block pass) becomes the form the heading
    # rule reads: "{#id}" at the end of its text.
    for index, token in enumerate(state.tokens):
        anchor = token.meta.get("kramdown_id") if token.type == "heading_open" else None
        if anchor and SAFE_ID.fullmatch(anchor):
            inline = state.tokens[index + 1]
            inline.children = [*(inline.children or []), _text(f" {{#{anchor}}}")]


def _matching_open(children, index):
    depth = 0
    for position in range(index, -1, -1):
        depth += children[position].nesting
        if depth == 0:
            return position
    return index


def _remove_toc(state):
    """Drop the blocks "{:toc}" marked: kramdown puts its contents list there, and the
    page has its own."""
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        if tokens[index].meta and tokens[index].meta.get("kramdown_toc"):
            del tokens[index : _close_index(tokens, index) + 1]
            continue
        index += 1


def _stray_closing_tags(state):
    """A span element's closing tag that closes nothing in its paragraph is text, as
    kramdown shows it ("Found invalidly used HTML closing tag")."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        open_tags = {}
        for child in token.children:
            if child.type != "html_inline":
                continue
            tag = HTML_TAG_NAME.match(child.content)
            name = tag.group(1).lower() if tag else ""
            if name not in HTML_SPAN_ELEMENTS or child.content.endswith("/>"):
                continue
            if not child.content.startswith("</"):
                open_tags[name] = open_tags.get(name, 0) + 1
            elif open_tags.get(name):
                open_tags[name] -= 1
            else:
                child.type = "text"


# Typography.


def _typography(state):
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type == "inline" and token.children:
            token.children = _joined_text(token.children)
            pinned = None
            if index and tokens[index - 1].type == "heading_open":
                pinned = _take_header_id(token.children)
            _smarten_children(token.children)
            if pinned is not None:
                token.children.append(pinned)


def _take_header_id(children):
    """The text token of the ``{#id}`` ending a heading, taken out of ``children``, or
    None: kramdown reads the id before the heading's text, so its "--" is no dash."""
    last = children[-1]
    match = KRAMDOWN_HEADER_ID.search(last.content) if last.type == "text" else None
    if match is None:
        return None
    last.content = last.content[: match.start()]
    return _text(match.group(0))


def _joined_text(children):
    """Adjacent text tokens made one, as kramdown reads them, with "<<tag>>" read as
    guillemets around a word rather than an HTML tag between "<" and ">"."""
    for position in range(1, len(children) - 1):
        before, child, after = children[position - 1 : position + 2]
        if (
            child.type == "html_inline"
            and before.type == "text"
            and before.content.endswith("<")
            and after.type == "text"
            and after.content.startswith(">")
            and re.fullmatch(r"<[A-Za-z][\w-]*>", child.content)
        ):
            child.type = "text"
    joined = []
    for child in children:
        if child.type == "text" and joined and joined[-1].type == "text":
            joined[-1].content += child.content
        else:
            joined.append(child)
    return joined


def _smarten_children(children):
    raw_depth = 0
    for position, child in enumerate(children):
        if child.type == "html_inline":
            content = child.content
            if RAW_INLINE_OPEN.match(content):
                raw_depth += 1
            elif raw_depth and content.startswith("</"):
                raw_depth -= 1
            continue
        if child.type != "text" or raw_depth or not child.content:
            continue
        previous = children[position - 1] if position else None
        before = ""
        if previous is not None and previous.type == "text" and previous.content:
            before = previous.content[-1]
        elif previous is not None and previous.type == "softbreak":
            before = "\n"
        after = "".join(_source_of(token) for token in children[position + 1 : position + 4])
        child.content = smarten(child.content, before=before, after=after)


def _source_of(token):
    """What a token stood for in the source, as far as the quote rules look ahead."""
    if token.type in {"text", "html_inline"}:
        return token.content
    if token.type in {"softbreak", "hardbreak"}:
        return "\n"
    if token.type == "code_inline":
        return token.markup + token.content + token.markup
    if token.type in MARKUP_AFTER:
        return MARKUP_AFTER[token.type]
    return token.markup or ""


def smarten(text, *, before="", after=""):
    """``text`` (str) with kramdown's smart quotes and typographic symbols.

    ``before`` is the unread character before it in the same run of text ("" after an
    element such as a code span, or at a paragraph's start) and ``after`` what follows
    it in the source ("" at the end), both only looked at, as kramdown's rules do.
    """
    source = before + text + after
    start, end = len(before), len(before) + len(text)
    pieces = []
    copied = start
    floor = start - 1 if before else start
    while True:
        match = TYPOGRAPHY_START.search(source, floor, end)
        if match is None:
            break
        position = match.start()
        if match.group(0)[-1] in "\"'":
            replaced, position_after = _quote_at(source, position)
        else:
            symbol = TYPOGRAPHIC_SYMBOLS.match(source, position, end)
            if symbol is None:  # a space before "<<" that is not kramdown's « + space
                floor = position + 1
                continue
            replaced, position_after = [TYPOGRAPHIC_TEXT[symbol.group(0)]], symbol.end()
        if position > copied:
            pieces.append(source[copied:position])
        elif position < copied:
            # The rule kept the unread character before this text as text: it is not ours.
            replaced = replaced[1:] if replaced and replaced[0] == source[position] else replaced
        pieces.extend(replaced)
        copied = floor = position_after
    pieces.append(source[copied:end])
    return "".join(pieces)


def _quote_at(source, position):
    """kramdown's quote rules at ``position``: ([pieces of text], position after them)."""
    for pattern, substitutions in SQ_RULES:
        match = pattern.match(source, position)
        if match is None:
            continue
        pieces = []
        for substitution in substitutions:
            if isinstance(substitution, int):
                pieces.append(match.group(substitution))
            elif substitution[-1].isdigit():
                found = match.group(int(substitution[-1]))
                pieces.append(QUOTES[SQ_SUBSTITUTES[(substitution[:-1], found)]])
            else:
                pieces.append(QUOTES[substitution])
        return pieces, match.end()
    return [source[position]], position + 1
