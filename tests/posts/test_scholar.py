"""jekyll-scholar's citations in imported posts (posts.scholar, posts.liquid).

``{% cite %}``, ``{% bibliography %}`` and ``{% reference %}`` read the site's .bib files
and render as jekyll-scholar renders them with its default APA style: what an academic
blog (al-folio) showed its readers, not a placeholder.
"""

import textwrap

import pytest

from posts.liquid import resolve_liquid
from posts.markdown import render
from posts.models import Post
from posts.scholar import Scholar, read_bibtex
from tests.html import parse
from tests.posts.test_import_jekyll import page, run

REFERENCES = """\
@string{nips = "Advances in Neural Information Processing Systems"}

@article{LeCun1998,
  author = {LeCun, Yann and Bottou, L{\\'e}on and Bengio, Yoshua and Haffner, Patrick},
  title = {Gradient-based learning applied to document recognition},
  journal = {Proceedings of the IEEE},
  volume = {86},
  number = {11},
  pages = {2278--2324},
  year = {1998},
}

@inproceedings{vaswani2017,
  author = {Ashish Vaswani and Noam Shazeer},
  title = {Attention is all you need},
  booktitle = nips,
  year = 2017,
}

@book{bishop2006,
  author = {Bishop, Christopher M.},
  title = {Pattern Recognition and Machine Learning},
  publisher = {Springer},
  year = {2006},
}
"""
BOOKS = """\
@book{knuth1984,
  author = {Knuth, Donald E.},
  title = {The {\\TeX}book},
  publisher = {Addison-Wesley},
  year = {1984},
}
"""


@pytest.fixture
def blog(tmp_path):
    """A site folder with _bibliography/references.bib and books.bib."""
    (tmp_path / "_bibliography").mkdir()
    (tmp_path / "_bibliography" / "references.bib").write_text(REFERENCES, encoding="utf-8")
    (tmp_path / "_bibliography" / "books.bib").write_text(BOOKS, encoding="utf-8")
    return tmp_path


def resolve(text, folder, config=None):
    return resolve_liquid(
        text,
        site={},
        lookup_post=lambda name: None,
        lookup_file=lambda path: None,
        source_name="_posts/p.md",
        scholar=Scholar(folder, config),
    )


def test_a_citation_is_apas_author_and_year_linking_to_its_entry(blog):
    text, warnings = resolve("As shown {% cite LeCun1998 %}.\n", blog)
    [link] = parse(render(text, dialect="kramdown").html).find_all("a")
    assert link["class"] == "citation"
    assert link["href"] == "#LeCun1998"  # the key's own case, as jekyll-scholar links it
    assert link.text == "(LeCun et al., 1998)"
    assert warnings == []


def test_keys_cited_together_are_one_link_to_the_first_with_its_locator(blog):
    text, _ = resolve("{% cite bishop2006 vaswani2017 %} and {% cite bishop2006 -l 23 %}", blog)
    first, second = parse(render(text, dialect="kramdown").html).find_all("a")
    assert (first["href"], first.text) == ("#bishop2006", "(Bishop, 2006; Vaswani & Shazeer, 2017)")
    assert second.text == "(Bishop, 2006, p. 23)"


def test_bibliography_cited_lists_only_the_keys_cited_before_it(blog):
    text, warnings = resolve(
        "One {% cite vaswani2017 %}, two {% cite LeCun1998 %}.\n\n{% bibliography --cited %}\n",
        blog,
        {"sort_by": "author"},
    )
    body = parse(render(text, dialect="kramdown").html)
    [listed] = body.find_all("ol")
    assert listed["class"] == "bibliography"
    entries = [item.find("span") for item in listed.find_all("li")]
    assert [entry["id"] for entry in entries] == ["LeCun1998", "vaswani2017"]  # by author
    assert entries[0].text == (
        "LeCun, Y., Bottou, L., Bengio, Y., & Haffner, P. (1998). Gradient-based learning "
        "applied to document recognition. Proceedings of the IEEE, 86(11), 2278–2324."
    )
    assert entries[0].first("i").text == "Proceedings of the IEEE"
    assert "Advances in Neural Information Processing Systems" in entries[1].text  # @string
    assert warnings == []


def test_bibliography_without_cited_lists_the_whole_file_in_its_order(blog):
    text, _ = resolve("{% bibliography %}\n", blog)
    ids = [span["id"] for span in parse(render(text, dialect="kramdown").html).find_all("span")]
    assert ids == ["LeCun1998", "vaswani2017", "bishop2006"]  # sort_by: none, as by default


def test_file_picks_another_bib_file_with_or_without_its_extension(blog):
    text, warnings = resolve(
        "{% cite knuth1984 --file books %} {% reference knuth1984 --file books.bib %}", blog
    )
    body = parse(render(text, dialect="kramdown").html)
    assert body.find("a").text == "(Knuth, 1984)"
    reference = body.find("span")
    assert reference["id"] == "knuth1984"
    assert reference.text == "Knuth, D. E. (1984). The TeXbook. Addison-Wesley."
    assert warnings == []


def test_another_style_in_config_replaces_apa(blog):
    apa, _ = resolve("{% cite LeCun1998 %}", blog)
    ieee, _ = resolve("{% cite LeCun1998 %}", blog, {"style": "ieee"})
    assert parse(render(apa, dialect="kramdown").html).find("a").text == "(LeCun et al., 1998)"
    assert parse(render(ieee, dialect="kramdown").html).find("a").text == "[1]"


def test_an_unknown_key_is_a_placeholder_and_a_warning_naming_file_line_and_key(blog):
    text, warnings = resolve("Intro.\n\nAs {% cite nobody2020 %} said.\n", blog)
    placeholder = parse(render(text, dialect="kramdown").html).find("span")
    assert placeholder["class"] == "liquid-placeholder"
    assert placeholder.text == "{% cite nobody2020 %}"
    assert warnings == [
        "_posts/p.md, line 3: Liquid {% cite nobody2020 %}: no entry nobody2020 in "
        "_bibliography/references.bib; the page shows a placeholder"
    ]


def test_a_missing_bib_file_is_a_placeholder_and_a_warning(blog):
    text, warnings = resolve("{% cite LeCun1998 --file gone %}", blog)
    assert 'class="liquid-placeholder"' in text
    assert warnings == [
        "_posts/p.md, line 1: Liquid {% cite LeCun1998 --file gone %}: no BibTeX file "
        "_bibliography/gone.bib; the page shows a placeholder"
    ]


@pytest.mark.parametrize(
    "broken",
    [
        "@article{cut1999, author = {Cut, A.}, title = {Never clo",  # the file ends in it
        "@article{cut1999, author = {Cut, A.} title = {Two}, year = 1999}",  # no comma
        "@article{cut1999, author = {Cut, A.}, year = {nineteen}}",  # no year citeproc reads
        "@article{cut1999, author = {Cut, A.}, journal = undefinedmacro, year = 1999}",
        "@article{",
    ],
)
def test_a_broken_bib_entry_is_a_warning_never_an_exception(blog, broken):
    (blog / "_bibliography" / "bad.bib").write_text(
        "@book{fine2001, author = {Fine, B.}, title = {Fine}, year = 2001}\n\n" + broken
    )
    text, warnings = resolve(
        "{% cite cut1999 --file bad %} {% cite fine2001 --file bad %}\n\n"
        "{% bibliography --file bad %}\n",
        blog,
    )
    body = parse(render(text, dialect="kramdown").html)
    assert body.find("a").text == "(Fine, 2001)"  # the file's other entries still serve
    assert [span["id"] for span in body.find("ol").find_all("span")] == ["fine2001"]
    assert any("_bibliography/bad.bib, line 3" in warning for warning in warnings)


def test_read_bibtex_names_the_line_of_a_broken_entry():
    bib = read_bibtex("@book{a, title = {A}, year = 2000}\n\n@book{b, title = {B} year}\n", "x.bib")
    assert list(bib.entries) == ["a"]
    assert bib.errors == ["x.bib, line 3: expected ',' or '}' after field title"]
    assert bib.broken == {"b": bib.errors[0]}


def test_text_and_keys_are_escaped(tmp_path):
    (tmp_path / "_bibliography").mkdir()
    (tmp_path / "_bibliography" / "references.bib").write_text(
        "@misc{x<y>&z/1, author = {<b>Evil</b> *Star*}, title = {<script>alert(1)</script> "
        "$x$ _y_}, year = 2020}\n"
    )
    text, warnings = resolve("{% cite x<y>&z/1 %}\n\n{% bibliography %}\n", tmp_path)
    html = render(text, dialect="kramdown").html
    assert "<script" not in html and "<b>" not in html and "<em>" not in html
    body = parse(html)
    assert body.find("a")["href"] == "#x-y--z-1"
    assert body.find("ol").find("span")["id"] == "x-y--z-1"
    assert "<script>alert(1)</script> $x$ _y_" in body.find("ol").text
    assert warnings == []


def test_in_code_the_tag_is_kept_as_written(blog):
    text, _ = resolve("`{% cite LeCun1998 %}`\n", blog)
    assert text == "`{% cite LeCun1998 %}`\n"


@pytest.mark.django_db
def test_import_jekyll_shows_the_citation_and_the_reference_list_on_the_page(tmp_path, client):
    root = tmp_path / "site"
    (root / "_posts").mkdir(parents=True)
    (root / "_bibliography").mkdir()
    (root / "_bibliography" / "papers.bib").write_text(REFERENCES, encoding="utf-8")
    (root / "_config.yml").write_text("title: A lab\nscholar:\n  style: apa\n  sort_by: author\n")
    (root / "_posts" / "2024-01-02-reading.md").write_text(
        textwrap.dedent("""\
        ---
        title: Reading
        ---

        ### LeNet {% cite LeCun1998 --file papers %}

        Transformers {% cite vaswani2017 --file papers %} came later.

        {% bibliography --cited --file papers %}
        """),
        encoding="utf-8",
    )
    _stdout, stderr = run(root)
    assert stderr == ""
    imported = Post.objects.get()
    response = client.get(page(imported.permalink))
    body = parse(response.content.decode()).find("div", **{"class": "post-body"})
    citations = [a for a in body.find_all("a") if a.get("class") == "citation"]
    assert [(a["href"], a.text) for a in citations] == [
        ("#LeCun1998", "(LeCun et al., 1998)"),
        ("#vaswani2017", "(Vaswani & Shazeer, 2017)"),
    ]
    [heading] = body.find_all("h3")
    assert heading["id"] == "lenet-lecun-et-al-1998"  # kramdown's id, as Jekyll's page had
    [listed] = [ol for ol in body.find_all("ol") if ol.get("class") == "bibliography"]
    ids = [span["id"] for span in listed.find_all("span")]
    assert ids == ["LeCun1998", "vaswani2017"]
    for citation in citations:  # each link lands on its entry on the same page
        assert citation["href"].removeprefix("#") in ids
    assert "liquid-placeholder" not in response.content.decode()
