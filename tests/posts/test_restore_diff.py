"""The restore page an editor can read (issue 22): what restoring changes, as the text
readers see, block by block and word by word, with a legend, in a region that scrolls
by keyboard, under the admin's own breadcrumbs."""

import pytest
from django.urls import reverse

from posts.history import text_changes, versions_of, visible_blocks
from tests.conftest import edit_in_admin
from tests.html import parse

OLD_SENTENCE = "Allow your mind to adjust to the counter-intuitiveness."
NEW_SENTENCE = "Allow your brain to adjust to the strangeness."


def restore_url(post, version):
    return reverse("admin:posts_post_revision", args=[post.pk, version.pk])


def test_blocks_are_the_visible_text_of_paragraphs_headings_and_list_items():
    html = (
        '<h2 id="tools" class="checklist-heading"><span id="old" class="heading-alias"></span>'
        '<input type="checkbox" id="check-tools"><span class="checklist-text">Set up '
        "<em>your</em> tools</span></h2>"
        '<p>Read <a href="https://example.com/">the docs</a>.<br>Then write.</p>'
        "<ul><li><p>One</p></li><li>Two</li></ul>"
        "<table><tr><th>Name</th><th>Use</th></tr><tr><td>pip</td><td>install</td></tr></table>"
        '<p><img src="/media/a.png" alt="A cat asleep"></p><hr>'
        "<pre><code>x = 1\n</code></pre><script>hidden()</script>"
    )
    blocks = [(block.kind, " ".join(block.words)) for block in visible_blocks(html)]
    assert blocks == [
        ("Heading", "Set up your tools"),
        ("Paragraph", "Read the docs. Then write."),
        ("List item", "One"),
        ("List item", "Two"),
        ("Table row", "Name | Use"),
        ("Table row", "pip | install"),
        ("Paragraph", "[Image: A cat asleep]"),
        ("Code", "x = 1"),
    ]


def test_a_changed_word_is_marked_inside_its_paragraph():
    before = "<h2>Intro</h2><p>Keep this.</p><p>The quick brown fox jumps.</p><p>End.</p>"
    after = "<h2>Intro</h2><p>Keep this.</p><p>The quick red fox leaps high.</p><p>End.</p>"
    [change] = text_changes(before, after)
    assert (change.kind, change.status, change.unchanged_before, change.under) == (
        "Paragraph",
        "changed",
        2,
        "Intro",
    )
    assert [(part.change, part.text) for part in change.parts] == [
        ("same", "The quick"),
        ("removed", "brown"),
        ("added", "red"),
        ("same", "fox"),
        ("removed", "jumps."),
        ("added", "leaps high."),
    ]


def test_blocks_removed_and_added_whole_are_shown_whole_in_reading_order():
    before = "<p>First paragraph stays.</p><p>An old paragraph goes.</p><p>Last.</p>"
    after = "<p>First paragraph stays.</p><h2>A new heading</h2><p>Last.</p><p>A new end.</p>"
    changes = text_changes(before, after)
    assert [(c.kind, c.status, c.unchanged_before, c.parts[0].text, c.under) for c in changes] == [
        ("Paragraph", "removed", 1, "An old paragraph goes.", ""),
        ("Heading", "added", 0, "A new heading", ""),
        ("Paragraph", "added", 1, "A new end.", "A new heading"),
    ]


def test_the_same_text_with_other_markup_has_no_changes():
    before = '<p>Read <a href="/a/">the docs</a>.</p>'
    after = '<p>Read <a href="/b/"><strong>the docs</strong></a>.</p>'
    assert text_changes(before, after) == []


@pytest.mark.django_db
def test_the_restore_page_shows_the_rendered_words_that_change_with_a_legend(
    editor_client, the_article
):
    original = versions_of(the_article).first()
    edit_in_admin(
        editor_client,
        the_article,
        title="A new title",
        body=the_article.body.replace(OLD_SENTENCE, NEW_SENTENCE),
    )

    response = editor_client.get(restore_url(the_article, original))

    assert response.status_code == 200
    page = parse(response)
    assert "@@" not in response.text  # no unified diff of the source any more
    region = page.find(role="region")
    assert region["tabindex"] == "0"
    assert page.accessible_name(region) == "Body: what restoring changes"
    [block] = region.find_all("li", class_="diff-block")
    assert block.find("span", class_="diff-kind").text == (
        "Paragraph, under “Deep Learning gets easier as more time passes.”"
    )
    # Restoring puts the old words back and takes the new ones out, word by word.
    assert [d.text for d in block.find_all("del")] == [
        "[Removed: brain]",
        "[Removed: strangeness.]",
    ]
    assert [i.text for i in block.find_all("ins")] == [
        "[Added: mind]",
        "[Added: counter-intuitiveness.]",
    ]
    assert block.find("p").text.startswith("Allow your")
    assert "<input" not in block.text and "##" not in region.text  # not the Markdown
    legend = page.find("p", class_="diff-legend")
    assert legend.find("del").text == "Removed" and legend.find("ins").text == "Added"
    assert "struck through" in legend.text and "underlined" in legend.text
    fields = page.find("table", class_="restore-fields").find("tbody").find_all("tr")
    assert [[cell.text for cell in row.find_all()] for row in fields] == [
        ["Title", "A new title", "Advice for those who want to learn Deep Learning"]
    ]


@pytest.mark.django_db
def test_the_restore_page_has_the_admins_breadcrumbs(editor_client, the_article):
    edit_in_admin(editor_client, the_article, title="Edited")
    original = versions_of(the_article).last()
    page = parse(editor_client.get(restore_url(the_article, original)))
    crumbs = page.find("nav", aria_label="Breadcrumbs").find("ol", class_="breadcrumbs")
    links = [(a.text, a["href"]) for a in crumbs.find_all("a")]
    assert links == [
        ("Home", reverse("admin:index")),
        ("Posts", reverse("admin:app_list", args=["posts"])),
        ("Posts", reverse("admin:posts_post_changelist")),
        ("Edited", reverse("admin:posts_post_change", args=[the_article.pk])),
        ("History", reverse("admin:posts_post_history", args=[the_article.pk])),
    ]
    assert crumbs.find("li", aria_current="page").text == "Restore"


@pytest.mark.django_db
def test_a_version_with_the_same_text_says_so(editor_client, the_article):
    original = versions_of(the_article).first()
    edit_in_admin(editor_client, the_article, allow_comments="")
    page = parse(editor_client.get(restore_url(the_article, original)))
    assert page.first(role="region") is None
    assert "The body is the same as now." in page.find(id="content-main").text
    [row] = page.find("table", class_="restore-fields").find("tbody").find_all("tr")
    assert [cell.text for cell in row.find_all()] == ["Allow comments", "No", "Yes"]


@pytest.mark.django_db
def test_a_change_of_markup_alone_says_readers_see_the_same_text(editor_client, the_article):
    original = versions_of(the_article).first()
    body = the_article.body.replace("https://medium.com/", "https://example.com/")
    edit_in_admin(editor_client, the_article, body=body)
    page = parse(editor_client.get(restore_url(the_article, original)))
    assert page.first(role="region") is None
    assert "Readers see the same text" in page.find(id="content-main").text
