"""Front matter that jekyll-seo-tag and Jekyll read, kept by the importer (issue 21).

excerpt and the excerpt separator as the description, image copied into media, author,
last_modified_at, the switches that turn math on, and dates read as Ruby's Time.parse
reads them (Jekyll's Utils.parse_date), in a matrix checked against Ruby 3.1.
"""

from datetime import UTC, datetime

import pytest
from django.core.files.storage import default_storage

from posts import jekyll
from posts.importing import import_post
from posts.models import Post

pytestmark = pytest.mark.django_db


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


# What Ruby 3.1's Time.parse gives for each form, with TZ=UTC (the site's time zone in
# these tests): `ruby -rtime -e 'ENV["TZ"]="UTC"; p Time.parse(FORM).utc'`. None: Ruby
# raises ArgumentError, and the importer refuses the date.
RUBY_TIME_PARSE = {
    "2023-01-29 18:30:22 2023 -0800": utc(2023, 1, 29, 18, 30, 22),
    "2023-01-29 18:30:22 -0800": utc(2023, 1, 30, 2, 30, 22),
    "Sun Jan 29 18:30:22 2023": utc(2023, 1, 29, 18, 30, 22),
    "Sun Jan 29 18:30:22 -0800 2023": utc(2023, 1, 30, 2, 30, 22),
    "Sun Jan 29 18:30:22 PST 2023": utc(2023, 1, 30, 2, 30, 22),
    "2023/01/29": utc(2023, 1, 29, 0),
    "2023/01/29 18:30": utc(2023, 1, 29, 18, 30, 0),
    "01/29/2023": None,
    "29/01/2023": utc(2023, 1, 29, 0),
    "10/11/2012": utc(2012, 11, 10, 0),
    "29.01.2023": utc(2023, 1, 29, 0),
    "29-01-2023": utc(2023, 1, 29, 0),
    "2023.01.29": utc(2023, 1, 29, 0),
    "Jan 29 2023": utc(2023, 1, 29, 0),
    "29 Jan 2023": utc(2023, 1, 29, 0),
    "January 29th, 2023": utc(2023, 1, 29, 0),
    "29th January 2023": utc(2023, 1, 29, 0),
    "2023-01-29 6:30pm": utc(2023, 1, 29, 18, 30, 0),
    "2023-01-29 6:30 PM -0800": utc(2023, 1, 30, 2, 30, 0),
    "2023-01-29T18:30:22.123-08:00": utc(2023, 1, 30, 2, 30, 22, 123000),
    "20230129": utc(2023, 1, 29, 0),
    "20230129T183022": utc(2023, 1, 29, 18, 30, 22),
    "2023-01-29 18h30": utc(2023, 1, 29, 18, 30, 0),
    "H27.01.29": utc(2015, 1, 29, 0),
    "2023-029": utc(2023, 1, 29, 0),
    "Sun, 29 Jan 2023 18:30:22 GMT": utc(2023, 1, 29, 18, 30, 22),
    "2023-01-29 18:30:22 +08": utc(2023, 1, 29, 10, 30, 22),
    "2023-01-29 18:30:22 UTC+8": utc(2023, 1, 29, 18, 30, 22),
    "2023-01-29 18:30:22 Z": utc(2023, 1, 29, 18, 30, 22),
    "2023-1-9": utc(2023, 1, 9, 0),
    "2023-01-29 18:30:22 America/New_York": utc(2023, 1, 29, 18, 30, 22),
    "Jan 2023": utc(2023, 1, 1, 0),
    "2023": None,
    "2023-01": None,
    "Sunday": None,
    "2023-01-29 at 18:30": utc(2023, 1, 29, 18, 30, 0),
    "2023-01-29 18:30:22 +0000 UTC": utc(2023, 1, 29, 18, 30, 22),
    "2023-01-29 18:30:22.000000000 +00:00": utc(2023, 1, 29, 18, 30, 22),
    "2023-01-29 18:30:22 -08:00 2023": utc(2023, 1, 30, 2, 30, 22),
    "23-01-29": utc(2023, 1, 29, 0),
    "Jan-29-2023": utc(2023, 1, 29, 0),
    "29-Jan-2023": utc(2023, 1, 29, 0),
    "2023-Jan-29": utc(2023, 1, 29, 0),
    "2023-01-29 18:30:22 EST": utc(2023, 1, 29, 23, 30, 22),
    "2023-01-29 18:30:22 CEST": utc(2023, 1, 29, 18, 30, 22),
    "2023-01-29 18:30:22 IST": utc(2023, 1, 29, 18, 30, 22),
    "2023-01-29 18:30:22 XYZ": utc(2023, 1, 29, 18, 30, 22),
    "2023-01-29 18:30:22 -0800 (PST)": utc(2023, 1, 30, 2, 30, 22),
    "2023-01-29 18:30:22 0800": utc(2023, 1, 29, 18, 30, 22),
    "2021-06-15 9:30:00 -7": utc(2021, 6, 15, 9, 30, 0),
    "2021-06-15 9:30:00 +8": utc(2021, 6, 15, 9, 30, 0),
    "2021-06-15 09:30:00 +05:30:15": utc(2021, 6, 15, 3, 59, 45),
    "2021-06-15 9:30:00 a": utc(2021, 6, 15, 8, 30, 0),
    "2021-06-15 9:30:00 EST5EDT": utc(2021, 6, 15, 9, 30, 0),
    "Tue, 15 Jun 2021 09:30:00 +0000": utc(2021, 6, 15, 9, 30, 0),
    "15 June 2021 9am": utc(2021, 6, 15, 9),
    "2021-06-15 9 pm": utc(2021, 6, 15, 21),
    "June 2021": utc(2021, 6, 1, 0),
    "2021-06-15T09:30:00,5Z": utc(2021, 6, 15, 9, 30, 0, 500000),
    "21-06-15": utc(2021, 6, 15, 0),
    "69-06-15": utc(1969, 6, 15, 0),
    "68-06-15": utc(2068, 6, 15, 0),
    "2021-06-15 09:30:00 pm": utc(2021, 6, 15, 21, 30, 0),
    "2021-06-15 25:00": None,
    "2021-06-15 24:00:00": utc(2021, 6, 16, 0),
    "2021-06-15 9:30:61": None,
    "15 Jun 21": utc(2021, 6, 15, 0),
    "Jun 15, 21": utc(2021, 6, 15, 0),
    "2021/6/15": utc(2021, 6, 15, 0),
    "06/15/2021": None,
    "15/06/21": utc(2015, 6, 21, 0),
    "2021-06-15 09:30:00 +0530 IST": utc(2021, 6, 15, 4),
    "2021-06-15 09:30:00 -08:00 PST": utc(2021, 6, 15, 17, 30, 0),
    "2021-06-15 09:30:00 +2400": None,
    "2021-06-15 09:30:00 +99": None,
    "2021-06-15 +0530": utc(2021, 6, 15, 0),
    "2021-06-15 09:30:00 UTC+05:30": utc(2021, 6, 15, 9, 30, 0),
    "2021-06-15 09:30:00 GMT+2": utc(2021, 6, 15, 9, 30, 0),
    "2021-06-15 09:30:00 CET": utc(2021, 6, 15, 9, 30, 0),
    "2021-06-15 09:30:00 JST": utc(2021, 6, 15, 9, 30, 0),
    "2021-06-15 09:30:00 PDT": utc(2021, 6, 15, 16, 30, 0),
    "15 Jun 2021 09:30 EST": utc(2021, 6, 15, 14, 30, 0),
    "June 15, 2021": utc(2021, 6, 15, 0),
    "2021-06-15 09:30:00 Eastern Standard Time": utc(2021, 6, 15, 9, 30, 0),
    "Monday, June 15, 2009 8:45:30 PM": utc(2009, 6, 15, 20, 45, 30),
    "2009-06-15T13:45:30.0000000-07:00": utc(2009, 6, 15, 20, 45, 30),
    "Mon, 15 Jun 2009 20:45:30 GMT": utc(2009, 6, 15, 20, 45, 30),
    "2021-06-15T09:30:00.250+02:00": utc(2021, 6, 15, 7, 30, 0, 250000),
    "2021-06-15 09:30": utc(2021, 6, 15, 9, 30, 0),
    "2021-06-15": utc(2021, 6, 15, 0),
    "2021-06-15 09:30:00 -0700": utc(2021, 6, 15, 16, 30, 0),
    "2021-6-5": utc(2021, 6, 5, 0),
    "2021-06-15 09:30:00 UTC": utc(2021, 6, 15, 9, 30, 0),
    "20210615": utc(2021, 6, 15, 0),
    "2021-06-15 12:00 am": utc(2021, 6, 15, 0),
    "2021-06-15 12:00 pm": utc(2021, 6, 15, 12),
    "2021-06-15 09:30 +05": utc(2021, 6, 15, 4, 30, 0),
    "2023-01-29 18:30:22 +0000 (Coordinated Universal Time)": utc(2023, 1, 29, 18, 30, 22),
    "Thu Jun 15 2021 09:30:00 GMT+0200 (Central European Summer Time)": utc(2021, 6, 15, 9, 30, 0),
    "2023-366": None,
    "2024-366": utc(2024, 12, 31, 0),
}


@pytest.mark.parametrize("written", RUBY_TIME_PARSE)
def test_a_date_written_as_text_is_the_instant_rubys_time_parse_gives(written):
    expected = RUBY_TIME_PARSE[written]
    if expected is None:
        with pytest.raises(jekyll.FrontMatterError):
            jekyll.parse_date(written)
    else:
        assert jekyll.parse_date(written) == expected


@pytest.mark.parametrize(
    ("written", "message"),
    [
        # Ruby takes the year of the build: the post's date would change every year.
        ("29 January", "which names no year"),
        ("Jun 15", "which names no year"),
        # Ruby rolls 30 February into March; a date the month does not have is a mistake.
        ("2021-02-30", "day is out of range for month"),
        # Longer than Date._parse reads (128 characters): Ruby raises ArgumentError.
        ("2021-06-15 " + "x" * 200, "which is not a date"),
    ],
)
def test_what_ruby_would_guess_is_refused_in_one_line(written, message):
    with pytest.raises(jekyll.FrontMatterError, match=message):
        jekyll.parse_date(written)


def test_the_release_note_with_a_stray_year_imports_at_jekylls_instant(write_post_file):
    path = write_post_file(
        "---\ntitle: Jekyll 4.3.2 Released\ndate: 2023-01-29 18:30:22 2023 -0800\n---\nText.\n",
        "2023-01-29-jekyll-4-3-2-released.md",
    )
    post = import_post(path).post
    assert post.publication_date == utc(2023, 1, 29, 18, 30, 22)


def test_a_date_without_a_zone_ruby_knows_is_in_the_sites_time_zone(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    # CEST is not in Time.zone_offset's table: Jekyll built in Berlin reads local time.
    assert jekyll.parse_date("2021-06-15 09:30:00 CEST") == utc(2021, 6, 15, 7, 30)
    assert jekyll.parse_date("2021-06-15 09:30:00 PDT") == utc(2021, 6, 15, 16, 30)


# excerpt, excerpt_separator, <!--more-->


def imported(write_post_file, front_matter, body="First paragraph.\n\nSecond.\n", **options):
    path = write_post_file(f"---\ntitle: A post\n{front_matter}---\n{body}")
    result = import_post(path, **options)
    return result.post, result.warnings


def test_excerpt_is_the_description_as_text(write_post_file):
    post, warnings = imported(
        write_post_file, "excerpt: 'A *bold* <b>claim</b> and [a link](/x/).'\n"
    )
    assert (post.description, warnings) == ("A bold claim and a link.", [])


def test_an_excerpts_scripts_and_comments_are_not_text(write_post_file):
    post, _ = imported(
        write_post_file, "excerpt: 'Hi <script>alert(1)</script><!-- note -->there.'\n"
    )
    assert post.description == "Hi there."


def test_a_description_wins_over_the_excerpt(write_post_file):
    post, _ = imported(write_post_file, "description: Mine.\nexcerpt: Not this.\n")
    assert post.description == "Mine."


def test_the_excerpt_separator_marks_the_description(write_post_file):
    post, _ = imported(
        write_post_file,
        "excerpt_separator: <!--cut-->\n",
        body="The *whole* point,\nin two lines.\n<!--cut-->\nThe rest.\n",
    )
    assert post.description == "The whole point, in two lines."


def test_the_sites_excerpt_separator_and_more_comments_mark_it_too(write_post_file):
    post, _ = imported(
        write_post_file, "", body="Lead.\n\n~~~\nSecond.\n", site={"excerpt_separator": "~~~"}
    )
    assert post.description == "Lead."
    post.delete()
    post, _ = imported(write_post_file, "", body="Teaser text.\n<!--more-->\nBody.\n")
    assert post.description == "Teaser text."


def test_without_any_the_description_stays_empty_for_previews_to_excerpt(write_post_file):
    post, _ = imported(write_post_file, "")
    assert post.description == ""


def test_a_long_excerpt_is_cut_after_a_word(write_post_file):
    post, _ = imported(write_post_file, f"excerpt: {'word ' * 100}\n")
    assert len(post.description) <= 300
    assert post.description.endswith("word…")


# image


def site_with_image(tmp_path, name="assets/img/cover.png"):
    root = tmp_path / "site"
    (root / "_posts").mkdir(parents=True)
    image = root / name
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(b"\x89PNG fake")
    return root


@pytest.mark.parametrize(
    "front_matter",
    [
        "image: /assets/img/cover.png\n",
        "image: assets/img/cover.png\n",
        "image:\n  path: /assets/img/cover.png\n  alt: A cover\n  width: 1200\n",
        "image: /blog/assets/img/cover.png\n",  # the site's baseurl in front
        "media_subpath: /assets/img\nimage:\n  path: cover.png\n",  # Chirpy
        "img_path: /assets/img/\nimage: cover.png\n",  # Chirpy before 7
    ],
)
def test_the_image_is_copied_into_media_and_becomes_the_posts_image(front_matter, tmp_path):
    root = site_with_image(tmp_path)
    path = root / "_posts" / "2020-01-01-pic.md"
    path.write_text(f"---\ntitle: Pic\n{front_matter}---\nText.\n")
    result = import_post(path, site={"baseurl": "/blog"})
    assert result.warnings == []
    assert result.post.image.startswith("/media/imported/")
    assert result.post.image.endswith("/cover.png")
    with default_storage.open(result.post.image.removeprefix("/media/")) as stored:
        assert stored.read() == b"\x89PNG fake"


def test_a_bare_image_name_is_found_in_the_themes_images_folder(tmp_path):
    root = site_with_image(tmp_path, "assets/images/GAN.png")
    path = root / "_posts" / "2017-08-20-gan.md"
    path.write_text('---\ntitle: GAN\nimage: "GAN.png"\n---\nText.\n')
    result = import_post(path)
    assert (result.post.image.rsplit("/", 1)[-1], result.warnings) == ("GAN.png", [])


def test_an_absolute_image_url_is_kept(write_post_file):
    post, _ = imported(write_post_file, "image: https://cdn.example/a.png\n")
    assert post.image == "https://cdn.example/a.png"


def test_an_image_that_is_not_there_is_a_warning_and_no_image(write_post_file):
    post, warnings = imported(write_post_file, "image: /assets/missing.png\n")
    assert post.image == ""
    assert warnings == [
        "front matter image '/assets/missing.png' is not a file of the site; no preview image"
    ]


def test_a_path_out_of_the_site_is_not_copied(tmp_path):
    root = site_with_image(tmp_path)
    (tmp_path / "secret.txt").write_text("no")
    path = root / "_posts" / "2020-01-01-x.md"
    path.write_text("---\ntitle: X\nimage: ../secret.txt\n---\nText.\n")
    result = import_post(path)
    assert result.post.image == ""
    copied = (
        [
            name
            for folder in default_storage.listdir("imported")[0]
            for name in default_storage.listdir(f"imported/{folder}")[1]
        ]
        if default_storage.exists("imported")
        else []
    )
    assert "secret.txt" not in copied


# author, last_modified_at


@pytest.mark.parametrize(
    ("front_matter", "author"),
    [
        ("author: Ann Example\n", "Ann Example"),
        ("author:\n  name: Ann Example\n  twitter: ann\n", "Ann Example"),
        ("authors: [Ann Example, Bob]\n", "Ann Example"),
        ("", ""),
    ],
)
def test_the_author_is_kept(front_matter, author, write_post_file):
    post, warnings = imported(write_post_file, front_matter)
    assert (post.author, warnings) == (author, [])


def test_the_sites_author_is_the_posts_when_it_names_none(write_post_file):
    post, _ = imported(write_post_file, "", site={"author": {"name": "Site Owner"}})
    assert post.author == "Site Owner"


def test_last_modified_at_is_the_modification_time(write_post_file):
    post, warnings = imported(write_post_file, "last_modified_at: 2024-03-01 10:00:00 +0100\n")
    post.refresh_from_db()
    assert (post.modified_at, warnings) == (utc(2024, 3, 1, 9, 0), [])


def test_a_bad_last_modified_at_is_refused_in_one_line(write_post_file):
    path = write_post_file("---\ntitle: T\nlast_modified_at: someday\n---\nX\n")
    with pytest.raises(Exception, match="'last_modified_at: someday', which is not a date"):
        import_post(path)
    assert Post.objects.count() == 0


# math


@pytest.mark.parametrize(
    ("front_matter", "use_math"),
    [
        ("use_math: true\n", True),
        ("mathjax: true\n", True),
        ("math: true\n", True),
        ("katex: true\n", True),
        ("mathjax: 'true'\n", True),
        ("mathjax: yes\n", True),
        ("math: {engine: katex}\n", True),
        ("mathjax: false\n", False),
        ("mathjax: 'no'\n", False),
        ("", False),
    ],
)
def test_every_switch_themes_use_turns_math_on(front_matter, use_math, write_post_file):
    post, warnings = imported(write_post_file, front_matter)
    assert (post.use_math, warnings) == (use_math, [])


def test_a_site_wide_switch_turns_math_on_unless_the_post_says_otherwise(write_post_file):
    post, _ = imported(write_post_file, "", site={"mathjax": True})
    assert post.use_math is True
    post.delete()
    post, _ = imported(write_post_file, "math: false\n", site={"mathjax": True})
    assert post.use_math is False


# Idempotence with the new fields


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    root = site_with_image(tmp_path)
    path = root / "_posts" / "2020-01-01-again.md"
    path.write_text(
        "---\ntitle: Again\nimage: /assets/img/cover.png\nauthor: Ann\n"
        "last_modified_at: 2024-01-01\nexcerpt: Short.\n---\nText.\n"
    )
    first = import_post(path)
    assert first.action == "created"
    assert import_post(path).action == "unchanged"
    path.write_text(path.read_text().replace("author: Ann", "author: Bob"))
    second = import_post(path)
    assert (second.action, second.post.author) == ("updated", "Bob")
