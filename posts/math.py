"""Mathematics in Markdown, as the blogs the site imports write it, rendered to MathML.

Two dialects (see posts.markdown.render):

* ``commonmark``, what editors write here: ``$...$`` is inline math and ``$$...$$`` on
  its own lines is a display block (mdit-py-plugins' dollarmath); ``$$...$$`` inside a
  sentence keeps its display style, as it always has.
* ``kramdown``, what Jekyll blogs wrote (kramdown 2.4, ``lib/kramdown/parser/kramdown/
  math.rb``): ``$$...$$`` inside a paragraph is *inline* math (kramdown writes
  ``\\(...\\)`` for MathJax), and is a display block only when it stands alone between
  block boundaries (a blank line, the start of a list item or quote, the end of the
  text); ``\\$$...$$`` opening a paragraph or list item is kramdown's way to keep such a
  formula inline. kramdown parses ``$$`` whatever the front matter says, so in this
  dialect these forms are math even when the post's math switch is off.

With math on, both dialects also read what MathJax reads in the browser on these blogs:
``\\\\(...\\\\)`` (inline) and ``\\\\[...\\\\]`` (display) as written in the Markdown source,
and ``$...$``, which kramdown leaves as text but the MathJax configuration of most such
blogs renders (the ``use_math``/``mathjax_support.html`` recipe and Chirpy both list
``['$','$']`` among ``inlineMath``; lil-log's stock MathJax 2 does not, and its few
``$\\theta$`` are slips meant as math). A price such as "$5 and $10" is not math: no
space may follow the opening ``$`` nor a digit the closing one; in imported posts, a
formula padded on both sides (``$ (x, y) $``) is math too, as MathJax read it.

For the forms MathJax reads (single ``$``, ``\\\\(``, ``\\\\[``) the TeX is what MathJax
received: the Markdown's backslash escapes are undone as the dialect undoes them
(``\\_`` is ``_``, ``\\\\\\\\`` is ``\\\\``). kramdown's ``$$`` TeX is taken verbatim, as
kramdown takes it.

Every formula becomes one ``math_*`` token while the inline text is tokenised, before
emphasis is paired and before any typography runs on ``text`` tokens: its TeX is never
touched by ``_``, ``*``, smart quotes or dashes. Bad TeX shows its source in a
``<code class="math-error">``; rendering never raises.
"""

import html
import re

from latex2mathml.converter import convert as latex_to_mathml
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.dollarmath.index import math_inline_dollar
from mdit_py_plugins.utils import is_code_block

from posts.kramdown import after_block_boundary

# Characters a backslash escapes in kramdown's GFM parser (kramdown-parser-gfm 1.1,
# ESCAPED_CHARS_GFM) and in CommonMark (any ASCII punctuation).
KRAMDOWN_ESCAPE = re.compile(r"""\\([\\.*_+`<>()\[\]{}#!:|"'$=\-~])""")
COMMONMARK_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# A line after a block that ends it as a blank line does (kramdown's
# before_block_boundary?): a block attribute list ("{: .class}") or the end-of-block
# marker "^". Before a block, a list is a boundary only if it stands alone (kramdown's
# after_block_boundary?, posts.kramdown.after_block_boundary).
KRAMDOWN_BOUNDARY_LINE = re.compile(r"^ {0,3}(?:\{:|\^\s*$)")
MATHJAX_DELIMITERS = {"\\\\(": ("\\\\)", False), "\\\\[": ("\\\\]", True)}
# TeX that MathJax reads and latex2mathml 3.81 would print as text ("\arg", "\label"):
# a size before a delimiter named by a command (\big\vert: the size is dropped, the
# delimiter kept), the operator \arg, and commands that show nothing in MathJax.
SIZED_COMMAND_DELIMITER = re.compile(r"\\[Bb]igg?[lrm]?\s*(?=\\(?:[A-Za-z]+|[{}|]))")
ARG_OPERATOR = re.compile(r"\\arg(?![A-Za-z])")
SHOWS_NOTHING = re.compile(r"\\(?:label|require)\s*\{[^{}]*\}|\\(?:nonumber|notag)(?![A-Za-z])")
# A "[" opening an environment's body: latex2mathml takes it for a column alignment
# ("[lcr]") and raises on anything else; MathJax reads it as a bracket ("[1, 0] & p" in
# cases), or, after aligned, gathered and array, as their position ("[t]"), shown as
# nothing. The bracket is braced ("{[}") or the position dropped.
ENVIRONMENT_BRACKET = re.compile(
    r"(\\begin\s*\{(?!array\}|aligned\}|gathered\}|[A-Za-z]*matrix\*)[A-Za-z]+\*?\})(\s*)\["
)
ENVIRONMENT_POSITION = re.compile(r"(\\begin\s*\{(?:array|aligned|gathered)\})\s*\[[^\]]*\]")
# amsmath environments latex2mathml does not know: it shows their "&" as text and runs
# their rows into one line. Each is named as one it reads (alignat's column count goes).
COLUMN_COUNT = re.compile(r"(\\begin\s*\{(?:alignat\*?|alignedat)\})\s*\{\d+\}")
ENVIRONMENT_NAME = re.compile(
    r"(\\(?:begin|end)\s*\{)(aligned|alignedat|alignat\*?|gathered|gather\*?|multline\*?|dcases)\}"
)
READ_AS = {"aligned": "align*", "alignedat": "align*", "alignat": "align", "alignat*": "align*"}
READ_AS |= dict.fromkeys(["gathered", "gather", "gather*", "multline", "multline*"], "displaylines")
READ_AS["dcases"] = "cases"
# MathJax 2's \color takes the coloured TeX as a second argument, as \textcolor does;
# latex2mathml reads \color as a switch to the end of the group, "&" and "\\" included.
COLOR_ARGUMENT = re.compile(r"\\color(?=\s*\{[^{}]*\}\s*\{)")


def mathml(latex, *, display):
    """MathML (str) for TeX (str), ``display`` True for a display formula.

    latex2mathml raises many kinds of error on TeX it cannot read; then the TeX is shown
    as code (``<code class="math-error">``) instead. Blank TeX renders as nothing, as
    MathJax renders ``\\(\\)``. A few things MathJax reads and latex2mathml does not
    are rewritten first: ``\\arg``, ``\\big\\vert`` (shown without its size),
    ``\\label{...}``, ``\\nonumber``, ``\\notag``, ``\\require{...}`` (shown as nothing),
    ``aligned``, ``alignat``, ``gathered`` and the like (as ``align*`` or lines it knows),
    ``\\color{red}{x}`` (as ``\\textcolor``)
    and a ``[`` opening an environment (``\\begin{cases}[1, 0] & p``: a bracket).
    """
    if not latex.strip():
        return ""
    try:
        return latex_to_mathml(_readable(latex), display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds on bad TeX; show the source instead.
        return f'<code class="math-error">{html.escape(latex)}</code>'


def _readable(latex):
    """``latex`` (str) with what MathJax reads and latex2mathml does not rewritten."""
    readable = SIZED_COMMAND_DELIMITER.sub("", latex)
    readable = SHOWS_NOTHING.sub("", ARG_OPERATOR.sub(r"\\operatorname{arg}", readable))
    readable = COLUMN_COUNT.sub(r"\1", ENVIRONMENT_POSITION.sub(r"\1", readable))
    readable = ENVIRONMENT_NAME.sub(lambda match: f"{match[1]}{READ_AS[match[2]]}}}", readable)
    readable = COLOR_ARGUMENT.sub(r"\\textcolor", readable)
    return ENVIRONMENT_BRACKET.sub(r"\1\2{[}", readable)


def math_plugin(md, *, dialect, math):
    """Add the math rules of ``dialect`` ("commonmark" or "kramdown") to the MarkdownIt
    parser ``md``; ``math`` (bool) is the post's math switch (see the module docstring
    for what each combination reads).

    Tokens: ``math_inline`` (inline style), ``math_inline_double`` (display style inside a
    paragraph), ``math_block`` (a display block), each with the TeX as ``content``.
    """
    if dialect == "kramdown":
        md.block.ruler.before("fence", "math_block", _kramdown_math_block)
        md.inline.ruler.before("escape", "math_escaped_double", _kramdown_escaped_double)
        md.inline.ruler.before("escape", "math_inline_double", _kramdown_inline_double)
        if math:
            md.inline.ruler.before("escape", "math_inline", _unescaped(KRAMDOWN_ESCAPE))
            md.inline.ruler.after(
                "math_escaped_double", "math_escaped_double_text", _kramdown_escaped_double_in_text
            )
        md.add_render_rule("math_inline", _render_inline)
        md.add_render_rule("math_block", _render_block)
    elif math:
        dollarmath_plugin(
            md,
            allow_labels=False,
            allow_space=False,
            allow_digits=False,
            double_inline=True,
            renderer=lambda latex, options: mathml(latex, display=options["display_mode"]),
        )
    if math:
        escape = KRAMDOWN_ESCAPE if dialect == "kramdown" else COMMONMARK_ESCAPE
        md.inline.ruler.before("escape", "math_mathjax", _mathjax_delimiters(escape))
    # $$...$$ or \\[...\\] inside a paragraph: a <span> (a <div> is invalid inside <p>).
    md.add_render_rule("math_inline_double", _render_inline_display)


def _render_inline(renderer, tokens, index, options, env):
    return f'<span class="math inline">{mathml(tokens[index].content, display=False)}</span>'


def _render_inline_display(renderer, tokens, index, options, env):
    return f'<span class="math display">{mathml(tokens[index].content, display=True)}</span>'


def _render_block(renderer, tokens, index, options, env):
    token = tokens[index]
    # An attribute list after the formula ("{: #eq-1 .wide}") may have set an id or class.
    classes = " ".join(["math", "block", *str(token.attrGet("class") or "").split()])
    anchor = token.attrGet("id")
    id_attribute = f' id="{html.escape(str(anchor))}"' if anchor else ""
    content = mathml(token.content, display=True)
    return f'<div{id_attribute} class="{html.escape(classes)}">\n{content}\n</div>\n'


def _line(state, line, *, indented=False):
    """The text of ``line`` in its container: without its indentation, or with what
    it has beyond the container's own (``indented``), as kramdown keeps it in TeX."""
    shift = min(state.tShift[line], state.blkIndent) if indented else state.tShift[line]
    return state.src[state.bMarks[line] + shift : state.eMarks[line]]


def _kramdown_math_block(state, start_line, end_line, silent):
    """kramdown's block math: ``$$...$$`` (over any lines) after a block boundary, its
    closing ``$$`` ending a line that is followed by a block boundary."""
    if is_code_block(state, start_line):
        return False
    first = _line(state, start_line)
    if not first.startswith("$$") or not after_block_boundary(state, start_line):
        return False
    parts, line, offset = [], start_line, 2
    while line < end_line:
        text = _line(state, line, indented=line > start_line)
        closing = text.find("$$", offset)
        if closing == -1:
            parts.append(text[offset:])
            line, offset = line + 1, 0
            continue
        parts.append(text[offset:closing])
        if text[closing + 2 :].strip():
            return False
        break
    else:
        return False
    following = line + 1
    if not (
        following >= end_line
        or state.isEmpty(following)
        or state.sCount[following] < state.blkIndent  # the list item ends
        or KRAMDOWN_BOUNDARY_LINE.match(_line(state, following))
    ):
        return False
    if not silent:
        token = state.push("math_block", "math", 0)
        token.block = True
        token.content = "\n".join(parts).strip()
        token.markup = "$$"
        token.map = [start_line, following]
    state.line = following
    return True


def _kramdown_inline_double(state, silent):
    """kramdown's span math: ``$$...$$`` anywhere in a paragraph, inline style."""
    if not state.src.startswith("$$", state.pos):
        return False
    closing = state.src.find("$$", state.pos + 2)
    if closing == -1:
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = state.src[state.pos + 2 : closing].strip()
        token.markup = "$$"
    state.pos = closing + 2
    return True


def _kramdown_escaped_double(state, silent):
    """``\\$$...$$`` opening a paragraph (or list item) and ending its line: inline math.

    kramdown drops the backslash there and reads the rest as a paragraph, so a formula
    that would stand alone as a display block stays inline (its own idiom, common at
    the start of list items). Elsewhere ``\\$`` is an escaped dollar, as usual.
    """
    if state.pos != 0 or not state.src.startswith("\\$$", 0):
        return False
    closing = state.src.find("$$", 3)
    if closing == -1:
        return False
    rest = state.src[closing + 2 :].split("\n", 1)[0]
    if rest.strip():
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = state.src[3:closing].strip()
        token.markup = "\\$$"
    state.pos = closing + 2
    return True


def _kramdown_escaped_double_in_text(state, silent):
    """``\\$$...$$`` anywhere else, with math on: kramdown leaves "$$...$$" as text
    there (the escape takes one dollar, and one dollar opens no kramdown math), which
    MathJax then reads as display math (``displayMath: [['$$','$$']]``): a formula in
    display style, in the line (zhengyuan-public's "**Discount rate**: \\$$ \\gamma $$")."""
    if not state.src.startswith("\\$$", state.pos):
        return False
    closing = state.src.find("$$", state.pos + 3)
    if closing == -1 or not state.src[state.pos + 3 : closing].strip():
        return False
    if not silent:
        token = state.push("math_inline_double", "math", 0)
        token.content = state.src[state.pos + 3 : closing].strip()
        token.markup = "\\$$"
    state.pos = closing + 2
    return True


def _unescaped(escape):
    """The single-dollar rule (dollarmath's, so "$5 and $10" stays text) with the TeX
    unescaped as the dialect's Markdown unescapes it before MathJax reads it."""
    single = math_inline_dollar(allow_space=False, allow_digits=False, allow_double=False)
    spaced = math_inline_dollar(allow_space=True, allow_digits=False, allow_double=False)

    def rule(state, silent):
        if single(state, silent):
            if not silent:
                state.tokens[-1].content = escape.sub(r"\1", state.tokens[-1].content)
            return True
        # "$ (x, y) $", padded on both sides as MathJax reads it (zhengyuan-public's
        # notes); one space on one side only ("$ 5 and $10") stays text.
        end = state.src.find("$", state.pos + 1)
        if not state.src.startswith(("$ ", "$\t"), state.pos) or end < 0:
            return False
        if state.src[end - 1] not in " \t" or end >= state.posMax:
            return False
        if not spaced(state, silent):
            return False
        if not silent:
            state.tokens[-1].content = escape.sub(r"\1", state.tokens[-1].content)
        return True

    return rule


def _mathjax_delimiters(escape):
    """MathJax's ``\\(...\\)`` (inline) and ``\\[...\\]`` (display) as the Markdown
    source writes them: ``\\\\(`` is what becomes ``\\(`` once Markdown has read it."""

    def rule(state, silent):
        opening = state.src[state.pos : state.pos + 3]
        if opening not in MATHJAX_DELIMITERS:
            return False
        closing_mark, display = MATHJAX_DELIMITERS[opening]
        closing = state.src.find(closing_mark, state.pos + 3)
        if closing == -1:
            return False
        latex = escape.sub(r"\1", state.src[state.pos + 3 : closing])
        if not latex.strip():
            return False
        if not silent:
            token = state.push("math_inline_double" if display else "math_inline", "math", 0)
            token.content = latex.strip()
            token.markup = opening
        state.pos = closing + 3
        return True

    return rule
