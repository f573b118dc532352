"""Readers write a safe subset of Markdown, rendered once when saved; the preview matches."""

import importlib

import pytest
from django.urls import reverse
from django.utils import timezone

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

    # The bare address inside the text is linked as any bare address is (issue 18); the
    # tag's own text is not a link.
    assert [(a.get("href"), a.text) for a in tree.find_all("a")] == [
        ("https://example.com", "https://example.com")
    ]
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


# Issue 18: bare addresses become links as GFM's autolink extension makes them.
@pytest.mark.parametrize(
    ("markdown", "href", "text"),
    [
        ("See https://example.com/docs for more.", "https://example.com/docs", None),
        ("Read http://example.org/a?b=1&c=2#d.", "http://example.org/a?b=1&c=2#d", None),
        ("Go to www.example.com.", "http://www.example.com", "www.example.com"),
        ("WWW.Example.dev/path, then", "http://WWW.Example.dev/path", "WWW.Example.dev/path"),
        ("(see https://example.com/page)", "https://example.com/page", None),
        ("https://en.wikipedia.org/wiki/Python_(language)!", None, None),
        ("Wow: https://example.com/x?!", "https://example.com/x", None),
        ("Write to someone@example.dev, please", "mailto:someone@example.dev", None),
        ("mailto:someone@example.com", "mailto:someone@example.com", "mailto:someone@example.com"),
        ("https://example.com/a?q=x&amp; more", "https://example.com/a?q=x", None),
        ("*https://example.com/emphasised*", "https://example.com/emphasised", None),
    ],
)
def test_a_bare_address_becomes_a_link_marked_like_markdown_links(markdown, href, text):
    tree = parse(render_comment(markdown))

    link = tree.first("a")
    assert link is not None, render_comment(markdown)
    expected_href = href or "https://en.wikipedia.org/wiki/Python_(language)"
    assert link.get("href") == expected_href
    assert link.text == (text or expected_href.removeprefix("mailto:"))
    assert link.get("rel") == "nofollow ugc noopener"


@pytest.mark.parametrize(
    "markdown",
    [
        "`https://example.com/in-code`",
        "```\nhttps://example.com/in-a-block\n```",
        "    https://example.com/indented-code",
        "example.com is not an address without www.",
        "ftp://example.com/file and //example.com/relative",
        "javascript:alert(1)//example.com",
        "data:text/html,<script>alert(1)</script>",
        "nowww.example.com, or www.localhost",
        r"https\://example.com",
    ],
)
def test_text_that_gfm_does_not_autolink_stays_text(markdown):
    tree = parse(render_comment(markdown))

    assert tree.first("a") is None, render_comment(markdown)


def test_an_address_already_in_a_link_is_not_linked_again():
    tree = parse(render_comment("[https://shown.example.com](https://target.example.com)"))

    links = tree.find_all("a")
    assert [(link.get("href"), link.text) for link in links] == [
        ("https://target.example.com", "https://shown.example.com")
    ]


# Issue 18: comments show no images; an image was "!" followed by a link.
@pytest.mark.parametrize(
    ("markdown", "href", "text"),
    [
        ("![a cat](https://example.com/cat.png)", "https://example.com/cat.png", "[image: a cat]"),
        ("![](https://example.com/cat.png)", "https://example.com/cat.png", "[image]"),
        ('![a *bold* cat](https://e.com/c.png "Title")', "https://e.com/c.png",
         "[image: a bold cat]"),
        ("![a cat][pic]\n\n[pic]: https://example.com/ref.png", "https://example.com/ref.png",
         "[image: a cat]"),
        ("![a cat][]\n\n[a cat]: https://example.com/ref.png", "https://example.com/ref.png",
         "[image: a cat]"),
        ("[![a cat](https://e.com/c.png)](https://e.com/page)", "https://e.com/page",
         "[image: a cat]"),
    ],
)  # fmt: skip
def test_an_image_is_shown_as_image_text_linked_without_a_stray_bang(markdown, href, text):
    tree = parse(render_comment(markdown))

    assert tree.first("img") is None
    assert "!" not in tree.text
    assert [(link.get("href"), link.text) for link in tree.find_all("a")] == [(href, text)]


@pytest.mark.parametrize(
    "markdown",
    ["![a cat](data:image/png;base64,iVBORw0KGgo=)", "![a cat](javascript:alert(1))"],
)
def test_an_image_at_an_address_no_link_may_have_is_not_linked(markdown):
    tree = parse(render_comment(markdown))

    assert tree.first("img") is None
    assert tree.find_all("a") == []


def test_comments_stored_before_issue_18_are_rendered_again_but_imported_ones_are_not(
    a_post, a_reader
):
    from django.apps import apps

    render_again = importlib.import_module(
        "comments.migrations.0005_render_autolinks_and_images"
    ).render_again
    old_html = "<p>See www.example.com ![a cat](https://e.com/c.png)</p>"
    written = Comment.objects.create(
        post=a_post,
        author=a_reader,
        body="See www.example.com ![a cat](https://e.com/c.png)",
        body_html=old_html,
        pending_body="Now https://example.org",
        pending_body_html="<p>Now https://example.org</p>",
        pending_edited_at=timezone.now(),
    )
    imported = Comment.objects.create(
        post=a_post,
        author_name="Disqus reader",
        disqus_id="123",
        body="Link text",
        body_html='<p><a href="https://disqus.example/x">Link text</a></p>',
    )

    render_again(apps, None)

    written.refresh_from_db()
    imported.refresh_from_db()
    assert written.body_html == render_comment(written.body)
    assert parse(written.body_html).first("a").text == "www.example.com"
    assert written.pending_body_html == render_comment("Now https://example.org")
    assert "disqus.example" in imported.body_html
