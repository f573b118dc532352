"""The post editor in admin (issue 22), as an editor finds it by accessible names: the
preview beside the text or in a tab, looking like the page; images added with a button
and a description; refused files explained with the text left alone; the permalink
filled from the title; a scheduled post called so."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from posts.models import Post
from tests.conftest import image_bytes, make_post, make_user

from .axe import describe_violations

BODY = (
    'Intro.\n\n## <input type="checkbox"> Step one\n\n1. First\n   1. Nested first\n'
    "   2. Nested second\n2. Second\n\nSquare $x^2$.\n"
)
PNG = {"name": "red-box.png", "mimeType": "image/png", "buffer": image_bytes("PNG", (40, 30))}
IMAGE_MARKDOWN = re.compile(r"!\[(.*)\]\((/media/posts/images/[0-9a-f-]{36}\.png)\)")


@pytest.fixture
def editor(transactional_db):
    return make_user(email="editor@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def an_editors_post(transactional_db):
    return make_post(body=BODY)


@pytest.fixture
def editing(page, editor, an_editors_post, log_in):
    """The page, on the post's change form in admin."""
    log_in(page, editor)
    page.goto(reverse("admin:posts_post_change", args=[an_editors_post.pk]))
    return page


@pytest.fixture(autouse=True)
def empty_storage(settings):
    settings.STORAGES = {**settings.STORAGES}


def preview(page):
    return page.frame_locator("iframe[title='Preview, as the page shows it']")


def body_of(page):
    return page.get_by_role("textbox", name="Body:")


def assert_no_axe_violations(page, axe_violations, where):
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations, where)


def choose_image(page, files):
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Add image").click()
    chooser.value.set_files(files)


def drop_file(page, name, content, mime_type):
    """Drop a file onto the Body, as dragging it from the desktop does."""
    page.get_by_role("textbox", name="Body:").evaluate(
        """(body, [name, bytes, type]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], name, { type }));
            for (const kind of ["dragenter", "dragover", "drop"]) {
                const options = { dataTransfer: transfer, bubbles: true, cancelable: true };
                body.dispatchEvent(new DragEvent(kind, options));
            }
        }""",
        [name, list(content), mime_type],
    )


# The preview


def test_the_preview_sits_beside_the_text_and_looks_like_the_page(
    editing, axe_violations, save_screenshot
):
    page = editing
    body = body_of(page)
    frame = preview(page)
    heading = frame.get_by_role("heading", name="Step one")
    expect(heading).to_be_visible()
    save_screenshot(page, "editor-side-by-side")
    # Beside the text, not under it, on a 1,280 px screen; no tabs then.
    text_box, shown = body.bounding_box(), page.locator("iframe").bounding_box()
    assert shown["x"] >= text_box["x"] + text_box["width"]
    assert abs(shown["y"] - text_box["y"]) < 2
    expect(page.get_by_role("tablist", name="Body")).to_have_count(0)
    expect(page.get_by_role("region", name="Preview")).to_be_visible()
    # The site's serif and its checklist heading: the box hangs left of the text.
    expect(heading).to_have_css("font-family", re.compile(r'^"Source Serif 4"'))
    expect(frame.get_by_role("checkbox", name="Step one")).to_have_css("position", "absolute")
    expect(frame.locator("ol ol")).to_have_css("list-style-type", "decimal")
    expect(frame.get_by_role("link", name="Link to this section: Step one")).to_be_visible()
    # The site's styles stay in the frame: the admin keeps its own face.
    admin_face = page.get_by_role("heading", name="Change post").evaluate(
        "heading => getComputedStyle(heading).fontFamily"
    )
    assert "Source Serif" not in admin_face
    save_screenshot(page, "editor-side-by-side")
    assert_no_axe_violations(page, axe_violations, "the post editor, side by side")


def test_the_preview_follows_the_texts_scrolling(editing):
    page = editing
    body = body_of(page)
    body.fill(BODY + "".join(f"\n## Part {n}\n\n" + "Words. " * 80 + "\n" for n in range(30)))
    expect(preview(page).get_by_role("heading", name="Part 29")).to_have_count(1)
    body.evaluate("body => { body.scrollTop = body.scrollHeight; }")
    frame = page.frames[1]
    page.wait_for_function(
        "frame => frame.contentWindow.scrollY + frame.contentWindow.innerHeight"
        " >= frame.contentDocument.documentElement.scrollHeight - 2",
        arg=page.locator("iframe").element_handle(),
    )
    body.evaluate("body => { body.scrollTop = 0; }")
    page.wait_for_function("frame => frame.contentWindow.scrollY === 0", arg=frame.frame_element())


def test_on_a_narrow_screen_write_and_preview_are_tabs(
    page, editor, an_editors_post, log_in, axe_violations
):
    page.set_viewport_size({"width": 800, "height": 900})
    log_in(page, editor)
    page.goto(reverse("admin:posts_post_change", args=[an_editors_post.pk]))
    tabs = page.get_by_role("tablist", name="Body")
    write, shown = tabs.get_by_role("tab", name="Write"), tabs.get_by_role("tab", name="Preview")
    expect(write).to_have_attribute("aria-selected", "true")
    expect(body_of(page)).to_be_visible()
    expect(page.locator("iframe")).to_be_hidden()
    assert_no_axe_violations(page, axe_violations, "the post editor, Write tab")

    write.focus()
    page.keyboard.press("ArrowRight")
    expect(shown).to_be_focused()
    expect(shown).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="Preview")).to_be_visible()
    expect(preview(page).get_by_role("heading", name="Step one")).to_be_visible()
    expect(body_of(page)).to_be_hidden()
    assert_no_axe_violations(page, axe_violations, "the post editor, Preview tab")

    write.click()
    expect(body_of(page)).to_be_visible()


def test_a_headings_link_scrolls_the_preview_and_opens_no_tab(editing):
    page = editing
    body = body_of(page)
    body.fill("".join(f"## Part {n}\n\n" + "Words. " * 150 + "\n\n" for n in range(12)))
    frame = preview(page)
    link = frame.get_by_role("link", name="Link to this section: Part 11")
    expect(link).to_have_count(1)
    opened = []
    page.context.on("page", lambda new: opened.append(new.url))
    expect(frame.get_by_role("heading", name="Part 11")).not_to_be_in_viewport()
    link.click()
    expect(frame.get_by_role("heading", name="Part 11")).to_be_in_viewport()
    page.wait_for_timeout(500)  # a new tab would have opened by now
    assert opened == []


def test_math_in_the_preview_follows_use_math(editing):
    page = editing
    frame = preview(page)
    expect(frame.get_by_text("Square $x^2$.")).to_be_visible()
    expect(frame.locator("math")).to_have_count(0)
    page.get_by_role("checkbox", name="Use math").check()
    expect(frame.locator("math")).to_have_count(1)
    expect(frame.get_by_text("$x^2$")).to_have_count(0)


# Images


def test_an_editor_adds_an_image_with_a_description(editing, axe_violations):
    page = editing
    body = body_of(page)
    body.fill("Before.\n\nAfter.")
    body.evaluate("body => body.setSelectionRange(9, 9)")  # at the start of "After."
    choose_image(page, PNG)

    dialog = page.get_by_role("dialog", name="Describe the image")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("textbox", name="Description (alt text)")).to_be_focused()
    assert_no_axe_violations(page, axe_violations, "the image description dialog")
    dialog.get_by_role("button", name="Insert image").click()
    expect(dialog.get_by_text("Write a description, or tick")).to_be_visible()
    expect(dialog).to_be_visible()
    expect(body).to_have_value("Before.\n\nAfter.")

    dialog.get_by_role("textbox", name="Description (alt text)").fill("A red box [sketch]")
    dialog.get_by_role("button", name="Insert image").click()

    expect(dialog).to_be_hidden()
    # The upload finishes after the dialog closes; the text changes when it has.
    expect(body).to_have_value(IMAGE_MARKDOWN)
    value = body.input_value()
    match = IMAGE_MARKDOWN.search(value)
    assert match, value
    assert value == f"Before.\n\n{match.group(0)}After."
    assert match.group(1) == r"A red box \[sketch\]"
    image = preview(page).get_by_role("img", name="A red box [sketch]")
    expect(image).to_have_attribute("width", "40")
    expect(image).to_have_attribute("height", "30")
    expect(page.get_by_role("status")).to_have_text(re.compile("red-box.png was added"))

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    stored = Post.objects.get().body_html
    assert f'<img width="40" height="30" src="{match.group(2)}"' in stored


def test_a_decorative_image_is_an_explicit_choice(editing):
    page = editing
    body = body_of(page)
    body.fill("")
    choose_image(page, PNG)
    dialog = page.get_by_role("dialog", name="Describe the image")
    dialog.get_by_role("checkbox", name="Decorative image (no description)").check()
    expect(dialog.get_by_role("textbox", name="Description (alt text)")).to_be_disabled()
    dialog.get_by_role("button", name="Insert image").click()
    expect(body).to_have_value(re.compile(r"^!\[\]\(/media/posts/images/[0-9a-f-]{36}\.png\)$"))


def test_cancelling_the_description_adds_nothing(editing):
    page = editing
    body = body_of(page)
    before = body.input_value()
    choose_image(page, PNG)
    page.get_by_role("dialog", name="Describe the image").get_by_role(
        "button", name="Cancel"
    ).click()
    expect(page.get_by_role("status")).to_have_text("red-box.png was not added.")
    expect(body).to_have_value(before)


def test_a_refused_file_is_explained_and_changes_no_text(editing):
    page = editing
    body = body_of(page)
    before = body.input_value()
    choose_image(page, {"name": "notes.png", "mimeType": "image/png", "buffer": b"just text"})
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("notes.png was not added: The file is not an image.")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(body).to_have_value(before)


def test_a_file_over_the_size_limit_is_refused_before_it_is_sent(
    page, editor, an_editors_post, log_in, settings
):
    settings.MARKDOWNX_UPLOAD_MAX_SIZE = 1024 * 1024
    log_in(page, editor)
    page.goto(reverse("admin:posts_post_change", args=[an_editors_post.pk]))
    body = body_of(page)
    before = body.input_value()
    uploads = []
    page.on(
        "request", lambda request: uploads.append(request.url) if "upload" in request.url else None
    )
    choose_image(page, {**PNG, "buffer": PNG["buffer"] + bytes(1024 * 1024 + 512 * 1024)})
    expect(page.get_by_role("alert")).to_have_text(
        "red-box.png was not added: it is 1.5 MB; the limit is 1 MB."
    )
    expect(body).to_have_value(before)
    assert uploads == []


def test_a_refused_drop_is_explained_and_changes_no_text(editing):
    """markdownx's script wrote "Invalid response" into the article (issue 22)."""
    page = editing
    body = body_of(page)
    before = body.input_value()
    drop_file(page, "old.bmp", image_bytes("BMP"), "image/bmp")
    expect(page.get_by_role("alert")).to_have_text(
        "old.bmp was not added: Files of type image/bmp are not accepted; "
        "use a JPEG, PNG, GIF or WebP image."
    )
    expect(body).to_have_value(before)
    assert "Invalid response" not in body.input_value()


def test_a_dropped_image_asks_for_its_description_too(editing):
    page = editing
    body = body_of(page)
    body.fill("")
    drop_file(page, "red-box.png", PNG["buffer"], "image/png")
    dialog = page.get_by_role("dialog", name="Describe the image")
    dialog.get_by_role("textbox", name="Description (alt text)").fill("Red")
    dialog.get_by_role("textbox", name="Description (alt text)").press("Enter")
    expect(body).to_have_value(re.compile(r"^!\[Red\]\(/media/posts/images/"))


# Addresses and dates


def test_the_permalink_follows_the_title_until_the_editor_changes_it(
    page, editor, log_in, axe_violations
):
    log_in(page, editor)
    page.goto(reverse("admin:posts_post_add"))
    title = page.get_by_role("textbox", name="Title:")
    permalink = page.get_by_role("textbox", name="Permalink:")
    expect(page.get_by_role("textbox", name="Slug:")).to_have_count(0)
    title.fill("Your first 90 days")
    expect(permalink).to_have_value("/your-first-90-days/")
    assert_no_axe_violations(page, axe_violations, "the new post editor")
    permalink.fill("/start/")
    title.fill("Your first 100 days")
    expect(permalink).to_have_value("/start/")


def test_a_scheduled_post_says_when_it_appears(page, editor, log_in, settings):
    settings.TIME_ZONE = "Europe/Paris"
    post = make_post(published_at=datetime(2127, 1, 15, 8, 0, tzinfo=UTC))
    label = "Scheduled for 15 January 2127, 09:00"
    log_in(page, editor)
    page.goto(reverse("admin:posts_post_changelist"))
    row = page.get_by_role("row").filter(has_text="A test post")
    expect(row.get_by_role("cell").filter(has_text="Scheduled")).to_have_text(label)
    row.get_by_role("link", name="A test post").click()
    expect(page.get_by_text(label)).to_be_visible()
    page.goto(post.permalink)
    expect(page.get_by_text(f"{label}, visible to staff only")).to_be_visible()
