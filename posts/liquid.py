"""The Liquid in a Jekyll post, read once at import so it is never printed (issue 21).

Jekyll renders a post's Liquid before its Markdown, code blocks included (only
``{% raw %}`` keeps text literal). ``resolve_liquid`` does the same for what has a
meaning here, and leaves a visible placeholder, with a warning, for what has none:

* ``{{ site.baseurl }}``, ``{{ site.url }}`` (and ``site.github.url``), any other
  text setting of _config.yml (``{{ site.repository }}``), the front matter
  (``{{ page.title }}``), quoted strings, and the filters ``relative_url``,
  ``absolute_url`` (as Jekyll 4's URL filters compute them,
  jekyll/filters/url_filters.rb), ``prepend``, ``append``, ``split``, ``join``,
  ``slugify``, ``downcase``, ``upcase`` and ``strip``;
* ``{% assign %}`` and ``{% capture %}`` of what is known, ``{% for %}`` over a range
  or a known list (``limit``, ``offset``, ``reversed``, ``forloop``), at most
  MAX_ITERATIONS bodies in a post, and ``{% if %}``/``{% unless %}`` (with ``elsif``,
  ``else``, ``and``/``or``, ``==``, ``!=``, ``contains``, comparisons of numbers) on
  literals, variables and the keys _config.yml and the front matter have;
* ``site.posts`` (each post's url, id, slug, title, date, categories, tags, path and
  name, newest first, given by the caller in ``site``) and ``site.COLLECTION`` (each
  document of a collection the import does not bring, at its old address) with the
  filters ``where``, ``where_exp``, ``first``, ``last``, ``map``, ``sort``, ``reverse``
  and ``size``: hazra1991's
  ``{{ site.posts | where: "slug", "x" | first.url | relative_url }}`` is the post's
  address; what finds nothing is Liquid's nil, which prints nothing (with a warning);
* ``{% post_url NAME %}`` and ``{% link PATH %}``: the address the importer gave that
  post or file (the caller's lookups), or for a page or collection document it does
  not import the address Jekyll gave it, with a warning when it has none.
* Chirpy's ``{% include embed/youtube.html id=… %}`` (bilibili, twitch, spotify): a
  link to the video, since the site loads nothing from other sites;
  ``embed/video.html`` and ``embed/audio.html``: the page's own player (_embed). A Jekyll 3
  habit, ``{{ site.baseurl }}{% post_url x %}``, gives the address once: since Jekyll
  4 both tags include the base URL themselves;
* ``{% highlight LANG [linenos ...] %}…{% endhighlight %}``: a fenced code block in that
  language, line numbers dropped, so a ``# comment`` line in it is never a heading;
  inside an HTML element kramdown keeps raw, ``<pre><code>`` (Jekyll's HTML reached
  kramdown there; a fence would show as text);
* ``{% raw %}…{% endraw %}``: its text, literally; ``{% comment %}…{% endcomment %}``:
  nothing, as Liquid renders it;
* jekyll-scholar's ``{% cite KEY... %}`` (``--file``, ``--style``, ``--locator``,
  ``--label``), ``{% bibliography %}`` (``--cited``, ``--file``, ``--style``) and
  ``{% reference KEY %}``: the citation, reference list or reference (HTML) the site's
  .bib files and CSL style give (posts.scholar), ``--cited`` listing the keys cited
  before it in the post; an unknown key, a missing .bib file or another option is a
  placeholder with a warning, as below;
* anything else (``{% include %}``, ``{% cite_details %}``, a
  condition on ``page.url`` or another variable Jekyll computes): a
  ``<span class="liquid-placeholder">`` showing the tag, and a warning naming the file,
  the line and the tag. A block tag (``for``, ``if``, ``case``, ...) is one
  placeholder, its body included. In code and ``$$``
  math, where markup would print as text (and ``{{a}}`` is TeX), the tag is kept as
  written; in a link's address or an HTML tag, left out.
"""

import bisect
import html
import re
from dataclasses import dataclass, field

from posts import kramdown, scholar

# One Liquid tag or output, with its whitespace-control dashes, matched against the
# text from its "{%" or "{{" to the first "%}" or "}}" (_tags).
TAG = re.compile(
    r"\{%(?P<tag_trim>-)?\s*(?P<name>[A-Za-z_]\w*)(?P<args>.*?)(?P<tag_end_trim>-)?%\}"
    r"|\{\{(?P<out_trim>-)?(?P<expr>.*?)(?P<out_end_trim>-)?\}\}",
    re.DOTALL,
)
OPENING = re.compile(r"\{[{%]")
# How far a tag may reach for its closing "}}" or "%}": a stray "{{" costs a bounded
# look ahead, never a scan of the rest of the file.
MAX_TAG_LENGTH = 2000
# Tags that open a block Liquid closes with end<name>.
BLOCK_TAGS = {"for", "if", "unless", "case", "capture", "tablerow", "comment", "raw", "highlight"}
# Tags that print nothing in Jekyll; left out with a warning, since what they set is
# not known here.
SILENT_TAGS = {"increment", "decrement", "cycle"}
# "{% for x in list limit:2 offset:1 reversed %}"; a range is "(1..3)".
FOR_ARGS = re.compile(
    r"^(?P<var>[A-Za-z_]\w*)\s+in\s+(?P<iterable>\(\s*\S+?\s*\.\.\s*\S+?\s*\)|\S+)"
    r"(?P<options>(?:\s+(?:limit|offset)\s*:\s*\d+|\s+reversed)*)\s*$"
)
ASSIGN_ARGS = re.compile(r"^(?P<var>[A-Za-z_][\w-]*)\s*=\s*(?P<expression>.+)$", re.DOTALL)
NUMBER = re.compile(r"^-?\d+$")
# Loops render their bodies at most this many times in a post, all loops together: a
# post's own lists are short; "(1..1000000000)" is not rendered.
MAX_ITERATIONS = 10_000
# A fenced code block's fence (CommonMark 4.5): up to three spaces, then ``` or ~~~.
FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$", re.MULTILINE)
CODE_SPAN = re.compile(r"(?<!`)(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`)", re.DOTALL)
# kramdown's math, where "{{a}}" is TeX's braces: kept as written, like code.
DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.DOTALL)
BLANK_LINE = re.compile(r"\n[ \t]*\n")
# Text just before a tag that puts it in an address: a Markdown link's "](", a link
# reference definition, or an HTML href/src attribute.
IN_ADDRESS = re.compile(
    r"""(?:\]\(\s*<?|^\s{0,3}\[[^\]\n]+\]:\s*<?|\b(?:href|src|srcset|poster|data)\s*=\s*["']?)[^\s"'()<>]*$""",
    re.IGNORECASE,
)
ABSOLUTE_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
STRING = re.compile(r"""^(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)')$""")
FILTER_SPLIT = re.compile(r"""\|(?=(?:[^"']|"[^"]*"|'[^']*')*$)""")
ARGUMENT_SPLIT = re.compile(r""",(?=(?:[^"']|"[^"]*"|'[^']*')*$)""")
# Markdown's punctuation (and "$", which starts math) as entities inside a placeholder,
# so the tag is shown as written and never read as emphasis, a link or math.
MARKDOWN_PUNCTUATION = {char: f"&#{ord(char)};" for char in "*_`[]\\$~|!#{}"}
UNRESOLVED_ADDRESS = "#liquid-unresolved"
# Chirpy's embeds (jekyll-theme-chirpy, _includes/embed/): "embed/youtube.html id='…'".
EMBED = re.compile(
    r"^embed/(?P<kind>youtube|bilibili|twitch|spotify|video|audio)\.html\b(?P<params>.*)$",
    re.DOTALL,
)
INCLUDE_PARAMETER = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([\w.]+))""")
# The platform's name and the address of the item on it, by Chirpy's embed name.
EMBED_PLATFORMS = {
    "youtube": ("YouTube", "https://www.youtube.com/watch?v={id}"),
    "bilibili": ("Bilibili", "https://www.bilibili.com/video/{id}"),
    "twitch": ("Twitch", "https://www.twitch.tv/videos/{id}"),
    "spotify": ("Spotify", "https://open.spotify.com/{id}"),
}
# Liquid's nil, which a filter gives when it finds nothing (``first`` of an empty list)
# and which prints as nothing; None means "not known here".
NIL = type("Nil", (), {"__repr__": lambda self: "NIL", "__bool__": lambda self: False})()
# jekyll-scholar's tags (posts.scholar), and the options read here: those that take a
# value, and flags. Any other option (--query, --prefix, --template, ...) leaves the tag
# a placeholder.
SCHOLAR_TAGS = {"cite", "bibliography", "reference"}
SCHOLAR_VALUE_OPTIONS = {
    "-f": "file",
    "--file": "file",
    "-s": "style",
    "--style": "style",
    "-l": "locator",
    "--locator": "locator",
    "-L": "label",
    "--label": "label",
}
SCHOLAR_FLAGS = {"-c": "cited", "--cited": "cited", "--cited_in_order": "cited_in_order"}


@dataclass
class _Context:
    site: dict
    lookup_post: object
    lookup_file: object
    source_name: str
    text: str
    line_offset: int
    code: list  # [(start, end)] offsets of code in ``text``
    warnings: list
    page: dict = field(default_factory=dict)  # the post's front matter
    lookup_page: object = None
    # What {% assign %} and {% for %} set: {name: str, int or list}.
    variables: dict = field(default_factory=dict)
    iterations: int = 0  # bodies rendered by loops so far, at most MAX_ITERATIONS
    exhausted: bool = False  # a loop went past MAX_ITERATIONS: no loop is rendered
    tags: list = field(default_factory=list)  # every tag's match, in order (_tags)
    starts: list = field(default_factory=list)  # where each tag starts
    blocks: dict = field(default_factory=dict)  # {block name: (balances, ends)}
    warned: set = field(default_factory=set)
    scholar: object = None  # posts.scholar.Scholar, or None: no citations rendered
    cited: list = field(default_factory=list)  # keys {% cite %} gave, for --cited
    newlines: list = field(default_factory=list)  # offsets of the text's line breaks

    def line(self, offset):
        return bisect.bisect_left(self.newlines, offset) + 1 + self.line_offset

    def warn(self, offset, message):
        warning = f"{self.source_name}, line {self.line(offset)}: {message}"
        if warning not in self.warned:  # once, though a loop renders its body again
            self.warned.add(warning)
            self.warnings.append(warning)

    def in_code(self, offset):
        found = bisect.bisect_right(self.code, (offset, float("inf"))) - 1
        return found >= 0 and self.code[found][0] <= offset < self.code[found][1]


def resolve_liquid(
    text,
    *,
    site,
    lookup_post,
    lookup_file,
    source_name,
    line_offset=0,
    page=None,
    lookup_page=None,
    scholar=None,
):
    """The post's text (str) with its Liquid read as Jekyll reads it, and the warnings.

    ``site`` is the Jekyll site's _config.yml ({"baseurl": str, "url": str, ...}; any
    key may be missing or None), which ``site.baseurl``, ``site.url``, ``site.KEY``,
    ``relative_url`` and ``absolute_url`` give as Jekyll would: the old site's addresses,
    which the importer rewrites afterwards like any link it finds in the text.
    ``lookup_post(name)`` is given a ``{% post_url %}`` argument as written
    ("2010-07-21-name", or "folder/2010-07-21-name") and ``lookup_file(path)`` a
    ``{% link %}`` one ("assets/a.pdf", "_posts/2010-07-21-name.md"); each returns the
    address (str) it has on this site, or None when it was not imported.
    ``lookup_page(path)``, when given, is asked next for a ``{% link %}`` to a page or
    a collection's document the importer does not bring over: the address Jekyll gave
    it (str, without baseurl) or None; the link keeps that address, with a warning.
    ``source_name`` (str) names the file in warnings, and ``line_offset`` (int) is the
    number of lines before ``text`` in that file (its front matter), so a warning's line
    is the file's. ``page`` (dict) is the post's front matter, which ``page.KEY`` gives
    (text, numbers and lists of text). ``scholar`` (posts.scholar.Scholar, or None) is
    the site's bibliography, which ``{% cite %}``, ``{% bibliography %}`` and
    ``{% reference %}`` render from (placeholders without it).

    Returns ``(text, warnings)``: Markdown with no Liquid left, and one sentence (str)
    per tag that could not be used, "NAME, line N: ...". Never raises on any text.
    """
    context = _Context(
        site=dict(site or {}),
        lookup_post=lookup_post,
        lookup_file=lookup_file,
        source_name=source_name,
        text=text,
        line_offset=line_offset,
        code=_code_ranges(text),
        warnings=[],
        page=dict(page or {}),
        lookup_page=lookup_page,
        scholar=scholar,
    )
    if "{%" not in text and "{{" not in text:
        return text, []
    context.tags = _tags(text)
    context.starts = [match.start() for match in context.tags]
    context.newlines = [match.start() for match in re.finditer("\n", text)]
    return _render(context, 0, len(text), in_code=False), context.warnings


def _tags(text):
    """Every Liquid tag and output in ``text`` (a list of TAG matches, in order), each
    ending at the first "%}" or "}}" after its start, as Liquid's tokenizer ends it."""
    tags = []
    position = 0
    while True:
        opening = OPENING.search(text, position)
        if opening is None:
            return tags
        start = opening.start()
        closing = text.find(
            "%}" if text[start + 1] == "%" else "}}", start + 2, start + MAX_TAG_LENGTH
        )
        match = TAG.fullmatch(text, start, closing + 2) if closing >= 0 else None
        if match is None:
            position = start + 1
            continue
        tags.append(match)
        position = match.end()


def _code_ranges(text):
    """The [(start, end)] offsets of fenced code blocks, code spans and ``$$`` math in
    ``text``, found as CommonMark and kramdown find them, near enough for Liquid's sake
    (indented code blocks are not told apart from a list's continuation lines, and
    count as text)."""
    ranges = []
    outside = []  # the stretches between fenced blocks
    position, opened = 0, None
    for match in FENCE.finditer(text):
        fence = match.group("fence")
        if opened is None:
            if fence[0] == "`" and "`" in match.group("info"):
                continue  # not a fence (CommonMark: no backtick in a backtick fence's info)
            outside.append((position, match.start()))
            opened = (fence, match.start())
        elif (
            fence[0] == opened[0][0] and len(fence) >= len(opened[0]) and not match["info"].strip()
        ):
            ranges.append((opened[1], match.end()))
            position, opened = match.end(), None
    if opened is not None:
        ranges.append((opened[1], len(text)))  # an unclosed fence runs to the end
    else:
        outside.append((position, len(text)))
    for start, end in outside:
        paragraph_start = start
        for paragraph in [*BLANK_LINE.finditer(text, start, end), None]:
            paragraph_end = paragraph.start() if paragraph else end
            for pattern in (CODE_SPAN, DISPLAY_MATH):
                for span in pattern.finditer(text, paragraph_start, paragraph_end):
                    ranges.append(span.span())
            paragraph_start = paragraph.end() if paragraph else end
    merged = []  # sorted and disjoint, for Context.in_code's binary search
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _render(context, start, end, *, in_code):
    """The text between ``start`` and ``end`` with each tag and output resolved."""
    text = context.text
    out = []
    position = start
    # A baseurl just printed by an output, which a following {% post_url %} or
    # {% link %} makes redundant (Jekyll 4 tags include it): its index in ``out``.
    baseurl_output = None
    while position < end:
        index = bisect.bisect_left(context.starts, position)
        match = context.tags[index] if index < len(context.tags) else None
        if match is None or match.end() > end:
            out.append(text[position:end])
            break
        before = text[position : match.start()]
        if match.group("tag_trim") or match.group("out_trim"):
            before = before.rstrip()
        if before:
            out.append(before)
            baseurl_output = None
        after = match.end()
        code = in_code or context.in_code(match.start())
        if match.group("name"):
            name = match.group("name")
            args = match.group("args").strip()
            if name in BLOCK_TAGS:
                block = _block_end(context, name, index, end)
                if block is None:
                    context.warn(
                        match.start(),
                        f"Liquid {_shown(match.group(0))} has no {{% end{name} %}}; "
                        "shown as written",
                    )
                    out.append(match.group(0))
                    position = match.end()
                    continue
                body_end, after, close = block
                out.append(_render_block(context, match, name, args, body_end, code, out))
                trim_after = close.group("tag_end_trim")
            else:
                replacement = _render_tag(context, match, name, args, code, out, baseurl_output)
                if replacement is _DROP_BASEURL:
                    out[baseurl_output] = ""
                    replacement = _render_tag(context, match, name, args, code, out, None)
                out.append(replacement)
                trim_after = match.group("tag_end_trim")
            baseurl_output = None
        else:
            value, is_baseurl = _render_output(context, match, code, out)
            out.append(value)
            baseurl_output = len(out) - 1 if is_baseurl else None
            trim_after = match.group("out_end_trim")
        if trim_after:
            while after < end and text[after].isspace():
                after += 1
        position = after
    return "".join(out)


_DROP_BASEURL = object()


def _block_end(context, name, index, end):
    """(where the body ends, where the block ends, the closing tag's match) for the
    block opened by tag number ``index``, nested blocks of the same name counted (not
    in raw and comment, whose bodies are not Liquid); or None when it does not close
    before ``end``. In logarithmic time, from what _block_index keeps for ``name``."""
    balances, ends = _block_index(context, name)
    wanted = 0 if name in {"raw", "comment"} else balances[index]
    candidates = ends.get(wanted, [])
    found = bisect.bisect_right(candidates, index)
    if found == len(candidates):
        return None
    close = context.tags[candidates[found]]
    if close.end() > end:
        return None
    return close.start(), close.end(), close


def _block_index(context, name):
    """For block ``name``: how many such blocks are open before each tag ([int]), and
    the tags that close one, by how many stay open after them ({int: [tag index]})."""
    if name not in context.blocks:
        balances, ends, depth = [], {}, 0
        for position, match in enumerate(context.tags):
            balances.append(depth)
            tag = match.group("name")
            if tag == name and name not in {"raw", "comment"}:
                depth += 1
            elif tag == f"end{name}":
                if name not in {"raw", "comment"}:
                    depth -= 1
                ends.setdefault(depth, []).append(position)
        context.blocks[name] = (balances, ends)
    return context.blocks[name]


def _render_block(context, match, name, args, body_end, code, out):
    body_start = match.end()
    if name == "raw":
        return context.text[body_start:body_end]
    if name == "comment":
        return ""
    if name == "highlight":
        return _fenced(context, match, args, body_end, out)
    if name == "for":
        looped = _loop(context, match, args, body_end, code)
        if looped is not None:
            return looped
    if name in {"if", "unless"}:
        branch = _branch(context, match, name, body_end)
        if branch is not None:
            return "" if branch is False else _render(context, *branch, in_code=code)
    if name == "capture" and re.fullmatch(r"[A-Za-z_][\w-]*", args):
        # Prints nothing; what its body renders to is the variable's value.
        context.variables[args] = _render(context, body_start, body_end, in_code=code)
        return ""
    whole = context.text[match.start() : body_end] + f"{{% end{name} %}}"
    context.warn(
        match.start(),
        f"Liquid block {_shown(match.group(0))} … {{% end{name} %}} is not rendered here; "
        + ("kept as written in code" if code else "the page shows a placeholder"),
    )
    if code:
        return whole
    return _placeholder(f"{_shown(match.group(0))} … {{% end{name} %}}", out)


def _branch(context, match, name, body_end):
    """The (start, end) of the branch an ``{% if %}`` or ``{% unless %}`` block renders,
    False when it renders none, or None when a condition it needs is not known here
    (a variable Jekyll computes, such as ``page.url``, or an operator not read here)."""
    branches = _branches(context, match, body_end, {"elsif", "else"})
    if branches is None:
        return None
    for position, (condition, start, end) in enumerate(branches):
        if condition is None:
            return start, end
        value = _condition(context, condition)
        if value is UNKNOWN:
            return None
        if value != (name == "unless" and position == 0):
            return start, end
    return False


def _branches(context, match, body_end, separators):
    """The parts of a block's body that its own ``separators`` (``elsif``, ``else``)
    divide, not those of blocks inside it: [(condition, start, end)], the first with the
    block's own arguments, an ``else`` part with None; None when the body has a raw or
    comment block that does not close."""
    opener = bisect.bisect_left(context.starts, match.start())
    branches = []
    condition, start, depth, index = match.group("args").strip(), match.end(), 0, opener + 1
    while index < len(context.tags) and context.tags[index].start() < body_end:
        tag = context.tags[index]
        tag_name = tag.group("name")
        if tag_name in {"raw", "comment"}:
            skipped = _block_end(context, tag_name, index, body_end)
            if skipped is None:
                return None
            index = bisect.bisect_left(context.starts, skipped[1])
            continue
        if tag_name in BLOCK_TAGS:
            depth += 1
        elif tag_name and tag_name.startswith("end") and tag_name[3:] in BLOCK_TAGS:
            depth -= 1
        elif depth == 0 and tag_name in separators:
            branches.append((condition, start, tag.start()))
            condition = tag.group("args").strip() if tag_name == "elsif" else None
            start = tag.end()
        index += 1
    branches.append((condition, start, body_end))
    return branches


UNKNOWN = object()
CONDITION_SPLIT = re.compile(r"""\s+(and|or)\s+(?=(?:[^"']|"[^"]*"|'[^']*')*$)""")
COMPARISON = re.compile(r"""^(.+?)\s*(==|!=|<>|>=|<=|>|<|\bcontains\b)\s*(.+)$""")


def _condition(context, text):
    """True, False or UNKNOWN: a Liquid condition, "and"/"or" read right to left as
    Liquid reads them; only nil and false are false."""
    parts = CONDITION_SPLIT.split(text)
    result = _comparison(context, parts[-1])
    for index in range(len(parts) - 3, -1, -2):
        left = _comparison(context, parts[index])
        if left is UNKNOWN or result is UNKNOWN:
            return UNKNOWN
        result = (left and result) if parts[index + 1] == "and" else (left or result)
    return result


def _comparison(context, text):
    compared = COMPARISON.match(text.strip())
    if compared is None:
        value = _operand(context, text)
        return UNKNOWN if value is UNKNOWN else value not in (None, False)
    left, operator, right = (
        _operand(context, compared[1]),
        compared[2],
        _operand(context, compared[3]),
    )
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    if operator == "contains":
        if isinstance(left, str | list) and isinstance(right, str):
            return right in left
        return UNKNOWN
    if operator in {"==", "!=", "<>"}:
        return (left == right) == (operator == "==")
    if isinstance(left, int | float) and isinstance(right, int | float):
        return {">": left > right, "<": left < right, ">=": left >= right, "<=": left <= right}[
            operator
        ]
    return UNKNOWN


def _operand(context, text):
    """A condition's operand as Python sees it (str, number, bool, None, list, dict),
    or UNKNOWN: a literal, an assigned variable, or a key of _config.yml or the front
    matter that is there (one that is not may be a variable Jekyll computes)."""
    text = text.strip()
    literals = {"true": True, "false": False, "nil": None, "null": None}
    if text in literals:
        return literals[text]
    string = STRING.match(text)
    if string:
        return string.group("double") if string.group("double") is not None else string["single"]
    if re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        return float(text) if "." in text else int(text)
    head, _, rest = text.partition(".")
    if head in context.variables:
        value = context.variables[head]
    elif head in {"site", "page"} and rest:
        source = context.site if head == "site" else context.page
        first, _, rest = rest.partition(".")
        if first not in source:
            return UNKNOWN
        value = source[first]
    else:
        return UNKNOWN
    for key in rest.split(".") if rest else []:
        value = value.get(key) if isinstance(value, dict) else None
    if isinstance(value, str) and NUMBER.match(value) and head in context.variables:
        return int(value)  # forloop.index and ranges hold numbers as text
    return value


def _loop(context, match, args, body_end, code):
    """A ``{% for %}`` over what is known here (a range, a list assigned in the post, a
    list setting of _config.yml), its body rendered once per item (its ``else`` part
    when there is none); None otherwise."""
    parsed = FOR_ARGS.match(args)
    branches = _branches(context, match, body_end, {"else"})
    if parsed is None or branches is None:
        return None
    _, body_start, body_end = branches[0]
    iterable = parsed["iterable"]
    if iterable.startswith("("):
        low, high = (_evaluate(context, part.strip()) for part in iterable[1:-1].split(".."))
        if not (isinstance(low, str) and NUMBER.match(low) and isinstance(high, str)):
            return None
        if not NUMBER.match(high) or int(high) - int(low) >= MAX_ITERATIONS:
            return None
        items = [str(number) for number in range(int(low), int(high) + 1)]
    else:
        items = _evaluate(context, iterable)
        if not isinstance(items, list):
            return None
    options = dict(re.findall(r"(limit|offset)\s*:\s*(\d+)", parsed["options"]))
    items = items[int(options.get("offset", 0)) :]
    if "limit" in options:
        items = items[: int(options["limit"])]
    if "reversed" in parsed["options"]:
        items = items[::-1]
    if not items and len(branches) > 1:
        return _render(context, *branches[1][1:], in_code=code)
    context.iterations += len(items)
    if context.exhausted or context.iterations > MAX_ITERATIONS:
        context.exhausted = True
        return None
    saved = {key: context.variables.get(key) for key in (parsed["var"], "forloop")}
    rendered = []
    for index, item in enumerate(items):
        context.variables[parsed["var"]] = item
        context.variables["forloop"] = {
            "index": str(index + 1),
            "index0": str(index),
            "first": index == 0,
            "last": index == len(items) - 1,
            "length": str(len(items)),
        }
        rendered.append(_render(context, body_start, body_end, in_code=code))
        if context.exhausted:  # a loop inside went past the limit: this one is not shown
            break
    context.variables.update(saved)
    return None if context.exhausted else "".join(rendered)


def _fenced(context, match, args, body_end, out):
    """A ``{% highlight %}`` block as a fenced code block: its language, no line
    numbers, its body's Liquid resolved (Jekyll renders it) but never a placeholder."""
    language = args.split()[0] if args.split() else ""
    body = _render(context, match.end(), body_end, in_code=True)
    # Jekyll strips the line breaks that open and close the body; the blank line that
    # the closing tag's indentation leaves goes too.
    body = re.sub(r"^(?:[ \t]*\r?\n)+|(?:\r?\n[ \t]*)+$", "", body)
    prefix = _current_line(out)
    indent = prefix if not prefix.strip() else ""
    lines = body.split("\n")
    if indent and not all(line.startswith(indent) or not line.strip() for line in lines):
        lines = [indent + line if line.strip() else line for line in lines]
    if kramdown.inside_raw_html(context.text[: match.start()]):
        # kramdown keeps this element's content as written: Jekyll's highlighted HTML,
        # never a fence (which would show as text).
        code = html.escape(body, quote=False)
        classes = f' class="language-{html.escape(language)}"' if language else ""
        return f"<pre><code{classes}>{code}\n</code></pre>\n"
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    opening = ("" if not prefix.strip() else "\n") + f"{fence}{language}\n"
    return opening + "\n".join(lines) + f"\n{indent}{fence}\n"


def _render_tag(context, match, name, args, code, out, baseurl_output):
    if name == "include" and not code:
        embedded = _embed(context, match, args)
        if embedded is not None:
            return embedded
    if name in {"post_url", "link"}:
        if baseurl_output is not None:
            return _DROP_BASEURL
        return _address_tag(context, match, name, args)
    if name == "assign":
        parsed = ASSIGN_ARGS.match(args)
        value = _evaluate(context, parsed["expression"].strip()) if parsed else None
        if value is not None:
            context.variables[parsed["var"]] = value
            return ""
    if name in SCHOLAR_TAGS and context.scholar is not None:
        rendered = _scholar_tag(context, match, name, args, code, out)
        if rendered is not None:
            return rendered
    if name in SILENT_TAGS or name == "assign":
        context.warn(
            match.start(), f"Liquid {_shown(match.group(0))} is not rendered here; left out"
        )
        return ""
    return _unresolved(context, match, code, out)


def _embed(context, match, args):
    """What stands for one of Chirpy's ``{% include embed/NAME.html … %}`` (the theme's
    _includes/embed/), or None for any other include. The theme embeds a player from
    the platform; the site loads nothing from other sites (its Content-Security-Policy
    is 'self'), so a video on a platform is a link to it, with a warning saying so, and
    a video or sound file of the blog is the page's own ``<video>`` or ``<audio>``
    (its file copied with the post's others), its ``title`` below it as the theme
    shows it."""
    parsed = EMBED.match(args)
    if parsed is None:
        return None
    values = {}
    for key, quoted_double, quoted_single, bare in INCLUDE_PARAMETER.findall(parsed["params"]):
        value = quoted_double or quoted_single
        if bare:
            value = _value(context, bare)
        if isinstance(value, str):
            values[key] = value
    kind = parsed["kind"]
    if kind in EMBED_PLATFORMS:
        identifier = values.get("id", "").strip()
        if not re.fullmatch(r"[\w./:-]+", identifier):
            return None
        platform, address = EMBED_PLATFORMS[kind]
        context.warn(
            match.start(),
            f"Liquid {_shown(match.group(0))}: the {platform} player is a link to it here "
            "(the site loads nothing from other sites)",
        )
        href = html.escape(address.format(id=identifier))
        return f'<a class="embed-video" href="{href}">Watch on {platform}</a>'
    source = values.get("src", "").strip()
    if not source or re.search(r"[\s\"'<>]", source):
        return None
    element = "video" if kind == "video" else "audio"
    attributes = f'src="{html.escape(_relative_url(context, source))}"'
    if element == "video" and values.get("poster"):
        attributes += f' poster="{html.escape(_relative_url(context, values["poster"]))}"'
    title = values.get("title", "").strip()
    caption = f"\n<em>{html.escape(title)}</em>" if title else ""
    return f'<p><{element} class="embed-{element}" controls {attributes}></{element}>{caption}</p>'


def _scholar_tag(context, match, name, args, code, out):
    """jekyll-scholar's ``{% cite KEY... %}``, ``{% bibliography %}`` or
    ``{% reference KEY %}`` as HTML (posts.scholar), or None, with a warning, when it
    cannot be rendered here (in code, an address or an HTML tag, an unknown key or
    option, a missing .bib file): the caller's placeholder then."""
    current_line = _current_line(out)
    if code or IN_ADDRESS.search(current_line) or current_line.rfind("<") > current_line.rfind(">"):
        return None
    parsed = _scholar_args(args)
    shown = _shown(match.group(0))
    if isinstance(parsed, str):
        context.warn(
            match.start(), f"Liquid {shown}: {parsed}, not read here; shown as a placeholder"
        )
        return _placeholder(shown, out)
    keys, options = parsed
    single = options.get("file", [None])[-1], options.get("style", [None])[-1]
    try:
        if name == "cite" and keys:
            rendered = context.scholar.cite(
                keys,
                file=single[0],
                style=single[1],
                locators=options.get("locator", []),
                labels=options.get("label", []),
            )
            context.cited.extend(key for key in keys if key not in context.cited)
            return rendered
        if name == "reference" and len(keys) == 1:
            return context.scholar.reference(keys[0], file=single[0], style=single[1])
        if name == "bibliography" and not keys:
            cited = None
            if "cited" in options or "cited_in_order" in options:
                cited = context.cited
            rendered = context.scholar.bibliography(file=single[0], style=single[1], cited=cited)
            if cited is None:
                for problem in context.scholar.problems(file=single[0])[:3]:
                    context.warn(match.start(), f"Liquid {shown}: {problem}; left out")
            else:
                context.cited = []  # jekyll-scholar starts afresh after a cited list
            return rendered
    except scholar.BibliographyError as error:
        context.warn(match.start(), f"Liquid {shown}: {error}; the page shows a placeholder")
        return _placeholder(shown, out)
    context.warn(match.start(), f"Liquid {shown} names no entry; the page shows a placeholder")
    return _placeholder(shown, out)


def _scholar_args(args):
    """A jekyll-scholar tag's arguments: ([key], {option: [value]}), flags with [True];
    or a sentence (str) naming what is not read here."""
    keys, options = [], {}
    words = args.split()
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if not word.startswith("-"):
            if "{{" in word or "{%" in word or "}}" in word:
                return f"the key {word} is Liquid"
            keys.append(word.strip("\"'"))
            continue
        option, equals, value = word.partition("=")
        if option in SCHOLAR_FLAGS and not equals:
            options[SCHOLAR_FLAGS[option]] = [True]
        elif option in SCHOLAR_VALUE_OPTIONS:
            if not equals:
                if index >= len(words):
                    return f"the option {option} has no value"
                value, index = words[index], index + 1
            options.setdefault(SCHOLAR_VALUE_OPTIONS[option], []).append(value.strip("\"'"))
        else:
            return f"the option {option}"
    return keys, options


def _address_tag(context, match, name, args):
    """The address of the post or file a ``{% post_url %}`` or ``{% link %}`` names."""
    target = args.strip()
    if not target or "{{" in target or "{%" in target:
        context.warn(match.start(), f"Liquid {_shown(match.group(0))} names no file; left out")
        return UNRESOLVED_ADDRESS
    address = None
    if name == "post_url":
        address = context.lookup_post(target.lstrip("/"))
    else:
        address = context.lookup_file(target.lstrip("/"))
        post_name = re.match(r"^/?_posts/(?P<name>.+?)(?:\.[^./]+)?$", target)
        if address is None and post_name:
            address = context.lookup_post(post_name.group("name"))
    if address is None and name == "link" and context.lookup_page is not None:
        address = context.lookup_page(target.lstrip("/"))
        if address is not None:
            context.warn(
                match.start(),
                f"Liquid {_shown(match.group(0))}: {target} is a page of the old site, "
                f"which is not imported; the link keeps its old address {address}",
            )
    if address is None:
        what = "post" if name == "post_url" else "file"
        context.warn(
            match.start(),
            f"Liquid {_shown(match.group(0))}: no imported {what} is {target}; "
            "the link leads nowhere",
        )
        return UNRESOLVED_ADDRESS
    # Jekyll 4's post_url and link include the base URL (relative_url).
    return _relative_url(context, address)


def _render_output(context, match, code, out):
    """(text, whether it is the site's baseurl alone) for ``{{ expression }}``."""
    expression = match.group("expr").strip()
    value = _evaluate(context, expression)
    if value is None:
        return _unresolved(context, match, code, out), False
    if isinstance(value, list):  # Liquid prints a list's items one after another
        if not all(isinstance(item, str) for item in value):
            return _unresolved(context, match, code, out), False
        value = "".join(value)
    if value is NIL:
        context.warn(
            match.start(),
            f"Liquid {_shown(match.group(0))} finds nothing; it prints nothing, as in Jekyll",
        )
        return "", False
    if not isinstance(value, str):  # a post: Jekyll prints its whole content
        return _unresolved(context, match, code, out), False
    return value, expression == "site.baseurl"


def _evaluate(context, expression):
    """The value (str, a post as a dict, or a list of either) of a Liquid expression
    with its filters, or None when it uses anything not known here."""
    parts = [part.strip() for part in FILTER_SPLIT.split(expression)]
    value = _value(context, parts[0])
    for part in parts[1:]:
        if value is None:
            break
        value = _filter(context, value, part)
    return value


def _value(context, expression):
    string = STRING.match(expression)
    if string:
        return string.group("double") if string.group("double") is not None else string["single"]
    if NUMBER.match(expression):
        return expression
    head, _, rest = expression.partition(".")
    if head in context.variables:
        value = context.variables[head]
        for key in rest.split(".") if rest else []:
            value = value.get(key) if isinstance(value, dict) else None
        return value if isinstance(value, str | list | dict) else None
    if expression == "site.posts":  # the site's posts, newest first, as Jekyll sorts them
        posts = context.site.get("posts")
        return list(posts) if isinstance(posts, list) else None
    if expression == "site.baseurl":
        return str(context.site.get("baseurl") or "")
    if expression == "site.url":
        return str(context.site.get("url") or "")
    if expression == "site.github.url":  # jekyll-github-metadata: the site's own address
        return _absolute_url(context, "")
    if head in {"site", "page"} and rest:  # _config.yml's settings, the front matter's
        value = context.site if head == "site" else context.page
        for key in rest.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, list) and all(isinstance(item, str | dict) for item in value):
            return value
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value)
    return None


def _filter(context, value, part):
    name, _, argument = part.partition(":")
    # Liquid's lax parser reads a filter's name as its first word: "first.url" is
    # "first" (the ".url" is ignored; relative_url then takes the post's url).
    name, argument = re.match(r"\s*(\w*)", name).group(1), argument.strip()
    if value is NIL:  # Liquid's filters give nil for nil (relative_url: jekyll/filters)
        return NIL
    if isinstance(value, dict):  # a post: the URL filters take its url, as Jekyll's do
        value = value.get("url") if name in {"relative_url", "absolute_url"} else None
        if not isinstance(value, str):
            return None
    if isinstance(value, list):
        return _list_filter(context, value, name, argument)
    if name == "split" and argument:
        separator = _value(context, argument)
        return (
            None
            if not isinstance(separator, str)
            else [item for item in value.split(separator) if item]
        )
    if name == "slugify" and not argument:  # Jekyll's default mode
        return re.sub(r"[^\w]+|_+", "-", value.lower()).strip("-")
    if name in {"downcase", "upcase", "strip"} and not argument:
        return {"downcase": value.lower, "upcase": value.upper, "strip": value.strip}[name]()
    if name == "relative_url" and not argument:
        return _relative_url(context, value)
    if name == "absolute_url" and not argument:
        return _absolute_url(context, value)
    if name in {"prepend", "append"} and argument:
        other = _value(context, argument)
        if not isinstance(other, str):
            return None
        return other + value if name == "prepend" else value + other
    return None


def _list_filter(context, items, name, argument):
    """Liquid's and Jekyll's filters on a list (of str, or of posts as dicts): ``join``,
    ``first``, ``last``, ``size``, ``reverse``, ``map: "key"``, ``sort: "key"``,
    ``where: "key", "value"`` (Jekyll's: a list-valued key matches when it holds the
    value) and ``where_exp: "item", "condition"`` (the condition as ``{% if %}`` reads
    it); None for any other, or an argument not known here."""
    arguments = [_value(context, item.strip()) for item in ARGUMENT_SPLIT.split(argument)]
    if argument and None in arguments:
        return None
    if name == "join":
        separator = arguments[0] if argument else " "
        if not isinstance(separator, str) or not all(isinstance(item, str) for item in items):
            return None
        return separator.join(items)
    if name in {"first", "last"} and not argument:
        return (items[0] if name == "first" else items[-1]) if items else NIL
    if name == "size" and not argument:
        return str(len(items))
    if name == "reverse" and not argument:
        return items[::-1]
    keyed = all(isinstance(item, dict) for item in items)
    if name == "map" and len(arguments) == 1 and keyed:
        return [item.get(arguments[0]) for item in items if item.get(arguments[0]) is not None]
    if name == "sort" and len(arguments) == 1 and keyed:
        # Numbers before text, each in its own order; a missing key last, as in Jekyll.
        def order(item):
            value = item.get(arguments[0])
            if value is None:
                return (2, 0, "")
            if isinstance(value, int | float):
                return (0, value, "")
            return (1, 0, str(value))

        return sorted(items, key=order)
    if name == "where_exp" and len(arguments) == 2 and keyed:
        variable, expression = arguments
        saved = context.variables.get(variable)
        kept = []
        for item in items:
            context.variables[variable] = item
            holds = _condition(context, expression)
            if holds is UNKNOWN:
                kept = None
                break
            if holds:
                kept.append(item)
        context.variables[variable] = saved
        return kept
    if name == "where" and len(arguments) == 2 and keyed:
        key, wanted = arguments
        return [
            item
            for item in items
            if (wanted in item.get(key) if isinstance(item.get(key), list) else None)
            or str(item.get(key)) == wanted
        ]
    return None


def _relative_url(context, value):
    """Jekyll 4's ``relative_url``: the base URL (its trailing "/" dropped) and the
    path, each with a leading "/"; an absolute address is kept."""
    if ABSOLUTE_URL.match(value):
        return value
    baseurl = str(context.site.get("baseurl") or "").removesuffix("/")
    return "".join(
        part if part.startswith("/") or not part else "/" + part for part in (baseurl, value)
    )


def _absolute_url(context, value):
    """Jekyll 4's ``absolute_url``: ``url`` followed by the relative URL."""
    if ABSOLUTE_URL.match(value):
        return value
    return str(context.site.get("url") or "") + _relative_url(context, value)


def _unresolved(context, match, code, out):
    """What stands for a tag that has no meaning here, with its warning."""
    shown = _shown(match.group(0))
    current_line = _current_line(out)
    if code:
        context.warn(match.start(), f"Liquid {shown} is not rendered here; kept as written in code")
        return match.group(0)
    if IN_ADDRESS.search(current_line):
        context.warn(match.start(), f"Liquid {shown} is not rendered here; the link leads nowhere")
        return UNRESOLVED_ADDRESS
    if current_line.rfind("<") > current_line.rfind(">"):
        context.warn(
            match.start(), f"Liquid {shown} is not rendered here; left out of the HTML tag"
        )
        return ""
    context.warn(
        match.start(), f"Liquid {shown} is not rendered here; the page shows a placeholder"
    )
    return _placeholder(shown, out)


def _current_line(out, limit=300):
    """What has been written of the current line (str), from the pieces in ``out``: its
    last ``limit`` characters at most, which is all a tag's context needs."""
    pieces, length = [], 0
    for piece in reversed(out):
        if "\n" in piece:
            pieces.append(piece[piece.rfind("\n") + 1 :])
            break
        pieces.append(piece)
        length += len(piece)
        if length >= limit:
            break
    return "".join(reversed(pieces))[-limit:]


def _placeholder(shown, out):
    escaped = "".join(MARKDOWN_PUNCTUATION.get(char) or html.escape(char) for char in shown)
    return f'<span class="liquid-placeholder">{escaped}</span>'


def _shown(tag):
    """A tag as a warning or a placeholder shows it: on one line, at most 80 characters."""
    shown = " ".join(tag.split())
    return shown if len(shown) <= 80 else shown[:79] + "…"
