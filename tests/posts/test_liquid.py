"""Liquid in imported Jekyll posts is read, never printed (issue 21).

What Jekyll 4 renders from each construct, and what the page shows after an import:
site URLs and their filters, post_url and link, highlight, raw and comment blocks, and
a visible placeholder with a warning (file, line, tag) for everything else.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from posts.importing import import_post
from posts.liquid import resolve_liquid
from posts.markdown import render
from posts.models import Post
from tests.conftest import CASES
from tests.html import parse

SITE = {"baseurl": "/blog", "url": "https://old.example"}
POSTS = {"2010-07-21-name": "/2010/07/21/name.html", "2019/2019-01-02-deep": "/deep/"}
FILES = {"assets/paper.pdf": "/assets/paper.pdf"}


def resolve(text, site=SITE):
    return resolve_liquid(
        text, site=site, lookup_post=POSTS.get, lookup_file=FILES.get, source_name="p.md"
    )


def html_of(text):
    return render(text).html


@pytest.mark.parametrize(
    ("written", "jekyll"),
    [
        ("{{ site.baseurl }}/assets/a.png", "/blog/assets/a.png"),
        ("{{site.url}}{{site.baseurl}}/x/", "https://old.example/blog/x/"),
        ("{{ '/assets/a.png' | relative_url }}", "/blog/assets/a.png"),
        ('{{ "assets/a.png" | relative_url }}', "/blog/assets/a.png"),
        ("{{ '/assets/a.png' | absolute_url }}", "https://old.example/blog/assets/a.png"),
        ("{{ 'https://cdn.example/a.png' | relative_url }}", "https://cdn.example/a.png"),
        ("{{ '/a.png' | prepend: site.baseurl }}", "/blog/a.png"),
        ("{{ site.github.url }}/a/", "https://old.example/blog/a/"),
        # Jekyll 4's post_url and link include the base URL (relative_url) ...
        ("{% post_url 2010-07-21-name %}", "/blog/2010/07/21/name.html"),
        ("{% post_url 2019/2019-01-02-deep %}", "/blog/deep/"),
        ("{% link assets/paper.pdf %}", "/blog/assets/paper.pdf"),
        ("{% link _posts/2010-07-21-name.md %}", "/blog/2010/07/21/name.html"),
        # ... so a Jekyll 3 post that prepends it gets it once.
        ("{{ site.baseurl }}{% post_url 2010-07-21-name %}", "/blog/2010/07/21/name.html"),
        ("{{ site.baseurl }}{% link assets/paper.pdf %}", "/blog/assets/paper.pdf"),
    ],
)
def test_site_addresses_and_links_resolve_as_jekyll_4_resolves_them(written, jekyll):
    assert resolve(f"[x]({written})") == (f"[x]({jekyll})", [])


def test_any_text_setting_of_the_site_resolves():
    site = {**SITE, "repository": "jekyll/jekyll", "author": {"name": "Ann"}, "n": 3}
    text, warnings = resolve("{{ site.repository }} {{ site.author.name }} {{ site.n }}", site)
    assert (text, warnings) == ("jekyll/jekyll Ann 3", [])


def test_the_front_matter_is_page():
    text, warnings = resolve_liquid(
        "# {{ page.title }}\n\nBy {{ page.author.name }}.",
        site={},
        lookup_post=POSTS.get,
        lookup_file=FILES.get,
        source_name="p.md",
        page={"title": "Hello", "author": {"name": "Ann"}},
    )
    assert (text, warnings) == ("# Hello\n\nBy Ann.", [])


def test_a_loop_over_what_the_post_assigns_is_rendered_as_liquid_renders_it():
    # Jekyll's own release notes make their issue links this way.
    text, warnings = resolve(
        '{% assign issues = "1037|1040" | split: "|" %}\n'
        "{% for issue in issues %}\n[#{{ issue }}]: {{ site.repository }}/issues/{{ issue }}\n"
        "{% endfor %}",
        site={"repository": "https://github.com/jekyll/jekyll"},
    )
    assert warnings == []
    assert text == (
        "\n\n[#1037]: https://github.com/jekyll/jekyll/issues/1037\n"
        "\n[#1040]: https://github.com/jekyll/jekyll/issues/1040\n"
    )


@pytest.mark.parametrize(
    ("written", "jekyll"),
    [
        ("{% if page.draft %}Draft{% else %}Final{% endif %}", "Final"),
        ("{% if page.lang == 'fr' %}Bonjour{% elsif page.lang == 'en' %}Hi{% endif %}", "Hi"),
        ("{% unless page.hide_note %}Note{% endunless %}", "Note"),
        ("{% if site.show and page.lang != 'fr' %}Shown{% endif %}", "Shown"),
        ("{% if page.tags contains 'ml' %}ML{% endif %}", "ML"),
        ("{% for n in (1..3) %}{% if forloop.last %}{{ n }}{% endif %}{% endfor %}", "3"),
        ("{% if false %}{% raw %}{% else %}{% endraw %}{% else %}B{% endif %}", "B"),
    ],
)
def test_conditions_on_what_is_known_are_rendered_as_liquid_renders_them(written, jekyll):
    text, warnings = resolve_liquid(
        written,
        site={"show": True},
        lookup_post=POSTS.get,
        lookup_file=FILES.get,
        source_name="p.md",
        page={"draft": False, "lang": "en", "tags": ["ml"], "hide_note": None},
    )
    assert (text, warnings) == (jekyll, [])


def test_a_loops_else_is_what_an_empty_list_shows():
    text, warnings = resolve(
        '{% assign none = "" | split: "," %}{% for x in none %}{{ x }}{% else %}Nothing{% endfor %}'
        "{% for n in (1..2) %}{{ n }}{% if n == 1 %}a{% else %}b{% endif %}{% else %}-{% endfor %}"
    )
    assert (text, warnings) == ("Nothing1a2b", [])


def test_capture_prints_nothing_and_sets_its_variable():
    text, warnings = resolve(
        "{% capture img %}{{ site.baseurl }}/a.png{% endcapture %}![x]({{ img }})"
    )
    assert (text, warnings) == ("![x](/blog/a.png)", [])


def test_a_loop_over_a_range_with_limit_offset_and_reversed():
    text, _ = resolve("{% for n in (1..5) offset:1 limit:3 reversed %}{{ n }}{% endfor %}")
    assert text == "432"
    text, _ = resolve("{% for n in (1..3) %}{{ forloop.index }}/{{ forloop.length }} {% endfor %}")
    assert text == "1/3 2/3 3/3 "


@pytest.mark.parametrize(
    "written",
    [
        "{% for i in (1..1000000000) %}x{% endfor %}",
        "{% for i in (1..5000) %}{% for j in (1..5000) %}x{% endfor %}{% endfor %}",
    ],
)
def test_a_loop_too_long_to_render_is_a_placeholder(written):
    text, warnings = resolve(written)
    assert text.startswith('<span class="liquid-placeholder">&#123;% for i in (1..')
    assert text.count("liquid-placeholder") == 1
    assert all("is not rendered here" in warning for warning in warnings)


def test_stray_openings_are_text_and_cost_no_scan_of_the_file():
    for text in ("{{ " * 50_000, "{% " * 50_000, "{% if x %}" * 20_000 + "{{ page.x }}"):
        resolved, warnings = resolve(text)
        assert len(warnings) <= 2
        assert resolved.startswith(text[:30])


def test_an_empty_baseurl_gives_root_addresses():
    text, warnings = resolve("{{ site.baseurl }}/a.png {{ 'b.png' | relative_url }}", site={})
    assert (text, warnings) == ("/a.png /b.png", [])


def test_a_post_that_was_not_imported_is_a_warning_with_the_line_and_a_dead_link():
    text, warnings = resolve("Intro.\n\nSee [it]({% post_url 2001-01-01-gone %}).\n")
    assert text == "Intro.\n\nSee [it](#liquid-unresolved).\n"
    assert warnings == [
        "p.md, line 3: Liquid {% post_url 2001-01-01-gone %}: no imported post is "
        "2001-01-01-gone; the link leads nowhere"
    ]


def test_highlight_becomes_a_fenced_block_whose_comments_are_never_headings():
    text, warnings = resolve(
        "Load it:\n{% highlight python linenos %}\n# load the data\nimport numpy\n"
        "{% endhighlight %}\nDone.\n"
    )
    page = parse(html_of(text))
    assert warnings == []
    assert page.find_all("h1") == []
    [code] = page.find_all("code")
    assert code["class"] == "language-python"
    assert code.raw_text == "# load the data\nimport numpy\n"


def test_highlight_inside_a_list_item_stays_in_the_item():
    text, _ = resolve(
        "1. Run\n   {% highlight bash %}\n   ls -la\n   {% endhighlight %}\n2. Next\n"
    )
    page = parse(html_of(text))
    [first, _] = page.find_all("li")
    assert first.find("code").raw_text == "ls -la\n"


def test_highlight_inside_raw_html_is_code_as_jekyll_made_it_not_a_fence_shown_as_text():
    # kramdown keeps an unclosed <p> (and what follows) as raw HTML: Jekyll's highlight
    # became HTML before kramdown read it, so a fence there would show as text.
    text, _ = resolve(
        "<p>Part 2: an open paragraph\n\nEcco shows the scores.\n\n"
        '{% highlight py %}\n# Generate one token\nx = lm.generate("<a>", 1)\n'
        "{% endhighlight %}\n\n"
        '<div class="cite" markdown="1">\n\n{% highlight text %}\nAlammar, J.\n'
        "{% endhighlight %}\n\n</div>\n"
    )
    page = parse(render(text, dialect="kramdown").html)
    first, second = page.find_all("code")
    assert first["class"] == "language-py"
    assert first.raw_text == '# Generate one token\nx = lm.generate("<a>", 1)\n'
    assert second.raw_text == "Alammar, J.\n"
    assert "```" not in page.text


def test_highlight_holding_backtick_fences_keeps_them_as_code():
    text, _ = resolve("{% highlight markdown %}\n```\nx\n```\n{% endhighlight %}\n")
    assert parse(html_of(text)).find("code").raw_text == "```\nx\n```\n"


def test_raw_is_unwrapped_and_its_text_kept_literally():
    text, warnings = resolve("Write {% raw %}{{ page.title }} and {% include x %}{% endraw %}.")
    assert (text, warnings) == ("Write {{ page.title }} and {% include x %}.", [])


def test_a_comment_block_renders_nothing_and_dashes_trim_whitespace_as_in_liquid():
    assert resolve("a  {%- comment -%} note {%- endcomment -%}  b") == ("ab", [])
    assert resolve("a {%- comment %}x{% endcomment %} b") == ("a b", [])


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("{% include figure.html src='a.png' %}", "{% include figure.html src='a.png' %}"),
        ("{% cite smith_2020 %}", "{% cite smith_2020 %}"),
        ("{{ page.title }}", "{{ page.title }}"),
        ("{{ '/a' | relative_url | markdownify }}", "{{ '/a' | relative_url | markdownify }}"),
        (
            "{% for p in site.posts %}\n* {{ p.title }}\n{% endfor %}",
            "{% for p in site.posts %} … {% endfor %}",
        ),
        ("{% if page.url %}*yes*{% else %}no{% endif %}", "{% if page.url %} … {% endif %}"),
    ],
)
def test_any_other_tag_is_a_visible_placeholder_and_a_warning(written, shown):
    text, warnings = resolve(f"Before.\n\nText {written} after.\n")
    [placeholder] = parse(html_of(text)).find_all("span", **{"class": "liquid-placeholder"})
    assert placeholder.text == shown  # shown as written: no emphasis, link or math made of it
    [warning] = warnings
    assert warning.startswith("p.md, line 3: Liquid ")
    assert shown.split(" … ")[0] in warning


def test_a_warning_counts_the_lines_of_the_front_matter():
    _, [warning] = resolve_liquid(
        "x\n{{ page.x }}",
        site={},
        lookup_post=POSTS.get,
        lookup_file=FILES.get,
        source_name="f.md",
        line_offset=5,
    )
    assert warning.startswith("f.md, line 7: ")


def test_inside_code_an_unknown_tag_is_kept_as_written_and_known_ones_resolve():
    text, warnings = resolve(
        "Use `{{ page.title }}`.\n\n```\n{% include x.html %}\n{{ site.baseurl }}/a\n```\n"
    )
    assert text == "Use `{{ page.title }}`.\n\n```\n{% include x.html %}\n/blog/a\n```\n"
    assert [warning.split(": ", 1)[0] for warning in warnings] == ["p.md, line 1", "p.md, line 4"]
    assert all("kept as written in code" in warning for warning in warnings)


def test_double_braces_in_math_are_tex_and_kept():
    text = "Let $$\\frac{{a}}{b}$$ be.\n"
    assert resolve(text)[0] == text


def test_an_unknown_output_in_an_address_or_a_tag_leaves_the_markup_whole():
    text, warnings = resolve('![a]({{ page.image }}) <img alt="{{ page.alt }}" src="/b.png">')
    assert text == '![a](#liquid-unresolved) <img alt="" src="/b.png">'
    assert len(warnings) == 2


def test_an_unclosed_block_is_kept_as_written_with_a_warning():
    text, [warning] = resolve("{% raw %} never closed")
    assert text == "{% raw %} never closed"
    assert "has no {% endraw %}" in warning


def test_text_without_liquid_is_untouched():
    text = "Braces { and } and {#id} and a single { % are not Liquid.\n"
    assert resolve(text) == (text, [])


# Through the importer


@pytest.mark.django_db
def test_import_post_resolves_post_url_to_the_post_imported_from_that_file(tmp_path):
    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    (posts / "2010-07-21-first.md").write_text("---\ntitle: First\n---\nHello.\n")
    import_post(posts / "2010-07-21-first.md")
    (posts / "2011-01-01-second.md").write_text(
        "---\ntitle: Second\n---\nAfter [the first]({% post_url 2010-07-21-first %}).\n"
    )
    result = import_post(posts / "2011-01-01-second.md")
    assert result.warnings == []
    link = parse(result.post.body_html).find("a")
    assert link["href"] == Post.objects.get(title="First").permalink


@pytest.mark.django_db
def test_import_post_links_to_a_post_of_the_site_not_imported_yet_at_its_coming_address(
    tmp_path,
):
    posts = tmp_path / "site" / "_posts" / "ml"
    posts.mkdir(parents=True)
    (posts / "2019-02-01-later.md").write_text(
        "---\ntitle: Later\npermalink: /:year/:title/\n---\nText.\n"
    )
    (posts / "2018-01-01-earlier.md").write_text(
        "---\ntitle: Earlier\n---\nSee [later]({% post_url 2019-02-01-later %}).\n"
    )
    earlier = import_post(posts / "2018-01-01-earlier.md")
    later = import_post(posts / "2019-02-01-later.md")
    assert earlier.warnings == []
    assert parse(earlier.post.body_html).find("a")["href"] == later.post.permalink


@pytest.mark.django_db
def test_import_post_warns_about_the_tag_by_file_and_line_and_the_page_shows_it(tmp_path, client):
    path = tmp_path / "2020-01-01-cites.md"
    path.write_text(
        "---\ntitle: Cites\npermalink: /cites/\n---\n\nAs shown {% cite lecun1998 %}.\n"
    )
    stderr = StringIO()
    call_command("import_post", str(path), stdout=StringIO(), stderr=stderr)
    assert stderr.getvalue() == (
        f"{path}: warning: 2020-01-01-cites.md, line 6: Liquid {{% cite lecun1998 %}}: no "
        "BibTeX file _bibliography/references.bib; the page shows a placeholder\n"
    )
    page = parse(client.get("/cites/").content.decode())
    placeholder = page.find("span", **{"class": "liquid-placeholder"})
    assert placeholder.text == "{% cite lecun1998 %}"
    assert "{%" not in page.find("div", **{"class": "post-body"}).text.replace(placeholder.text, "")


@pytest.mark.django_db
def test_render_with_liquid_false_keeps_the_liquid_as_written(write_post_file):
    path = write_post_file("---\ntitle: T\nrender_with_liquid: false\n---\nKeep {{ this }}.\n")
    result = import_post(path)
    assert (result.post.body, result.warnings) == ("Keep {{ this }}.\n", [])


@pytest.mark.django_db
def test_the_highlight_case_imports_as_one_python_block_and_no_heading():
    post = import_post(CASES / "jekyll" / "2017-07-08-highlight-tag.md").post
    assert post.headings == []
    [code] = parse(post.body_html).find_all("code")
    assert code["class"] == "language-python"
    assert code.raw_text.startswith("# load the data\n")
