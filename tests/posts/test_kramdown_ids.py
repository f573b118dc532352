"""Imported headings answer to the ids kramdown gave them, so old links land (issue 21).

The expected ids are what kramdown 2.4.0 with kramdown-parser-gfm 1.1.0 (``input: GFM``,
as Jekyll blogs configure it) wrote for the same Markdown, recorded here so the tests
need no Ruby.
"""

import pytest

from posts.importing import parse_post, read_post_file, repair_mojibake
from posts.kramdown_ids import kramdown_id
from posts.markdown import link_headings, render
from tests.conftest import ARTICLE_CHECKLIST, ARTICLE_FILE
from tests.html import parse

# kramdown's ids for content/dl_advice.md, the seed article, in order: the checkbox
# before each heading's text leaves its space, so each starts with "-".
ARTICLE_KRAMDOWN_IDS = [
    "-dont-learn-machine-learning",
    "-deep-learning-gets-easier-as-more-time-passes",
    "-get-comfortable-not-knowing-a-lot-of-stuff",
    "--material-beats-the-method",
    "-learn-a-framework-well",
    "-be-hands-on-from-day-one",
    "-dont-get-intimidated-from-people-on-the-internet",
    "-wait-and-develop-skills-for-a-good-job-dont-turn-into-a-beggar",
    "-finding-something-difficult",
]

# Headings as real posts write them, each with the id kramdown gave it.
HEADINGS = [
    ('<input type="checkbox"> Don\'t learn Machine Learning', "-dont-learn-machine-learning"),
    ('<input type="checkbox">  Material beats the Method.', "--material-beats-the-method"),
    ("All in one", "all-in-one"),
    ("All in one", "all-in-one-1"),
    ("Model Workflow", "model-workflow"),
    ("Model Workflow", "model-workflow-1"),
    ("Model Workflow", "model-workflow-2"),
    ("Héllo Wörld — ünïcode 日本語", "héllo-wörld--ünïcode-日本語"),
    ("`code_span` and *emph* and [link](http://x.com/a_b)", "code_span-and-emph-and-link"),
    ("Foo_bar & baz", "foo_bar--baz"),
    ("  Spaces    inside  ", "spaces----inside"),
    ("A -- b --- c ... d << e >> f", "a--b--c--d-e-f"),
    ('Tom\'s "quoted" `a--b`', "toms-quoted-a--b"),
    ("![alt](i.png) Image", "-image"),
    ("~~del~~ x &nbsp;y", "del-x-y"),
    ("<http://x.com/a>", "httpxcoma"),
    ("Foo <em>bar</em> baz", "foo-bar-baz"),
    ("Ⅻ ² Ⓐ x‿y ΟΔΟΣ", "ⅻ--ⓐ-x‿y-οδοσ"),
    ("Bar {#9bad}", "bar-9bad"),
    ("Baz {#ok-id}", "ok-id"),
    # A pinned id is read before the text's typography: "--" and "..." stay in it.
    ("Standard — The Rulebook {#standard--the-rulebook}", "standard--the-rulebook"),
    ("Dashes {#a---b}", "a---b"),
    ("Versions... {#v1...v2}", "v1...v2"),
    ("Foo {: #x}", "foo--x"),
    ("!!!", None),  # kramdown writes no id...
    ("!!!", "-1"),  # ...but counts it
]


def article_body():
    metadata, body, warnings = parse_post(repair_mojibake(read_post_file(ARTICLE_FILE)))
    return body


def heading_of(page, element_id):
    """The heading a link to #element_id lands on: the first element with that id, or
    the heading holding it."""
    element = page.by_id(element_id)
    assert element is not None, f"no element has the id {element_id!r}"
    while element.tag not in {"h1", "h2", "h3", "h4", "h5", "h6"}:
        element = element.parent
    return element


def test_kramdown_id_follows_kramdowns_gfm_rule():
    seen = {}
    assert [
        kramdown_id(text, seen)
        for text in [" Don’t learn Machine Learning", "All in one", "All in one", "!!!", "!!!"]
    ] == ["-dont-learn-machine-learning", "all-in-one", "all-in-one-1", "", "-1"]


def test_the_seed_articles_old_heading_links_land_on_their_headings():
    rendered = render(article_body(), math=True, dialect="kramdown")
    page = parse(rendered.html)
    landed = [heading_of(page, anchor) for anchor in ARTICLE_KRAMDOWN_IDS]
    assert [heading["id"] for heading in landed] == [heading.id for heading in rendered.checklist]
    # Quotes as kramdown's typography makes them (’) or as written (').
    assert [heading.text.replace("’", "'") for heading in landed] == [
        text.replace("’", "'") for text in ARTICLE_CHECKLIST
    ]
    # The first one, as the link has it: /dl_advice/#-dont-learn-machine-learning
    assert heading_of(page, "-dont-learn-machine-learning")["id"] == "dont-learn-machine-learning"


def test_old_heading_links_land_on_the_page_with_its_section_links():
    rendered = render(article_body(), math=True, dialect="kramdown")
    headings = [{"id": h.id, "text": h.text} for h in rendered.headings]
    page = parse(link_headings(rendered.html, headings))
    assert heading_of(page, "-learn-a-framework-well").text == "Learn a framework well"
    # The checklist boxes keep their names; the alias adds no text.
    box = page.find("input", value="learn-a-framework-well")
    assert page.accessible_name(box) == "Learn a framework well"


@pytest.mark.parametrize("dialect", ["kramdown", "commonmark"])
def test_the_site_keeps_its_own_ids_for_the_contents_and_checklist(dialect):
    rendered = render(article_body(), math=True, dialect=dialect)
    assert [h.id for h in rendered.checklist][:2] == [
        "dont-learn-machine-learning",
        "deep-learning-gets-easier-as-more-time-passes",
    ]


def test_every_heading_answers_to_the_id_kramdown_gave_it():
    markdown = "\n\n".join(f"## {text}" for text, _ in HEADINGS) + "\n"
    page = parse(render(markdown, dialect="kramdown").html)
    headings = page.find_all("h2")
    assert len(headings) == len(HEADINGS)
    for position, (text, anchor) in enumerate(HEADINGS):
        if anchor is not None:
            assert heading_of(page, anchor) is headings[position], text


def test_a_pinned_id_with_dashes_is_the_headings_own_and_its_text_is_typeset():
    rendered = render("## A -- b {#a--b}\n\n## Versions... {#v1...v2}\n", dialect="kramdown")

    assert [(h.id, h.text) for h in rendered.headings] == [
        ("a--b", "A \u2013 b"),
        ("versions", "Versions\u2026"),  # the site's ids have no dots; kramdown's is kept
    ]
    assert heading_of(parse(rendered.html), "v1...v2").text == "Versions\u2026"


def test_repeated_headings_are_numbered_as_kramdown_numbered_them():
    markdown = "## All in one\n\n## All in one\n\n## All in one\n"
    imported = render(markdown, dialect="kramdown")
    assert [h.id for h in imported.headings] == ["all-in-one", "all-in-one-1", "all-in-one-2"]
    written_here = render(markdown)
    assert [h.id for h in written_here.headings] == ["all-in-one", "all-in-one-2", "all-in-one-3"]


def test_a_kramdown_id_never_takes_an_id_another_heading_has():
    # kramdown gave "All in one" (second) and "All in one 1" the same id; a browser
    # followed it to the first, and so does the page.
    page = parse(
        render("## All in one\n\n## All in one\n\n## All in one 1\n", dialect="kramdown").html
    )
    assert heading_of(page, "all-in-one-1").text == "All in one"
    assert len(page.find_all(id="all-in-one-1")) == 1


def test_posts_written_here_get_no_kramdown_aliases():
    rendered = render(article_body(), math=True)
    assert "heading-alias" not in rendered.html
    assert parse(rendered.html).by_id("-dont-learn-machine-learning") is None


def test_a_stored_alias_and_a_kramdown_id_make_one_element():
    rendered = render(
        "## Spaces  inside\n",
        dialect="kramdown",
        aliases={"spaces--inside": "spaces-inside", "section-2": "spaces-inside"},
    )
    page = parse(rendered.html)
    assert [span["id"] for span in page.find_all("span", class_="heading-alias")] == [
        "section-2",
        "spaces--inside",
    ]


def test_an_unknown_dialect_is_refused():
    with pytest.raises(ValueError, match="kramdown"):
        render("text", dialect="gfm")
