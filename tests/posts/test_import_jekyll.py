"""manage.py import_jekyll: a whole Jekyll site, at the addresses Jekyll gave its posts
(issue 21). Each test builds a small site in tmp_path, as a blogger's repository has it."""

import re
import textwrap
from io import StringIO

import pytest
from django.contrib.redirects.models import Redirect
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.site import absolute_url
from posts.models import Category, Post
from tests.conftest import image_bytes
from tests.html import parse

pytestmark = pytest.mark.django_db

CONFIG = """\
title: A migrating blog
url: "https://Blog.Example.com"
baseurl: /blog
timezone: Asia/Tokyo
"""


def post(title, body="Some text.\n", **front_matter):
    lines = [f"title: {title}"] + [f"{key}: {value}" for key, value in front_matter.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body


@pytest.fixture
def media(settings):
    """A new, empty media storage (in memory, as the test settings have it); a function
    listing every name stored in it."""
    settings.STORAGES = {**settings.STORAGES}  # re-setting STORAGES gives a fresh storage

    def stored(folder=""):
        folders, files = (
            default_storage.listdir(folder) if default_storage.exists(folder) else ([], [])
        )
        names = [f"{folder}{name}" for name in files]
        for name in folders:
            names += stored(f"{folder}{name}/")
        return sorted(names)

    return stored


@pytest.fixture
def site(tmp_path, media):
    """A Jekyll site folder; write(relative path, text or bytes) adds a file."""
    root = tmp_path / "site"
    root.mkdir()

    def write(relative, content):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
        return path

    write.root = root
    return write


def run(folder, *options):
    """Run `manage.py import_jekyll`; (stdout, stderr) as text."""
    stdout, stderr = StringIO(), StringIO()
    call_command("import_jekyll", str(folder), *options, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def page(permalink):
    return reverse("pages:detail", kwargs={"permalink": permalink.lstrip("/")})


# Addresses -------------------------------------------------------------------------------


def test_a_date_styled_address_with_capitals_and_html_is_served(site, client):
    site("_config.yml", CONFIG)
    site("_posts/2018-02-19-A-Long-Peek.md", post("A long peek"))
    run(site.root)
    imported = Post.objects.get()
    assert imported.permalink == "/blog/2018/02/19/A-Long-Peek.html"
    assert imported.dialect == Post.Dialect.KRAMDOWN
    response = client.get(page(imported.permalink))
    assert response.status_code == 200
    assert parse(response.content.decode()).find("h1").text == "A long peek"


@pytest.mark.parametrize(
    ("style", "address"),
    [
        ("date", "/2018/02/19/a-peek.html"),
        ("pretty", "/2018/02/19/a-peek/"),
        ("ordinal", "/2018/050/a-peek.html"),
        ("none", "/a-peek.html"),
        ("weekdate", "/2018/W08/Mon/a-peek.html"),
        ("/:year/:short_month/:i_day/:slug", "/2018/Feb/19/a-peek/"),
        ("/posts/:title/", "/posts/a-peek/"),
        ("/:categories/:y_day-:hour:minute/:title:output_ext", "/notes/050-1030/a-peek.html"),
    ],
)
def test_every_permalink_style_gives_jekylls_address(site, style, address):
    site("_config.yml", f"permalink: {style}\n")
    site(
        "_posts/2018-02-19-a-peek.md",
        post("A peek", date='"2018-02-19 10:30:00 +0000"', category="Notes"),
    )
    run(site.root)
    expected = address
    if style in ("date", "pretty", "ordinal", "none", "weekdate"):
        expected = "/notes" + address  # their templates start with :categories
    assert Post.objects.get().permalink == expected


def test_dates_are_read_in_the_sites_timezone(site):
    # 23:30 UTC on the 19th is already the 20th in Tokyo: Jekyll's address says the 20th.
    site("_config.yml", "timezone: Asia/Tokyo\npermalink: /:year/:month/:day/:title/\n")
    site("_posts/2018-02-19-late.md", post("Late", date='"2018-02-19 23:30:00 +0000"'))
    site("_posts/2018-03-01-local.md", post("Local", date='"2018-03-01 08:00:00"'))
    run(site.root)
    assert set(Post.objects.values_list("permalink", flat=True)) == {
        "/2018/02/20/late/",
        "/2018/03/01/local/",
    }
    local = Post.objects.get(title="Local")
    assert local.published_at.isoformat() == "2018-02-28T23:00:00+00:00"  # 08:00 in Tokyo


def test_categories_come_from_the_folders_above_posts_as_jekyll_makes_them(site):
    site("_config.yml", "permalink: /:categories/:title/\n")
    site("Machine Learning/_posts/2020-01-01-gradients.md", post("Gradients", category="Maths"))
    site("_posts/archive/2019-01-01-old.md", post("Old"))  # a folder inside _posts: none
    run(site.root)
    gradients = Post.objects.get(title="Gradients")
    assert sorted(c.name for c in gradients.categories.all()) == ["Machine Learning", "Maths"]
    # Jekyll's /machine%20learning/maths/gradients/ holds a space, no part of an address
    # here: the post gets a clean address, redirected from Jekyll's.
    assert gradients.permalink == "/gradients/"
    assert Redirect.objects.filter(
        old_path="/machine%20learning/maths/gradients/", new_path="/gradients/"
    ).exists()
    old = Post.objects.get(title="Old")
    assert list(old.categories.all()) == []
    assert old.permalink == "/old/"


def test_front_matter_defaults_apply_by_scope(site):
    site(
        "_config.yml",
        """\
        defaults:
          - scope: {path: "", type: posts}
            values: {permalink: "/posts/:title/", comments: true}
          - scope: {path: "_posts/quiet"}
            values: {comments: false}
          - scope: {path: "_posts/q*", type: pages}
            values: {comments: true}
        """,
    )
    site("_posts/2021-05-01-Loud-Post.md", post("Loud"))
    site("_posts/quiet/2021-05-02-quiet.md", post("Quiet"))
    site("_posts/2021-05-03-own.md", post("Own", permalink="/own/:year/"))
    run(site.root)
    assert Post.objects.get(title="Loud").permalink == "/posts/Loud-Post/"
    assert Post.objects.get(title="Loud").allow_comments is True
    assert Post.objects.get(title="Quiet").allow_comments is False
    assert Post.objects.get(title="Own").permalink == "/own/2021/"


def test_the_other_addresses_the_old_host_answered_redirect_keeping_the_query(site, client):
    site("_config.yml", "permalink: pretty\n")
    site("_posts/2018-02-19-peek.md", post("Peek", redirect_from="[/old-peek/]"))
    site("_posts/2018-02-20-page.md", post("Page", permalink="/:title.html"))
    run(site.root)
    for old, new in [
        ("/2018/02/19/peek/index.html", "/2018/02/19/peek/"),
        ("/old-peek/", "/2018/02/19/peek/"),
        ("/page", "/page.html"),
        ("/page.html/", "/page.html"),
    ]:
        response = client.get(old, {"utm_source": "feed", "q": "a b"})
        assert response.status_code == 301, old
        assert response["Location"] == f"{new}?utm_source=feed&q=a+b", old


def test_clean_addresses_redirect_permanently_from_jekylls(site, client, settings):
    settings.JEKYLL_ADDRESSES = "clean"
    site("_config.yml", "baseurl: /blog\n")
    site("_posts/2018-02-19-A-Long-Peek.md", post("A long peek"))
    run(site.root)
    assert Post.objects.get().permalink == "/a-long-peek/"
    response = client.get("/blog/2018/02/19/A-Long-Peek.html?ref=hn")
    assert response.status_code == 301
    assert response["Location"] == "/a-long-peek/?ref=hn"


def test_an_address_the_site_uses_itself_gets_a_clean_one_and_a_redirect(site):
    site("_config.yml", "permalink: /admin/:title/\n")
    site("_posts/2018-02-19-peek.md", post("Peek"))
    out, err = run(site.root)
    assert Post.objects.get().permalink == "/peek/"
    assert Redirect.objects.filter(old_path="/admin/peek/", new_path="/peek/").exists()
    assert (
        "address /admin/peek/ cannot be kept here (the site uses its first segment itself): "
        "the post is at /peek/, and /admin/peek/ redirects to it" in err
    )
    assert "Warnings: 1 (1 address not kept)." in out


# Drafts, links and files --------------------------------------------------------------------


def test_drafts_are_imported_as_drafts_hidden_from_readers(site, client):
    site("_drafts/a-draft.md", post("Unfinished"))
    site("_posts/2020-01-01-done.md", post("Done"))
    out, _ = run(site.root)
    draft = Post.objects.get(title="Unfinished")
    assert draft.status == Post.Status.DRAFT
    assert client.get(page(draft.permalink)).status_code == 404
    assert "Unfinished" not in client.get(reverse("pages:list")).content.decode()
    assert "2 posts (1 drafts)" in out


def test_linked_files_are_copied_into_media_and_served(site, client, media):
    site("_config.yml", CONFIG)
    picture = image_bytes()
    site("assets/img/diagram.png", picture)
    site("files/paper.pdf", b"%PDF-1.4 a paper")
    site(
        "_posts/2020-01-01-files.md",
        post(
            "Files",
            "![A diagram](/blog/assets/img/diagram.png)\n\n"
            '<img src="/assets/img/diagram.png" alt="again">\n\n'
            "[The paper](https://blog.example.com/blog/files/paper.pdf#page=2)\n\n"
            "[relative](../../../../assets/img/diagram.png)\n\n"
            "```\n![not a link](/blog/assets/img/diagram.png)\n```\n",
        ),
    )
    out, _ = run(site.root)
    body = Post.objects.get().body
    links = re.findall(r"/media/imported/[0-9a-f]{16}/[\w.]+(?:#page=2)?", body)
    assert len(links) == 4
    assert "](/blog/assets/img/diagram.png)\n```" in body  # code is left alone
    diagram = next(link for link in links if link.endswith("diagram.png"))
    response = client.get(diagram)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == picture
    assert "Files: 2 linked from posts, 2 copied into media (0 already there)." in out


def test_a_chirpy_post_finds_its_images_under_media_subpath(site):
    site(
        "_config.yml",
        """\
        defaults:
          - scope: {path: "", type: posts}
            values: {layout: post, permalink: /posts/:title/}
        """,
    )
    site("assets/img/6dof/setup.png", image_bytes())
    site(
        "_posts/2023-01-01-6DoF-OPE.md",
        post("6DoF", '![setup](setup.png){: w="400" }\n', media_subpath="/assets/img/6dof"),
    )
    _, err = run(site.root)
    chirpy = Post.objects.get()
    assert chirpy.permalink == "/posts/6DoF-OPE/"
    assert re.search(r"!\[setup\]\(/media/imported/[0-9a-f]{16}/setup\.png\)", chirpy.body)
    assert "warning" not in err


def test_a_chirpy_post_without_media_subpath_finds_its_images_from_the_root(site):
    site("_config.yml", "theme: jekyll-theme-chirpy\npermalink: /posts/:title/\n")
    site("assets/images/snaps/otel.png", image_bytes())
    site("_posts/2025-08-18-otel.md", post("Otel", "![image](assets/images/snaps/otel.png)\n"))
    run(site.root)
    body = Post.objects.get().body
    assert re.search(r"!\[image\]\(/media/imported/[0-9a-f]{16}/otel\.png\)", body)


def test_links_between_posts_point_to_their_addresses_here(site, settings):
    settings.JEKYLL_ADDRESSES = "clean"
    site("_config.yml", "baseurl: /blog\n")
    site("_posts/2018-02-19-first.md", post("First"))
    site(
        "_posts/2018-03-01-second.md",
        post("Second", "[see](/blog/2018/02/19/first.html?x=1#part) and [page](/about/)\n"),
    )
    _, err = run(site.root)
    assert "[see](/first/?x=1#part)" in Post.objects.get(title="Second").body
    assert "link to /about/: no post or file of the site is there" in err


# Idempotence, the editor's work, the summary --------------------------------------------------


def test_a_second_import_changes_nothing(site, media):
    site("_config.yml", CONFIG)
    site("assets/a.png", image_bytes())
    site("_posts/2020-01-01-one.md", post("One", "![a](/blog/assets/a.png)\n"))
    site("_posts/2020-01-02-two.md", post("Two"))
    run(site.root)
    files = media()
    assert len(files) == 1
    before = list(Post.objects.values_list("pk", "permalink", "updated_at", "body"))
    out, _ = run(site.root)
    assert "2 posts (0 drafts): 0 imported (0 new, 0 updated), 2 unchanged" in out
    assert "Files: 1 linked from posts, 0 copied into media (1 already there)." in out
    assert list(Post.objects.values_list("pk", "permalink", "updated_at", "body")) == before
    assert media() == files


def test_a_post_edited_in_admin_is_kept_and_the_summary_says_so(site):
    site("_config.yml", CONFIG)
    path = site("_posts/2020-01-01-one.md", post("One"))
    site("_posts/2020-01-02-two.md", post("Two"))
    run(site.root)
    edited = Post.objects.get(title="One")
    edited.body = "The editor's words.\n"
    edited.save()
    path.write_text(post("One", "The author's new words.\n"))
    site("_posts/2020-01-02-two.md", post("Two", "Changed too.\n"))
    site("_posts/2020-01-03-three.md", post("Three", "{% include note.html %}\n"))
    out, _ = run(site.root)
    assert Post.objects.get(title="One").body == "The editor's words.\n"
    assert Post.objects.get(title="Two").body == "Changed too.\n"
    assert re.search(r"_posts/2020-01-01-one\.md: kept .* as edited in admin", out)
    assert (
        "3 posts (0 drafts): 2 imported (1 new, 1 updated), 0 unchanged, "
        "1 kept as edited in admin." in out
    )


def test_the_summary_counts_warnings_by_kind(site):
    site("_posts/2020-01-01-one.md", post("One", "[x](/nowhere/)\n", flavour="odd"))
    site("_posts/2020-01-02-two.md", post("Two", "[y](/missing.png)\n", colour="odd"))
    site("_posts/undated.md", post("Undated"))
    site("_posts/2020-01-03-notes.txt", post("Notes"))
    out, err = run(site.root)
    assert "_posts/undated.md: left out, as Jekyll does" in err
    assert "_posts/2020-01-03-notes.txt: left out: Jekyll publishes it as it is" in err
    warnings = re.search(r"Warnings: (\d+) \((.*)\)\.", out)
    assert warnings.group(1) == "6"
    assert "2 link to nothing in the site" in warnings.group(2)
    assert "2 unknown front matter key" in warnings.group(2)
    assert "2 file left out" in warnings.group(2)


# The feed ------------------------------------------------------------------------------------


def test_the_feed_keeps_jekyll_feeds_entry_ids(site, client):
    site("_config.yml", CONFIG + "permalink: pretty\n")
    site("_posts/2018-02-19-A-Peek.md", post("A peek", date='"2018-02-19 10:00:00 +0900"'))
    run(site.root)
    imported = Post.objects.get()
    # jekyll-feed: {{ post.id | absolute_url }}; post.id is File.join(dirname(url), slug).
    assert imported.feed_id == "https://blog.example.com/blog/2018/02/19/A-Peek"
    feed = client.get(reverse("feed")).content.decode()
    assert "<id>https://blog.example.com/blog/2018/02/19/A-Peek</id>" in feed


def test_the_feed_keeps_the_ids_of_the_sites_own_feed_template(site):
    site("_config.yml", 'url: "http://example.org"\npermalink: pretty\n')
    site(
        "feed.xml",
        "---\nlayout: none\n---\n<rss>{% for post in site.posts %}<item>"
        '<guid isPermaLink="true">{{ post.url | prepend: site.baseurl | prepend: site.url }}'
        "</guid></item>{% endfor %}</rss>\n",
    )
    site("_posts/2016-05-31-rl.md", post("RL"))
    run(site.root)
    assert Post.objects.get().feed_id == "http://example.org/2016/05/31/rl/"


def test_posts_written_here_keep_their_feed_ids(a_post, client):
    feed = client.get(reverse("feed")).content.decode()
    assert f"<id>{absolute_url(a_post.permalink)}</id>" in feed


# import_post --config --------------------------------------------------------------------------


def test_import_post_takes_the_sites_settings_from_config(site):
    config = site("_config.yml", CONFIG + "permalink: /:categories/:title:output_ext\n")
    path = site("notes/_posts/2018-02-19-Peek.md", post("Peek"))
    stdout, stderr = StringIO(), StringIO()
    call_command("import_post", str(path), "--config", str(config), stdout=stdout, stderr=stderr)
    imported = Post.objects.get()
    assert imported.permalink == "/blog/notes/Peek.html"
    assert [c.name for c in imported.categories.all()] == ["notes"]
    assert imported.feed_id == "https://blog.example.com/blog/notes/Peek"


def test_import_post_without_config_keeps_todays_addresses(write_post_file):
    path = write_post_file(post("Plain", permalink="/plain/"), name="2020-01-01-plain.md")
    call_command("import_post", str(path), stdout=StringIO(), stderr=StringIO())
    assert Post.objects.get().permalink == "/plain/"


# Bad input ----------------------------------------------------------------------------------


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such folder"):
        run(tmp_path / "nowhere")


def test_a_file_given_as_the_site_is_a_clear_error(site):
    path = site("_config.yml", CONFIG)
    with pytest.raises(CommandError, match="is not a folder"):
        run(path)


def test_a_config_that_is_not_text_is_a_clear_error(site):
    site("_config.yml", b"title: \xff\xfe\n")
    with pytest.raises(CommandError, match=r"_config.yml: is not UTF-8 text"):
        run(site.root)


def test_a_broken_config_is_a_clear_error_and_nothing_is_written(site, media):
    site("_config.yml", "permalink: [unclosed\n")
    site("_posts/2020-01-01-one.md", post("One"))
    with pytest.raises(CommandError, match=r"_config.yml: invalid YAML at line \d"):
        run(site.root)
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("timezone: Mars/Olympus\n", "not a time zone name"),
        ("- a list\n", "not a mapping"),
        ("url: ftp://example.com\n", "an http(s) address"),
    ],
)
def test_unusable_settings_are_clear_errors(site, config, message):
    site("_config.yml", config)
    site("_posts/2020-01-01-one.md", post("One"))
    with pytest.raises(CommandError, match=re.escape(message)):
        run(site.root)


def test_an_unreadable_post_stops_the_import_before_anything_is_written(site, media):
    site("assets/a.png", image_bytes())
    site("_posts/2020-01-01-good.md", post("Good", "![a](/assets/a.png)\n"))
    site("_posts/2020-01-02-bad.md", b"---\ntitle: x\n---\n\x00\x00")
    site("_posts/2020-01-03-worse.md", b"---\ntitle: \xff\n---\n")
    stderr = StringIO()
    with pytest.raises(CommandError, match="2 of 3 files could not be imported, so nothing was"):
        call_command("import_jekyll", str(site.root), stdout=StringIO(), stderr=stderr)
    assert "_posts/2020-01-02-bad.md: is not text" in stderr.getvalue()
    assert "_posts/2020-01-03-worse.md: is not UTF-8" in stderr.getvalue()
    assert not Post.objects.exists()
    assert not Category.objects.exists()
    assert media() == []


def test_a_post_file_linked_from_outside_the_site_is_left_out(site, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret\n---\nroot:x:0:0\n", encoding="utf-8")
    site("_config.yml", CONFIG)
    site("_posts/2020-01-01-good.md", post("Good"))
    (site.root / "_posts" / "2020-01-02-secret.md").symlink_to(secret)
    stdout, stderr = run(site.root)
    assert list(Post.objects.values_list("title", flat=True)) == ["Good"]
    assert "_posts/2020-01-02-secret.md: left out: it is a link to a file outside the site" in (
        stdout + stderr
    )


def test_a_post_file_too_large_is_refused_before_it_is_read(site, media):
    site("_config.yml", CONFIG)
    site("_posts/2020-01-01-huge.md", post("Huge", "lorem ipsum " * 100_000))
    stderr = StringIO()
    with pytest.raises(CommandError, match="1 of 1 file could not be imported"):
        call_command("import_jekyll", str(site.root), stdout=StringIO(), stderr=stderr)
    assert "_posts/2020-01-01-huge.md: is 1,200,0" in stderr.getvalue()
    assert "more than the 1,000,000 a post may have" in stderr.getvalue()
    assert not Post.objects.exists()


def test_a_site_without_posts_is_a_clear_error(site):
    site("_config.yml", CONFIG)
    site("index.md", "---\n---\nHome\n")
    with pytest.raises(CommandError, match="no posts found"):
        run(site.root)


def test_two_posts_with_one_address_are_refused(site):
    site("_config.yml", "permalink: /:title/\n")
    site("_posts/2020-01-01-same.md", post("One"))
    site("_posts/2021-01-01-same.md", post("Two"))
    with pytest.raises(CommandError, match="could not be imported"):
        run(site.root)
    assert not Post.objects.exists()


def test_a_post_without_front_matter_is_read_as_jekyll_reads_it(site):
    site("_config.yml", "permalink: pretty\n")
    site("_posts/2019-04-25-recipe.md", "Just text, [home](/).\n")
    run(site.root)
    recipe = Post.objects.get()
    assert (recipe.title, recipe.permalink) == ("Recipe", "/2019/04/25/recipe/")
    assert "[home](/)" in recipe.body


# The address rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "permalink",
    [
        "/2018/02/19/A-Long-Peek.html",
        "/posts/6DoF-OPE/",
        "/blog/notes/статья/",
        "/posts/مفاهيم-حياتيّة/",  # a combining mark (shadda), as Jekyll's slugs keep it
        "/2020/हिन्दी-लेख.html",
        "/a/b~c/it's-(done)!.htm",
    ],
)
def test_an_imported_post_may_keep_jekylls_address_one_written_here_may_not(permalink):
    imported = Post(
        title="T", slug="t", permalink=permalink, body="x", dialect=Post.Dialect.KRAMDOWN
    )
    imported.full_clean()
    written_here = Post(title="T", slug="t", permalink=permalink, body="x")
    with pytest.raises(ValidationError) as error:
        written_here.full_clean()
    assert "lowercase letters" in error.value.message_dict["permalink"][0]


@pytest.mark.parametrize(
    "permalink",
    [
        "/a/../b.html",
        "/a//b/",
        "/with space.html",
        "/tab\there/",
        "/per%20cent/",
        "/query?x=1/",
        "/.hidden/",
        "/" + "x" * 200 + "/",
    ],
)
def test_no_post_may_have_an_unsafe_address(permalink):
    imported = Post(
        title="T", slug="t", permalink=permalink, body="x", dialect=Post.Dialect.KRAMDOWN
    )
    with pytest.raises(ValidationError) as error:
        imported.full_clean()
    assert "permalink" in error.value.message_dict


def test_a_page_name_is_one_address_whatever_its_slashes(client):
    imported = Post.objects.create(
        title="Peek",
        slug="peek",
        permalink="/2018/Peek.html",
        body="x",
        status=Post.Status.PUBLISHED,
        dialect=Post.Dialect.KRAMDOWN,
    )
    assert imported.permalink == "/2018/Peek.html"
    response = client.get("/2018/Peek.html/?a=1")
    assert (response.status_code, response["Location"]) == (301, "/2018/Peek.html?a=1")
    assert (
        client.get("/2018/peek.html").status_code == 404
    )  # addresses are exact, as on GitHub Pages


def test_kramdown_options_the_site_does_not_reproduce_are_named(site):
    site(
        "_config.yml",
        "kramdown:\n  input: GFM\n  hard_wrap: true\n  auto_id_prefix: h-\n"
        "  smart_quotes: apos,apos,quot,quot\n  syntax_highlighter: rouge\n",
    )
    site("_posts/2020-01-01-one.md", post("One"))
    out, err = run(site.root)
    assert "kramdown option hard_wrap: true" in err
    assert "kramdown option auto_id_prefix: h-" in err
    assert "kramdown option smart_quotes: apos,apos,quot,quot" in err
    assert "syntax_highlighter" not in err
    assert "Warnings: 3 (3 site setting not applied)." in out


def test_the_feed_and_sitemap_date_a_change_as_its_author_does(site, client):
    site("_config.yml", CONFIG)
    site(
        "_posts/2020-01-01-one.md",
        post("One", last_modified_at='"2021-03-04 05:06:07 +0000"'),
    )
    run(site.root)
    feed = client.get(reverse("feed")).content.decode()
    assert "<updated>2021-03-04T05:06:07+00:00</updated>" in feed
    sitemap = client.get(reverse("sitemap")).content.decode()
    assert "<lastmod>2021-03-04</lastmod>" in sitemap


def test_imported_svgs_and_pdfs_are_shown_inline_and_sandboxed(site, client):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    site("assets/diagram.svg", svg)
    site("assets/paper.pdf", b"%PDF-1.4 a paper")
    site("assets/page.html", b"<script>alert(1)</script>")
    site(
        "_posts/2020-01-01-one.md",
        post("One", "![d](/assets/diagram.svg) [p](/assets/paper.pdf) [h](/assets/page.html)\n"),
    )
    run(site.root)
    links = re.findall(r"\((/media/imported/[^)]+)\)", Post.objects.get().body)
    types = {}
    for link in links:
        response = client.get(link)
        assert response.status_code == 200
        assert response["Content-Security-Policy"].startswith("sandbox;")
        assert response["X-Content-Type-Options"] == "nosniff"
        types[link.rsplit(".", 1)[-1]] = response["Content-Type"]
    assert types == {
        "svg": "image/svg+xml",
        "pdf": "application/pdf",
        "html": "application/octet-stream",
    }


def test_a_link_to_an_address_with_parentheses_stays_one_link(site, client):
    site("_config.yml", "permalink: /:title/\n")
    site("_posts/2020-01-01-notes-(draft).md", post("Notes"))
    site("_posts/2020-01-02-next.md", post("Next", "[notes](/notes-(draft)/)\n"))
    run(site.root)
    assert Post.objects.get(title="Notes").permalink == "/notes-(draft)/"
    body = Post.objects.get(title="Next").body
    assert body == "[notes](/notes-%28draft%29/)\n"
    assert client.get("/notes-%28draft%29/").status_code == 200


def test_an_address_in_another_script_is_kept_and_its_other_forms_redirect(site, client):
    site("_config.yml", "permalink: /:year/:title:output_ext\n")
    site("_posts/2020-02-03-über-cool.md", post("Über"))
    run(site.root)
    kept = Post.objects.get()
    assert kept.permalink == "/2020/über-cool.html"
    assert client.get("/2020/%C3%BCber-cool.html").status_code == 200
    response = client.get("/2020/%C3%BCber-cool?ref=x")
    assert (response.status_code, response["Location"]) == (
        301,
        "/2020/%C3%BCber-cool.html?ref=x",
    )


def test_a_dry_run_says_what_would_happen_and_writes_nothing(site, media):
    site("_config.yml", CONFIG)
    site("assets/a.png", image_bytes())
    site("_posts/2020-01-01-one.md", post("One", "![a](/blog/assets/a.png)\n"))
    out, _ = run(site.root, "--dry-run")
    assert "_posts/2020-01-01-one.md: created /blog/2020/01/01/one.html (One)" in out
    assert "1 imported (1 new, 0 updated)" in out
    assert "Files: 1 linked from posts, 1 to copy into media (0 already there)." in out
    assert out.rstrip().endswith("Dry run: nothing was written.")
    assert not Post.objects.exists()
    assert not Redirect.objects.exists()
    assert media() == []


def test_without_a_url_the_custom_domain_gives_the_feed_ids_as_github_pages_does(site):
    site("CNAME", "blog.example.org\n")
    site("_config.yml", "permalink: pretty\n")
    site("_posts/2016-05-31-rl.md", post("RL"))
    out, err = run(site.root)
    assert Post.objects.get().feed_id == "https://blog.example.org/2016/05/31/rl"
    assert "https://blog.example.org, from CNAME" in err


def test_a_title_in_a_script_with_combining_marks_keeps_them_in_the_address(site, client):
    site("_config.yml", "permalink: /posts/:title/\n")
    site("_posts/2024-04-01-مفاهيم-حياتيّة.md", post("Arabic"))
    run(site.root)
    kept = Post.objects.get()
    assert kept.permalink == "/posts/مفاهيم-حياتيّة/"
    assert client.get(page(kept.permalink)).status_code == 200


# Liquid that needs the whole site ---------------------------------------------------------


def test_site_posts_where_first_url_finds_the_post_by_its_slug(site, settings):
    """hazra1991.github.io links posts with site.posts | where: "slug", … | first.url."""
    settings.JEKYLL_ADDRESSES = "clean"
    site("_config.yml", "baseurl: /blog\npermalink: /posts/:title/\n")
    site("_posts/2024-04-12-pip.md", post("Pip", slug="Pip-And-Toml"))
    site(
        "_posts/2024-05-01-second.md",
        post(
            "Second",
            '[pip]({{ site.posts | where: "slug", "Pip-And-Toml" | first.url | relative_url }}#x)\n'
            '[gone]({{ site.posts | where: "slug", "nothing" | first.url | relative_url }}#y)\n'
            "{% for p in site.posts %}- {{ p.title }} ({{ p.date | slice: 0, 4 }})\n{% endfor %}"
            '{{ site.posts | where: "slug", "Pip-And-Toml" | map: "title" | join: ", " }}\n',
        ),
    )
    _, err = run(site.root)
    body = Post.objects.get(title="Second").body
    assert "[pip](/pip-and-toml/#x)" in body
    # Liquid's nil prints nothing, as Jekyll printed it; the editor is told.
    assert "[gone](#y)" in body
    assert 'where: "slug", "nothing" | first.url | relative_url }} finds nothing' in err
    # Newest first, as site.posts is; the unknown filter (slice) stays visible.
    assert body.index("- Second") < body.index("- Pip")
    assert body.count("liquid-placeholder") == 2
    assert "\nPip\n" in body


def test_a_link_to_a_page_that_is_not_imported_keeps_jekylls_address(site):
    """Jekyll's release notes link {% link _docs/history.md %}: a collection document."""
    site(
        "_config.yml",
        """\
        baseurl: /site
        permalink: pretty
        collections:
          docs:
            permalink: /:collection/:path/
            output: true
          drafts_notes:
            output: false
        """,
    )
    site("_docs/history.md", "---\ntitle: History\n---\nText\n")
    site("_docs/deep/usage.md", "---\ntitle: Usage\n---\nText\n")
    site("_docs/own.md", "---\ntitle: Own\npermalink: /elsewhere/\n---\n")
    site("_drafts_notes/n.md", "---\ntitle: N\n---\n")
    site("about.md", "---\ntitle: About\n---\n")
    site("team/index.html", "---\ntitle: Team\n---\n")
    site(
        "_posts/2024-06-23-notes.md",
        post(
            "Notes",
            "[a]({% link _docs/history.md %}#v3) [b]({% link _docs/deep/usage.md %}) "
            "[c]({% link _docs/own.md %}) [d]({% link about.md %}) "
            "[e]({% link team/index.html %}) [f]({% link _drafts_notes/n.md %}) "
            "[g]({% link missing.md %})\n",
        ),
    )
    _, err = run(site.root)
    body = Post.objects.get(title="Notes").body
    for link in (
        "[a](/site/docs/history/#v3)",
        "[b](/site/docs/deep/usage/)",
        "[c](/site/elsewhere/)",
        "[d](/site/about/)",
        "[e](/site/team/)",
        "[f](#liquid-unresolved)",
        "[g](#liquid-unresolved)",
    ):
        assert link in body
    assert "_docs/history.md is a page of the old site, which is not imported" in err
    assert "no imported file is missing.md" in err


@pytest.mark.parametrize(
    ("style", "address"),
    [("date", "/about.html"), ("/:year/:title/", "/about/"), ("/:year/:title", "/about")],
)
def test_a_pages_address_follows_the_sites_permalink_style(site, style, address):
    site("_config.yml", f"permalink: {style}\n")
    site("about.md", "---\ntitle: About\n---\n")
    site("_posts/2024-06-23-notes.md", post("Notes", "[d]({% link about.md %})\n"))
    run(site.root)
    assert f"[d]({address})" in Post.objects.get(title="Notes").body


def test_chirpys_embeds_are_a_link_to_the_platform_and_the_blogs_own_player(site, client):
    site("_config.yml", "baseurl: ''\n")
    site("assets/demo.mp4", b"\x00\x00\x00\x18ftypmp42")
    site(
        "_posts/2025-08-17-video.md",
        post(
            "Video",
            "Watch:\n\n{% include embed/youtube.html id='iEEIabOha8U' %}\n\n"
            "{% include embed/video.html src='/assets/demo.mp4' title='A demo' %}\n\n"
            "{% include footer.html %}\n\n"
            "```liquid\n{% include embed/youtube.html id='kept' %}\n```\n",
        ),
    )
    _, err = run(site.root)
    imported = Post.objects.get()
    document = parse(client.get(page(imported.permalink)).content)
    video = document.find("a", class_="embed-video")
    assert video["href"] == "https://www.youtube.com/watch?v=iEEIabOha8U"
    assert video.text == "Watch on YouTube"
    player = document.find("video", class_="embed-video")
    assert "controls" in player.attrs and player["src"].startswith("/media/imported/")
    assert client.get(player["src"]).status_code == 200
    assert "A demo" in player.parent.text
    assert "the YouTube player is a link to it here" in err
    assert document.find(class_="liquid-placeholder").text == "{% include footer.html %}"
    assert "{% include embed/youtube.html id='kept' %}" in document.find("pre").text


def test_an_index_post_lists_a_collections_documents_at_their_old_addresses(site):
    """lsieun.github.io: site.COLLECTION | where_exp: … | sort: "sequence", in a loop."""
    site(
        "_config.yml",
        """\
        collections:
          notes:
            output: true
            permalink: /:collection/:path.html
        """,
    )
    site("_notes/ch01/b.md", "---\ntitle: Second\nsequence: 10\n---\n")
    site("_notes/ch01/a.md", "---\ntitle: First\nsequence: 2\n---\n")
    site("_notes/ch02/c.md", "---\ntitle: Elsewhere\nsequence: 1\n---\n")
    site(
        "_posts/2021-04-20-index.md",
        post(
            "Index",
            "{%\nassign shown = site.notes |\n"
            'where_exp: "item", "item.path contains \'notes/ch01/\'" |\n'
            'sort: "sequence"\n%}\n'
            "{% for note in shown %}- [{{ note.title }}]({{ note.url }})\n{% endfor %}\n"
            "{% assign odd = site.notes | where_exp: 'x', 'x.title == page.nothing' %}"
            "{% for note in odd %}never{% endfor %}\n",
        ),
    )
    run(site.root)
    body = Post.objects.get(title="Index").body
    assert "- [First](/notes/ch01/a.html)\n- [Second](/notes/ch01/b.html)\n" in body
    assert "Elsewhere" not in body
    assert "never" not in body  # a condition not known here is a placeholder, not a guess
