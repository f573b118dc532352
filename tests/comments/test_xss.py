"""Script injection: a corpus of attacks, each posted, approved and read back the way a
browser would read the page, the preview and the script's JSON."""

import re

import pytest
from django.urls import reverse

from comments.models import Comment
from comments.moderation import moderate
from tests.conftest import run_on_commit
from tests.html import parse

from .conftest import post_comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<style>body{display:none}</style>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click]( javascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](javascript://%0Aalert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
    "[click](java&#09;script:alert(1))",
    "[click](javascript&colon;alert(1))",
    '<a href="&#x6A;avascript:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href=" &#14;  javascript:alert(1)">click</a>',
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<!-- --><script>alert(1)</script><!-- -->",
    "--><script>alert(1)</script><!--",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</div></article><script>alert(1)</script>",
    "[click][evil]\n\n[evil]: javascript:alert(1)",
    '[click][evil]\n\n[evil]: <javascript:alert(1)> "title"',
    "<div><p><b>unterminated <script>alert(1)",
    "<scr<script>ipt>alert(1)</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    (
        '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;'
        '&lt;img&Tab;src=1&Tab;onerror=alert(1)&gt;">'
    ),
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<details open ontoggle=alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    "[<img src=x onerror=alert(1)>](https://example.com)",
    '[click](https://example.com "\\" onmouseover=\\"alert(1)")',
    '[click](https://example.com" onmouseover="alert(1))',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "`<script>alert(1)</script>`",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "> <script>alert(1)</script>",
    "- <img src=x onerror=alert(1)>",
]

FORBIDDEN_ELEMENTS = {
    "script", "iframe", "frame", "object", "embed", "style", "svg", "math", "img",
    "form", "base", "meta", "link", "noscript", "details", "template",
}  # fmt: skip
ALLOWED_IN_BODY = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre"}
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "srcset",
    "background", "poster", "content",
}  # fmt: skip
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")


def url_scheme_is_dangerous(value):
    """As a browser reads a URL: tabs and newlines dropped anywhere, control characters
    and spaces stripped from the ends, the scheme compared case-insensitively."""
    value = re.sub(r"[\t\n\r]", "", value)
    value = value.strip("".join(chr(c) for c in range(0x21)) + "\x7f").lower()
    return value.startswith(DANGEROUS_SCHEMES)


def assert_harmless(element, where):
    for child in [element, *element.iter()]:
        assert child.tag not in FORBIDDEN_ELEMENTS, f"<{child.tag}> in {where}"
        for name, value in child.attrs.items():
            assert not name.lower().startswith("on"), f"{name}= on <{child.tag}> in {where}"
            assert name.lower() != "style", f"style= on <{child.tag}> in {where}"
            if name.lower() in URL_ATTRIBUTES:
                assert not url_scheme_is_dangerous(value), f'{name}="{value}" in {where}'


def assert_only_safe_markup(fragment, where):
    tags = {element.tag for element in fragment.iter()}
    assert tags <= ALLOWED_IN_BODY, f"{tags - ALLOWED_IN_BODY} in {where}"
    for link in fragment.find_all("a"):
        assert link.get("rel") == "nofollow ugc noopener", where


def test_the_corpus_is_big_enough():
    assert len(PAYLOADS) >= 25
    assert len(set(PAYLOADS)) == len(PAYLOADS)


def test_the_scheme_check_itself_catches_what_browsers_run():
    for value in ["javascript:x", " JavaScript:x", "\x01java\tscript:x", "DATA:text/html,x"]:
        assert url_scheme_is_dangerous(value)
    for value in ["https://example.com", "/relative", "mailto:a@example.com", "#top"]:
        assert not url_scheme_is_dangerous(value)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_an_attack_posted_approved_and_shown_on_the_page_is_harmless(
    client, a_post, a_reader, an_editor, payload
):
    client.force_login(a_reader)

    response = post_comment(client, a_post, payload, json=True)
    assert response.status_code == 201, response.content
    comment = Comment.objects.get(pk=response.json()["id"])
    with run_on_commit():
        moderate(
            source="admin",
            comments=Comment.objects.filter(pk=comment.pk),
            status="approved",
            moderator=an_editor,
        )
    client.logout()
    page = parse(client.get(a_post.get_absolute_url()).content)

    element = page.by_id(f"comment-{comment.pk}")
    assert element is not None
    assert_harmless(element, "the comment on the page")
    assert_only_safe_markup(element.first("div", class_="comment-body"), "the comment's body")
    # Nothing broke out of the comment either: the page's only scripts are its own files
    # and the post's JSON-LD data block, which browsers never run (issue 21).
    assert all(
        s.get("src", "").startswith("/static/") or s.get("type") == "application/ld+json"
        for s in page.find_all("script")
    )
    assert not [e for e in page.iter() if any(a.startswith("on") for a in e.attrs)]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_an_attack_in_the_preview_and_the_json_answer_is_harmless(
    client, a_post, a_reader, payload
):
    client.force_login(a_reader)

    preview = client.post(reverse("comments:preview"), {"body": payload})
    answer = post_comment(client, a_post, payload, json=True)

    assert preview.status_code == 200
    preview_tree = parse(preview.content)
    assert_harmless(preview_tree, "the preview")
    assert_only_safe_markup(preview_tree, "the preview")
    json_tree = parse(answer.json()["html"])
    assert_harmless(json_tree, "the JSON html")
    assert_only_safe_markup(json_tree.first("div", class_="comment-body"), "the JSON html")


def test_the_text_of_an_attack_is_shown_not_run(client, a_post, a_staff_member):
    client.force_login(a_staff_member)  # trusted: approved at once

    post_comment(client, a_post, "<script>alert(1)</script>")

    tree = parse(client.get(a_post.get_absolute_url()).content)
    body = tree.by_id(f"comment-{Comment.objects.get().pk}").first("div", class_="comment-body")
    assert body.text == "<script>alert(1)</script>"


@pytest.mark.parametrize(
    "html",
    [
        '<a href="java\tscript:alert(1)">x</a>',
        '<a href=" DATA:text/html,x">x</a>',
        "<img src=x onerror=alert(1)>",
        "<p onclick=alert(1)>x</p>",
        "<svg></svg>",
    ],
)
def test_the_checks_would_catch_an_attack_that_got_through(html):
    with pytest.raises(AssertionError):
        assert_harmless(parse(html), "raw HTML")
