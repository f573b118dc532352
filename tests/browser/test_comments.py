"""The discussion under a post as readers, visitors and a moderator meet it."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from comments.models import Comment
from comments.moderation import create_comment, moderate
from tests.conftest import make_user

from .axe import describe_violations

POST_PATH = "/a-test-post/"
PASSWORD = "a-long-enough-password"
READER = "Ada Reader"
COMMENT = "Which framework would you start with today?"
REPLY = "Answering myself: PyTorch, after a week of trying both."
# Markdown and HTML that would run script if anything let it through.
XSS_LINES = [
    '<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=1;alert(1)</script>'
    "[x](javascript:window.__xss=1)",
    '<svg onload="alert(2)"></svg> <a href="javascript:alert(3)">y</a> [z](JaVaScRiPt:alert(4))',
]
XSS_NAME = '<img src=x onerror="window.__xss=1;alert(5)">'


def comments_section(page):
    return page.get_by_role("region", name=re.compile(r"^Comments \(\d+\)$"))


def main_form(page):
    """The form at the end of the discussion (reply forms open inside comments)."""
    return (
        comments_section(page)
        .locator("form")
        .filter(has=page.get_by_role("heading", name="Add a comment", exact=True))
    )


def comment_by(page, author, text):
    """The comment by `author` that says `text` (and its replies, if any)."""
    return page.get_by_role("article", name=author, exact=True).filter(has_text=text)


def replies_to(parent, text):
    """The list of replies under `parent` that holds a reply saying `text`."""
    return parent.get_by_role("list").filter(has_text=text)


def approve_in_admin(admin, text):
    """The moderator approves the comment that says `text` from the moderation queue."""
    admin.goto(reverse("admin:comments_comment_changelist"))
    admin.get_by_role("row").filter(has_text=text[:40]).get_by_role("checkbox").check()
    admin.get_by_role("combobox", name="Action").select_option(label="Approve selected comments")
    # Django 6.1's admin calls the button "Run" (it was "Go").
    admin.get_by_role("button", name="Run", exact=True).click()
    expect(admin.get_by_text("Approved 1 comment.")).to_be_visible()


def assert_no_axe_violations(page, axe_violations, where):
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations, where)


def fail_on_dialogs(page, dialogs):
    def record(dialog):
        dialogs.append(f"{page.url}: {dialog.type} {dialog.message!r}")
        dialog.dismiss()

    page.on("dialog", record)
    return page


def test_a_comment_waits_for_a_moderator_then_gets_a_threaded_reply(page, new_page, a_post, log_in):
    reader = make_user(display_name=READER)
    log_in(page, reader)
    page.goto(POST_PATH)
    page.evaluate("window.__samePage = true")

    form = main_form(page)
    form.get_by_label("Your comment").fill(COMMENT)
    form.get_by_role("button", name="Post comment").click()

    mine = comment_by(page, READER, COMMENT)
    expect(mine).to_be_visible()
    expect(mine.get_by_text("Awaiting moderation")).to_be_visible()
    expect(form.get_by_role("status")).to_have_text("Your comment is posted and awaits moderation.")
    expect(form.get_by_label("Your comment")).to_have_value("")
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    assert page.evaluate("window.__samePage") is True, "posting reloaded the page"

    visitor = new_page()
    visitor.goto(POST_PATH)
    expect(comments_section(visitor)).to_be_visible()
    expect(visitor.get_by_text(COMMENT)).to_have_count(0)

    # A superuser with a verified address: the admin's log-in is the site's, which asks
    # for the emailed code of an address not yet verified.
    moderator = make_user(
        "moderator@example.com", password=PASSWORD, is_staff=True, is_superuser=True
    )
    admin = new_page()
    # The admin sends staff to the site's log-in form (rate limited like everyone's).
    admin.goto("/admin/login/?next=/admin/comments/comment/")
    admin.get_by_label("Email", exact=True).fill(moderator.email)
    admin.get_by_label("Password", exact=True).fill(PASSWORD)
    admin.get_by_role("button", name="Log in", exact=True).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(re.compile("comment", re.I))
    approve_in_admin(admin, COMMENT)

    visitor.reload()
    approved = comment_by(visitor, READER, COMMENT)
    expect(approved).to_be_visible()
    expect(approved.get_by_text("Awaiting moderation")).to_have_count(0)
    expect(visitor.get_by_role("heading", name="Comments (1)")).to_be_visible()

    # The reader answers in place: the reply form opens under the comment.
    page.reload()
    page.evaluate("window.__samePage = true")
    parent = comment_by(page, READER, COMMENT)
    parent.get_by_role("link", name=f"Reply to {READER}").click()
    expect(parent.get_by_role("heading", name=f"Reply to {READER}")).to_be_visible()
    reply_box = parent.get_by_label("Your comment")
    expect(reply_box).to_be_focused()
    reply_box.fill(REPLY)
    parent.get_by_role("button", name="Post reply").click()

    reply = replies_to(parent, REPLY).get_by_role("article", name=READER)
    expect(reply).to_contain_text(REPLY)
    expect(reply.get_by_text("Awaiting moderation")).to_be_visible()
    expect(reply).to_be_focused()
    expect(parent.get_by_role("button", name="Post reply")).to_have_count(0)
    expect(page.get_by_role("heading", name="Comments (2)")).to_be_visible()
    assert page.evaluate("window.__samePage") is True, "replying reloaded the page"

    # Still threaded after a reload, and for everyone once approved.
    page.reload()
    reply = replies_to(comment_by(page, READER, COMMENT), REPLY).get_by_role("article")
    expect(reply).to_contain_text(REPLY)
    visitor.reload()
    expect(visitor.get_by_text(REPLY)).to_have_count(0)

    approve_in_admin(admin, REPLY)

    visitor.reload()
    reply = replies_to(comment_by(visitor, READER, COMMENT), REPLY).get_by_role("article")
    expect(reply).to_contain_text(REPLY)
    expect(reply.get_by_text("Awaiting moderation")).to_have_count(0)
    expect(visitor.get_by_role("heading", name="Comments (2)")).to_be_visible()
    assert Comment.objects.get(body=REPLY).parent == Comment.objects.get(body=COMMENT)


def test_script_in_a_comment_or_a_name_is_shown_as_text_and_never_runs(
    page, new_page, a_post, log_in
):
    dialogs = []
    payload = "\n".join(XSS_LINES)
    writer = make_user(display_name=XSS_NAME)
    log_in(fail_on_dialogs(page, dialogs), writer)
    page.goto(POST_PATH)

    form = main_form(page)
    form.get_by_label("Your comment").fill(payload)
    form.get_by_role("button", name="Preview").click()
    preview = form.get_by_text(XSS_LINES[0])
    expect(preview).to_be_visible()
    form.get_by_role("button", name="Post comment").click()
    expect(form.get_by_role("status")).to_have_text("Your comment is posted and awaits moderation.")
    assert page.evaluate("window.__xss") is None

    comment = Comment.objects.get(author=writer)
    moderate(
        source="admin",
        comments=Comment.objects.filter(pk=comment.pk),
        status="approved",
        moderator=None,
    )

    def check(viewer, where):
        shown = comment_by(viewer, XSS_NAME, "onerror")
        expect(shown).to_be_visible()
        for line in XSS_LINES:
            expect(shown).to_contain_text(line)
        # Shown as text: no image, script, SVG or javascript: link made it into the page.
        expect(shown.get_by_role("img")).to_have_count(0)
        expect(shown.locator("script, svg, img, [onerror], [onload]")).to_have_count(0)
        expect(viewer.locator('a[href^="javascript" i]')).to_have_count(0)
        assert viewer.evaluate("window.__xss") is None, f"script ran on {where}"

    visitor = fail_on_dialogs(new_page(), dialogs)
    visitor.goto(POST_PATH)
    check(visitor, "the post, logged out")

    # A reader's inline reply form names the author: as text too.
    other = log_in(fail_on_dialogs(new_page(), dialogs), make_user(email="other@example.com"))
    other.goto(POST_PATH)
    check(other, "the post, logged in")
    shown = comment_by(other, XSS_NAME, "onerror")
    shown.get_by_role("link", name=f"Reply to {XSS_NAME}").click()
    expect(shown.get_by_role("heading", name=f"Reply to {XSS_NAME}")).to_be_visible()
    assert other.evaluate("window.__xss") is None

    other.goto(reverse("comments:reply", args=[comment.pk]))
    expect(other.get_by_role("heading", level=1)).to_have_text(f"Reply to {XSS_NAME}")
    expect(other.get_by_role("blockquote")).to_contain_text(XSS_LINES[0])
    expect(other.locator("main img, main script, main svg")).to_have_count(0)
    assert other.evaluate("window.__xss") is None, "script ran on the reply page"
    assert dialogs == [], f"dialogs opened: {dialogs}"


def test_axe_finds_no_violations_in_the_discussion_and_its_forms(
    page, new_page, axe_violations, a_post, log_in
):
    grace = make_user(email="grace@example.com", display_name="Grace Hopper")
    alan = make_user(email="alan@example.com", display_name="Alan Turing")
    reader = make_user(display_name=READER)
    started = create_comment(
        post=a_post,
        author=grace,
        body="Try **both**, then read [the docs](https://pytorch.org/docs/):\n\n"
        "- a `tensor` tutorial\n- a small project\n\n> Practice beats theory.",
    )
    moderate(
        source="admin",
        comments=Comment.objects.filter(pk=started.pk),
        status="approved",
        moderator=None,
    )
    answer = create_comment(
        post=a_post, author=alan, body="Agreed, *small* projects.", parent=started
    )
    moderate(
        source="admin",
        comments=Comment.objects.filter(pk=answer.pk),
        status="approved",
        moderator=None,
    )
    create_comment(post=a_post, author=reader, body=COMMENT)  # pending: only its author sees it

    # Logged out: the discussion and the invitation to log in.
    page.goto(POST_PATH)
    expect(comment_by(page, "Alan Turing", "small")).to_be_visible()
    assert_no_axe_violations(page, axe_violations, "the discussion, logged out")

    # The reader: a pending comment, a threaded reply, the forms and their messages.
    mine = log_in(new_page(), reader)
    mine.goto(POST_PATH)
    expect(comment_by(mine, READER, COMMENT).get_by_text("Awaiting moderation")).to_be_visible()
    expect(
        replies_to(comment_by(mine, "Grace Hopper", "Try both"), "small").get_by_role("article")
    ).to_be_visible()
    assert_no_axe_violations(mine, axe_violations, "the discussion with the comment form")

    form = main_form(mine)
    form.get_by_role("button", name="Post comment").click()
    expect(form.get_by_role("status")).to_have_text("Write something before posting.")
    form.get_by_label("Your comment").fill("A *preview* with a [link](https://example.com/).")
    form.get_by_role("button", name="Preview").click()
    expect(form.get_by_role("link", name="link")).to_be_visible()
    parent = comment_by(mine, "Grace Hopper", "Try both")
    parent.get_by_role("link", name="Reply to Grace Hopper").click()
    expect(parent.get_by_role("button", name="Post reply")).to_be_visible()
    assert_no_axe_violations(mine, axe_violations, "an open reply form, an error and a preview")

    # "Reply" without JavaScript is a page of its own; flagging always is. (axe needs
    # JavaScript to run, so it checks these pages from the reader's usual browser.)
    mine.goto(reverse("comments:reply", args=[started.pk]))
    expect(mine.get_by_role("heading", level=1)).to_have_text("Reply to Grace Hopper")
    assert_no_axe_violations(mine, axe_violations, "the reply page")
    mine.get_by_role("button", name="Post reply").click()
    expect(mine.get_by_role("alert")).to_contain_text("Your comment was not posted")
    expect(mine.get_by_label("Your comment")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(mine, axe_violations, "the reply page with an error")

    mine.goto(POST_PATH)
    comment_by(mine, "Grace Hopper", "Try both").get_by_role(
        "link", name="Flag comment by Grace Hopper"
    ).click()
    expect(mine.get_by_role("heading", level=1)).to_have_text("Flag a comment for a moderator")
    assert_no_axe_violations(mine, axe_violations, "the flag page")
    # Without a reason the browser itself refuses to send the form.
    mine.get_by_role("button", name="Flag comment").click()
    expect(mine.get_by_role("heading", level=1)).to_have_text("Flag a comment for a moderator")
    assert mine.get_by_role("radio", name="Spam or advertising").evaluate(
        "radio => radio.validity.valueMissing"
    )
    mine.get_by_role("radio", name="Off topic").check()
    mine.get_by_role("button", name="Flag comment").click()
    expect(mine.get_by_role("status")).to_have_text(
        "Thank you: a moderator will look at this comment."
    )

    # Without JavaScript the reply is posted from that page and lands in the thread.
    plain = log_in(new_page(java_script_enabled=False), reader)
    plain.goto(POST_PATH)
    comment_by(plain, "Grace Hopper", "Try both").get_by_role(
        "link", name="Reply to Grace Hopper"
    ).click()
    expect(plain).to_have_url(re.compile(rf"/comments/{started.pk}/reply/$"))
    plain.get_by_label("Your comment").fill(REPLY)
    plain.get_by_role("button", name="Post reply").click()
    reply = replies_to(comment_by(plain, "Grace Hopper", "Try both"), REPLY).get_by_role(
        "article", name=READER
    )
    expect(reply.get_by_text("Awaiting moderation")).to_be_visible()
