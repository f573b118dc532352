"""The article as a reader (or a screen reader) meets it, found by accessible names."""

import re

import pytest
from playwright.sync_api import expect

from posts.models import Post
from tests.conftest import ARTICLE_CHECKLIST, ARTICLE_TITLE, make_post

from .axe import COLOUR_RULES, describe_violations

ARTICLE_PATH = "/dl_advice/"
CHECKLIST_SECTIONS = ARTICLE_CHECKLIST  # as a reader sees them


def test_article_shows_its_title_and_each_section_as_a_checkbox_and_heading(page, the_article):
    page.goto(ARTICLE_PATH)

    expect(page.get_by_role("heading", level=1)).to_have_accessible_name(ARTICLE_TITLE)
    expect(page.get_by_role("checkbox")).to_have_count(len(CHECKLIST_SECTIONS))
    for section in CHECKLIST_SECTIONS:
        expect(page.get_by_role("checkbox", name=section, exact=True)).to_be_visible()
        expect(page.get_by_role("checkbox", name=section, exact=True)).not_to_be_checked()
        expect(page.get_by_role("heading", level=2, name=section, exact=True)).to_be_visible()


def test_table_of_contents_links_jump_to_their_sections(page, the_article):
    page.goto(ARTICLE_PATH)
    toc = page.get_by_role("navigation", name="Table of contents")
    links = toc.get_by_role("link")
    expect(links).to_have_count(len(CHECKLIST_SECTIONS))

    # From the top of the page the last section is out of sight, so the first jump
    # has to scroll; then every other link, going back up the page.
    last = page.get_by_role("heading", level=2, name=CHECKLIST_SECTIONS[-1], exact=True)
    expect(last).not_to_be_in_viewport()
    for section in reversed(CHECKLIST_SECTIONS):
        link = toc.get_by_role("link", name=section, exact=True)
        fragment = link.get_attribute("href")
        assert fragment.startswith("#"), f"TOC link {section!r} points to {fragment!r}"
        link.click()
        expect(page).to_have_url(re.compile(re.escape(fragment) + "$"))
        heading = page.get_by_role("heading", level=2, name=section, exact=True)
        expect(heading).to_have_id(fragment[1:])
        expect(heading).to_be_in_viewport()


@pytest.mark.parametrize("path", ["/", ARTICLE_PATH])
def test_axe_finds_no_violations_in_light_or_dark_colours(page, axe_violations, the_article, path):
    page.emulate_media(color_scheme="light")
    page.goto(path)
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations, f"{path} (light)")

    page.emulate_media(color_scheme="dark")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(253, 252, 249)", "the dark colour scheme did not apply"
    violations = axe_violations(page, rules=COLOUR_RULES)
    assert violations == [], describe_violations(violations, f"{path} (dark)")


def test_mojibake_in_the_source_file_is_repaired_on_the_page(page, the_article):
    page.goto(ARTICLE_PATH)
    text = page.locator("body").inner_text()

    assert "😁" in text
    assert "üòÅ" not in text
    assert "‚Äã" not in text


def test_a_draft_is_not_found_by_an_anonymous_visitor(page):
    make_post(title="An unfinished draft", permalink="/a-draft/", status=Post.Status.DRAFT)

    response = page.goto("/a-draft/")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_accessible_name("Page not found")
    expect(page.get_by_text("An unfinished draft")).to_have_count(0)
