"""Progress where the reader reads (issue 13): the contents list as progress, the
percent, "Next unticked item", the completion message, the phone layout, the keyboard
path to the first checkbox, links to sections, the Articles page and print."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from checklists.models import ChecklistItem
from checklists.progress import set_tick
from tests.conftest import ARTICLE_CHECKLIST, ARTICLE_TITLE, make_post

from .axe import COLOUR_RULES, describe_violations

ARTICLE_PATH = "/dl_advice/"
FRAMEWORK = "Learn a framework well"
HANDS_ON = "Be hands-on from Day One"
FIRST = ARTICLE_CHECKLIST[0]
LAST = ARTICLE_CHECKLIST[-1]
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 800}


def contents(page):
    return page.get_by_role("navigation", name="Table of contents")


def panel(page):
    return page.get_by_role("region", name="Contents and your progress")


def tick(user, post, *sections):
    for section in sections:
        set_tick(user=user, item=ChecklistItem.objects.get(post=post, text=section), done=True)


def expect_contents_done(page, *sections):
    """Exactly these sections are "done" in the contents list, by their links' names."""
    links = contents(page).get_by_role("link")
    expect(links).to_have_count(len(ARTICLE_CHECKLIST))
    for section in ARTICLE_CHECKLIST:
        name = f"{section} (done)" if section in sections else section
        expect(contents(page).get_by_role("link", name=name, exact=True)).to_be_visible()


def heading(page, text):
    return page.get_by_role("heading", name=text, exact=True)


# The contents list as progress ------------------------------------------------------------


def test_the_contents_list_shows_ticks_at_once_with_javascript(page, the_article):
    page.goto(ARTICLE_PATH)
    expect_contents_done(page)
    page.evaluate("window.__samePage = true")

    page.get_by_role("checkbox", name=FRAMEWORK, exact=True).click()
    page.get_by_role("checkbox", name=HANDS_ON, exact=True).click()

    expect_contents_done(page, FRAMEWORK, HANDS_ON)
    assert page.evaluate("window.__samePage") is True, "ticking reloaded the page"
    page.get_by_role("checkbox", name=FRAMEWORK, exact=True).click()
    expect_contents_done(page, HANDS_ON)
    page.reload()
    expect_contents_done(page, HANDS_ON)


def test_the_contents_list_shows_ticks_without_javascript_on_the_next_page(new_page, the_article):
    page = new_page(java_script_enabled=False)
    page.goto(ARTICLE_PATH)

    page.get_by_role("button", name=f"Mark as done: {FRAMEWORK}", exact=True).click()

    expect(page).to_have_url(re.compile(r"#learn-a-framework-well$"))
    expect_contents_done(page, FRAMEWORK)


# The percent ------------------------------------------------------------------------------


def test_the_article_shows_the_percent_done_and_keeps_it_current(page, the_article):
    page.goto(ARTICLE_PATH)
    bar = panel(page).get_by_role("progressbar")
    expect(bar).to_have_accessible_name("0 of 9 done (0%)")

    page.get_by_role("checkbox", name=FRAMEWORK, exact=True).click()
    page.get_by_role("checkbox", name=HANDS_ON, exact=True).click()

    expect(panel(page).get_by_text("2 of 9 done (22%)", exact=True)).to_be_visible()
    expect(bar).to_have_accessible_name("2 of 9 done (22%)")
    expect(page.get_by_role("status").filter(has_text="2 of 9")).to_have_text(
        f"Done: {HANDS_ON}. 2 of 9 done (22%)."
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_progress_summary_is_shown_once(new_page, the_article, viewport):
    page = new_page(viewport=viewport)
    page.goto(ARTICLE_PATH)
    page.get_by_role("checkbox", name=FRAMEWORK, exact=True).click()

    summaries = page.get_by_text(re.compile(r"^\d+ of 9 done \(\d+%\)$"))
    expect(summaries).to_have_count(1)
    expect(summaries).to_have_text("1 of 9 done (11%)")
    expect(summaries).to_be_visible()


# "Next unticked item" ---------------------------------------------------------------------


def long_sections_post():
    """Five checklist sections, each taller than the screen, so "the reader's position"
    (the section at the top of the screen) is exact."""
    filler = "\n\n".join(f"Paragraph {number} of this step." for number in range(30))
    body = "Introduction.\n\n" + "\n\n".join(
        f'## <input type="checkbox"> Step {name}\n\n{filler}' for name in "ABCDE"
    )
    return make_post(title="Five steps", slug="five", permalink="/five/", body=body)


def test_next_unticked_item_goes_to_the_next_one_after_the_readers_position(page, a_reader, log_in):
    post = long_sections_post()
    tick(a_reader, post, "Step B", "Step D")
    log_in(page, a_reader)
    page.goto(post.get_absolute_url())
    next_item = page.get_by_role("link", name="Next unticked item")

    # From the top of the page, the first unticked one; then the next after each.
    for expected in ("step-a", "step-c", "step-e"):
        next_item.click()
        expect(page).to_have_url(re.compile(f"#{expected}$"))
        expect(page.locator(f"#{expected}")).to_be_in_viewport()
    # After the last unticked one, round to the first one overall.
    next_item.click()
    expect(page).to_have_url(re.compile("#step-a$"))
    # Read on from C: the next after C, not the first overall.
    contents(page).get_by_role("link", name="Step C", exact=True).click()
    next_item.click()
    expect(page).to_have_url(re.compile("#step-e$"))


def test_at_nine_of_nine_a_completion_message_replaces_the_next_link(
    page, the_article, a_reader, log_in
):
    tick(a_reader, the_article, *ARTICLE_CHECKLIST[:-1])
    log_in(page, a_reader)
    page.goto(ARTICLE_PATH)
    next_item = page.get_by_role("link", name="Next unticked item")
    expect(next_item).to_be_visible()
    expect(page.get_by_text("All done!")).to_be_hidden()

    page.get_by_role("checkbox", name=LAST, exact=True).click()

    expect(page.get_by_role("status").filter(has_text="9 of 9")).to_have_text(
        f"Done: {LAST}. 9 of 9 done (100%). All done!"
    )
    expect(next_item).to_be_hidden()
    expect(panel(page).get_by_text("All done!")).to_be_visible()
    my_progress = panel(page).get_by_role("link", name="My progress")
    expect(my_progress).to_be_visible()

    page.get_by_role("checkbox", name=LAST, exact=True).click()  # one undone again
    expect(next_item).to_be_visible()
    expect(my_progress).to_be_hidden()

    page.get_by_role("checkbox", name=LAST, exact=True).click()
    expect(my_progress).to_be_visible()  # the tick is saved before the page reloads
    page.reload()  # the server says the same
    expect(page.get_by_role("checkbox", name=LAST, exact=True)).to_be_checked()
    expect(next_item).to_be_hidden()
    panel(page).get_by_role("link", name="My progress").click()
    expect(page.get_by_role("region", name=ARTICLE_TITLE)).to_contain_text("9 of 9 done (100%)")


# Phones -----------------------------------------------------------------------------------


def test_on_a_phone_the_contents_fold_into_a_disclosure_and_the_article_starts_at_once(
    new_page, the_article, save_screenshot
):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(ARTICLE_PATH)

    # The first screen: the title and the start of the article.
    expect(page.get_by_role("heading", level=1)).to_be_in_viewport(ratio=1)
    expect(page.get_by_text("I do get questions once or twice a month")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The contents list is folded away; its summary shows the progress.
    summary = panel(page).get_by_text("Contents", exact=True)
    expect(panel(page).get_by_text("0 of 9 done (0%)", exact=True)).to_be_visible()
    expect(contents(page)).to_be_hidden()
    save_screenshot(page, "article-375-first-screen")

    summary.click()
    expect(contents(page)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    contents(page).get_by_role("link", name=LAST, exact=True).click()

    # The list folds again; the heading is not hidden under the bar kept at the top.
    expect(contents(page)).to_be_hidden()
    expect(heading(page, LAST)).to_be_in_viewport(ratio=1)
    bar = panel(page).get_by_role("progressbar")
    expect(bar).to_be_in_viewport(ratio=1)
    expect(bar).to_have_accessible_name("0 of 9 done (0%)")
    heading_top = heading(page, LAST).bounding_box()["y"]
    panel_bottom = panel(page).bounding_box()["y"] + panel(page).bounding_box()["height"]
    assert heading_top >= panel_bottom, "the sticky bar covers the heading"
    expect(page.get_by_role("link", name="Next unticked item")).to_be_in_viewport()


# Keyboard ---------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_first_checkbox_is_at_most_three_tabs_after_the_skip_link(
    new_page, the_article, viewport
):
    page = new_page(viewport=viewport)
    page.goto(ARTICLE_PATH)

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the checklist")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")

    first_box = page.get_by_role("checkbox", name=FIRST, exact=True)
    for _ in range(3):
        page.keyboard.press("Tab")
        if first_box.evaluate("box => box === document.activeElement"):
            break
    expect(first_box).to_be_focused()
    page.keyboard.press("Space")
    expect(first_box).to_be_checked()


FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const again = element.dataset.tabbed === "yes";
  element.dataset.tabbed = "yes";
  return {
    again: again || element === document.body,
    what: element.outerHTML.slice(0, 120),
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
  };
}"""


def test_every_control_shows_a_focus_ring(page, the_article, a_reader, log_in):
    log_in(page, a_reader)
    page.goto(ARTICLE_PATH)
    page.locator("body").click(position={"x": 1, "y": 1})  # start from the page itself

    reached = 0
    for _ in range(100):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["again"]:
            break
        reached += 1
        assert focused["style"] != "none" and focused["width"] >= 2, f"no focus ring: {focused}"
    assert reached > 30, "Tab did not go through the page"


# Links to sections ------------------------------------------------------------------------


def test_each_heading_has_a_link_to_its_section_that_copies_its_address(
    page, context, the_article, live_server
):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(ARTICLE_PATH)
    link = page.get_by_role("link", name=f"Link to this section: {FRAMEWORK}", exact=True)
    expect(link).to_be_visible()
    # The heading's own name stays its text.
    expect(heading(page, FRAMEWORK)).to_be_visible()

    link.click()

    expect(page).to_have_url(re.compile(r"/dl_advice/#learn-a-framework-well$"))
    expect(page.get_by_role("status").filter(has_text="Link copied")).to_be_attached()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_server.url}{ARTICLE_PATH}#learn-a-framework-well"


# The Articles page ------------------------------------------------------------------------


def test_the_articles_page_shows_each_posts_summary_and_the_readers_progress(
    page, the_article, a_reader, log_in, save_screenshot
):
    tick(a_reader, the_article, FRAMEWORK, HANDS_ON)
    log_in(page, a_reader)

    page.goto("/")

    summary = page.get_by_role("article").filter(has=page.get_by_role("link", name=ARTICLE_TITLE))
    expect(summary).to_contain_text("or Machine Learning")
    expect(summary).to_contain_text(f"{the_article.reading_minutes} min read")
    expect(summary.get_by_role("link", name="Deep Learning", exact=True)).to_be_visible()
    expect(summary.get_by_text("Your progress: 2 of 9 done (22%)")).to_be_visible()
    expect(summary.get_by_role("progressbar")).to_have_accessible_name(
        "Your progress: 2 of 9 done (22%)"
    )
    save_screenshot(page, "articles-1280-light")


# Print ------------------------------------------------------------------------------------


def test_printing_keeps_the_ticks_as_boxes_and_drops_navigation_and_forms(new_page, the_article):
    page = new_page(java_script_enabled=False)  # the forms are on screen without it
    page.goto(ARTICLE_PATH)
    page.get_by_role("button", name=f"Mark as done: {FRAMEWORK}", exact=True).click()
    expect(page.get_by_role("button", name=f"Mark as not done: {FRAMEWORK}")).to_be_visible()

    page.emulate_media(media="print")

    def mark(section):
        # The heading's text, which names its box (issue 18: no longer a <label>).
        return (
            page.get_by_role("heading")
            .get_by_text(section, exact=True)
            .evaluate("text => getComputedStyle(text, '::before').content")
        )

    assert mark(FRAMEWORK) == '"☑\u00a0"'
    assert mark(HANDS_ON) == '"☐\u00a0"'
    expect(page.get_by_role("heading", name=re.compile(rf"^☑\s{FRAMEWORK}$"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(rf"^☐\s{HANDS_ON}$"))).to_be_visible()
    expect(page.get_by_role("checkbox")).to_have_count(0)  # the boxes are not printed
    expect(page.get_by_role("navigation")).to_have_count(0)
    expect(page.get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("textbox")).to_have_count(0)


# Screenshots and axe, at both sizes and in both colour schemes ----------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_the_article_at_each_size_and_scheme_has_no_axe_violations(
    new_page, the_article, a_reader, axe_violations, save_screenshot, viewport, scheme, log_in
):
    tick(a_reader, the_article, FRAMEWORK, HANDS_ON)
    page = log_in(new_page(viewport=viewport, color_scheme=scheme), a_reader)
    page.goto(ARTICLE_PATH)
    expect(panel(page).get_by_role("progressbar")).to_have_accessible_name("2 of 9 done (22%)")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    save_screenshot(page, f"article-{viewport['width']}-{scheme}")

    violations = axe_violations(page, rules=COLOUR_RULES if scheme == "dark" else None)
    assert violations == [], describe_violations(violations, f"{viewport} {scheme}")

    # With the contents open (a phone's disclosure) and the page scrolled to a heading.
    if viewport == PHONE:
        panel(page).get_by_text("Contents", exact=True).click()
        expect(contents(page)).to_be_visible()
        violations = axe_violations(page, rules=COLOUR_RULES if scheme == "dark" else None)
        assert violations == [], describe_violations(violations, f"{viewport} {scheme}, open")
        save_screenshot(page, f"article-{viewport['width']}-{scheme}-contents")


# Every page's title ---------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_pages_title_stands_clear_of_the_header(
    new_page, the_article, a_reader, log_in, viewport
):
    page = log_in(new_page(viewport=viewport), a_reader)

    for path in (
        "/",
        ARTICLE_PATH,
        reverse("checklists:my_progress"),
        reverse("accounts:account"),
        reverse("pages:category", args=["thoughts"]),
    ):
        page.goto(path)
        header = page.get_by_role("banner").bounding_box()
        title = page.get_by_role("heading", level=1).bounding_box()
        gap = title["y"] - (header["y"] + header["height"])
        assert gap >= 16, f"{path}: the title is {gap:.0f} px under the header"
