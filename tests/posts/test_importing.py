"""Importing Jekyll Markdown files: the bundled article, updates, and every bad input."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from posts.importing import import_post, repair_mojibake
from posts.models import Category, Post
from tests.conftest import ARTICLE_FILE, ARTICLE_TITLE

pytestmark = pytest.mark.django_db

GOOD_FILE = """---
title: Small advice
description: Short and sweet
categories: [Thoughts, Deep Learning]
permalink: /small-advice/
---

## <input type="checkbox"> Do one thing

Then the next.
"""


def run_import(*paths):
    """Run `manage.py import_post`; return (stdout, stderr) as text."""
    stdout, stderr = StringIO(), StringIO()
    call_command("import_post", *map(str, paths), stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def run_failing_import(*paths):
    """Run an import that must fail; return its stderr lines."""
    stdout, stderr = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("import_post", *map(str, paths), stdout=stdout, stderr=stderr)
    return stderr.getvalue().splitlines()


# The bundled article


def test_the_article_imports_with_its_front_matter(the_article):
    post = Post.objects.get()
    assert post == the_article
    assert post.title == ARTICLE_TITLE
    assert post.description == "or Machine Learning"
    assert post.permalink == "/dl_advice/"
    assert post.allow_comments is True
    assert post.use_math is True
    assert post.status == Post.Status.PUBLISHED
    assert post.is_published
    assert sorted(post.categories.values_list("name", flat=True)) == ["Deep Learning", "Thoughts"]


def test_the_article_has_nine_checklist_headings(the_article):
    assert len(the_article.checklist_headings) == 9
    assert the_article.checklist_headings[0]["id"] == "dont-learn-machine-learning"
    assert the_article.checklist_headings[0]["text"] == "Don’t learn Machine Learning"
    assert the_article.body_html.count('type="checkbox"') == 9


def test_the_articles_mojibake_is_repaired(the_article):
    for damaged in ("‚Äã", "üòÅ", "\u200b", "\uf8ff"):
        assert damaged not in the_article.body
        assert damaged not in the_article.body_html
    assert "😁" in the_article.body
    assert "😁" in the_article.body_html
    assert "**I am not an expert**. *Nor do I have a DL job*." in the_article.body


def test_the_import_command_reports_what_it_created(db):
    stdout, stderr = run_import(ARTICLE_FILE)
    assert stdout == f"{ARTICLE_FILE}: created /dl_advice/ ({ARTICLE_TITLE})\n"
    assert stderr == ""
    assert Post.objects.get().title == ARTICLE_TITLE


def test_the_article_page_answers_after_the_import(client, db):
    run_import(ARTICLE_FILE)
    response = client.get("/dl_advice/")
    assert response.status_code == 200
    assert "😁" in response.text


# Repairing mojibake


@pytest.mark.parametrize(
    ("damaged", "repaired"),
    [
        ("it\u00e2\u20ac\u2122s", "it\u2019s"),  # "itâ€™s": Windows-1252
        ("caf\u00c3\u00a9", "caf\u00e9"),  # "cafÃ©": Latin-1/Windows-1252
        ("\uf8ff\u00fc\u00f2\u00c5", "😁"),  # Mac OS Roman, as in the article
        ("a\u201a\u00c4\u00e3b", "ab"),  # a zero-width space, dropped
    ],
)
def test_repair_mojibake_undoes_wrong_decoding(damaged, repaired):
    assert repair_mojibake(damaged) == repaired


@pytest.mark.parametrize(
    "genuine",
    [
        "naïve café",
        "Ünïcödé",
        "it’s “quoted” — with dashes…",
        "😁 emoji and 日本語 and Ελληνικά",
        "£5 or €5",
        "plain ASCII",
        "",
    ],
)
def test_repair_mojibake_leaves_genuine_text_alone(genuine):
    assert repair_mojibake(genuine) == genuine


def test_repair_mojibake_drops_zero_width_spaces():
    assert repair_mojibake("a\u200bb") == "ab"


# Updating


def test_reimporting_a_changed_file_updates_the_post_with_that_permalink(write_post_file):
    path = write_post_file(GOOD_FILE)
    first = import_post(path)
    path.write_text(GOOD_FILE.replace("Small advice", "Better advice").replace("Then", "Now"))
    second = import_post(path)
    assert (first.action, second.action) == ("created", "updated")
    post = Post.objects.get()
    assert post.pk == first.post.pk
    assert post.title == "Better advice"
    assert "Now the next." in post.body_html
    assert Category.objects.count() == 2


def test_reimporting_can_change_the_categories(write_post_file):
    path = write_post_file(GOOD_FILE)
    import_post(path)
    path.write_text(GOOD_FILE.replace("[Thoughts, Deep Learning]", "[Career]"))
    import_post(path)
    assert list(Post.objects.get().categories.values_list("name", flat=True)) == ["Career"]


def test_importing_the_same_file_twice_changes_nothing(db):
    stdout, _ = run_import(ARTICLE_FILE)
    before = Post.objects.get()
    stdout, stderr = run_import(ARTICLE_FILE)
    after = Post.objects.get()
    assert stdout == f"{ARTICLE_FILE}: unchanged /dl_advice/ ({ARTICLE_TITLE})\n"
    assert stderr == ""
    assert after.updated_at == before.updated_at
    assert after.body_html == before.body_html
    assert Post.objects.count() == 1
    assert Category.objects.count() == 2


def test_a_file_with_a_new_permalink_makes_a_second_post(write_post_file):
    import_post(write_post_file(GOOD_FILE, "one.md"))
    other = GOOD_FILE.replace("/small-advice/", "/other-advice/")
    result = import_post(write_post_file(other, "two.md"))
    assert result.action == "created"
    assert Post.objects.count() == 2
    assert result.post.slug == "small-advice-2"


def test_a_file_without_a_permalink_gets_its_address_from_its_file_name(write_post_file):
    # Jekyll's :title: the file name's slug, without the date in front of it.
    text = GOOD_FILE.replace("permalink: /small-advice/\n", "")
    post = import_post(write_post_file(text, "2021-06-15-learn-first.md")).post
    assert post.permalink == "/learn-first/"


def test_a_date_in_the_front_matter_is_the_posts_date(write_post_file):
    post = import_post(
        write_post_file(GOOD_FILE.replace("---\n\n", "date: 2020-05-01\n---\n"))
    ).post
    assert post.published_at.isoformat() == "2020-05-01T00:00:00+00:00"


def test_comments_false_turns_comments_off(write_post_file):
    post = import_post(write_post_file(GOOD_FILE.replace("---\n\n", "comments: false\n---\n"))).post
    assert post.allow_comments is False


# Warnings


def test_an_unknown_front_matter_key_is_a_warning_naming_it(write_post_file):
    path = write_post_file(GOOD_FILE.replace("---\n\n", "mood: [ml]\n---\n"))
    stdout, stderr = run_import(path)
    assert stderr.splitlines() == [f"{path}: warning: unknown front matter key 'mood' ignored"]
    assert "created /small-advice/" in stdout
    assert Post.objects.count() == 1


def test_jekylls_layout_key_is_accepted_quietly(db):
    _, stderr = run_import(ARTICLE_FILE)
    assert stderr == ""


# Bad input: one line on stderr, a failing exit, nothing written


def alias_bomb(levels=9):
    """A "billion laughs" in YAML: each level names the one below nine times."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + f"\ntitle: *l{levels - 1}\n"


BAD_FILES = {
    "no front matter": ("# Just Markdown\n\nNo front matter.\n", "has no YAML front matter"),
    "front matter never closed": ("---\ntitle: Open\nBody\n", "never ends: add a closing '---'"),
    "invalid YAML": ("---\ntitle: [unclosed\ncategories: x\n---\nBody\n", "invalid YAML"),
    "YAML that is not a mapping": ("---\n- a\n- b\n---\nBody\n", "front matter"),
    "blank title": ("---\ntitle: '  '\n---\nBody\n", "has no title"),
    "comments: maybe": (
        GOOD_FILE.replace("---\n\n", "comments: maybe\n---\n"),
        "'comments: maybe', which should be true or false",
    ),
    "use_math: 1": (
        GOOD_FILE.replace("---\n\n", "use_math: 1\n---\n"),
        "'use_math: 1', which should be true or false",
    ),
    "a date that is not a date": (
        GOOD_FILE.replace("---\n\n", "date: someday\n---\n"),
        "'date: someday', which is not a date",
    ),
    "an impossible date": (
        GOOD_FILE.replace("---\n\n", "date: 2020-13-45\n---\n"),
        "has an invalid date in its front matter: month must be in 1..12",
    ),
    "a reserved permalink": (
        GOOD_FILE.replace("/small-advice/", "/admin/"),
        "/admin/ is used by the site itself",
    ),
    "a malformed permalink": (
        GOOD_FILE.replace("/small-advice/", "/Small Advice!/"),
        "invalid permalink",
    ),
    "categories that are a mapping": (
        GOOD_FILE.replace("[Thoughts, Deep Learning]", "{a: b}"),
        "'categories'",
    ),
    "a category without letters": (
        GOOD_FILE.replace("[Thoughts, Deep Learning]", "[Thoughts, '!!!']"),
        "category name",
    ),
    "a YAML tag that runs code": (
        "---\ntitle: !!python/object/apply:os.system [echo hi]\n---\nBody\n",
        "invalid YAML",
    ),
    "NUL bytes": (b"---\ntitle: x\n---\n\x00\x00binary", "NUL bytes"),
    # Issue 19: each of these crashed the importer or, stored, every page that read it.
    "a NUL in the permalink (a YAML escape)": (
        GOOD_FILE.replace("/small-advice/", '"/small\\0advice/"'),
        "permalink with control characters",
    ),
    "a line feed in the permalink": (
        GOOD_FILE.replace("/small-advice/", '"/small\\nadvice/"'),
        "permalink with control characters",
    ),
    "a date past what the site can keep": (
        GOOD_FILE.replace("---\n\n", "date: 9999-12-31T23:59:59-14:00\n---\n"),
        "outside the dates the site can keep",
    ),
    "a date before what the site can keep": (
        GOOD_FILE.replace("---\n\n", "date: '0001-01-01 00:00:00 +0100'\n---\n"),
        "outside the dates the site can keep",
    ),
    "a YAML alias bomb": (
        f"---\n{alias_bomb()}---\nBody\n",
        "more than 10,000 values (counting each value an alias repeats)",
    ),
    "a YAML alias that contains itself": (
        "---\ntitle: x\nloop: &loop [1, *loop]\n---\nBody\n",
        "an alias refers to the value it is part of",
    ),
    "front matter nested too deeply": (
        "---\ntitle: x\nnest: " + "[" * 5000 + "]" * 5000 + "\n---\nBody\n",
        "nest",
    ),
    "invalid UTF-8": (b"---\ntitle: caf\xe9\n---\nBody\n", "not UTF-8"),
    "a PNG image": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
        "NUL bytes",
    ),
}


@pytest.mark.parametrize("problem", BAD_FILES)
def test_a_bad_file_is_one_line_on_stderr_and_writes_nothing(problem, write_post_file):
    content, message = BAD_FILES[problem]
    path = write_post_file(content)
    lines = run_failing_import(path)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}: ")
    assert message in lines[0]
    assert Post.objects.count() == 0
    assert Category.objects.count() == 0


def test_a_path_that_does_not_exist_is_one_line_on_stderr(tmp_path, db):
    path = tmp_path / "missing.md"
    assert run_failing_import(path) == [f"{path}: no such file"]
    assert Post.objects.count() == 0


def test_a_directory_is_one_line_on_stderr(tmp_path, db):
    assert run_failing_import(tmp_path) == [f"{tmp_path}: is a directory, not a file"]
    assert Post.objects.count() == 0


def test_the_failing_command_says_how_many_files_failed(tmp_path, db):
    with pytest.raises(CommandError, match="1 of 1 file"):
        call_command("import_post", str(tmp_path / "missing.md"), stderr=StringIO())


def test_a_bad_update_leaves_the_existing_post_as_it_was(write_post_file):
    path = write_post_file(GOOD_FILE)
    post = import_post(path).post
    path.write_text(
        GOOD_FILE.replace("Small advice", "Changed").replace("---\n\n", "date: x\n---\n")
    )
    run_failing_import(path)
    post.refresh_from_db()
    assert post.title == "Small advice"
    assert list(post.categories.order_by("name").values_list("name", flat=True)) == [
        "Deep Learning",
        "Thoughts",
    ]


def test_with_a_bad_second_file_the_first_is_still_imported(write_post_file):
    good = write_post_file(GOOD_FILE, "good.md")
    bad_text = (
        GOOD_FILE.replace("Thoughts", "Other")
        .replace("/small-advice/", "/bad/")
        .replace("---\n\n", "comments: maybe\n---\n")
    )
    bad = write_post_file(bad_text, "bad.md")
    stdout, stderr = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 of 2 file"):
        call_command("import_post", str(good), str(bad), stdout=stdout, stderr=stderr)
    assert stdout.getvalue() == f"{good}: created /small-advice/ (Small advice)\n"
    assert stderr.getvalue().splitlines() == [
        f"{bad}: has 'comments: maybe', which should be true or false"
    ]
    assert list(Post.objects.values_list("permalink", flat=True)) == ["/small-advice/"]
    assert not Category.objects.filter(name="Other").exists()


def test_with_a_bad_first_file_the_second_is_still_imported(write_post_file, tmp_path):
    good = write_post_file(GOOD_FILE, "good.md")
    stdout, stderr = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_post", str(tmp_path / "missing.md"), str(good), stdout=stdout, stderr=stderr
        )
    assert Post.objects.get().permalink == "/small-advice/"


def test_a_file_saved_on_windows_with_a_bom_and_crlf_imports(write_post_file):
    content = ("\ufeff" + GOOD_FILE).replace("\n", "\r\n").encode("utf-8")
    post = import_post(write_post_file(content)).post
    assert post.title == "Small advice"
    assert post.permalink == "/small-advice/"
    assert [heading["id"] for heading in post.checklist_headings] == ["do-one-thing"]


def test_aliases_a_real_post_uses_are_still_read(write_post_file):
    path = write_post_file(
        "---\ntitle: &name Aliased advice\ndescription: *name\npermalink: /aliased/\n---\nBody\n"
    )
    post = import_post(path).post
    assert post.description == "Aliased advice"


def test_a_title_written_on_several_lines_is_one_line(write_post_file):
    """Issue 19: a title with CR/LF made every email naming the post fail at every
    attempt (an email header cannot break); HTML showed it on one line all along."""
    path = write_post_file('---\ntitle: "Two\\r\\nlines\\u2028of  title"\n---\nBody\n')
    post = import_post(path).post
    assert post.title == "Two lines of title"


def test_the_start_up_import_names_a_bad_file_and_the_container_goes_on(tmp_path):
    """Issue 19: one bad file in content/ stopped the container at every start."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    content = tmp_path / "content"
    content.mkdir()
    (content / "bad.md").write_text("no front matter\n")
    fake_manage = tmp_path / "manage.py"
    fake_manage.write_text(
        "import sys\n"
        "if sys.argv[1] == 'import_post':\n"
        "    print(sys.argv[2] + ': has no YAML front matter', file=sys.stderr)\n"
        "    sys.exit(1)\n"
    )
    bin_dir = tmp_path / "bin"  # the image's `python`, whatever this machine calls it
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    result = subprocess.run(
        ["sh", str(ROOT / "docker-entrypoint.sh"), "echo", "server started"],
        cwd=tmp_path,
        env={**os.environ, "DJANGO_MIGRATE": "false", "PATH": f"{bin_dir}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "content/bad.md: has no YAML front matter" in result.stderr
    assert "server started" in result.stdout
