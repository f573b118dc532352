"""Readers write a safe subset of Markdown, rendered once when saved; the preview matches."""

import pytest
from django.urls import reverse

from comments.models import Comment
from comments.rendering import render_comment
from tests.html import parse

from .conftest import post_comment

pytestmark = pytest.mark.django_db

PREVIEW_URL = reverse("comments:preview")


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("*emphasis* and **strong**", "<p><em>emphasis</em> and <strong>strong</strong></p>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("Use `pip install`", "<p>Use <code>pip install</code></p>"),
        ("```\nx = 1\n```", "<pre><code>x = 1\n</code></pre>"),
        ("line one\nline two", "<p>line one<br>\nline two</p>"),
    ],
)
def test_the_safe_markdown_subset_is_rendered(markdown, html):
    assert render_comment(markdown) == html


def test_links_work_and_are_marked_nofollow_ugc_noopener():
    tree = parse(render_comment('See [the docs](https://example.com/docs "Docs").'))

    link = tree.first("a")
    assert link.get("href") == "https://example.com/docs"
    assert link.get("title") == "Docs"
    assert link.get("rel") == "nofollow ugc noopener"
    assert link.text == "the docs"


def test_a_raw_html_link_is_shown_as_text_not_made_a_link():
    tree = parse(render_comment('<a href="https://example.com">click</a>'))

    assert tree.first("a") is None
    assert '<a href="https://example.com">click</a>' in tree.text


def test_images_are_not_rendered_as_images():
    tree = parse(render_comment("![a cat](https://example.com/cat.png)"))

    assert tree.first("img") is None


@pytest.mark.parametrize("markdown", ["# Big title", "## Smaller", "Title\n=====", "Title\n-----"])
def test_headings_are_not_rendered_as_headings(markdown):
    tree = parse(render_comment(markdown))

    assert not [e for e in tree.iter() if e.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}]
    assert "Title" in tree.text or "title" in tree.text or "Smaller" in tree.text


@pytest.mark.parametrize(
    "markdown",
    ['<b onclick="x()">bold</b>', "<div>block</div>", "<table><tr><td>1</td></tr></table>"],
)
def test_raw_html_is_shown_as_text_not_as_markup(markdown):
    tree = parse(render_comment(markdown))

    assert [element.tag for element in tree.iter()] == ["p"]
    assert tree.text == markdown


def test_a_comment_is_rendered_once_when_saved(client, a_post, a_reader):
    client.force_login(a_reader)

    post_comment(client, a_post, "Some *emphasis*, [a link](https://example.com).")

    comment = Comment.objects.get()
    assert comment.body == "Some *emphasis*, [a link](https://example.com)."
    assert comment.body_html == (
        '<p>Some <em>emphasis</em>, <a href="https://example.com" rel="nofollow ugc noopener">'
        "a link</a>.</p>"
    )


def test_the_page_shows_the_stored_html(client, a_post, a_reader):
    client.force_login(a_reader)
    post_comment(client, a_post, "**Bold** claim")
    comment = Comment.objects.get()

    html = client.get(a_post.get_absolute_url()).text

    assert comment.body_html in html


@pytest.mark.parametrize(
    "markdown",
    [
        "Some *emphasis*, **strong**, `code` and [a link](https://example.com).",
        "- a list\n- of things\n\n> and a quote",
        "    indented at the start",
        "\n\ntrailing and leading blank lines\n\n",
        "<script>alert(1)</script> ![img](https://x/y.png) # not a heading",
    ],
)
def test_the_preview_returns_the_html_the_comment_is_stored_with(
    client, a_post, a_reader, markdown
):
    client.force_login(a_reader)

    preview = client.post(PREVIEW_URL, {"body": markdown})
    post_comment(client, a_post, markdown)

    assert preview.status_code == 200
    assert preview.text == Comment.objects.get().body_html


def test_the_preview_needs_a_logged_in_reader(client):
    response = client.post(PREVIEW_URL, {"body": "*hi*"})

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_preview_accepts_only_post(client, a_reader):
    client.force_login(a_reader)

    assert client.get(PREVIEW_URL, {"body": "*hi*"}).status_code == 405


@pytest.mark.parametrize("length", [5001, 100_000])
def test_the_preview_refuses_text_over_the_length_limit(client, a_reader, length):
    client.force_login(a_reader)

    response = client.post(PREVIEW_URL, {"body": "a" * length})

    assert response.status_code == 400
    assert response.text == "Too long to preview."
