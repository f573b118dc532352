"""Imported Jekyll posts read as kramdown wrote them (render(dialect="kramdown"), issue 21).

One test per construct, asserting what a reader gets; the corpus test
(test_kramdown_corpus.py) compares the same constructs with kramdown's own output.
"""

import time

import pytest

from posts.kramdown import smarten
from posts.markdown import render
from tests.html import parse


def kramdown(text, **options):
    return parse(render(text, dialect="kramdown", **options).html)


# Tables, footnotes, strikethrough: both dialects.


@pytest.mark.parametrize("dialect", ["commonmark", "kramdown"])
def test_a_gfm_table_is_a_table_with_its_columns_aligned(dialect):
    page = parse(render("| Model | Top-1 |\n|:--|--:|\n| ResNet | 76.1% |\n", dialect=dialect).html)

    table = page.find("table")
    assert [cell.text for cell in table.find_all("th")] == ["Model", "Top-1"]
    assert [cell.text for cell in table.find_all("td")] == ["ResNet", "76.1%"]
    # Classes, not style attributes: the site's CSP drops inline styles.
    assert [cell["class"] for cell in table.find_all("td")] == ["align-left", "align-right"]
    assert not table.find_all(style=True)


@pytest.mark.parametrize("dialect", ["commonmark", "kramdown"])
def test_a_footnote_is_a_numbered_link_to_its_note_and_back(dialect):
    page = parse(
        render("Dropout helps[^drop].\n\n[^drop]: Srivastava, 2014.\n", dialect=dialect).html
    )

    reference = page.find("sup").find("a")
    assert reference.text == "1"
    assert reference["href"] == "#fn:drop"
    note = page.by_id("fn:drop")
    assert "Srivastava, 2014." in note.text
    assert note.find("a")["href"] == "#fnref:drop"
    assert "[^drop]" not in page.text


@pytest.mark.parametrize("dialect", ["commonmark", "kramdown"])
def test_strikethrough_is_deleted_text(dialect):
    page = parse(render("Train for ~~100~~ 300 epochs.", dialect=dialect).html)

    assert page.find("s").text == "100"
    assert "~~" not in page.text


def test_the_editors_dialect_is_unchanged_by_kramdowns_constructs():
    html = render('"Quotes" -- and {: .prompt-tip }\n\n- [ ] not a box').html

    assert '"Quotes" -- and {: .prompt-tip }' in parse(html).text
    assert "<input" not in html


def test_an_unknown_dialect_is_refused_with_the_known_ones_named():
    with pytest.raises(ValueError, match="'commonmark', 'kramdown'"):
        render("text", dialect="textile")


# Task lists, definition lists, abbreviations.


def test_a_task_list_shows_disabled_boxes_named_by_their_text_and_never_checklist_items():
    rendered = render("- [x] run the tests\n- [ ] update the changelog\n", dialect="kramdown")
    page = parse(rendered.html)

    boxes = page.find_all("input")
    assert [box.get("checked") is not None for box in boxes] == [True, False]
    assert all(box.get("disabled") is not None for box in boxes)
    assert [box.parent.text for box in boxes] == ["run the tests", "update the changelog"]
    assert page.first(class_="checklist-box") is None
    assert rendered.checklist == []


@pytest.mark.parametrize(
    "written",
    [
        '<span id="css"></span>\n2. Is `<link>` only for CSS?\n',
        "Steps:\n3. Install\n4. Run\n",
        "> Quoted:\n> 7. Install\n",
        "- Item\n  text\n  5. Install\n",
    ],
)
def test_a_numbered_item_of_any_number_ends_the_paragraph_above_it(written):
    page = kramdown(written)

    assert page.first("ol").first("li").text.startswith(("Is", "Install"))


def test_a_numbered_list_counts_from_1_whatever_its_first_number_as_in_kramdown():
    assert "<ol>\n<li>two</li>" in render("Text.\n\n2. two\n", dialect="kramdown").html
    assert '<ol start="2">' in render("Text.\n\n2. two\n").html


def test_a_number_without_a_space_after_its_dot_stays_in_the_paragraph():
    assert kramdown("Text\n3.\nrate 3.5 percent\n").first("ol") is None


def test_a_definition_list_pairs_terms_with_definitions():
    page = kramdown("Epoch\n: one pass over the data\n\nBatch\n: one step's examples\n")

    assert [term.text for term in page.find_all("dt")] == ["Epoch", "Batch"]
    assert [text.text for text in page.find_all("dd")] == [
        "one pass over the data",
        "one step\u2019s examples",
    ]


def test_an_abbreviation_is_explained_wherever_it_stands_as_a_word():
    page = kramdown("The GPU beats the CPU; GPUs are cheap.\n\n*[GPU]: Graphics Processing Unit\n")

    assert [(abbr.text, abbr["title"]) for abbr in page.find_all("abbr")] == [
        ("GPU", "Graphics Processing Unit")
    ]
    assert page.text == "The GPU beats the CPU; GPUs are cheap."


# Emphasis: kramdown reads it from the opening delimiter to the first that may close it.


@pytest.mark.parametrize(
    ("written", "kramdowns"),
    [
        # Never inside an element of its own kind: the inner "**" is text, and the strong
        # ends at the first "**" after a word.
        (
            "A **`pg` is the **admin user**, like `root`.**",
            "A <strong><code>pg</code> is the **admin user</strong>, like <code>root</code>.**",
        ),
        ("*a *b* c*", "<em>a *b</em> c*"),
        ("*a **b *c* d** e*", "<em>a <strong>b *c* d</strong> e</em>"),
        ("*a **b** c*", "<em>a <strong>b</strong> c</em>"),
        # A delimiter after a space closes nothing; one before a space opens nothing.
        (
            "*With `-i`, choose *PyPi* (the index)",
            "<em>With <code>-i</code>, choose *PyPi</em> (the index)",
        ),
        ("a * b * c and ** d**", "a * b * c and ** d**"),
        # Closed by the first delimiter after some content: an em by "*" but not "**".
        ('*<a name="x" />*Task 1**', '<em><a name="x" /></em>Task 1**'),
        ("*a**b*", "<em>a**b</em>"),
        ("*a***", "<em>a</em>**"),
        # An unclosed strong is an em from its second "*"; unclosed, the delimiters are text.
        ("**only one* closes", "<em>*only one</em> closes"),
        ("**never closed", "**never closed"),
        # "_" opens nothing after a letter (or a letter and "-"), closes nothing before one.
        ("snake_case_name, foo-_bar_ and _x_", "snake_case_name, foo-_bar_ and <em>x</em>"),
        ("_a_b_ and __init__", "<em>a_b</em> and <strong>init</strong>"),
        # A code span hides its delimiters.
        ("*a`*`b*", "<em>a<code>*</code>b</em>"),
    ],
)
def test_emphasis_runs_to_the_first_delimiter_that_may_close_it_as_in_kramdown(written, kramdowns):
    assert render(written, dialect="kramdown").html.strip() == f"<p>{kramdowns}</p>"


def test_the_editors_commonmark_pairs_emphasis_as_commonmark_does():
    assert render("*a *b* c*").html.strip() == "<p><em>a <em>b</em> c</em></p>"


def test_a_paragraph_of_unclosed_emphasis_renders_in_linear_time():
    started = time.monotonic()
    html = render("**x " + "*a " * 20000, dialect="kramdown").html
    # Each "*" looks for its closing one to the paragraph's end: quadratic without memo.
    assert time.monotonic() - started < 10
    assert html.count("*") == 20002


# Typography.


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ('"Don\'t," he said.', "\u201cDon\u2019t,\u201d he said."),
        ("the '90s", "the \u201990s"),
        ("rock 'n' roll", "rock \u2018n\u2019 roll"),
        ("the students' notes", "the students\u2019 notes"),
        ("2010--2015, pauses---like this...", "2010\u20132015, pauses\u2014like this\u2026"),
        ('"*emphasis*"', "\u201cemphasis\u201d"),
    ],
)
def test_quotes_dashes_and_ellipses_are_typeset_as_kramdown_does(written, shown):
    assert kramdown(written).text == shown


def test_guillemets_keep_their_space_unbreakable():
    html = render("<<quoted>> and << spaced >>", dialect="kramdown").html

    assert "\u00abquoted\u00bb and \u00ab\u00a0spaced\u00a0\u00bb" in html


def test_typography_never_touches_code_links_or_raw_html():
    page = kramdown(
        'Run `say "hi" -- now...` or <kbd>"--"</kbd> at [the "docs"](https://x.org/a--b).\n\n'
        '    print("--")\n'
    )

    assert page.find_all("code")[0].text == 'say "hi" -- now...'
    assert page.find("kbd").text == '"--"'
    assert page.find("a")["href"] == "https://x.org/a--b"
    assert page.find("a").text == "the \u201cdocs\u201d"
    assert page.find("pre").text == 'print("--")'


def test_an_escaped_quote_stays_straight():
    assert kramdown('a \\"quote\\"').text == 'a "quote"'


def test_smarten_reads_the_character_before_and_after_as_kramdown_does():
    assert smarten("'s", before="") == "\u2019s"
    assert smarten("'", before="x", after="") == "\u2019"
    assert smarten("'x'", before=" ") == "\u2018x\u2019"


# Attribute lists.


def test_a_block_attribute_list_gives_ids_and_allowed_classes_and_drops_the_rest():
    page = kramdown(
        "> Run the import twice.\n{: .prompt-tip }\n\n"
        'A paragraph.\n{: #pinned style="color: red" .unknown onclick="x()"}\n'
    )

    assert page.find("blockquote")["class"] == "prompt-tip"
    paragraph = page.by_id("pinned")
    assert paragraph.text == "A paragraph."
    assert paragraph.get("style") is None and paragraph.get("class") is None
    assert paragraph.get("onclick") is None
    assert "{:" not in page.text


def test_an_attribute_list_alone_names_the_block_before_it_or_after_it():
    page = kramdown("```python\nx = 1\n```\n{: #code-sample}\n\n{: #next}\nNext paragraph.\n")

    assert page.by_id("code-sample").tag == "code"
    assert page.by_id("next").text == "Next paragraph."
    assert "{:" not in page.text


def test_an_attribute_list_under_an_image_ends_its_paragraph_before_the_caption():
    page = kramdown(
        "![GAN](/gan.png)\n"
        '{: #fig-1 style="width: 50%;" class="center"}\n'
        "*Fig. 1. A generative adversarial network.*\n"
    )

    image_paragraph, caption = page.find_all("p")
    assert image_paragraph["id"] == "fig-1"
    assert image_paragraph.find("img")["src"] == "/gan.png"
    assert image_paragraph.get("style") is None and image_paragraph.get("class") is None
    assert caption.find("em").text == "Fig. 1. A generative adversarial network."
    assert "{:" not in page.text


def test_an_attribute_list_inside_a_paragraph_ends_it_whatever_comes_next():
    page = kramdown(
        "The discriminator reads a sample.\n{: #verdict}\nAnd the two play on.\n\n"
        "A loss curve.\n{: #loss}\n    step 1: 0.69\n\n"
        "> A quote read on lazily\n{: #quote}\nafter the quote.\n"
    )

    assert page.by_id("verdict").text == "The discriminator reads a sample."
    assert page.by_id("loss").text == "A loss curve."
    assert page.find("pre").text.strip() == "step 1: 0.69"
    assert page.by_id("quote").tag == "blockquote"
    assert page.by_id("quote").text.strip() == "A quote read on lazily"
    assert [p.text for p in page.find_all("p")][-1] == "after the quote."
    assert "{:" not in page.text


def test_an_attribute_list_before_a_table_or_code_names_it_and_is_no_paragraph():
    page = kramdown(
        "Three approaches:\n\n"
        '{: class="info" #approaches}\n| --- | --- |\n|  | Model-based |\n| --- | --- |\n'
        "| **Key idea** | RNN |\n\n"
        "{: #listing}\n    python train.py\n"
    )

    table = page.by_id("approaches")
    assert table.tag == "table"
    assert [cell.text for cell in table.find_all("td")] == ["Key idea", "RNN"]
    assert page.by_id("listing").text.strip() == "python train.py"
    assert [p.text for p in page.find_all("p")] == ["Three approaches:"]


def test_an_attribute_list_after_a_table_names_the_table_and_is_no_row():
    page = kramdown("| a | b |\n|---|---|\n| 1 | 2 |\n{: #results}\n")

    table = page.by_id("results")
    assert table.tag == "table"
    assert [cell.text for cell in table.find_all("td")] == ["1", "2"]


def test_a_span_attribute_list_opens_links_in_a_new_tab_safely():
    page = kramdown(
        'Read [the paper](https://arxiv.org/abs/1706.03762){:target="_blank"}, '
        'see `train.py`{: .filepath} and ![Loss](/loss.png){: width="700" .shadow }.'
    )

    link = page.find("a")
    assert link["target"] == "_blank"
    assert set(link["rel"].split()) == {"noopener", "noreferrer"}
    assert page.find("img").get("width") is None
    assert page.text == "Read the paper, see train.py and ."


def test_a_span_attribute_list_after_plain_text_stays_text_as_in_kramdown():
    assert kramdown("plain{: .p} text").text == "plain{: .p} text"


def test_a_toc_marker_leaves_nothing_since_the_page_has_its_own_contents():
    rendered = render("* TOC\n{:toc}\n\n## First\n\nText.\n", dialect="kramdown")
    page = parse(rendered.html)

    assert page.first("ul") is None
    assert "TOC" not in page.text
    assert [heading.text for heading in rendered.headings] == ["First"]


def test_attribute_list_definitions_and_comments_leave_nothing():
    page = kramdown(
        "{:note: .prompt-info}\n\nVisible.\n\n{::comment}\nnever shown\n{:/comment}\n\nAfter."
    )

    assert page.text == "Visible. After."


# HTML blocks.


def test_markdown_inside_an_element_marked_markdown_1_is_rendered():
    page = kramdown(
        '<details markdown="1">\n<summary>Solution</summary>\n\nUse **early stopping**.\n'
        "</details>\n"
    )

    details = page.find("details")
    assert details.find("strong").text == "early stopping"
    assert details.get("markdown") is None


def test_a_details_block_in_a_list_item_shows_its_markdown_list_not_code():
    page = kramdown(
        "- [Code blocks](#code-blocks)\n"
        "  - <details>\n"
        "    <summary>Click to expand</summary>\n"
        '    <div markdown="1">\n\n'
        "    - [Specifying the language](#language)\n"
        "    - [Line numbers](#line-numbers)\n\n"
        "    </div>\n"
        "    </details>\n"
    )

    details = page.find("details")
    assert page.first("pre") is None
    assert details.find("summary").text == "Click to expand"
    links = details.find("div").find("ul").find_all("a")
    assert [link.text for link in links] == ["Specifying the language", "Line numbers"]
    assert "- <details>" not in page.text


def test_an_html_block_runs_to_its_closing_tag_across_blank_lines():
    page = kramdown(
        '<div class="imgcap">\n<img src="/cat.jpg">\n\n'
        '    <div class="thecap">A cat.</div>\n</div>\n\nAfter.'
    )

    assert page.first("pre") is None
    assert page.find("div", class_="thecap").text == "A cat."
    assert page.find("p").text == "After."


def test_parse_block_html_makes_later_html_blocks_markdown_unless_markdown_0():
    page = kramdown(
        '{::options parse_block_html="true" /}\n\n<div class="a">\n\nThe *first*.\n\n</div>\n\n'
        '<div class="b" markdown="0">\n*as written*\n</div>\n'
    )

    assert page.find("div", class_="a").find("em").text == "first"
    assert page.find("div", class_="b").text == "*as written*"
    assert "{::options" not in page.text


def test_an_image_line_in_markdown_html_starts_a_paragraph_with_its_caption():
    page = kramdown(
        '<div class="img-div" markdown="1">\n  <img src="/elmo.png"/>\n  <br />\n'
        "  Predict the next word -- a *language modeling* task.\n</div>\n"
    )

    paragraph = page.find("p")
    assert paragraph.find("img")["src"] == "/elmo.png"
    assert paragraph.find("em").text == "language modeling"


# Code.


def test_a_pipe_in_a_code_span_stays_in_its_table_cell():
    page = kramdown("| Hint | Meaning |\n|---|---|\n| `str | None` | maybe |\n")

    assert [cell.text for cell in page.find_all("td")] == ["str | None", "maybe"]


def test_a_table_right_under_a_heading_is_text_as_in_kramdown():
    page = kramdown("### Tags\n| Tag | Use |\n|---|---|\n| a | b |\n")

    assert page.first("table") is None
    assert "| Tag | Use |" in page.find("p").text


def test_an_unindented_line_after_indented_code_joins_the_code_block():
    page = kramdown("Names:\n\n        x = 1\nand\n\n        y = 2\n\nAfter.")

    assert [block.text for block in page.find_all("pre")] == ["x = 1 and y = 2"]


def test_a_lone_backtick_between_spaces_is_a_backtick():
    page = kramdown("Call ` np.array()` or `np.asarray()`.")

    assert page.find("code").text == "or"
    assert page.text.startswith("Call ` np.array()")


def test_a_stray_closing_tag_is_shown_as_kramdown_shows_it():
    assert kramdown("_Image by Gfycat </a>_").find("em").text == "Image by Gfycat </a>"


@pytest.mark.parametrize(
    "text",
    [
        "{:",
        "{: }",
        "{::comment}\nnever closed",
        '<div markdown="1">\nnever closed *a*',
        "<details>\n\n    text",
        "| a |\n|---|\n{: .x}",
        "[^1]\n\n[^1]:",
        "*[]: nothing",
        "` `` ```",
        "<<>>\"'--...",
        "- [ ]\n- [x]\n{:toc}",
    ],
)
def test_bad_kramdown_renders_something_and_never_raises(text):
    assert isinstance(render(text, dialect="kramdown", math=True).html, str)


def test_an_attribute_list_under_a_heading_pins_its_id_for_links_to_land():
    rendered = render("## Results\n{: #results-2019}\n\nText.", dialect="kramdown")

    assert parse(rendered.html).find("h2")["id"] == "results-2019"
    assert [heading.id for heading in rendered.headings] == ["results-2019"]


def test_the_line_after_a_horizontal_rule_tag_is_a_paragraph_of_its_own():
    page = kramdown("<hr>\nLet's go on.")

    assert page.find("p").text == "Let\u2019s go on."


def test_a_void_tag_written_over_two_lines_is_one_block():
    page = kramdown('<link rel="stylesheet" href="/k.css"\n      integrity="sha384-x">\n\nText.')

    assert page.text == "Text."


def test_a_heading_mark_with_no_text_stays_a_paragraph_as_in_kramdown():
    rendered = render("#### \nNotes follow.", dialect="kramdown")

    assert rendered.headings == []
    assert parse(rendered.html).find("p").text == "#### Notes follow."


def test_a_link_address_with_spaces_is_a_link_as_in_kramdown():
    page = kramdown('Read [You and Your Research](You and Your Research "Hamming") today.')

    link = page.find("a")
    assert (link.text, link["href"], link["title"]) == (
        "You and Your Research",
        "You%20and%20Your%20Research",
        "Hamming",
    )


def test_an_html_element_never_closed_keeps_the_rest_raw_and_says_so():
    rendered = render(
        "Intro.\n\n<article>\n\n    <p>Text</p>\n\n*not emphasis*", dialect="kramdown"
    )
    page = parse(rendered.html)

    assert page.first("pre") is None
    assert "*not emphasis*" in page.text
    assert rendered.warnings == [
        "<article> on line 3 is never closed: kramdown, and so this page, keeps everything "
        "after it as raw HTML; add </article>"
    ]


def test_a_number_with_a_parenthesis_starts_no_list_in_kramdown():
    page = kramdown("1) Collect the data.\n2) Train.")

    assert page.first("ol") is None
    assert page.find("p").text == "1) Collect the data. 2) Train."


def test_rows_with_pipes_make_a_table_without_a_header_as_in_kramdown():
    page = kramdown("- Ctrl+C | copy\n- Ctrl+V | paste\n\n| 2,104 | 399,900 |\n| 1,600 |\n")

    tables = page.find_all("table")
    assert [[cell.text for cell in table.find_all("td")] for table in tables] == [
        ["Ctrl+C", "copy"],
        ["Ctrl+V", "paste"],
        ["2,104", "399,900", "1,600", ""],
    ]
    assert page.first("th") is None


def test_table_rows_followed_by_text_without_a_blank_line_stay_text_as_in_kramdown():
    page = kramdown("| Metric | Value |\n|---|---|\n| loss | 0.12 |\nno blank line after it")

    assert page.first("table") is None


def test_thousands_of_nested_markdown_blocks_render_with_the_deep_ones_kept_as_html():
    text = '<div markdown="1">\n' * 3000 + "**deep**\n" + "</div>\n" * 3000
    html = render(text, dialect="kramdown").html
    assert html.count("<div") == 3000
    assert "**deep**" in html  # past the nesting limit the content stays HTML, as written
    shallow = render(
        '<div markdown="1">\n<div markdown="1">\n**b**\n</div>\n</div>\n', dialect="kramdown"
    )
    assert "<strong>b</strong>" in shallow.html


def test_five_thousand_abbreviations_are_defined_in_seconds():
    started = time.monotonic()
    definitions = "".join(f"*[W{number}]: word {number}\n" for number in range(5000))
    page = kramdown(definitions + " ".join(f"W{number}" for number in range(5000)) + "\n")
    # One definition line a call made markdown-it read every later line each time: 93 s.
    assert time.monotonic() - started < 15
    abbreviations = page.find_all("abbr")
    assert len(abbreviations) == 5000
    assert (abbreviations[-1].text, abbreviations[-1]["title"]) == ("W4999", "word 4999")


@pytest.mark.parametrize(
    "written",
    [
        # The closing fence written where the item's marker is, not its text.
        '- example\n  - ```json\n    "a": 1\n  ```\n\n  after\n',
        # A line of the code, then the fence, both lazy (less indented than the text).
        "- item\n  ```\n  x\ny\n```\n\nafter\n",
        "1. item\n   ~~~~\n   x\n ~~~~\n",
    ],
)
def test_a_fence_closed_less_indented_in_a_list_item_closes_as_in_kramdown(written):
    page = kramdown(written)
    blocks = page.find_all("pre")
    assert len(blocks) == 1  # CommonMark: a second, empty block where the fence was
    assert "```" not in page.text and "~~~" not in page.text
    assert page.find_all("li")[-1].find("pre") is blocks[0]


def test_after_a_blank_line_a_less_indented_fence_is_not_the_items():
    # The item ends at the blank line: its fence has no closing one, so it is text.
    page = kramdown("- item\n  ```\n  x\n\n```\n\nafter\n")
    assert page.find_all("pre") == []
    assert "```" in page.find("li").text


@pytest.mark.parametrize("written", ["para\n\n```\nx\n\ny\n", "> ```\n> x\n\nz\n"])
def test_an_unclosed_fence_is_text_as_in_kramdown(written):
    page = kramdown(written)
    assert page.find_all("pre") == []
    assert "```" in page.text


def test_a_fence_interrupts_a_paragraph_in_kramdown_too():
    page = kramdown("text\n```\nx\n```\n")
    assert page.find("p").text == "text"
    assert page.find("pre").text == "x"
