"""The heading ids kramdown gave an imported post, kept as aliases of the site's ids.

Jekyll blogs configure kramdown with GFM input (``kramdown: input: GFM``), whose parser
(kramdown-parser-gfm 1.1, ``generate_gfm_header_id``) names each heading from its text:
lower-cased, every character dropped but word characters, "-", spaces and tabs, then
each space or tab made a "-" (never collapsed). Repeats take "-1", "-2", ... by how often
the same name came before. So ``## <input type="checkbox"> Don't learn Machine Learning``
is ``-dont-learn-machine-learning`` (the box leaves the space before the text), and a
second "All in one" is ``all-in-one-1``.

The site keeps its own ids (posts.markdown.heading_id); for a post rendered with
``dialect="kramdown"`` each heading also answers to its kramdown id, through the alias
mechanism posts.markdown already has for old ids: an empty
``<span id="..." class="heading-alias">`` at the start of the heading, so a link shared
from the old blog (``/dl_advice/#-dont-learn-machine-learning``) still lands.
"""

import re
import unicodedata

# kramdown's "{#id}" ending a heading (lib/kramdown/parser/kramdown/header.rb
# HEADER_ID): the id is an XML name. Any other attribute list stays in the text kramdown
# names the heading from ("{: #x}", "{#9bad}").
_NAME_START = (
    ":A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NAME = _NAME_START + r"\-.0-9\u00b7\u0300-\u036f\u203f-\u2040"
KRAMDOWN_HEADER_ID = re.compile(rf"[\t ]\{{#([{_NAME_START}][{_NAME}]*)\}}$")
# A block attribute list that gives the block before it an id.
BLOCK_ID_LIST = re.compile(r"^\{:?[^{}\n]*(?:#[^\s{}]+|\bid=)[^{}\n]*\}\s*$")
# kramdown's typographic symbols (typographic_symbol.rb): the dashes, the ellipsis and
# the guillemets with the no-break space beside them, none of which stays in an id.
TYPOGRAPHIC_SYMBOLS = re.compile(r"---|--|\.\.\.|<< | >>|<<|>>")
# Symbols Ruby's \p{Word} counts as letters (Other_Alphabetic): circled and squared
# Latin letters. Python's categories name the rest: letters, marks, decimal digits,
# letter numbers (Ⅻ) and connector punctuation ("_").
_ALPHABETIC_SYMBOLS = ((0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189))
TEXT_TOKENS = {"text", "code_inline"}


def kramdown_id(text, seen):
    """The id (str) kramdown with GFM input gives a heading whose text is ``text`` (str,
    as kramdown reads it: see ``kramdown_text``), counting repeats in ``seen`` ({name:
    how many times it came before}, updated in place; start each document with ``{}``).

    Returns "" when nothing is left ("## !!!"): kramdown then writes no id, though the
    next such heading is "-1", as kramdown's counter has it.
    """
    name = "".join(_kept(char.lower()) for char in text)
    name = name.replace(" ", "-").replace("\t", "-")
    count = seen.get(name, -1) + 1
    seen[name] = count
    return f"{name}-{count}" if count else name


def _kept(chars):
    """``chars`` (one character lower-cased, which may be two, as "İ" is) without what
    Ruby's /[^\\p{Word}\\- \\t]/ removes."""
    return "".join(char for char in chars if char in "- \t" or _is_word(char))


def _is_word(char):
    category = unicodedata.category(char)
    if category[0] in "LM" or category in {"Nd", "Nl", "Pc"}:
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _ALPHABETIC_SYMBOLS)


def kramdown_text(children):
    """The text kramdown names a heading from (str), from the heading's inline tokens
    (markdown-it ``Token`` list, before the site's rules strip its checkbox or its
    attribute list); None when the heading ends in kramdown's own ``{#id}``, which
    names it instead.

    As kramdown-parser-gfm's ``update_raw_text``: text, code and math count; raw HTML
    tags, images and footnote marks do not (their text never reaches the id); the
    typographic symbols kramdown makes of "--" or "..." are dropped.
    """
    parts = []
    for child in children:
        if child.type == "text":
            parts.append(TYPOGRAPHIC_SYMBOLS.sub("", child.content))
        elif child.type == "code_inline" or child.type.startswith("math"):
            parts.append(child.content)
    text = "".join(parts)
    if pinned_kramdown_id(children) is not None:
        return None
    return text


def pinned_kramdown_id(children):
    """The id a heading's own ``{#id}`` gives it in kramdown (str), from its inline
    tokens, or None."""
    last = children[-1] if children else None
    if last is None or last.type != "text":
        return None
    match = KRAMDOWN_HEADER_ID.search(last.content.rstrip())
    return match.group(1) if match else None


def record_kramdown_ids(state):
    """markdown-it core rule, before the site's heading ids: each heading's kramdown id
    in ``token.meta["kramdown_id"]``: from its text, or the id its ``{#id}`` pins."""
    seen = {}
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        if not inline.content.strip():
            continue  # "##" alone: a paragraph for kramdown, which no id counts
        if token.attrGet("id") is not None or _pinned_by_block_list(tokens, index + 3):
            continue
        text = kramdown_text(inline.children or [])
        if text is not None:
            token.meta["kramdown_id"] = kramdown_id(text, seen)
        else:
            # Kept too where the site refuses it as its own ("{#v1.2}": no dots here).
            token.meta["kramdown_id"] = pinned_kramdown_id(inline.children)


def _pinned_by_block_list(tokens, index):
    """Whether the block at ``tokens[index]`` is an attribute list giving the heading
    before it an id ("{: #id}" or "{#id}" on the next line), as kramdown applies it."""
    if index + 1 >= len(tokens) or tokens[index].type != "paragraph_open":
        return False
    return BLOCK_ID_LIST.match(tokens[index + 1].content) is not None


def add_kramdown_aliases(state):
    """markdown-it core rule, after the site's heading ids: each heading's kramdown id
    joins its aliases when it differs from every id on the page. When kramdown gave two
    headings one id ("All in one" twice and "All in one 1"), the first keeps it, as a
    browser would have followed it there."""
    headings = [token for token in state.tokens if token.type == "heading_open"]
    taken = {token.attrGet("id") for token in headings}
    for token in headings:
        taken.update(token.meta.get("aliases", []))
    for token in headings:
        alias = token.meta.get("kramdown_id")
        if alias and alias not in taken:
            taken.add(alias)
            token.meta["aliases"] = [*token.meta.get("aliases", []), alias]
