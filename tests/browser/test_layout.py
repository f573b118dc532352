"""Long words and addresses on a phone (issue 11): a 300-character word in a comment,
a reader's name or the article wraps, and code blocks scroll inside themselves, so the
page never scrolls sideways at 375 px."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.comments.conftest import add_comment
from tests.conftest import make_post, make_user

PHONE = {"width": 375, "height": 740}
WORD = "Pneumono" + "o" * 292  # 300 characters, no place to break
ADDRESS = "https://example.com/" + "a" * 280
CODE_LINE = "x = " + "1" * 296


@pytest.fixture
def long_words(transactional_db):
    """A post and a thread three levels deep whose text and names hold 300-character
    words, an address and a line of code."""
    post = make_post(
        body=f'Intro {WORD} and {ADDRESS}.\n\n## <input type="checkbox"> {WORD}\n\n'
        f"```\n{CODE_LINE}\n```\n"
    )
    author = make_user(email="long@example.com", display_name="N" * 50)
    body = f"{WORD}\n\nSee <{ADDRESS}>\n\n```\n{CODE_LINE}\n```"
    top = add_comment(post, author, body)
    middle = add_comment(post, author, body, parent=top)
    add_comment(post, author, body, parent=middle)
    return post, top


def scrolls_sideways(page):
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def assert_code_scrolls_inside(page):
    for block in page.locator("pre").all():
        overflow = block.evaluate("element => getComputedStyle(element).overflowX")
        assert overflow == "auto"
        assert block.evaluate("element => element.scrollWidth > element.clientWidth")


def test_a_phone_page_with_300_character_words_does_not_scroll_sideways(
    new_page, log_in, long_words
):
    post, top = long_words
    visitor = new_page(viewport=PHONE)
    reader = log_in(new_page(viewport=PHONE), make_user(email="r@example.com", display_name="R"))

    for page in (visitor, reader):
        page.goto(post.get_absolute_url())
        expect(page.get_by_role("article", name="N" * 50).first).to_be_visible()
        assert not scrolls_sideways(page)
        assert_code_scrolls_inside(page)


def test_the_reply_and_flag_pages_quote_a_long_word_without_scrolling_sideways(
    new_page, log_in, long_words
):
    _, top = long_words
    page = log_in(new_page(viewport=PHONE), make_user(email="r@example.com", display_name="R"))

    for name in ("comments:reply", "comments:flag"):
        page.goto(reverse(name, args=[top.pk]))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert not scrolls_sideways(page)
