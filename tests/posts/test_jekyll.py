"""Jekyll files mean here what they mean to Jekyll (issue 10, issue 13's dates).

A date matrix (every form Jekyll's documentation and its Ruby date reading accept,
each the right instant in UTC) and a front matter matrix (every key Jekyll documents:
its meaning, or a one-line refusal).
"""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from posts.importing import import_post
from posts.models import Post
from tests.conftest import CASES

pytestmark = pytest.mark.django_db

BODY = '## <input type="checkbox"> One\n\nText.\n'


def post_file(front_matter, body=BODY):
    return f"---\ntitle: Dated\npermalink: /dated/\n{front_matter}---\n\n{body}"


def run_import(*paths):
    stdout, stderr = StringIO(), StringIO()
    call_command("import_post", *map(str, paths), stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def failing_import(path):
    stderr = StringIO()
    with pytest.raises(CommandError):
        call_command("import_post", str(path), stdout=StringIO(), stderr=stderr)
    [line] = stderr.getvalue().splitlines()
    return line


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


# Dates


DATES = {
    # The format Jekyll documents, YYYY-MM-DD HH:MM:SS +/-TTTT, and its optional parts.
    "2021-06-15 09:30:00 +0530": utc(2021, 6, 15, 4, 0),  # not a YAML timestamp
    "2021-06-15 09:30:00 -0700": utc(2021, 6, 15, 16, 30),
    "2021-06-15 09:30 +0530": utc(2021, 6, 15, 4, 0),
    "2021-06-15 09:30:00": utc(2021, 6, 15, 9, 30),  # a YAML timestamp: UTC
    "2021-06-15 09:30": utc(2021, 6, 15, 9, 30),  # the site's time zone (UTC)
    "2021-06-15": utc(2021, 6, 15),  # a YAML date: midnight, site's time zone
    # YAML timestamps with an offset, ISO 8601's T, Z and fractions of a second.
    "2021-06-15 09:30:00 +05:30": utc(2021, 6, 15, 4, 0),
    "2021-06-15T09:30:00Z": utc(2021, 6, 15, 9, 30),
    "2021-06-15T09:30:00.250+02:00": utc(2021, 6, 15, 7, 30, 0, 250000),
    "2021-06-15 9:30:00 -7": utc(2021, 6, 15, 16, 30),
    "2021-6-5": utc(2021, 6, 5),
    # Quoted, so YAML leaves it text: read the same way.
    "'2021-06-15 09:30:00 +0530'": utc(2021, 6, 15, 4, 0),
    '"2021-06-15"': utc(2021, 6, 15),
    # What Ruby's Time.parse also reads: RFC 2822, zone names, written-out dates.
    "Tue, 15 Jun 2021 09:30:00 +0000": utc(2021, 6, 15, 9, 30),
    "2021-06-15 09:30:00 UTC": utc(2021, 6, 15, 9, 30),
    "15 Jun 2021 09:30 EST": utc(2021, 6, 15, 14, 30),
    "2021-06-15 09:30:00 PDT": utc(2021, 6, 15, 16, 30),
    "June 15, 2021": utc(2021, 6, 15),
    "20210615": utc(2021, 6, 15),  # YAML reads a number; Jekyll reads its text
    # An offset with no time before it is no zone to Ruby (Date._parse reads a zone only
    # right after a time): midnight in the site's time zone, as Ruby 3.1 reads it.
    "2021-06-15 +0530": utc(2021, 6, 15),
    "2021-06-15 +05:30": utc(2021, 6, 15, 5, 30),  # Ruby takes "05:30" for the time
    "2021-06-15 -0700": utc(2021, 6, 15),
    # Zones Time.zone_offset does not know (a name with an offset, CET, IST, JST, any
    # other name) leave the time in the local zone, which is the site's (Ruby 3.1).
    "2021-06-15 09:30:00 UTC+05:30": utc(2021, 6, 15, 9, 30),
    "2021-06-15 09:30:00 GMT+2": utc(2021, 6, 15, 9, 30),
    "2021-06-15 09:30:00 GMT-5": utc(2021, 6, 15, 9, 30),
    "2021-06-15 09:30:00 CET": utc(2021, 6, 15, 9, 30),
    "2021-06-15 09:30:00 IST": utc(2021, 6, 15, 9, 30),
    "2021-06-15 09:30:00 JST": utc(2021, 6, 15, 9, 30),
    "2021-06-15 09:30:00 XYZ": utc(2021, 6, 15, 9, 30),
    # A month and a year: its first day, as Time.parse fills in what is missing.
    "June 2021": utc(2021, 6, 1),
}


@pytest.mark.parametrize("written", DATES)
def test_every_jekyll_date_format_is_the_right_instant_in_utc(written, write_post_file):
    post = import_post(write_post_file(post_file(f"date: {written}\n"))).post
    post.refresh_from_db()
    assert post.publication_date == DATES[written]
    assert post.published_at == DATES[written]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2021-06-15", utc(2021, 6, 14, 18, 30)),  # midnight in Kolkata
        ("2021-06-15 09:30", utc(2021, 6, 15, 4, 0)),
        ("2021-06-15 09:30:00", utc(2021, 6, 15, 9, 30)),  # YAML timestamps stay UTC
        ("2021-06-15 09:30:00 +0000", utc(2021, 6, 15, 9, 30)),
    ],
)
def test_a_date_without_an_offset_is_in_the_sites_time_zone_as_in_jekylls(
    written, expected, write_post_file, settings
):
    settings.TIME_ZONE = "Asia/Kolkata"
    post = import_post(write_post_file(post_file(f"date: {written}\n"))).post
    assert post.publication_date == expected


def test_the_jdate_case_imports_with_its_instant(db):
    stdout, stderr = run_import(CASES / "jdate.md")
    assert stdout == f"{CASES / 'jdate.md'}: created /dated/ (Dated post)\n"
    assert stderr == ""
    post = Post.objects.get(permalink="/dated/")
    assert post.publication_date == utc(2021, 6, 15, 4, 0)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("someday", "'date: someday', which is not a date"),
        ("June 15", "'date: June 15', which names no year"),  # Ruby: the build's year
        ("2021-02-30 10:00:00 +0530", "day is out of range for month"),
        ("2021-15-06 10:00", "month must be in 1..12"),
        ("2021-06-15 25:00", "is not a time of day"),
        ("true", "'date: True', which is not a date"),
        ("[2021, 6, 15]", "which is not a date"),
        # Offsets of a day or more, which Ruby refuses (utc_offset out of range).
        ("2021-06-15 09:30:00 +9999", "which is not a date"),
        ("2021-06-15 09:30:00 -2400", "which is not a date"),
        ("'2021-06-15T09:30:00+24:00'", "which is not a date"),
        ("2021-06-15 09:30:00 +99:00", "an invalid date"),  # a YAML timestamp
        ("Tue, 15 Jun 2021 09:30:00 +4800", "which is not a date"),
    ],
)
def test_what_is_not_a_date_is_one_line_and_writes_nothing(written, message, write_post_file):
    path = write_post_file(post_file(f"date: {written}\n"))
    line = failing_import(path)
    assert line.startswith(f"{path}: has ")
    assert message in line
    assert Post.objects.count() == 0


def test_without_a_front_matter_date_the_file_names_date_is_shown(write_post_file):
    post = import_post(write_post_file(post_file(""), "2019-03-04-dated.md")).post
    assert post.publication_date == utc(2019, 3, 4)
    assert post.published_at == utc(2019, 3, 4)


def test_a_front_matter_date_wins_over_the_file_names(write_post_file):
    path = write_post_file(post_file("date: 2021-06-15\n"), "2019-03-04-dated.md")
    assert import_post(path).post.publication_date == utc(2021, 6, 15)


def test_without_either_no_date_is_shown_and_the_import_time_orders_the_post(write_post_file):
    before = datetime.now(UTC).replace(microsecond=0)
    post = import_post(write_post_file(post_file(""), "dated.md")).post
    assert post.publication_date is None
    assert post.published_at >= before


# Front matter: every documented key


def import_text(write_post_file, text, name="post.md"):
    path = write_post_file(text, name)
    stdout, stderr = run_import(path)
    return (
        Post.objects.get(),
        stdout,
        [line.split(": warning: ")[1] for line in stderr.splitlines()],
    )


def test_title_defaults_to_the_file_names_words_as_in_jekyll(write_post_file):
    post, _, warnings = import_text(
        write_post_file, "---\nlayout: post\n---\nText.\n", "2021-06-15-learn-first.md"
    )
    assert (post.title, post.permalink, warnings) == ("Learn First", "/learn-first/", [])


@pytest.mark.parametrize("front_matter", ["---\n---\n", "---\n# only a comment\n---\n"])
def test_empty_front_matter_is_a_post_with_jekylls_defaults(write_post_file, front_matter):
    post, _, warnings = import_text(
        write_post_file, front_matter + "Text.\n", "2021-06-15-learn-first.md"
    )
    assert (post.title, post.permalink, post.body, warnings) == (
        "Learn First",
        "/learn-first/",
        "Text.\n",
        [],
    )


@pytest.mark.parametrize(
    ("front_matter", "name", "permalink"),
    [
        ("permalink: /fixed/\n", "2021-06-15-x.md", "/fixed/"),
        ("permalink: fixed\n", "x.md", "/fixed/"),
        ("permalink: /:year/:month/:day/:title/\n", "2021-06-15-x.md", "/2021/06/15/x/"),
        ("permalink: /:categories/:title:output_ext\n", "2021-06-15-x.md", "/deep-learning/x/"),
        ("permalink: /:short_year/:i_month/:i_day/:slug\n", "2021-06-05-x.md", "/21/6/5/x/"),
        ("permalink: /:year/:short_month/:y_day/:title/\n", "2021-06-15-x.md", "/2021/jun/166/x/"),
        ("permalink: /:w_year/w:week/:short_day/:title/\n", "2021-06-15-x.md", "/2021/w24/tue/x/"),
        ("slug: other-name\n", "2021-06-15-x.md", "/other-name/"),
        ("", "2021-06-15-My Post.md", "/my-post/"),
    ],
)
def test_permalink_and_slug_mean_what_they_mean_to_jekyll(
    front_matter, name, permalink, write_post_file
):
    text = f"---\ntitle: T\ncategories: [Deep Learning]\n{front_matter}---\nText.\n"
    post, _, warnings = import_text(write_post_file, text, name)
    assert post.permalink == permalink
    assert warnings == []


@pytest.mark.parametrize(
    ("front_matter", "message"),
    [
        ("permalink: /:year/:title/\n", "has a permalink with :year, but no date"),
        ("permalink: /:nonsense/\n", ":nonsense, which is not one of Jekyll's placeholders"),
        ("published: maybe\n", "'published: maybe', which should be true or false"),
        ("published: 'false'\n", "'published: false', which should be true or false"),
        ("title: ''\n", "has no title"),
    ],
)
def test_front_matter_that_cannot_be_read_is_one_line(front_matter, message, write_post_file):
    path = write_post_file(f"---\n{front_matter}---\nText.\n", "x.md")
    assert message in failing_import(path)
    assert Post.objects.count() == 0


def test_a_file_name_in_another_script_without_a_permalink_says_what_an_address_is(
    write_post_file,
):
    path = write_post_file("---\ntitle: Советы\n---\nТекст.\n", "2021-01-01-советы.md")
    assert "addresses are made of Latin letters" in failing_import(path)
    assert Post.objects.count() == 0


def test_a_category_in_another_script_has_its_page_and_keeps_its_post_unchanged(
    write_post_file, client
):
    text = "---\ntitle: Советы\npermalink: /ru/\ncategories: [Обучение]\n---\nТекст.\n"
    path = write_post_file(text, "ru.md")
    post, _, _ = import_text(write_post_file, text, "ru.md")

    category = post.categories.get()
    assert category.slug == "обучение"
    page = client.get(category.get_absolute_url())
    assert page.status_code == 200 and "Советы" in page.content.decode()
    assert import_post(path).action == "unchanged"


@pytest.mark.parametrize(
    ("front_matter", "categories"),
    [
        ("category: Career\n", ["Career"]),
        ("categories: [Deep Learning, Career]\n", ["Career", "Deep Learning"]),
        ("categories: ml career\n", ["career", "ml"]),
        ("category: Career\ncategories: [ml]\n", ["Career", "ml"]),
        ("categories: [Советы, Δίκτυα]\n", ["Δίκτυα", "Советы"]),
    ],
)
def test_category_and_categories_both_give_categories(front_matter, categories, write_post_file):
    post, _, _ = import_text(write_post_file, f"---\ntitle: T\n{front_matter}---\nText.\n")
    assert sorted(post.categories.values_list("name", flat=True)) == categories


@pytest.mark.parametrize(
    ("front_matter", "warning"),
    [
        ("tags: [ml]\n", "front matter key 'tags' ignored: this site has categories, not tags"),
    ],
)
def test_keys_without_a_place_here_are_refused_in_one_line(front_matter, warning, write_post_file):
    post, stdout, warnings = import_text(write_post_file, f"---\ntitle: T\n{front_matter}---\nX\n")
    assert len(warnings) == 1
    assert warning in warnings[0]
    assert "created" in stdout


@pytest.mark.parametrize(
    "front_matter",
    [
        "layout: post\n",
        "layout: null\n",
        "render_with_liquid: false\n",
        "render_with_liquid: true\n",
        "excerpt_separator: <!--more-->\n",
        "excerpt: Short\n",
    ],
)
def test_keys_that_ask_for_nothing_here_are_accepted_quietly(front_matter, write_post_file):
    _, _, warnings = import_text(write_post_file, f"---\ntitle: T\n{front_matter}---\nX\n")
    assert warnings == []


def test_published_false_imports_a_draft_nobody_else_sees(write_post_file, client):
    post, stdout, _ = import_text(
        write_post_file, "---\ntitle: Secret\npermalink: /secret/\npublished: false\n---\nX\n"
    )
    assert post.status == Post.Status.DRAFT
    assert client.get("/secret/").status_code == 404
    assert "/secret/" not in client.get("/feed/").text
    assert "/secret/" not in client.get("/sitemap.xml").text
    assert "Secret" not in client.get("/").text


def test_published_false_makes_a_public_post_a_draft_and_says_so(write_post_file):
    path = write_post_file("---\ntitle: Going\npermalink: /going/\n---\nX\n")
    run_import(path)
    path.write_text("---\ntitle: Going\npermalink: /going/\npublished: false\n---\nX\n")
    stdout, stderr = run_import(path)
    assert stdout == f"{path}: updated /going/ (Going)\n"
    assert stderr == f"{path}: warning: /going/ was public and is now a draft (published: false)\n"
    assert Post.objects.get().status == Post.Status.DRAFT


def test_without_a_permalink_a_new_title_or_categories_keep_the_same_post(write_post_file):
    path = write_post_file("---\ntitle: First\ncategories: [A]\n---\nX\n", "2021-06-15-advice.md")
    first, _, _ = import_text(write_post_file, path.read_text(), path.name)
    path.write_text("---\ntitle: Second\ncategories: [B, C]\n---\nX\n")
    stdout, _ = run_import(path)
    assert stdout == f"{path}: updated /advice/ (Second)\n"
    post = Post.objects.get()
    assert (post.pk, post.permalink) == (first.pk, "/advice/")
    assert sorted(post.categories.values_list("name", flat=True)) == ["B", "C"]


def test_a_digit_first_heading_id_is_used_and_not_shown(write_post_file, client):
    post, _, warnings = import_text(
        write_post_file, "---\ntitle: T\npermalink: /t/\n---\n## Tip {#9bad}\n\nX\n"
    )
    assert post.headings[0]["id"] == "9bad"
    assert warnings == []
    page = client.get("/t/").text
    assert 'id="9bad"' in page
    assert "{#9bad}" not in page


def test_an_unusable_heading_id_is_a_warning_and_never_text(write_post_file, client):
    _, _, warnings = import_text(
        write_post_file, "---\ntitle: T\npermalink: /t/\n---\n## Tip {#a/b}\n\nX\n"
    )
    assert warnings == [
        "heading 'Tip': {#a/b} is not a usable id (letters, digits, '-' and '_', at most 80); "
        "the id comes from the heading's text"
    ]
    assert "{#a/b}" not in client.get("/t/").text


def test_the_posts_own_keys_still_work(write_post_file):
    post, _, warnings = import_text(
        write_post_file,
        "---\ntitle: T\ndescription: Short\ncomments: false\nuse_math: true\n---\nX\n",
    )
    assert (post.description, post.allow_comments, post.use_math) == ("Short", False, True)
    assert warnings == []
