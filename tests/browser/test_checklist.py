"""The article's checklist as readers use it: ticking with a mouse, a keyboard or no
JavaScript at all, keeping the ticks across sign-up and log-in, and "My progress"."""

import re

from playwright.sync_api import expect

from checklists.models import ChecklistItem
from checklists.progress import set_tick
from tests.accounts.helpers import last_mail_to, verification_code
from tests.conftest import ARTICLE_TITLE, make_post, make_user

from .axe import describe_violations

ARTICLE_PATH = "/dl_advice/"
PASSWORD = "a-long-enough-password"
FRAMEWORK = "Learn a framework well"
HANDS_ON = "Be hands-on from Day One"
TICK_URL = re.compile(r"/checklists/items/\d+/$")


def checkbox(page, section):
    return page.get_by_role("checkbox", name=section, exact=True)


def progress_panel(page):
    return page.get_by_role("region", name="Contents and your progress")


def expect_progress(page, summary):
    """The summary at the top of the article, as text and as the progress bar's name."""
    panel = progress_panel(page)
    expect(panel.get_by_text(summary, exact=True)).to_be_visible()
    expect(panel.get_by_role("progressbar")).to_have_accessible_name(summary)


def expect_ticked(page, *sections):
    """Exactly these sections are ticked."""
    expect(page.get_by_role("checkbox", checked=True)).to_have_count(len(sections))
    for section in sections:
        expect(checkbox(page, section)).to_be_checked()


def tick(user, post, *sections):
    for section in sections:
        set_tick(user=user, item=ChecklistItem.objects.get(post=post, text=section), done=True)


def assert_no_axe_violations(page, axe_violations, where):
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations, where)


def test_a_visitor_ticks_then_signs_up_and_keeps_the_ticks_on_any_browser(
    page, new_page, the_article, log_in
):
    page.goto(ARTICLE_PATH)
    expect_progress(page, "0 of 9 done (0%)")
    page.evaluate("window.__samePage = true")

    checkbox(page, FRAMEWORK).click()
    checkbox(page, HANDS_ON).click()

    expect_ticked(page, FRAMEWORK, HANDS_ON)
    expect_progress(page, "2 of 9 done (22%)")
    # Screen readers hear it through the live region.
    expect(page.get_by_role("status").filter(has_text="2 of 9 done (22%)")).to_have_text(
        f"Done: {HANDS_ON}. 2 of 9 done (22%)."
    )
    assert page.evaluate("window.__samePage") is True, "ticking reloaded the page"

    page.reload()
    expect_ticked(page, FRAMEWORK, HANDS_ON)
    expect_progress(page, "2 of 9 done (22%)")
    panel = progress_panel(page)
    expect(panel).to_contain_text("Log in or sign up to save your progress.")

    panel.get_by_role("link", name="sign up", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    page.get_by_label("Email", exact=True).fill("new.reader@example.com")
    page.get_by_label("Display name", exact=True).fill("New Reader")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign up", exact=True).click()
    # The account opens once the code mailed to the address is typed in.
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code we emailed you")
    page.get_by_label("Code", exact=True).fill(
        verification_code(last_mail_to("new.reader@example.com"))
    )
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(re.escape(ARTICLE_PATH) + "$"))
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(progress_panel(page)).to_contain_text("Your ticks are saved to your account.")
    expect_ticked(page, FRAMEWORK, HANDS_ON)
    expect_progress(page, "2 of 9 done (22%)")

    # The same reader on another browser: log in with email and password.
    elsewhere = new_page()
    elsewhere.goto(ARTICLE_PATH)
    expect_ticked(elsewhere)
    elsewhere.get_by_role("navigation", name="Site").get_by_role("link", name="Log in").click()
    elsewhere.get_by_label("Email", exact=True).fill("new.reader@example.com")
    elsewhere.get_by_label("Password", exact=True).fill(PASSWORD)
    elsewhere.get_by_role("button", name="Log in", exact=True).click()
    expect(elsewhere).to_have_url(re.compile(re.escape(ARTICLE_PATH) + "$"))
    expect_ticked(elsewhere, FRAMEWORK, HANDS_ON)
    expect_progress(elsewhere, "2 of 9 done (22%)")

    # Another reader sees none of them.
    someone_else = log_in(new_page(), make_user(email="someone@example.com"))
    someone_else.goto(ARTICLE_PATH)
    expect(someone_else.get_by_role("button", name="Log out")).to_be_visible()
    expect_ticked(someone_else)
    expect_progress(someone_else, "0 of 9 done (0%)")


def test_space_on_a_focused_checkbox_ticks_and_saves_it(page, the_article):
    page.goto(ARTICLE_PATH)
    box = checkbox(page, FRAMEWORK)
    expect(box).to_be_enabled()  # the script takes over ticking
    # From the last link of the section before, Tab reaches the checkbox next (its
    # "Mark as done" button is for readers without JavaScript, and out of the way).
    page.get_by_role("link", name="How not to do Fast.ai (or any ML MOOC)").focus()
    page.keyboard.press("Tab")
    expect(box).to_be_focused()

    page.keyboard.press("Space")

    expect(box).to_be_checked()
    expect_progress(page, "1 of 9 done (11%)")
    page.reload()
    expect_ticked(page, FRAMEWORK)
    expect_progress(page, "1 of 9 done (11%)")


def test_without_javascript_the_buttons_mark_an_item_done_and_not_done(new_page, the_article):
    page = new_page(java_script_enabled=False)
    page.goto(ARTICLE_PATH)

    # The box shows the state but cannot be ticked: a click would save nothing.
    expect(checkbox(page, FRAMEWORK)).to_be_disabled()

    page.get_by_role("button", name=f"Mark as done: {FRAMEWORK}", exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(ARTICLE_PATH) + "#learn-a-framework-well$"))
    expect_ticked(page, FRAMEWORK)
    expect_progress(page, "1 of 9 done (11%)")
    expect(checkbox(page, FRAMEWORK)).to_be_checked()

    page.get_by_role("button", name=f"Mark as not done: {FRAMEWORK}", exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(ARTICLE_PATH) + "#learn-a-framework-well$"))
    expect_ticked(page)
    expect_progress(page, "0 of 9 done (0%)")
    mark_as_done = page.get_by_role("button", name=f"Mark as done: {FRAMEWORK}", exact=True)
    expect(mark_as_done).to_be_visible()


def test_a_tick_that_cannot_be_saved_is_undone_and_says_so(page, the_article):
    page.goto(ARTICLE_PATH)

    page.route(TICK_URL, lambda route: route.abort())
    checkbox(page, FRAMEWORK).click()
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(re.compile(f"Could not save “{FRAMEWORK}”"))
    expect(alert).to_be_visible()
    expect(checkbox(page, FRAMEWORK)).not_to_be_checked()
    expect_progress(page, "0 of 9 done (0%)")

    page.unroute(TICK_URL)
    page.route(TICK_URL, lambda route: route.fulfill(status=500, body="Server Error"))
    checkbox(page, HANDS_ON).click()
    expect(page.get_by_role("alert")).to_have_count(2)
    expect(page.get_by_role("alert").nth(1)).to_have_text(
        re.compile(f"Could not save “{HANDS_ON}”")
    )
    expect(checkbox(page, HANDS_ON)).not_to_be_checked()

    # Once the server answers again, trying again works and the message goes.
    page.unroute(TICK_URL)
    checkbox(page, FRAMEWORK).click()
    expect_progress(page, "1 of 9 done (11%)")
    expect(page.get_by_role("alert")).to_have_count(1)
    page.reload()
    expect_ticked(page, FRAMEWORK)


def test_quick_ticks_are_sent_one_at_a_time_so_none_is_lost(page, the_article):
    """A visitor's ticks are kept in their session; two requests at once would each save
    their own copy of it and one tick would be lost, so the page sends them in turn."""
    held = []
    page.goto(ARTICLE_PATH)
    page.route(TICK_URL, lambda route: held.append(route))

    def wait_for_requests(count):
        for _ in range(40):
            if len(held) >= count:
                return
            page.wait_for_timeout(25)

    checkbox(page, FRAMEWORK).click()
    checkbox(page, HANDS_ON).click()
    wait_for_requests(2)
    assert len(held) == 1, "the second tick was sent before the first was answered"

    held.pop().continue_()
    wait_for_requests(1)
    assert len(held) == 1, "the second tick was never sent"
    held.pop().continue_()

    expect_progress(page, "2 of 9 done (22%)")
    page.reload()
    expect_ticked(page, FRAMEWORK, HANDS_ON)


def test_a_third_level_checklist_heading_ticks_like_the_others(page):
    make_post(
        body='Intro.\n\n## <input type="checkbox"> First thing\n\nText.\n\n'
        '### <input type="checkbox"> A smaller thing\n\nMore text.\n'
    )
    page.goto("/a-test-post/")

    checkbox(page, "A smaller thing").click()

    expect_progress(page, "1 of 2 done (50%)")
    expect(page.get_by_role("alert")).to_have_count(0)
    page.reload()
    expect_ticked(page, "A smaller thing")


def test_my_progress_lists_the_ticks_and_resets_them_after_confirming(
    page, the_article, log_in, a_reader
):
    tick(a_reader, the_article, FRAMEWORK, HANDS_ON)
    log_in(page, a_reader)
    page.goto(ARTICLE_PATH)

    page.get_by_role("navigation", name="Site").get_by_role("link", name="My progress").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My progress")
    card = page.get_by_role("region", name=ARTICLE_TITLE)
    expect(card).to_contain_text("2 of 9 done (22%)")
    expect(card.get_by_role("progressbar")).to_have_accessible_name("2 of 9 done (22%)")
    expect(card.get_by_role("listitem")).to_have_count(2)
    expect(card.get_by_role("link", name=FRAMEWORK)).to_be_visible()
    expect(card.get_by_role("link", name=HANDS_ON)).to_be_visible()

    # Each ticked item links to its section of the article.
    card.get_by_role("link", name=FRAMEWORK).click()
    expect(page).to_have_url(re.compile(re.escape(ARTICLE_PATH) + "#learn-a-framework-well$"))
    expect(checkbox(page, FRAMEWORK)).to_be_checked()
    page.go_back()

    # Reset asks first; Cancel changes nothing.
    card.get_by_role("link", name=f"Reset progress for {ARTICLE_TITLE}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your progress?")
    expect(page.get_by_role("main")).to_contain_text("all 2 of the 9 items")
    page.get_by_role("link", name="Cancel").click()
    expect(card).to_contain_text("2 of 9 done (22%)")

    card.get_by_role("link", name=f"Reset progress for {ARTICLE_TITLE}").click()
    page.get_by_role("button", name="Reset progress").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My progress")
    expect(page.get_by_role("main")).to_contain_text("You have not ticked anything yet.")
    page.goto(ARTICLE_PATH)
    expect_ticked(page)
    expect_progress(page, "0 of 9 done (0%)")


def test_axe_finds_no_violations_on_the_checklist_and_account_pages(
    page, new_page, axe_violations, the_article, log_in, a_reader
):
    # Logged out, with a tick and a failed tick's message on the page.
    page.goto(ARTICLE_PATH)
    checkbox(page, FRAMEWORK).click()
    expect_progress(page, "1 of 9 done (11%)")
    page.route(TICK_URL, lambda route: route.abort())
    checkbox(page, HANDS_ON).click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_no_axe_violations(page, axe_violations, "the article, logged out")

    nav = page.get_by_role("navigation", name="Site")
    nav.get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    assert_no_axe_violations(page, axe_violations, "the log-in page")
    nav.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    assert_no_axe_violations(page, axe_violations, "the sign-up page")

    # Logged in, with ticks.
    tick(a_reader, the_article, FRAMEWORK, HANDS_ON)
    reader = log_in(new_page(), a_reader)
    reader.goto(ARTICLE_PATH)
    expect_progress(reader, "2 of 9 done (22%)")
    assert_no_axe_violations(reader, axe_violations, "the article, logged in")

    nav = reader.get_by_role("navigation", name="Site")
    nav.get_by_role("link", name="Account").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Account")
    assert_no_axe_violations(reader, axe_violations, "the account page")

    nav.get_by_role("link", name="My progress").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("My progress")
    assert_no_axe_violations(reader, axe_violations, "My progress")

    reader.get_by_role("link", name=f"Reset progress for {ARTICLE_TITLE}").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Reset your progress?")
    assert_no_axe_violations(reader, axe_violations, "the reset confirmation")
