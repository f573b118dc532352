"""What commenters tripped over (issue 18), as a reader meets it in the browser: bare
addresses, images and right-to-left text in comments; closing a reply form; the message
after a reply and after deleting; flagging once; a comment that lives on another page;
and, without JavaScript, a refused comment's text given back."""

import re

from django.conf import settings as django_settings
from django.urls import reverse
from playwright.sync_api import expect

from comments.models import Comment, Flag
from comments.moderation import create_comment, moderate
from tests.conftest import make_user

from .test_comments import (
    POST_PATH,
    READER,
    assert_no_axe_violations,
    comment_by,
    comments_section,
    main_form,
)

ARABIC = "مرحبا بكم، هذا تعليق باللغة العربية."
HEBREW = "שלום, זו תגובה בעברית."


def approved(post, author, body, parent=None):
    comment = create_comment(post=post, author=author, body=body, parent=parent)
    moderate(
        source="admin",
        comments=Comment.objects.filter(pk=comment.pk),
        status="approved",
        moderator=None,
    )
    return comment


def is_rtl(locator):
    return locator.evaluate("element => element.matches(':dir(rtl)')")


def test_bare_addresses_become_links_and_an_image_is_its_text(page, a_post, log_in, axe_violations):
    log_in(page, make_user(display_name=READER))
    page.goto(POST_PATH)
    form = main_form(page)
    form.get_by_label("Your comment").fill(
        "Docs at https://example.org/wiki/Python_(language). Also see www.example.com, "
        "or write to help@example.dev. Code stays: `https://example.net/code`\n\n"
        "![a tabby cat](https://example.com/cat.png) and [![](https://example.com/x.png)]"
        "(https://example.com/gallery)"
    )

    form.get_by_role("button", name="Preview").click()
    preview = form.locator("[data-preview]")
    expect(preview.get_by_role("link", name="www.example.com")).to_have_attribute(
        "href", "http://www.example.com"
    )
    form.get_by_role("button", name="Post comment").click()

    mine = comment_by(page, READER, "Docs at")
    for name, href in [
        (
            "https://example.org/wiki/Python_(language)",
            "https://example.org/wiki/Python_(language)",
        ),
        ("www.example.com", "http://www.example.com"),
        ("help@example.dev", "mailto:help@example.dev"),
        ("[image: a tabby cat]", "https://example.com/cat.png"),
        ("[image]", "https://example.com/gallery"),
    ]:
        link = mine.get_by_role("link", name=name, exact=True)
        expect(link).to_have_attribute("href", href)
        expect(link).to_have_attribute("rel", "nofollow ugc noopener")
    expect(mine.get_by_role("link", name="https://example.net/code")).to_have_count(0)
    expect(mine.get_by_role("img")).to_have_count(0)
    expect(mine.locator(".comment-body")).not_to_contain_text("!")

    page.reload()  # as stored, not only as the script inserted it
    expect(
        comment_by(page, READER, "Docs at").get_by_role("link", name="[image: a tabby cat]")
    ).to_be_visible()
    assert_no_axe_violations(page, axe_violations, "a comment with autolinks and an image")


def test_right_to_left_comments_are_laid_out_right_to_left(page, a_post, log_in, axe_violations):
    writer = make_user(email="writer@example.com", display_name="Layla")
    mixed = approved(a_post, writer, f"{ARABIC}\n\nEnglish words inside: https://example.com")
    english = approved(a_post, writer, "An English comment, for contrast.")
    reader = make_user(display_name=READER)
    log_in(page, reader)
    page.goto(POST_PATH)

    arabic_body = page.locator(f"#comment-{mixed.pk} .comment-body")
    expect(arabic_body).to_contain_text(ARABIC)
    assert is_rtl(arabic_body)
    assert not is_rtl(page.locator(f"#comment-{english.pk} .comment-body"))

    # Writing: the text area and the preview follow the text's direction.
    form = main_form(page)
    box = form.get_by_label("Your comment")
    box.fill(HEBREW)
    assert is_rtl(box)
    form.get_by_role("button", name="Preview").click()
    preview = form.locator("[data-preview]")
    expect(preview).to_contain_text(HEBREW)
    assert is_rtl(preview)
    form.get_by_role("button", name="Post comment").click()
    mine = comment_by(page, READER, HEBREW)
    assert is_rtl(mine.locator(".comment-body"))
    assert_no_axe_violations(page, axe_violations, "right-to-left comments")

    # The pages that quote a comment: reply and flag.
    page.goto(reverse("comments:reply", args=[mixed.pk]))
    assert is_rtl(page.get_by_role("blockquote").get_by_text(ARABIC))
    assert_no_axe_violations(page, axe_violations, "the reply page quoting Arabic")
    page.goto(reverse("comments:flag", args=[mixed.pk]))
    assert is_rtl(page.get_by_role("blockquote").get_by_text(ARABIC))
    assert_no_axe_violations(page, axe_violations, "the flag page quoting Arabic")


def test_a_reply_form_closes_with_cancel_or_escape_and_gives_focus_back(
    page, a_post, log_in, axe_violations
):
    grace = make_user(email="grace@example.com", display_name="Grace Hopper")
    approved(a_post, grace, "Start with the small projects.")
    log_in(page, make_user(display_name=READER))
    page.goto(POST_PATH)
    parent = comment_by(page, "Grace Hopper", "small projects")
    reply_link = parent.get_by_role("link", name="Reply to Grace Hopper")

    reply_link.click()
    expect(parent.get_by_label("Your comment")).to_be_focused()
    assert_no_axe_violations(page, axe_violations, "an open reply form with Cancel")
    parent.get_by_role("button", name="Cancel").click()
    expect(parent.get_by_role("button", name="Post reply")).to_have_count(0)
    expect(parent.get_by_role("heading", name="Reply to Grace Hopper")).to_have_count(0)
    expect(reply_link).to_be_focused()

    # Escape closes it too; the draft is still there when it opens again.
    reply_link.click()
    parent.get_by_label("Your comment").fill("A draft I will finish later")
    page.keyboard.press("Escape")
    expect(parent.get_by_role("button", name="Post reply")).to_have_count(0)
    expect(reply_link).to_be_focused()
    reply_link.click()
    expect(parent.get_by_label("Your comment")).to_have_value("A draft I will finish later")
    expect(parent.get_by_label("Your comment")).to_be_focused()


def test_the_message_after_a_reply_stays_once_the_reply_form_closes(
    page, a_post, log_in, axe_violations
):
    grace = make_user(email="grace@example.com", display_name="Grace Hopper")
    approved(a_post, grace, "Start with the small projects.")
    log_in(page, make_user(display_name=READER))
    page.goto(POST_PATH)
    parent = comment_by(page, "Grace Hopper", "small projects")

    parent.get_by_role("link", name="Reply to Grace Hopper").click()
    parent.get_by_label("Your comment").fill("Which small project first?")
    parent.get_by_role("button", name="Post reply").click()

    expect(parent.get_by_role("button", name="Post reply")).to_have_count(0)
    status = parent.get_by_role("status").filter(has_text="posted")
    expect(status).to_have_text("Your comment is posted and awaits moderation.")
    expect(status).to_be_visible()
    assert_no_axe_violations(page, axe_violations, "the discussion after a reply")


def test_after_flagging_the_comment_says_flagged_also_after_a_reload(
    page, a_post, log_in, axe_violations
):
    grace = make_user(email="grace@example.com", display_name="Grace Hopper")
    approved(a_post, grace, "Buy my course at a discount!")
    approved(a_post, grace, "A fair point about practice.")
    reader = make_user(display_name=READER)
    log_in(page, reader)
    page.goto(POST_PATH)  # the reader's page is now in the page cache
    dubious = comment_by(page, "Grace Hopper", "Buy my course")

    dubious.get_by_role("link", name="Flag comment by Grace Hopper").click()
    # Each radio sits beside its label, on the label's line.
    for label in ("Spam or advertising", "Abusive or harassing", "Off topic", "Something else"):
        radio = page.get_by_role("radio", name=label).bounding_box()
        text = page.get_by_text(label, exact=True).bounding_box()
        assert 0 <= text["x"] - (radio["x"] + radio["width"]) <= 16, label
        assert abs((text["y"] + text["height"] / 2) - (radio["y"] + radio["height"] / 2)) < 8
    expect(page.get_by_role("group", name="Why should a moderator look?")).to_be_visible()
    assert_no_axe_violations(page, axe_violations, "the flag page")
    page.get_by_role("radio", name="Spam or advertising").check()
    page.get_by_role("button", name="Flag comment").click()
    expect(page.get_by_role("status")).to_have_text(
        "Thank you: a moderator will look at this comment."
    )
    page.get_by_role("link", name="Back to the discussion").click()

    for _ in range(2):  # as it opens, and after a reload
        dubious = comment_by(page, "Grace Hopper", "Buy my course")
        expect(dubious.get_by_text("Flagged", exact=True)).to_be_visible()
        expect(dubious.get_by_role("link", name=re.compile("^Flag"))).to_have_count(0)
        other = comment_by(page, "Grace Hopper", "fair point")
        expect(other.get_by_role("link", name="Flag comment by Grace Hopper")).to_be_visible()
        page.reload()
    assert_no_axe_violations(page, axe_violations, "the discussion with a flagged comment")

    # The flag page itself no longer takes a second flag.
    flagged = Comment.objects.get(body__startswith="Buy my course")
    page.goto(reverse("comments:flag", args=[flagged.pk]))
    expect(page.get_by_role("status")).to_contain_text("You have already flagged this comment")
    expect(page.get_by_role("button", name="Flag comment")).to_have_count(0)
    assert_no_axe_violations(page, axe_violations, "the flag page of a flagged comment")
    assert Flag.objects.filter(user=reader).count() == 1


def test_a_comment_posted_on_page_one_that_lives_on_page_two_says_where_it_went(
    page, new_page, a_post, log_in, settings, axe_violations
):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    grace = make_user(email="grace@example.com", display_name="Grace Hopper")
    for body in ("First thread.", "Second thread."):
        approved(a_post, grace, body)
    reader = make_user(display_name=READER)
    log_in(page, reader)
    page.goto(POST_PATH)
    expect(page.get_by_text("Page 1 of 1")).to_have_count(0)

    form = main_form(page)
    form.get_by_label("Your comment").fill("Posted from page one.")
    form.get_by_role("button", name="Post comment").click()

    expect(form.get_by_role("status")).to_have_text(
        "Your comment was posted on page 2 and awaits moderation. Go to your comment"
    )
    # Not shown on page 1, where a reload would take it away again.
    expect(comments_section(page).get_by_text("Posted from page one.")).to_have_count(0)
    expect(page.get_by_role("heading", name="Comments (3)")).to_be_visible()
    assert_no_axe_violations(page, axe_violations, "the message about page 2")
    form.get_by_role("link", name="Go to your comment").click()
    expect(page).to_have_url(re.compile(r"\?comments=2#comment-\d+$"))
    expect(comment_by(page, READER, "Posted from page one.")).to_be_visible()
    assert_no_axe_violations(page, axe_violations, "page 2 of the discussion")

    # Without JavaScript, posting leads to the comment on its page.
    plain = log_in(new_page(java_script_enabled=False), reader)
    plain.goto(POST_PATH)
    plain_form = main_form(plain)
    plain_form.get_by_label("Your comment").fill("Posted without the script.")
    plain_form.get_by_role("button", name="Post comment").click()
    expect(plain).to_have_url(re.compile(r"\?comments=2#comment-\d+$"))
    expect(comment_by(plain, READER, "Posted without the script.")).to_be_visible()


def test_deleting_ones_comment_is_confirmed(page, a_post, log_in, axe_violations):
    reader = make_user(display_name=READER)
    create_comment(post=a_post, author=reader, body="A comment I regret.")
    log_in(page, reader)
    page.goto(POST_PATH)

    comment_by(page, READER, "regret").get_by_role("link", name="Delete your comment").click()
    page.get_by_role("button", name="Delete comment").click()

    expect(page.get_by_role("status").filter(has_text="deleted")).to_have_text(
        "Your comment is deleted."
    )
    expect(page.get_by_text("A comment I regret.")).to_have_count(0)
    assert_no_axe_violations(page, axe_violations, "the post after deleting a comment")


def test_without_javascript_a_rate_limited_comment_comes_back_in_the_form(
    page, new_page, a_post, log_in, settings, axe_violations
):
    settings.COMMENTS_RATE_LIMIT_PER_READER = 1
    reader = make_user(display_name=READER)
    plain = log_in(new_page(java_script_enabled=False), reader)
    plain.goto(POST_PATH)
    main_form(plain).get_by_label("Your comment").fill("My first comment.")
    main_form(plain).get_by_role("button", name="Post comment").click()

    plain.goto(POST_PATH)
    text = "A long answer\nthat took me twenty minutes to write."
    main_form(plain).get_by_label("Your comment").fill(text)
    main_form(plain).get_by_role("button", name="Post comment").click()

    expect(plain.get_by_role("alert")).to_contain_text("You are commenting too quickly")
    expect(plain.get_by_role("alert")).to_contain_text("your text is still in the form")
    expect(plain.get_by_label("Your comment")).to_have_value(text)
    expect(plain.get_by_role("button", name="Post comment")).to_be_visible()

    # The same page, checked by axe (which needs JavaScript): the reply page posts
    # without the script, so its refusal is the no-JavaScript page.
    grace = make_user(email="grace@example.com", display_name="Grace Hopper")
    started = approved(a_post, grace, "Start small.")
    log_in(page, reader)
    page.goto(reverse("comments:reply", args=[started.pk]))
    page.get_by_label("Your comment").fill("A reply, limited too.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("alert")).to_contain_text("You are commenting too quickly")
    expect(page.get_by_label("Your comment")).to_have_value("A reply, limited too.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reply to Grace Hopper")
    assert_no_axe_violations(page, axe_violations, "the rate-limited reply form")


def test_a_reply_sent_after_the_session_ended_comes_back_to_copy(
    page, a_post, log_in, axe_violations
):
    grace = make_user(email="grace@example.com", display_name="Grace Hopper")
    started = approved(a_post, grace, "Start small.")
    log_in(page, make_user(display_name=READER))
    # The reply page posts without the script, as every form does without JavaScript.
    page.goto(reverse("comments:reply", args=[started.pk]))
    text = "Written while my session ran out."
    page.get_by_label("Your comment").fill(text)
    # The session ends meanwhile; the CSRF cookie (kept for a year) stays.
    page.context.clear_cookies(name=django_settings.SESSION_COOKIE_NAME)
    page.get_by_role("button", name="Post reply").click()

    expect(page.get_by_role("alert")).to_contain_text("You are no longer logged in")
    expect(page.get_by_label("Your text, to copy and keep")).to_have_value(text)
    expect(page.get_by_role("main").get_by_role("link", name="Log in")).to_be_visible()
    assert_no_axe_violations(page, axe_violations, "a refused comment given back")
