"""The restore page an editor can read (issue 22), as an editor and a screen reader find
it: what restoring changes, word by word in the text readers see, with a legend, in a
region the keyboard scrolls, under the admin's breadcrumbs, with no axe violations."""

import pytest
import reversion
from django.urls import reverse
from playwright.sync_api import expect

from posts.history import versions_of
from tests.conftest import make_user

from .axe import describe_violations

NEW_SENTENCE = "The editor pasted over the whole article."


@pytest.fixture
def restore_page(page, the_article, log_in):
    """The editor on the restore page of the article's imported version, after an edit
    that replaced its whole body with one sentence."""
    editor = make_user(email="editor@example.com", is_staff=True, is_superuser=True)
    original = versions_of(the_article).first()
    with reversion.create_revision():
        reversion.set_user(editor)
        the_article.body = NEW_SENTENCE
        the_article.save()
    log_in(page, editor)
    page.goto(reverse("admin:posts_post_history", args=[the_article.pk]))
    page.get_by_role("link", name="Restore the version of").click()
    expect(page.get_by_role("heading", name="Restore the version of")).to_be_visible()
    url = reverse("admin:posts_post_revision", args=[the_article.pk, original.pk])
    assert page.url.endswith(url)
    return page


def test_the_restore_page_shows_the_words_that_change_with_a_legend(restore_page, save_screenshot):
    page = restore_page
    changes = page.get_by_role("region", name="Body: what restoring changes")
    expect(changes).to_be_visible()
    # The text readers see, not the Markdown: the heading's words, no "## <input".
    heading = changes.get_by_role("listitem").filter(has_text="Heading, added")
    heading = heading.filter(has_text="Learn a framework well")
    expect(heading.locator("ins")).to_have_text("[Added: Learn a framework well]")
    # Each paragraph says which heading it sits under.
    under = changes.get_by_role("listitem").filter(has_text="I learned PyTorch.")
    expect(under).to_contain_text("Paragraph, added, under “Learn a framework well”")
    expect(changes).not_to_contain_text("<input")
    expect(changes.locator("del")).to_have_text([f"[Removed: {NEW_SENTENCE}]"])
    legend = page.get_by_role("paragraph").filter(has_text="Legend:")
    expect(legend).to_contain_text("Removed words, struck through on red")
    expect(legend).to_contain_text("Added words, underlined on green")
    # Colour and a line: not colour alone.
    styles = changes.locator("del").first.evaluate(
        "n => [getComputedStyle(n).textDecorationLine, getComputedStyle(n).backgroundColor]"
    )
    assert styles[0] == "line-through" and styles[1] != "rgba(0, 0, 0, 0)"
    assert changes.locator("ins").first.evaluate("n => getComputedStyle(n).textDecorationLine") == (
        "underline"
    )
    save_screenshot(page, "restore-page")


def test_the_changes_scroll_by_keyboard_and_not_sideways(restore_page):
    page = restore_page
    changes = page.get_by_role("region", name="Body: what restoring changes")
    page.get_by_role("heading", name="Body: what restoring changes").click()
    page.keyboard.press("Tab")
    expect(changes).to_be_focused()
    size = changes.evaluate(
        "n => ({scroll: n.scrollHeight, client: n.clientHeight, wide: n.scrollWidth, "
        "width: n.clientWidth})"
    )
    assert size["scroll"] > size["client"], "the changes should be taller than their region"
    assert size["wide"] <= size["width"], "the changes scroll sideways"
    page.keyboard.press("PageDown")
    page.wait_for_function(
        "() => document.querySelector('.restore-diff').scrollTop > 0", timeout=3000
    )


def test_the_restore_page_keeps_the_admins_breadcrumbs(restore_page, the_article):
    page = restore_page
    crumbs = page.get_by_role("navigation", name="Breadcrumbs")
    expect(crumbs.get_by_role("link")).to_have_text(
        ["Home", "Posts", "Posts", the_article.title, "History"]
    )
    expect(crumbs.get_by_role("listitem").last).to_have_text("Restore")
    # The admin's own look: its blue bar, as on the History page.
    bar = crumbs.locator("ol.breadcrumbs")
    restore_colour = bar.evaluate("n => getComputedStyle(n).backgroundColor")
    crumbs.get_by_role("link", name="History").click()
    history_bar = page.get_by_role("navigation", name="Breadcrumbs").locator("ol.breadcrumbs")
    assert history_bar.evaluate("n => getComputedStyle(n).backgroundColor") == restore_colour
    assert restore_colour != "rgba(0, 0, 0, 0)"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_restore_page_has_no_axe_violations(restore_page, axe_violations, scheme):
    restore_page.emulate_media(color_scheme=scheme)
    violations = axe_violations(restore_page)
    assert violations == [], describe_violations(violations, f"the restore page ({scheme})")
