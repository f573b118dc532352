"""Imported posts look as kramdown made them: the shipped corpus, one real-world construct
per file (tests/cases/kramdown/NAME.md), against kramdown's own output beside it
(NAME.html, written by ``python bench/kramdown_compare.py --store tests/cases/kramdown``
with Debian's ruby-kramdown 2.4 and kramdown-parser-gfm, Jekyll's options).

Compared as a reader gets it: visible text, headings, links, images, tables, code blocks,
footnotes and formulas (bench/kramdown_compare.py). Heading ids are R2's part of issue 21
and are compared in tests/posts/test_heading_ids.py, not here.
"""

from pathlib import Path

import pytest

from bench.kramdown_compare import compare, structure
from posts.markdown import render

CORPUS = Path(__file__).resolve().parent.parent / "cases" / "kramdown"
CASES = sorted(CORPUS.glob("*.md"))


def test_the_corpus_has_kramdowns_output_beside_every_case():
    assert len(CASES) >= 15
    assert [case.stem for case in CASES if not case.with_suffix(".html").is_file()] == []


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_an_imported_post_renders_as_kramdown_rendered_it(case):
    ours = render(case.read_text(encoding="utf-8"), dialect="kramdown")
    kramdowns = case.with_suffix(".html").read_text(encoding="utf-8")

    verdict, reasons = compare(ours.html, kramdowns, ids=False)

    assert verdict == "same", reasons


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_the_editors_commonmark_is_not_what_the_corpus_checks(case):
    """Each case is a real difference: most render otherwise as CommonMark, so a case
    passing above is kramdown's behaviour and not the default one's."""
    kramdowns = structure(case.with_suffix(".html").read_text(encoding="utf-8"), kramdown=True)
    commonmark = structure(render(case.read_text(encoding="utf-8")).html)
    assert kramdowns.text  # the stored output is a real page, not an empty file
    if case.stem in SAME_IN_COMMONMARK:
        assert commonmark.text == kramdowns.text
    else:
        assert (commonmark.text, commonmark.tables, commonmark.code, commonmark.links) != (
            kramdowns.text,
            kramdowns.tables,
            kramdowns.code,
            kramdowns.links,
        )


# Constructs the editor's CommonMark renders as kramdown does too (tables, strikethrough
# and footnotes are on for both dialects).
SAME_IN_COMMONMARK = {"table-alignment", "strikethrough", "footnotes"}


# The comparison itself (bench/kramdown_compare.py).


@pytest.mark.parametrize("written", ["0 excel to-pandas.png", "0%20excel%20to-pandas.png"])
def test_an_image_is_the_same_under_the_name_the_importer_stored_it_as(written):
    site = '<p>Text <img src="/media/imported/3f2a/0_excel_to-pandas.png" alt="A table"></p>'
    kramdowns = f'<p>Text <img src="/images/{written}" alt="A table" /></p>'

    assert compare(site, kramdowns) == ("same", [])


def test_a_different_image_differs_and_is_named():
    site = '<p>Text <img src="/media/imported/3f2a/R3-arch.png" alt="R^3"></p>'
    kramdowns = '<p>Text <img src="/assets/images/R%5E4-arch.png" alt="R^3" /></p>'

    verdict, [reason] = compare(site, kramdowns)

    assert verdict == "differs"
    assert reason.startswith("images differ: ")
    assert "R3-arch.png" in reason and "R4-arch.png" in reason


def test_an_image_description_typeset_otherwise_is_typography_and_is_named():
    site = '<p>Text <img src="a.png" alt="\u201cquoted\u201d"></p>'
    kramdowns = '<p>Text <img src="a.png" alt="&quot;quoted&quot;" /></p>'

    verdict, [reason] = compare(site, kramdowns)

    assert verdict == "typography"
    assert reason.startswith("images: ") and "\u201cquoted\u201d" in reason


def test_kramdowns_formulas_are_counted_where_mathjax_finds_them():
    # Lil'Log: a link's address holding "\(19\)" and kramdown's contents list of the
    # headings' formulas, which the compared text leaves out, are no formulas.
    kramdowns = (
        '<ul id="markdown-toc"><li><a href="#a">On \\(x\\)</a></li></ul>'
        '<h2 id="a">On \\(x\\)</h2>'
        '<p><a href="https://cell.com/S1364-6613\\(19\\)30061-0">Cell</a> '
        "<code>\\(code\\)</code> \\[y\\]</p>"
    )
    assert structure(kramdowns, kramdown=True).math == 2
