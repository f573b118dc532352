"""What readers tripped over (issue 18): ticking by the heading's text, a sentence that
said nobody did what the reader just did, "My progress" for a visitor, a stale tab,
comment counts that differ between pages, a numbered contents list, and three looks:
the reset button, the "#" link of a wrapped heading and the titles on My progress."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from checklists.models import ChecklistItem
from checklists.progress import set_tick
from comments.models import Comment
from posts.models import Category
from tests.comments.conftest import add_comment
from tests.conftest import ARTICLE_CHECKLIST, make_post, make_user

from .axe import describe_violations

ARTICLE_PATH = "/dl_advice/"
FIRST = ARTICLE_CHECKLIST[0]
SECOND = ARTICLE_CHECKLIST[1]
FRAMEWORK = "Learn a framework well"
TICK_URL = re.compile(r"/checklists/items/\d+/$")
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 800}


def checkbox(page, section):
    return page.get_by_role("checkbox", name=section, exact=True)


def panel(page):
    return page.get_by_role("region", name="Contents and your progress")


def contents(page):
    return page.get_by_role("navigation", name="Table of contents")


def assert_no_axe_violations(page, axe_violations):
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations, page.url)


def tick(user, post, *sections):
    for section in sections:
        set_tick(user=user, item=ChecklistItem.objects.get(post=post, text=section), done=True)


def watch_ticks(page):
    """The tick requests the page sends, as a list that grows."""
    sent = []
    page.on(
        "request", lambda request: sent.append(request) if TICK_URL.search(request.url) else None
    )
    return sent


# Only the box ticks ----------------------------------------------------------------------


def test_clicking_or_double_clicking_a_headings_text_leaves_its_box_alone(
    page, the_article, axe_violations
):
    sent = watch_ticks(page)
    page.goto(ARTICLE_PATH)
    box = checkbox(page, FRAMEWORK)
    expect(box).to_be_enabled()
    text = page.get_by_role("heading", name=FRAMEWORK).get_by_text(FRAMEWORK, exact=True)

    text.click()
    text.dblclick()  # selecting a word

    expect(box).not_to_be_checked()
    assert page.evaluate("getSelection().toString().trim()") != ""  # the word is selected
    page.wait_for_timeout(300)
    assert sent == [], "clicking the heading's text sent a tick"
    expect(panel(page).get_by_text("0 of 9 done (0%)", exact=True)).to_be_visible()

    box.click()

    expect(box).to_be_checked()
    expect(panel(page).get_by_text("1 of 9 done (11%)", exact=True)).to_be_visible()
    assert_no_axe_violations(page, axe_violations)


def test_tapping_a_heading_on_a_phone_does_not_tick_it(new_page, the_article):
    page = new_page(viewport=PHONE, has_touch=True, is_mobile=True)
    page.goto(ARTICLE_PATH)
    box = checkbox(page, FRAMEWORK)
    expect(box).to_be_enabled()

    page.get_by_role("heading", name=FRAMEWORK).get_by_text(FRAMEWORK, exact=True).tap()

    page.wait_for_timeout(300)
    expect(box).not_to_be_checked()
    box.tap()
    expect(box).to_be_checked()


# The sentence beside the box -------------------------------------------------------------


@pytest.mark.parametrize("who", ["visitor", "reader"])
def test_the_sentence_beside_a_ticked_box_counts_the_reader_in(
    new_page, the_article, log_in, axe_violations, who
):
    """Issue 18: a visitor's own tick read "0 readers did this" beside their box."""
    tick(make_user(email="earlier@example.com"), the_article, FRAMEWORK)
    page = new_page()
    if who == "reader":
        log_in(page, make_user())
    page.goto(ARTICLE_PATH)
    box = checkbox(page, FRAMEWORK)
    expect(box).to_have_accessible_description("1 reader did this")

    box.click()

    expect(box).to_have_accessible_description("You and 1 other reader did this")
    page.reload()
    expect(box).to_be_checked()
    expect(box).to_have_accessible_description("You and 1 other reader did this")
    assert_no_axe_violations(page, axe_violations)

    box.click()
    expect(box).to_have_accessible_description("1 reader did this")


@pytest.mark.parametrize("who", ["visitor", "reader"])
def test_without_javascript_the_sentence_after_a_tick_counts_the_reader_in(
    new_page, a_post, log_in, who
):
    page = new_page(java_script_enabled=False)
    if who == "reader":
        log_in(page, make_user())
    page.goto(a_post.get_absolute_url())

    page.get_by_role("button", name="Mark as done: First thing").click()

    expect(checkbox(page, "First thing")).to_be_checked()
    expect(checkbox(page, "First thing")).to_have_accessible_description("You did this")


# My progress for a visitor ---------------------------------------------------------------


def test_all_done_leads_a_visitor_to_their_progress_and_why_to_log_in(page, a_post, axe_violations):
    page.goto(a_post.get_absolute_url())
    checkbox(page, "First thing").click()
    checkbox(page, "Second thing").click()
    done = panel(page).get_by_text("All done!")
    expect(done).to_be_visible()

    panel(page).get_by_role("link", name="My progress").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My progress")
    expect(page.get_by_text("your ticks are kept in this browser only")).to_be_visible()
    expect(page.get_by_role("link", name="Log in", exact=True).last).to_be_visible()
    expect(page.get_by_role("link", name="sign up", exact=True)).to_be_visible()
    card = page.get_by_role("region", name=a_post.title)
    expect(card.get_by_text("2 of 2 done (100%)")).to_be_visible()
    expect(card.get_by_role("link", name="First thing")).to_be_visible()
    assert_no_axe_violations(page, axe_violations)


# A stale tab -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["visitor", "reader"])
def test_a_tick_in_a_stale_tab_brings_every_item_up_to_date(
    context, the_article, log_in, axe_violations, who
):
    """Issue 18: untick in tab B, tick another item in tab A: tab A kept showing a box
    checked that the server had unticked."""
    tab_a, tab_b = context.new_page(), context.new_page()
    if who == "reader":
        log_in(tab_a, make_user())
    tab_a.goto(ARTICLE_PATH)
    with tab_a.expect_response(TICK_URL):
        checkbox(tab_a, FIRST).click()
    tab_b.goto(ARTICLE_PATH)
    expect(checkbox(tab_b, FIRST)).to_be_checked()
    with tab_b.expect_response(TICK_URL):
        checkbox(tab_b, FIRST).click()  # unticked in tab B; tab A still shows it ticked
    expect(checkbox(tab_a, FIRST)).to_be_checked()

    with tab_a.expect_response(TICK_URL):
        checkbox(tab_a, SECOND).click()

    expect(checkbox(tab_a, FIRST)).not_to_be_checked()
    expect(checkbox(tab_a, SECOND)).to_be_checked()
    expect(panel(tab_a).get_by_text("1 of 9 done (11%)", exact=True)).to_be_visible()
    expect(contents(tab_a).get_by_role("link", name=FIRST, exact=True)).to_be_attached()
    expect(contents(tab_a).get_by_role("link", name=f"{SECOND} (done)")).to_be_attached()
    expect(checkbox(tab_a, FIRST)).to_have_accessible_description("0 readers did this")
    first_id = tab_a.get_by_role("heading", name=FIRST).get_attribute("id")
    expect(panel(tab_a).get_by_role("link", name=re.compile("^Next"))).to_have_attribute(
        "href", f"#{first_id}"
    )
    assert_no_axe_violations(tab_a, axe_violations)


# One comment count for one viewer --------------------------------------------------------


def test_a_reader_with_comments_awaiting_moderation_sees_one_count_on_every_page(
    page, log_in, axe_violations
):
    category = Category.objects.create(name="Careers", slug="careers")
    post = make_post(categories=[category])
    reader, someone = make_user(), make_user(email="someone@example.com")
    add_comment(post, someone, "Approved one.")
    add_comment(post, someone, "Approved two.")
    add_comment(post, reader, "Mine, awaiting moderation.", status=Comment.Status.PENDING)
    log_in(page, reader)

    page.goto(post.get_absolute_url())
    expect(page.get_by_role("heading", name="Comments (3)")).to_be_visible()
    expect(page.get_by_role("link", name="3 comments", exact=True)).to_be_visible()
    assert_no_axe_violations(page, axe_violations)
    for address in ("/", category.get_absolute_url()):
        page.goto(address)
        expect(page.get_by_role("link", name=f"3 comments on {post.title}")).to_be_visible()
        assert_no_axe_violations(page, axe_violations)

    # Another reader reads only the two approved ones, on every page too.
    page.context.clear_cookies()
    log_in(page, someone)
    page.goto(post.get_absolute_url())
    expect(page.get_by_role("heading", name="Comments (2)")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("link", name=f"2 comments on {post.title}")).to_be_visible()


# The contents list -----------------------------------------------------------------------


def test_the_contents_list_numbers_nothing_the_checklist_does_not_count(page, axe_violations):
    """Issue 18: plain headings and items were numbered together, across levels, while
    the summary counts items only."""
    post = make_post(
        body="## Before you start\n\nText.\n\n"
        '## <input type="checkbox"> First thing\n\nText.\n\n'
        "### A detail\n\nText.\n\n"
        '### <input type="checkbox"> Second thing\n\nText.\n'
    )
    page.goto(post.get_absolute_url())
    entries = contents(page).get_by_role("listitem")
    expect(entries).to_have_count(3)  # "A detail" is not listed: not an item, not "##"

    markers = entries.evaluate_all(
        "items => items.map(item => getComputedStyle(item).listStyleType)"
    )
    assert all(marker in {"none", "disc", "circle", "square"} for marker in markers), markers
    # A done item keeps its tick mark.
    checkbox(page, "First thing").click()
    done = contents(page).get_by_role("listitem").filter(has_text="First thing")
    expect(done).to_have_class(re.compile(r"\bis-done\b"))
    assert done.evaluate("item => getComputedStyle(item, '::marker').content").startswith('"✓')
    assert_no_axe_violations(page, axe_violations)


# Looks -----------------------------------------------------------------------------------


def test_reset_progress_looks_like_the_sites_other_destructive_actions(
    page, a_post, log_in, axe_violations
):
    reader = make_user()
    tick(reader, a_post, "First thing")
    log_in(page, reader)
    page.goto(reverse("accounts:delete"))
    delete = page.get_by_role("button", name="Delete my account")
    destructive = delete.evaluate("button => getComputedStyle(button).backgroundColor")

    page.goto(reverse("checklists:reset", args=[a_post.pk]))
    reset = page.get_by_role("button", name="Reset progress")

    assert reset.evaluate("button => getComputedStyle(button).backgroundColor") == destructive
    assert_no_axe_violations(page, axe_violations)


LONG_HEADING = (
    "A heading long enough to wrap over several lines on a phone and on a desktop screen "
    "alike, because it goes on and on about what to do next in great detail, and ends"
)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
@pytest.mark.parametrize("checklist", [False, True], ids=["plain", "checklist"])
def test_a_wrapped_headings_link_follows_its_last_word(
    new_page, axe_violations, viewport, checklist
):
    box = '<input type="checkbox"> ' if checklist else ""
    post = make_post(body=f"Intro.\n\n## {box}{LONG_HEADING}\n\nText.\n")
    page = new_page(viewport=viewport)
    page.goto(post.get_absolute_url())
    heading = page.get_by_role("heading", name=LONG_HEADING)
    link = page.get_by_role("link", name=f"Link to this section: {LONG_HEADING}")

    # The right edge of the heading's last word, and the number of lines it takes.
    end = heading.evaluate(
        """heading => {
          const walker = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
          let last = null;
          while (walker.nextNode()) {
            if (walker.currentNode.textContent.trim()) last = walker.currentNode;
          }
          const range = document.createRange();
          const text = last.textContent.trimEnd();
          range.setStart(last, text.length - 1);
          range.setEnd(last, text.length);
          const rect = range.getBoundingClientRect();
          const whole = document.createRange();
          whole.selectNodeContents(heading);
          const tops = new Set(Array.from(whole.getClientRects(), r => Math.round(r.top)));
          return {right: rect.right, top: rect.top, bottom: rect.bottom, lines: tops.size};
        }"""
    )
    mark = link.evaluate(
        "link => (({left, top, bottom}) => ({left, top, bottom}))(link.getBoundingClientRect())"
    )

    assert end["lines"] > 1, "the heading does not wrap: the test shows nothing"
    assert 0 <= mark["left"] - end["right"] < 24, (mark, end)
    assert mark["top"] < end["bottom"] and mark["bottom"] > end["top"], (mark, end)  # same line
    assert_no_axe_violations(page, axe_violations)


def test_my_progress_sets_article_titles_in_the_articles_serif(
    page, a_post, log_in, axe_violations
):
    reader = make_user()
    tick(reader, a_post, "First thing")
    log_in(page, reader)
    page.goto(a_post.get_absolute_url())
    article = page.get_by_role("heading", level=1, name=a_post.title)
    serif = article.evaluate("title => getComputedStyle(title).fontFamily")

    page.goto(reverse("checklists:my_progress"))
    title = page.get_by_role("heading", level=2, name=a_post.title)

    assert title.evaluate("title => getComputedStyle(title).fontFamily") == serif
    assert_no_axe_violations(page, axe_violations)
