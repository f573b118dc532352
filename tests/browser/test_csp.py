"""The site's own pages and scripts live within its Content-Security-Policy.

The other browser tests bypass the policy so axe-core can be injected; these keep it on
and fail on any violation the browser reports, on the pages readers, commenters and
editors use, while they use them."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from comments.moderation import create_comment
from posts.importing import import_post
from tests.conftest import ARTICLE_FILE, image_bytes, make_user

FRAMEWORK = "Learn a framework well"


@pytest.fixture
def strict_page(new_page):
    """A page that honours the CSP and records every violation the browser reports."""
    page = new_page(bypass_csp=False)
    page.violations = []
    page.on(
        "console",
        lambda message: (
            page.violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return page


def test_the_article_and_its_scripts_break_no_csp_rule(strict_page, log_in):
    article = import_post(ARTICLE_FILE).post
    reader = make_user(display_name="Rita")
    create_comment(
        post=article,
        author=make_user(email="staff@example.com", is_staff=True),
        body="A *first* comment",
    )
    page = log_in(strict_page, reader)

    page.goto(article.get_absolute_url())
    page.get_by_role("checkbox", name=FRAMEWORK).check()
    expect(page.get_by_text("1 of 9 done (11%)").first).to_be_visible()
    page.get_by_label("Your comment").fill("Trying **bold**")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("[data-preview] strong")).to_have_text("bold")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Awaiting moderation")).to_be_visible()

    assert page.violations == []


def test_the_log_in_and_sign_up_pages_break_no_csp_rule(strict_page):
    for path in (reverse("account_login"), reverse("account_signup"), "/"):
        strict_page.goto(path)

    assert strict_page.violations == []


def test_the_admin_editor_and_its_live_preview_break_no_csp_rule(strict_page, log_in):
    article = import_post(ARTICLE_FILE).post
    editor = make_user(email="editor@example.com", is_staff=True, is_superuser=True)
    page = log_in(strict_page, editor)

    page.goto(reverse("admin:posts_post_change", args=[article.pk]))
    body = page.get_by_role("textbox", name="Body:")
    body.fill('## <input type="checkbox"> Previewed heading\n\nSome *text*.')
    preview = page.frame_locator("iframe[title='Preview, as the page shows it']")
    heading = preview.get_by_role("heading", name="Previewed heading")
    expect(heading).to_be_visible()
    # The preview's frame loads the site's stylesheet and font under the same policy.
    expect(heading).to_have_css("font-family", re.compile(r'^"Source Serif 4"'))
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Add image").click()
    chooser.value.set_files({"name": "a.png", "mimeType": "image/png", "buffer": image_bytes()})
    dialog = page.get_by_role("dialog", name="Describe the image")
    dialog.get_by_role("textbox", name="Description (alt text)").fill("A red box")
    dialog.get_by_role("button", name="Insert image").click()
    expect(preview.get_by_role("img", name="A red box")).to_be_visible()
    page.goto(reverse("admin:comments_comment_changelist"))
    page.goto(reverse("admin:index"))

    assert page.violations == []
