"""Maths in imported posts, as kramdown and the blogs' MathJax read them (issue 21).

Each expected page is what kramdown 2.4.0 with kramdown-parser-gfm 1.1.0 (``input:
GFM``, Jekyll 4.3's setting on these blogs) wrote for the same Markdown, recorded here
so the tests need no Ruby, with each of its formulas (``\\(...\\)`` inline, ``\\[...\\]``
a display block) typeset as the site typesets it, to MathML.
"""

import html
import re

import pytest
from django.test.html import parse_html

from posts.importing import parse_post, read_post_file
from posts.markdown import render
from posts.math import mathml
from tests.conftest import CASES
from tests.html import parse

KRAMDOWN_FORMULA = re.compile(r"\\\((?P<inline>.*?)\\\)|\\\[(?P<display>.*?)\\\]", re.DOTALL)


def typeset(kramdown_html):
    """kramdown's page with its MathJax formulas typeset as the site typesets them."""

    def formula(match):
        if match.group("inline") is not None:
            tex = html.unescape(match.group("inline"))
            return f'<span class="math inline">{mathml(tex, display=False)}</span>'
        tex = html.unescape(match.group("display"))
        return f'<div class="math block">{mathml(tex, display=True)}</div>'

    return KRAMDOWN_FORMULA.sub(formula, kramdown_html)


def assert_renders_as_kramdown(markdown, kramdown_html, *, math=True):
    rendered = render(markdown, math=math, dialect="kramdown").html
    assert parse_html(rendered) == parse_html(typeset(kramdown_html)), rendered


def formulas(page_html):
    """[(how it is shown: "inline" or "display", the tag holding it, its text)]."""
    return [
        (element["display"], element.parent.parent.tag, element.text)
        for element in parse(page_html).find_all("math")
    ]


def test_the_jekyll_case_renders_as_kramdown_renders_it():
    metadata, body, warnings = parse_post(
        read_post_file(CASES / "jekyll" / "2023-08-10-math-inline-double-dollar.md")
    )
    assert_renders_as_kramdown(
        body,
        "<p>Each state \\(s \\in \\mathcal{S}\\) has a value \\(V(s)\\).</p>\n"
        "<ul>\n  <li>\\(sign = b_{31} = 0\\)</li>\n</ul>",
    )


@pytest.mark.parametrize(
    ("markdown", "kramdown_html"),
    [
        ("Para before\n$$x$$\npara after.", "<p>Para before\n\\(x\\)\npara after.</p>"),
        ("Line one.\n$$ z_1 $$", "<p>Line one.\n\\(z_1\\)</p>"),
        ("$$ one line $$\ntext right after", "<p>\\(one line\\)\ntext right after</p>"),
        ("$$a$$ b", "<p>\\(a\\) b</p>"),
        ("$$a\nb$$ over two lines.", "<p>\\(a\nb\\) over two lines.</p>"),
        ("> $$q_1$$ in a quote", "<blockquote><p>\\(q_1\\) in a quote</p></blockquote>"),
        ("- $$w$$ tail", "<ul><li>\\(w\\) tail</li></ul>"),
        ("Two $$a$$$$b$$ side by side.", "<p>Two \\(a\\)\\(b\\) side by side.</p>"),
        # Right after a heading there is no block boundary: the formula starts a paragraph.
        ("## H\n$$x$$\n", '<h2 id="h">H</h2><p>\\(x\\)</p>'),
    ],
)
def test_double_dollars_in_a_paragraph_are_inline_math(markdown, kramdown_html):
    assert_renders_as_kramdown(markdown, kramdown_html)


@pytest.mark.parametrize(
    ("markdown", "kramdown_html"),
    [
        ("$$\n\\frac{a_1}{b_2} = c_{*}\n$$\n", "\\[\\frac{a_1}{b_2} = c_{*}\\]"),
        ("$$a_1 * b_2 * c$$\n", "\\[a_1 * b_2 * c\\]"),
        ("Para\n\n$$y$$\n", "<p>Para</p>\\[y\\]"),
        ("> $$q$$\n", "<blockquote>\\[q\\]</blockquote>"),
        ("- $$z$$\n", "<ul><li>\\[z\\]</li></ul>"),
        ("$$f'(x) -- g$$\n", "\\[f'(x) -- g\\]"),
    ],
)
def test_double_dollars_alone_between_block_boundaries_are_a_display_block(markdown, kramdown_html):
    assert_renders_as_kramdown(markdown, kramdown_html)


def test_a_display_block_after_a_nested_list_stays_in_its_list_item():
    # lil-log's "reducing toxicity" post: kramdown gives the item \[x_1\] after the list.
    page = parse(render("- a\n    - b\n\n    $$\n    x_1\n    $$\n- c\n", dialect="kramdown").html)
    first_item = page.find_all("li")[0]
    assert first_item.find("div", class_="block").find("math")["display"] == "block"
    assert [item.text for item in page.find_all("li")][1:] == ["b", "c"]


def test_an_escaped_double_dollar_opening_a_list_item_is_inline_math():
    assert_renders_as_kramdown(
        "- \\$$ sign = b_{31} = 0 $$\n- \\$$ x $$\n  continued\n",
        "<ul><li>\\(sign = b_{31} = 0\\)</li><li>\\(x\\)\ncontinued</li></ul>",
    )


def test_an_escaped_double_dollar_inside_a_sentence_is_dollars():
    # kramdown's text; with math on, MathJax then read it as display math (below).
    assert_renders_as_kramdown(
        "- text \\$$ y $$ mid\n", "<ul><li>text $$ y $$ mid</li></ul>", math=False
    )


def test_double_dollars_in_code_stay_code():
    assert_renders_as_kramdown(
        "`$$code$$` here\n\n    $$indented$$\n",
        "<p><code>$$code$$</code> here</p><pre><code>$$indented$$\n</code></pre>",
    )


@pytest.mark.parametrize(
    ("markdown", "bold"),
    [
        # Without math tokens CommonMark pairs these "_" and "*" into <em>.
        ("$$\\mathbf{x}_{t}$$ and $$\\mathbf{h}_{t}$$", []),
        ("$$a*b$$ then $$c*d$$", []),
        (
            "$$\\mathcal{L}_\\text{feas}$$ is the __probability__ of $$\\mathcal{L}_\\text{cov}$$",
            ["probability"],
        ),
    ],
)
def test_tex_is_never_emphasis(markdown, bold):
    paragraph = parse(render(markdown, dialect="kramdown").html).find("p")
    assert paragraph.find_all("em") == []
    assert [strong.text for strong in paragraph.find_all("strong")] == bold
    assert "$" not in paragraph.text
    assert len(paragraph.find_all("math")) == markdown.count("$$") // 2


def test_kramdowns_double_dollars_are_math_whatever_the_front_matter_says():
    # kramdown parses $$ itself; lil-log loads MathJax on every page, with no front matter key.
    assert formulas(render("Let $$\\theta$$ be.", math=False, dialect="kramdown").html) == [
        ("inline", "p", "θ")
    ]


def test_mathjaxs_own_delimiters_are_math_when_the_post_asks_for_it():
    text = "MathJax \\\\(x_i + y_i\\\\) and \\\\[ \\sum_i x_i \\\\] here."
    for dialect in ("kramdown", "commonmark"):
        page_html = render(text, math=True, dialect=dialect).html
        assert formulas(page_html) == [
            ("inline", "p", "xi+yi"),
            ("block", "p", "∑ixi"),
        ], dialect
        assert parse(page_html).find("p").find_all("em") == []
    assert "<math" not in render(text, math=False, dialect="kramdown").html


def test_single_dollars_read_as_the_blogs_mathjax_read_them():
    # kramdown leaves $...$ to MathJax after undoing the Markdown's escapes: \_ is _.
    page_html = render(
        "Single $a_1 + b_2$ and $x\\_1$ and $\\\\{x\\\\}$.", math=True, dialect="kramdown"
    )
    assert formulas(page_html.html) == [
        ("inline", "p", "a1+b2"),
        ("inline", "p", "x1"),
        ("inline", "p", "{x}"),
    ]


@pytest.mark.parametrize("text", ["It costs $5 and $10.", "Between $5 and $ 10."])
def test_amounts_of_money_are_not_math_in_imported_posts(text):
    assert parse(render(text, math=True, dialect="kramdown").html).find("p").text == text


def test_single_dollars_are_text_when_the_post_does_not_ask_for_math():
    assert render("Square $x^2$.", dialect="kramdown").html == "<p>Square $x^2$.</p>\n"


def test_bad_tex_shows_its_source_and_empty_tex_shows_nothing():
    page = parse(render("Before $$\\frac{1}{$$ after.\n\n$$$$\n", dialect="kramdown").html)
    assert page.find("code", class_="math-error").text == "\\frac{1}{"
    assert page.find("p").text == "Before \\frac{1}{ after."
    assert page.find("div", class_="block").text == ""


def test_a_formula_in_a_heading_names_it_by_its_tex():
    rendered = render("## Heading with $$\\alpha_1$$ math\n", dialect="kramdown")
    # kramdown's id is heading-with-alpha_1-math, the site's too: no alias is needed.
    assert [heading.id for heading in rendered.headings] == ["heading-with-alpha_1-math"]
    assert "heading-alias" not in rendered.html
    assert formulas(rendered.html) == [("inline", "h2", "α1")]


def test_posts_written_here_keep_display_style_for_double_dollars_in_a_sentence():
    assert formulas(render("a $$x$$ b", math=True).html) == [("block", "p", "x")]


def test_a_display_formula_keeps_the_id_and_class_an_attribute_list_gives_it():
    # The contract with posts/kramdown.py, which reads "{: #eq-1 .wide}" after a block.
    from posts.markdown import _parser

    parser = _parser(True, "kramdown")
    tokens = parser.parse("$$x$$\n", {"aliases": {}, "warnings": []})
    tokens[0].attrSet("id", "eq-1")
    tokens[0].attrSet("class", "wide")
    formula = parse(parser.renderer.render(tokens, parser.options, {})).find("div")
    assert (formula["id"], formula["class"]) == ("eq-1", "math block wide")


@pytest.mark.parametrize(
    ("tex", "shown"),
    [
        # lil-log writes these 70 times; MathJax reads them, latex2mathml alone does not.
        ("\\arg\\max_\\theta f", "argmaxθf"),
        ("\\log\\big\\vert\\det J\\big\\vert", "log|detJ|"),
        ("\\bigg\\lVert x \\bigg\\rVert", "‖x‖"),
        # Chirpy's documentation numbers equations with \label; MathJax shows no label.
        ("\\begin{equation} x = 1 \\label{eq:one} \\end{equation}", "x=1"),
        ("a = b \\nonumber", "a=b"),
    ],
)
def test_tex_that_mathjax_reads_shows_no_command_as_text(tex, shown):
    page_html = render(f"$${tex}$$\n", dialect="kramdown").html
    assert [text for _, _, text in formulas(page_html)] == [shown]


@pytest.mark.parametrize(
    ("tex", "shown"),
    [
        # lil-log's NAS post: a bracket opening a row of cases, as MathJax shows it.
        ("\\begin{cases}[1, 0] & p \\\\ [0, 1] & q \\end{cases}", "{[1,0]p[0,1]q"),
        ("\\begin{align*}\n  [k, v] &= z \\\\ y &= 1\n\\end{align*}", "[k,v]=zy=1"),
        # After aligned (gathered, array) MathJax reads it as a position, shown as nothing.
        ("\\begin{aligned}[t] x &= 1 \\end{aligned}", "x=1"),
    ],
)
def test_a_bracket_opening_an_environment_is_shown_as_mathjax_shows_it(tex, shown):
    page_html = render(f"$${tex}$$\n", dialect="kramdown").html
    assert [text for _, _, text in formulas(page_html)] == [shown]


@pytest.mark.parametrize(
    ("tex", "shown"),
    [
        # lil-log writes aligned 204 times; latex2mathml alone shows its "&" as text.
        ("\\begin{aligned} x &= 1 \\\\ y &= 2 \\end{aligned}", "x=1y=2"),
        ("\\begin{alignedat}{2} x &= 1 &\\quad y &= 2 \\end{alignedat}", "x=1y=2"),
        ("\\begin{gathered} x = 1 \\\\ y = 2 \\end{gathered}", "x=1y=2"),
    ],
)
def test_amsmath_environments_mathjax_reads_are_tables_of_rows(tex, shown):
    page_html = render(f"$${tex}$$\n", dialect="kramdown").html
    assert [text for _, _, text in formulas(page_html)] == [shown]
    assert len(parse(page_html).find_all("mtr")) == tex.count("\\\\") + 1


def test_color_with_the_coloured_tex_as_its_argument_stays_in_its_cell():
    # MathJax 2's \color{red}{b}, which lil-log writes in 20 aligned derivations.
    tex = "\\begin{aligned} a &= \\color{red}{b} \\\\ c &= d \\end{aligned}"
    page_html = render(f"$${tex}$$\n", dialect="kramdown").html
    assert [text for _, _, text in formulas(page_html)] == ["a=bc=d"]
    assert parse(page_html).find("mstyle")["mathcolor"] == "red"


@pytest.mark.parametrize(
    ("markdown", "kramdown_html"),
    [
        # lil-log's captions: an attribute list for the image above, then a formula with
        # a "|" in it. kramdown reads no table there: the list is no block boundary.
        (
            "Image.\n{: #figure}\n*Caption: $$p(y|x)$$ here.*\n",
            '<p id="figure">Image.</p><p><em>Caption: \\(p(y|x)\\) here.</em></p>',
        ),
        ("Text.\n{: #text}\na | b\n", '<p id="text">Text.</p><p>a | b</p>'),
        ("Text.\n{: #text}\n$$x$$\n", '<p id="text">Text.</p><p>\\(x\\)</p>'),
        # A list standing alone, after a blank line, is a boundary: its block follows it.
        (
            "Text.\n\n{: #row}\na | b\n",
            '<p>Text.</p><table id="row"><tbody><tr><td>a</td><td>b</td></tr></tbody></table>',
        ),
    ],
)
def test_an_attribute_list_after_a_block_is_no_boundary_for_a_table_or_math(
    markdown, kramdown_html
):
    assert_renders_as_kramdown(markdown, kramdown_html)


@pytest.mark.parametrize(
    ("markdown", "kramdown_html"),
    [
        # zhengyuan-public: a bold title, "\\", then a display formula on the next lines.
        (
            "> **Sampling**\\\\\n$$\nx_i\n$$\n",
            "<blockquote><p><strong>Sampling</strong><br />\\(x_i\\)</p></blockquote>",
        ),
        ("One\\\\\ntwo \\\\\\\\\nthree\\\\\n", "<p>One<br />two \\<br />three\\</p>"),
    ],
)
def test_two_backslashes_ending_a_line_are_a_line_break(markdown, kramdown_html):
    assert_renders_as_kramdown(markdown, kramdown_html)


@pytest.mark.parametrize(
    ("written", "formulas"),
    [
        ("{$ (x', y') $} and {$ (x, y) = (Sx', Sy') $}", 2),  # zhengyuan-public's notes
        ("a $x$ b", 1),
        ("costs $5 and $10", 0),
        ("costs $ 5 and $10 now", 0),  # padded on one side only
        ("`$ x $` in code", 0),
    ],
)
def test_a_formula_padded_on_both_sides_is_math_as_mathjax_reads_it(written, formulas):
    html = render(written, dialect="kramdown", math=True).html
    assert html.count("<math") == formulas


@pytest.mark.parametrize(
    "written",
    [
        "8. **Discount rate**: \\$$ \\gamma \\in [0, 1] $$",  # zhengyuan-public
        "\\$$ x $$ and more text on the line",
    ],
)
def test_an_escaped_double_dollar_in_a_sentence_is_display_math_as_mathjax_reads_it(written):
    html = render(written, dialect="kramdown", math=True).html
    assert html.count('display="block"') == 1
    assert "$" not in re.sub(r"<[^>]+>", "", html)


def test_an_escaped_double_dollar_without_math_stays_text():
    html = render("Cost: \\$$ 5 $$", dialect="kramdown", math=False).html
    assert "<math" not in html and "$$ 5 $$" in html
