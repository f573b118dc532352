"""Issue 18: a moderator made as the README says follows the email's "Moderate it" link,
reads the comment as readers will, and approves it from that page."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from comments.models import Flag
from comments.moderation import create_comment
from tests.comments.conftest import PASSWORD
from tests.conftest import make_user

from .axe import describe_violations

POST_PATH = "/a-test-post/"
# The name is isolated (U+2068 … U+2069) in the page's heading and title.
HEADING = "Comment by \u2068Ada Reader\u2069 on “A test post”"
MARKDOWN = "I tried **both** frameworks:\n\n- PyTorch first\n- then JAX"


@pytest.fixture
def readme_moderator(transactional_db):
    """README, "Comments and moderation": a group with only "Can moderate comments", and
    a user with "Staff status" in it."""
    group = Group.objects.create(name="Moderators")
    group.permissions.add(Permission.objects.get(codename="moderate_comment"))
    user = make_user(email="mo@example.com", is_staff=True, display_name="Mo Derator")
    user.groups.add(group)
    return user


def assert_no_axe_violations(page, axe_violations, where):
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations, where)


def moderate_it_link(message, live_server):
    """The email's "Moderate it" address, on the live server."""
    url = re.search(r"^Moderate it: (\S+)$", message.body, re.MULTILINE).group(1)
    return url.replace(settings.SITE_URL, live_server.url)


def test_a_readme_moderator_approves_a_comment_from_the_emails_link(
    page, new_page, a_post, readme_moderator, log_in, live_server, axe_violations
):
    reader = make_user(email="ada@example.com", display_name="Ada Reader")
    comment = create_comment(post=a_post, author=reader, body=MARKDOWN)
    [message] = [m for m in mail.outbox if m.to == [readme_moderator.email]]
    flagger = make_user(email="flagger@example.com", display_name="Fay Flagger")
    Flag.objects.create(comment=comment, user=flagger, reason="spam", note="An advert?")
    log_in(page, readme_moderator)

    page.goto(moderate_it_link(message, live_server))

    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING)
    review = page.get_by_role("region", name="The comment")
    expect(review.get_by_text("both", exact=True)).to_have_css("font-weight", "700")
    expect(review.get_by_role("listitem")).to_have_text(["PyTorch first", "then JAX"])
    expect(review.get_by_text("**both**")).to_have_count(0)
    review.get_by_role("link", name="Flagged by 1 reader: see why").click()
    flags = page.get_by_role("group", name="Flags")
    expect(flags.get_by_role("row").filter(has_text="Fay Flagger")).to_contain_text(
        ["Spam or advertising An advert?"]
    )
    assert_no_axe_violations(page, axe_violations, "the comment's page")

    page.get_by_role("button", name="Approve", exact=True).click()

    expect(page.get_by_text("Approved the comment.")).to_be_visible()
    expect(page.get_by_role("button", name="Approve", exact=True)).to_have_count(0)
    assert_no_axe_violations(page, axe_violations, "the comment's page, approved")
    visitor = new_page()
    visitor.goto(POST_PATH)
    expect(visitor.locator(f"#comment-{comment.pk}").get_by_role("listitem")).to_have_text(
        ["PyTorch first", "then JAX"]
    )


def test_a_readme_moderator_opens_the_queue_on_what_awaits_them(
    page, a_post, readme_moderator, log_in, axe_violations
):
    reader = make_user(email="ada@example.com", display_name="Ada Reader")
    create_comment(post=a_post, author=reader, body="Waiting for you")
    log_in(page, readme_moderator)

    page.goto(reverse("admin:index"))
    page.locator("#comments-comment").get_by_role("link", name="Comments").click()

    expect(page).to_have_url(re.compile(r"status__exact=awaiting"))
    expect(page.get_by_role("row").filter(has_text="Waiting for you")).to_be_visible()
    assert_no_axe_violations(page, axe_violations, "the comment list")
    page.get_by_role("row").filter(has_text="Waiting for you").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING)


def decision_link(message, label, live_server):
    """The digest's signed link for ``label`` ("Approve", "Reject", "Mark as spam")."""
    url = re.search(rf"^{label}: (\S+)$", message.body, re.MULTILINE).group(1)
    return url.replace(settings.SITE_URL, live_server.url)


def test_a_moderator_approves_from_the_digest_after_logging_in(
    page, new_page, a_post, readme_moderator, live_server, axe_violations
):
    """Issue 27: the link shows the comment and asks; it decides only on the button."""
    reader = make_user(email="ada@example.com", display_name="Ada Reader")
    comment = create_comment(post=a_post, author=reader, body=MARKDOWN)
    [message] = [m for m in mail.outbox if m.to == [readme_moderator.email]]

    page.goto(decision_link(message, "Approve", live_server))
    page.get_by_label("Email", exact=True).fill(readme_moderator.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Approve this comment?")
    shown = page.get_by_role("article", name=re.compile("The comment by"))
    expect(shown.get_by_role("listitem")).to_have_text(["PyTorch first", "then JAX"])
    assert_no_axe_violations(page, axe_violations, "a decision link's page")
    comment.refresh_from_db()
    assert comment.is_pending  # following the link decided nothing

    page.get_by_role("button", name="Approve", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Approved")
    expect(page.get_by_role("status")).to_contain_text("the comment by")
    visitor = new_page()
    visitor.goto(POST_PATH)
    expect(visitor.locator(f"#comment-{comment.pk}").get_by_role("listitem")).to_have_text(
        ["PyTorch first", "then JAX"]
    )
