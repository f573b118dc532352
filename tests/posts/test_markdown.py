"""The Markdown renderer: what an article's Markdown becomes on its page."""

import random
import string

import pytest
from django.test.html import parse_html
from django.utils.text import slugify

from posts.importing import parse_post, read_post_file, repair_mojibake
from posts.markdown import (
    display_html,
    heading_id,
    link_headings,
    reading_minutes,
    render,
    render_preview,
)
from tests.conftest import ARTICLE_FILE
from tests.html import parse


def assert_same_html(actual, expected):
    assert parse_html(actual) == parse_html(expected), f"{actual!r} != {expected!r}"


def article_body():
    metadata, body, warnings = parse_post(repair_mojibake(read_post_file(ARTICLE_FILE)))
    return body


# CommonMark basics


def test_paragraphs_emphasis_and_links_follow_commonmark():
    html = render("Some *emphasis*, **strong** and a [link](https://example.com/).").html
    assert_same_html(
        html,
        "<p>Some <em>emphasis</em>, <strong>strong</strong> and a "
        '<a href="https://example.com/">link</a>.</p>',
    )


def test_lists_code_and_rules_follow_commonmark():
    html = render("+ one\n+ two\n\n1. first\n\n`inline`\n\n```\nblock <b>\n```\n\n* * *\n").html
    assert_same_html(
        html,
        "<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>"
        "<p><code>inline</code></p><pre><code>block &lt;b&gt;\n</code></pre><hr>",
    )


def test_raw_html_written_by_editors_is_kept():
    assert '<span class="note">kept</span>' in render('<span class="note">kept</span>').html


# Heading ids


def test_every_heading_gets_an_id_from_its_text():
    html = render("# Title here\n\n## A section\n\n### Sub-section, too!\n").html
    assert_same_html(
        html,
        '<h1 id="title-here">Title here</h1><h2 id="a-section">A section</h2>'
        '<h3 id="sub-section-too">Sub-section, too!</h3>',
    )


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        ("Don't learn Machine Learning", "dont-learn-machine-learning"),
        ("  Material beats the Method.", "material-beats-the-method"),
        ("Café au lait", "café-au-lait"),
        ("日本語", "日本語"),
        ("Читайте статьи", "читайте-статьи"),
        ("Ελληνικά κείμενα", "ελληνικά-κείμενα"),
        ("हिन्दी सीखें", "हिन्दी-सीखें"),
        ("学习 Python 3", "学习-python-3"),
        ("???", "section"),
        ("😁 🎉", "section"),
    ],
)
def test_heading_id_is_a_slug_and_never_empty(text, anchor):
    assert heading_id(text) == anchor


def test_plain_ascii_headings_keep_exactly_the_ids_they_had():
    # Before issue 10 an id was Django's ASCII slugify of the text (cut to 80, never
    # empty); every ASCII heading must keep it, so no tick or shared link moves.
    def before(text):
        return slugify(text)[:80].rstrip("-") or "section"

    chance = random.Random(10)
    alphabet = string.ascii_letters + string.digits + string.punctuation + " \t"
    texts = ["".join(chance.choices(alphabet, k=chance.randint(0, 120))) for _ in range(2000)]
    assert [heading_id(text) for text in texts] == [before(text) for text in texts]


def test_typographic_punctuation_and_emoji_do_not_change_an_ascii_headings_id():
    assert heading_id("Don’t learn “Machine Learning” — 😁") == "dont-learn-machine-learning"


def test_one_slug_rule_serves_every_script_and_ids_are_distinct():
    rendered = render("## Учите Python\n\n## Читайте статьи\n\n## 日本語\n\n## 中文\n")
    assert [heading.id for heading in rendered.headings] == [
        "учите-python",
        "читайте-статьи",
        "日本語",
        "中文",
    ]
    assert [h["id"] for h in parse(rendered.html).find_all("h2")] == [
        "учите-python",
        "читайте-статьи",
        "日本語",
        "中文",
    ]


def test_an_old_id_stays_an_alias_inside_its_heading():
    rendered = render(
        '## <input type="checkbox"> Читайте статьи\n', aliases={"section-2": "читайте-статьи"}
    )
    heading = parse(rendered.html).find("h2")
    assert heading["id"] == "читайте-статьи"
    alias = heading.find("span", id="section-2")
    assert alias.text == ""
    assert heading.find("span", class_="checklist-text").text == "Читайте статьи"
    assert [h.id for h in rendered.headings] == ["читайте-статьи"]


def test_an_alias_that_a_heading_now_has_is_not_repeated():
    rendered = render("## Section\n\n## Другое\n", aliases={"section": "другое"})
    assert [element["id"] for element in parse(rendered.html).find_all(id="section")] == ["section"]


def test_an_alias_to_a_heading_that_is_gone_is_left_out():
    rendered = render("## Kept\n", aliases={"section-9": "gone"})
    assert "section-9" not in rendered.html


def test_the_articles_nine_checklist_headings_have_stable_ids():
    rendered = render(article_body(), math=True)
    assert [heading.id for heading in rendered.checklist] == [
        "dont-learn-machine-learning",
        "deep-learning-gets-easier-as-more-time-passes",
        "get-comfortable-not-knowing-a-lot-of-stuff",
        "material-beats-the-method",
        "learn-a-framework-well",
        "be-hands-on-from-day-one",
        "dont-get-intimidated-from-people-on-the-internet",
        "wait-and-develop-skills-for-a-good-job-dont-turn-into-a-beggar",
        "finding-something-difficult",
    ]
    page = parse(rendered.html)
    assert [h2["id"] for h2 in page.find_all("h2")] == [h.id for h in rendered.checklist]


def test_the_articles_heading_texts_lose_the_checkbox_markup():
    texts = [heading.text for heading in render(article_body()).headings]
    assert texts[0] == "Don't learn Machine Learning"
    assert texts[3] == "Material beats the Method."
    assert texts[-1] == "Finding something difficult??"
    assert not any("<" in text or "input" in text for text in texts)


def test_duplicate_headings_get_numbered_ids():
    rendered = render("## Notes\n\n## Notes\n\n### Notes\n")
    assert [heading.id for heading in rendered.headings] == ["notes", "notes-2", "notes-3"]
    assert [h["id"] for h in parse(rendered.html).find_all()] == ["notes", "notes-2", "notes-3"]


def test_a_numbered_id_does_not_collide_with_a_heading_that_has_that_text():
    rendered = render("## A\n\n## A\n\n## A 2\n")
    ids = [heading.id for heading in rendered.headings]
    assert ids[:2] == ["a", "a-2"]
    assert len(set(ids)) == 3


def test_an_explicit_id_wins_and_is_removed_from_the_text():
    rendered = render("## Learn a framework well {#pinned-id}\n")
    heading = parse(rendered.html).find("h2")
    assert heading["id"] == "pinned-id"
    assert heading.text == "Learn a framework well"
    assert rendered.headings[0].text == "Learn a framework well"
    assert "{#" not in rendered.html


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("## Tip {#9bad}", "9bad"),
        ("## Tip {: #pinned}", "pinned"),
        ("## Tip {#ид-по-русски}", "ид-по-русски"),
        ("## Tip {#under_score}", "under_score"),
        ("## Tip {:#tight}", "tight"),
        ('## Tip {: id="keyed"}', "keyed"),
        ("## Tip {: id='single'}", "single"),
        ("## Tip {: id=bare}", "bare"),
    ],
)
def test_kramdown_ids_are_used_and_never_shown(heading, anchor):
    rendered = render(heading + "\n")
    assert rendered.headings[0].id == anchor
    assert parse(rendered.html).find("h2").text == "Tip"
    assert rendered.warnings == []


@pytest.mark.parametrize(
    ("heading", "warning"),
    [
        ("## Tip {#a/b}", "{#a/b} is not a usable id"),
        ("## Tip {#" + "x" * 81 + "}", "is not a usable id"),
        ("## Tip {.wide}", "'.wide' in {.wide} is not used"),
        ("## Tip {#ok .wide}", "'.wide' in {#ok .wide} is not used"),
        ("## Tip {: .wide}", "'.wide' in {: .wide} is not used"),
        ('## Tip {: title="x y"}', '\'title="x y"\' in {: title="x y"} is not used'),
        ('## Tip {: id="a b"}', "is not a usable id"),
    ],
)
def test_kramdown_attributes_that_cannot_be_used_are_warned_about_and_hidden(heading, warning):
    rendered = render(heading + "\n")
    assert parse(rendered.html).find("h2").text == "Tip"
    assert "{" not in rendered.html
    assert len(rendered.warnings) == 1
    assert warning in rendered.warnings[0]
    assert rendered.warnings[0].startswith("heading 'Tip': ")


def test_an_explicit_id_in_the_middle_of_a_heading_is_just_text():
    rendered = render("## Use {#this} later\n")
    assert rendered.headings[0].id == "use-this-later"
    assert "{#this}" in parse(rendered.html).find("h2").text


def test_a_generated_id_does_not_reuse_an_explicit_one():
    rendered = render("## First {#notes}\n\n## Notes\n")
    assert [heading.id for heading in rendered.headings] == ["notes", "notes-2"]


# Checklist headings


def test_a_checkbox_heading_becomes_a_checkbox_named_by_the_heading_text():
    rendered = render('## <input type="checkbox"> Learn a framework well\n')
    page = parse(rendered.html)
    heading = page.find("h2")
    assert heading["id"] == "learn-a-framework-well"
    checkbox = heading.find("input")
    assert checkbox["type"] == "checkbox"
    assert page.accessible_name(checkbox) == "Learn a framework well"
    assert rendered.headings[0].checklist is True


def test_a_checklist_headings_text_is_not_a_label_so_clicking_it_ticks_nothing():
    """Issue 18: the whole heading was the box's <label>; a double-click on a word ticked
    the box twice. The box is named by the text (aria-labelledby) instead."""
    page = parse(render('## <input type="checkbox"> Learn a framework well\n').html)

    assert page.find_all("label") == []
    checkbox = page.find("input", type="checkbox")
    assert page.by_id(checkbox["aria-labelledby"]).text == "Learn a framework well"


def test_each_checklist_checkbox_has_its_own_id_and_value():
    rendered = render('## <input type="checkbox"> One\n\n## <input type="checkbox"> Two\n')
    checkboxes = parse(rendered.html).find_all("input", type="checkbox")
    assert [box["value"] for box in checkboxes] == ["one", "two"]
    assert len({box["id"] for box in checkboxes}) == 2


def test_a_checklist_heading_keeps_inline_markup_and_a_pinned_id():
    rendered = render('## <input type="checkbox"> Use **PyTorch** {#torch}\n')
    page = parse(rendered.html)
    heading = page.find("h2")
    assert heading["id"] == "torch"
    assert page.accessible_name(heading.find("input")) == "Use PyTorch"
    assert heading.find("strong").text == "PyTorch"
    assert rendered.headings[0].text == "Use PyTorch"


def test_the_articles_checklist_headings_are_all_named_checkboxes():
    page = parse(render(article_body()).html)
    headings = page.find_all("h2")
    assert len(headings) == 9
    for heading in headings:
        checkbox = heading.find("input", type="checkbox")
        assert page.accessible_name(checkbox) == heading.text


def test_headings_without_a_checkbox_are_plain():
    rendered = render("## Plain heading\n")
    assert_same_html(rendered.html, '<h2 id="plain-heading">Plain heading</h2>')
    assert rendered.headings[0].checklist is False
    assert rendered.checklist == []


def test_a_checkbox_that_does_not_start_the_heading_makes_no_checklist_item():
    rendered = render('## Has <input type="checkbox"> inside\n')
    heading = parse(rendered.html).find("h2")
    assert heading.find_all("label") == []
    assert rendered.checklist == []


def test_a_checkbox_outside_a_heading_is_left_alone():
    rendered = render('A paragraph <input type="checkbox"> here.\n')
    assert rendered.headings == []
    assert parse(rendered.html).find_all("label") == []


def test_headings_record_their_level():
    rendered = render("# One\n\n## Two\n\n### Three\n")
    assert [heading.level for heading in rendered.headings] == [1, 2, 3]


# HTML for display only (the feed)


def test_display_html_makes_checklist_headings_plain_headings():
    html = display_html(render('## <input type="checkbox"> Learn a framework well\n\nText.\n').html)
    assert_same_html(
        html, '<h2 id="learn-a-framework-well">Learn a framework well</h2><p>Text.</p>'
    )


def test_display_html_drops_form_controls_written_in_raw_html():
    html = display_html(
        '<form action="/x"><label for="a">Name</label> <input id="a" value="a>b">'
        "<button onclick=\"go('>')\">Go</button><select><option>1</option></select>"
        "<textarea>t</textarea></form><p>Kept</p>"
    )
    assert_same_html(html, "Name <p>Kept</p>")


def test_display_html_of_the_article_has_no_controls_and_all_its_headings():
    html = display_html(render(article_body()).html)
    page = parse(html)
    assert page.find_all("input") == [] and page.find_all("label") == []
    assert len(page.find_all("h2")) == 9


# Links that open a new tab


def test_a_raw_link_opening_a_new_tab_gets_noopener():
    html = render('Read <a href="https://example.com/" target="_blank">this</a>.').html
    link = parse(html).find("a")
    assert link["rel"] == "noopener noreferrer"
    assert link["href"] == "https://example.com/"
    assert link["target"] == "_blank"
    assert link.text == "this"


def test_an_existing_rel_on_a_new_tab_link_is_replaced():
    html = render('<a rel="opener" href="x" target="_blank">y</a>').html
    links = parse(html).find_all("a")
    assert [link["rel"] for link in links] == ["noopener noreferrer"]
    assert "opener" not in html.replace("noopener", "")


def test_a_new_tab_link_in_an_html_block_gets_noopener():
    html = render("<div>\n<a href='x' target='_blank' rel='opener'>y</a>\n</div>\n").html
    assert parse(html).find("a")["rel"] == "noopener noreferrer"


def test_adding_rel_keeps_an_unquoted_href_intact():
    html = render("<a target=_blank href=/dl_advice/>x</a>").html
    link = parse(html).find("a")
    assert link["href"] == "/dl_advice/"
    assert link["rel"] == "noopener noreferrer"


def test_a_self_closing_slash_does_not_end_up_in_the_tag():
    html = render('<a target="_blank" href="/x/"/>y</a>').html
    link = parse(html).find("a")
    assert link.attrs == {"target": "_blank", "href": "/x/", "rel": "noopener noreferrer"}


def test_links_that_stay_in_the_tab_get_no_rel():
    html = render('<a href="x">same tab</a> and [markdown](y)').html
    assert [link.get("rel") for link in parse(html).find_all("a")] == [None, None]


def test_the_articles_new_tab_link_is_safe():
    links = parse(render(article_body()).html).find_all("a", target="_blank")
    assert len(links) == 1
    assert links[0]["rel"] == "noopener noreferrer"


# Mathematics


def test_inline_math_becomes_mathml_when_the_post_asks_for_math():
    html = render("Square $x^2$ it.", math=True).html
    math = parse(html).find("math")
    assert math["display"] == "inline"
    assert math.find("msup").text == "x2"
    assert "$" not in html


def test_display_math_becomes_block_mathml():
    html = render("$$\n\\frac{1}{2}\n$$\n", math=True).html
    math = parse(html).find("math")
    assert math["display"] == "block"
    assert math.find_all("mfrac")


def test_inline_double_dollar_math_is_not_a_div_inside_a_paragraph():
    html = render("a $$x$$ b", math=True).html
    paragraph = parse(html).find("p")
    assert paragraph.find("math")["display"] == "block"
    assert paragraph.find_all("div") == []


def test_without_math_dollars_stay_text():
    html = render("Square $x^2$ and $$y$$.", math=False).html
    assert "<math" not in html
    assert parse(html).find("p").text == "Square $x^2$ and $$y$$."


@pytest.mark.parametrize("text", ["It costs $5 and $10.", "Between $5 and $ 10."])
def test_amounts_of_money_are_not_math(text):
    html = render(text, math=True).html
    assert "<math" not in html
    assert parse(html).find("p").text == text


@pytest.mark.parametrize("latex", ["\\frac{1}{", "x^", "\\begin{matrix}"])
def test_bad_tex_shows_its_source_instead_of_failing(latex):
    html = render(f"Before ${latex}$ after.", math=True).html
    error = parse(html).find("code", class_="math-error")
    assert error.text == latex
    assert parse(html).find("p").text.startswith("Before")


def test_the_preview_is_the_page_renderer_with_math_on():
    text = '## <input type="checkbox"> Item\n\n$x$'
    assert render_preview(text) == render(text, math=True).html
    assert "<math" in render_preview(text)


# Reading time


@pytest.mark.parametrize(
    ("words", "minutes"), [(0, 1), (1, 1), (299, 1), (301, 2), (1000, 5), (2000, 10)]
)
def test_reading_time_is_200_words_a_minute_and_at_least_one(words, minutes):
    assert reading_minutes("word " * words) == minutes


def test_the_article_takes_about_two_minutes_to_read():
    assert reading_minutes(article_body()) == 2


def test_tags_link_addresses_and_bare_markup_are_not_read_as_words():
    markup = (
        '## <input type="checkbox"> Go\n\n'
        "[here](https://example.com/a-very-long-address-with-many-words-in-it) "
        "<https://example.com/more-words-here> * * * + -\n"
    )
    # Each copy has two words a reader reads: "Go" and "here".
    assert reading_minutes(markup * 100) == 1
    assert reading_minutes(markup * 300) == 3


# Links to sections (added to the page, not stored)


def test_each_heading_gets_a_link_to_its_section_named_by_its_text():
    rendered = render('## Tom & "Jerry" <3\n\n### <input type="checkbox"> Do it {#do-it}\n')
    headings = [{"id": h.id, "text": h.text} for h in rendered.headings]

    html = link_headings(rendered.html, headings)

    assert "heading-link" not in rendered.html  # the stored HTML (and so the feed) has none
    page = parse(html)
    links = page.find_all("a", class_="heading-link")
    assert [(link["href"], link.find(class_="visually-hidden").text) for link in links] == [
        ("#tom-jerry-3", 'Link to this section: Tom & "Jerry" <3'),
        ("#do-it", "Link to this section: Do it"),
    ]
    # Beside its heading, not in it: the heading's name stays its text.
    assert [link.parent.find_all()[0].tag for link in links] == ["h2", "h3"]
    assert page.find("h3").text == "Do it"
