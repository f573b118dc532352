"""Importing a Disqus export: threads matched to posts, replies kept, nothing unsafe."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.redirects.models import Redirect
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from comments.disqus import import_disqus
from comments.disqus_matching import PostAddresses, address_key
from comments.models import Comment
from posts.models import ImportRecord
from tests.conftest import make_post, make_user
from tests.html import parse

from .conftest import body_text, comment_element, page_tree, post_comment, shown_comment_ids

pytestmark = pytest.mark.django_db

EXPORT = Path(__file__).resolve().parent / "data" / "disqus_export.xml"
HEADER = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
)


def utc(*parts):
    return datetime.datetime(*parts, tzinfo=datetime.UTC)


def run_import(path):
    out, err = StringIO(), StringIO()
    call_command("import_disqus", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def posts(db):
    return {
        "by_url": make_post(title="DL advice", slug="dl-advice", permalink="/dl_advice/"),
        "by_identifier": make_post(
            title="By identifier", slug="by-identifier", permalink="/by-identifier/"
        ),
    }


def imported(disqus_id):
    return Comment.objects.get(disqus_id=disqus_id)


def test_comments_are_imported_onto_the_posts_their_threads_match(posts):
    out, _ = run_import(EXPORT)

    assert (
        f"{EXPORT}: 2 of 3 threads matched to posts; 5 comments imported; "
        "0 deleted or spam on Disqus kept as placeholders for their replies; 3 skipped"
    ) in out
    by_url = set(Comment.objects.filter(post=posts["by_url"]).values_list("disqus_id", flat=True))
    assert by_url == {"2001", "2002", "2003", "2004"}
    assert imported("2005").post == posts["by_identifier"]


def test_comments_on_unmatched_threads_spam_and_deleted_ones_are_skipped_and_reported(posts):
    out, _ = run_import(EXPORT)

    assert not Comment.objects.filter(disqus_id__in=["2006", "2007", "2008"]).exists()
    assert "skipped 1: thread not matched to a post" in out
    assert "skipped 1: spam on Disqus" in out
    assert "skipped 1: deleted on Disqus" in out


def test_replies_stay_replies_even_when_listed_before_their_parent(posts):
    run_import(EXPORT)

    first, question, answer = imported("2001"), imported("2003"), imported("2002")
    assert (first.parent, first.depth, first.thread) == (None, 0, first)
    assert (question.parent, question.depth, question.thread) == (first, 1, first)
    assert (answer.parent, answer.depth, answer.thread) == (question, 2, first)


def test_a_reply_deeper_than_the_site_allows_attaches_at_the_deepest_allowed_level(posts):
    run_import(EXPORT)

    deeper = imported("2004")
    assert (deeper.parent, deeper.depth, deeper.thread) == (imported("2003"), 2, imported("2001"))
    assert max(Comment.objects.values_list("depth", flat=True)) == 2


def test_dates_and_author_names_are_kept_and_comments_are_approved_without_an_account(posts):
    run_import(EXPORT)

    assert imported("2003").created_at == utc(2016, 1, 3, 9, 0)
    assert imported("2001").created_at == utc(2016, 1, 2, 10, 0)
    names = dict(Comment.objects.values_list("disqus_id", "author_name"))
    assert names == {
        "2001": "Alice Archer",
        "2002": "Bob Baker",
        "2003": "Carol Cook",
        "2004": "Dan Drake",
        "2005": "Eve Evans",
    }
    assert set(Comment.objects.values_list("status", flat=True)) == {"approved"}
    assert set(Comment.objects.values_list("author", flat=True)) == {None}


def test_script_in_messages_is_sanitized(posts):
    run_import(EXPORT)

    first = imported("2001")
    assert first.body_html == "<p>Great post, thanks!</p>"
    assert "alert" not in first.body
    tree = parse(imported("2005").body_html)
    assert {element.tag for element in tree.iter()} == {"p", "a"}
    link = tree.first("a")
    assert link.get("href") is None
    assert link.get("onclick") is None
    assert link.get("rel") == "nofollow ugc noopener"


def test_safe_links_and_paragraphs_are_kept(posts):
    run_import(EXPORT)

    tree = parse(imported("2003").body_html)
    assert len(tree.find_all("p")) == 2
    assert tree.first("a").get("href") == "https://example.com/course"


def test_the_plain_text_of_a_message_reads_as_written(posts):
    run_import(EXPORT)

    assert imported("2002").body == "Agreed with Carol & Alice."
    assert imported("2002").body_html == "<p>Agreed with Carol &amp; Alice.</p>"


def test_imported_comments_show_on_the_post_threaded_and_named(client, posts):
    run_import(EXPORT)

    tree = page_tree(client, posts["by_url"])

    first = imported("2001")
    assert shown_comment_ids(tree) == [
        first.pk,
        imported("2003").pk,
        imported("2002").pk,
        imported("2004").pk,
    ]
    element = comment_element(tree, first)
    assert element.first("span", class_="comment-author").text == "Alice Archer"
    assert body_text(tree, first) == "Great post, thanks!"
    assert tree.first("p", class_="post-comments").text == "4 comments"


def test_running_the_import_again_imports_nothing_new(posts):
    run_import(EXPORT)
    count = Comment.objects.count()

    out, _ = run_import(EXPORT)

    assert Comment.objects.count() == count == 5
    assert "0 comments imported" in out
    assert "skipped 5: already imported" in out


def test_a_comment_twice_in_one_file_is_imported_once(posts, tmp_path):
    entry = (
        '<post dsq:id="7"><message><![CDATA[<p>Twice</p>]]></message>'
        "<createdAt>2016-01-02T10:00:00Z</createdAt><isDeleted>false</isDeleted>"
        "<isSpam>false</isSpam><author><name>Echo</name></author>"
        '<thread dsq:id="1" /></post>'
    )
    path = tmp_path / "twice.xml"
    path.write_text(
        HEADER
        + '<thread dsq:id="1"><link>https://x.example/dl_advice/</link></thread>'
        + entry
        + entry
        + "</disqus>",
        encoding="utf-8",
    )

    out, _ = run_import(path)

    assert Comment.objects.filter(disqus_id="7").count() == 1
    assert "1 comment imported;" in out


def large_export(path, count):
    posts = "".join(
        f'<post dsq:id="{number}"><message><![CDATA[<p>Comment {number}</p>]]></message>'
        f"<createdAt>2016-01-01T00:00:00Z</createdAt><isDeleted>false</isDeleted>"
        f"<isSpam>false</isSpam><author><name>Reader {number}</name></author>"
        f'<thread dsq:id="1" /></post>\n'
        for number in range(1, count + 1)
    )
    path.write_text(
        HEADER
        + '<thread dsq:id="1"><link>https://x.example/dl_advice/</link></thread>\n'
        + posts
        + "</disqus>\n",
        encoding="utf-8",
    )
    return path


def test_a_large_export_reports_progress_on_stderr_and_ends_with_a_summary(posts, tmp_path):
    path = large_export(tmp_path / "large.xml", 1200)

    out, err = run_import(path)

    assert err.splitlines() == [
        "… 500 of 1200 comments processed",
        "… 1000 of 1200 comments processed",
    ]
    assert out.splitlines() == [
        f"{path}: 1 of 1 threads matched to posts; 1200 comments imported; "
        "0 deleted or spam on Disqus kept as placeholders for their replies; 0 skipped",
        "  matched 1 by its address",
    ]
    assert Comment.objects.count() == 1200


# Files that are refused ------------------------------------------------------------------


def refused(path):
    with pytest.raises(CommandError) as error:
        run_import(path)
    assert Comment.objects.count() == 0
    message = str(error.value)
    assert str(path) in message
    return message


XXE = """<?xml version="1.0"?>
<!DOCTYPE disqus [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="1"><link>https://x.example/dl_advice/</link></thread>
  <post dsq:id="1"><message>&xxe;</message><createdAt>2016-01-01T00:00:00Z</createdAt>
  <isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>X</name></author>
  <thread dsq:id="1" /></post>
</disqus>
"""

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE disqus [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="1"><link>https://x.example/dl_advice/</link></thread>
  <post dsq:id="1"><message>&lol4;</message><createdAt>2016-01-01T00:00:00Z</createdAt>
  <isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>X</name></author>
  <thread dsq:id="1" /></post>
</disqus>
"""

RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>A feed</title><item><title>Not Disqus</title></item>
</channel></rss>
"""


@pytest.mark.parametrize(("content", "name"), [(XXE, "xxe.xml"), (LAUGHS, "laughs.xml")])
def test_xml_with_entities_is_refused_as_unsafe_and_nothing_is_written(
    posts, tmp_path, content, name
):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")

    message = refused(path)

    assert "was refused as unsafe XML" in message
    assert "root:" not in message  # nothing of /etc/passwd


def test_malformed_xml_is_refused_with_the_file_named(posts, tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text(EXPORT.read_text(encoding="utf-8")[:3000], encoding="utf-8")

    assert "is not well-formed XML" in refused(path)


def test_a_file_that_is_not_xml_at_all_is_refused(posts, tmp_path):
    path = tmp_path / "export.xml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00 not xml")

    assert "is not well-formed XML" in refused(path)


def test_an_rss_feed_is_refused_as_not_a_disqus_export(posts, tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text(RSS, encoding="utf-8")

    assert "is not a Disqus export (its root element is <rss>" in refused(path)


def test_a_missing_file_is_refused_with_the_file_named(posts, tmp_path):
    assert "no such file" in refused(tmp_path / "missing.xml")


def test_a_directory_is_refused_with_the_file_named(posts, tmp_path):
    assert "could not be read" in refused(tmp_path)


def test_an_empty_export_imports_nothing(posts, tmp_path):
    path = tmp_path / "empty.xml"
    path.write_text(HEADER + "</disqus>", encoding="utf-8")

    out, _ = run_import(path)

    assert "0 of 0 threads matched to posts; 0 comments imported; 0 deleted" in out
    assert out.rstrip().endswith("; 0 skipped")


def test_a_reply_dated_before_its_parent_is_still_imported_as_its_reply(posts, tmp_path):
    export = tmp_path / "clock_skew.xml"
    export.write_text(
        HEADER
        + '<thread dsq:id="1"><link>https://old.example/dl_advice/</link></thread>'
        + '<post dsq:id="20"><message>Reply</message><createdAt>2020-01-01T09:00:00Z</createdAt>'
        + '<author><name>B</name></author><thread dsq:id="1"/><parent dsq:id="10"/></post>'
        + '<post dsq:id="10"><message>Parent</message><createdAt>2020-01-01T10:00:00Z</createdAt>'
        + '<author><name>A</name></author><thread dsq:id="1"/></post>'
        + "</disqus>"
    )

    run_import(export)

    assert imported("20").parent == imported("10")


def test_a_disqus_id_too_long_to_store_is_skipped_and_reported(posts, tmp_path):
    export = tmp_path / "long_id.xml"
    export.write_text(
        HEADER
        + '<thread dsq:id="1"><link>https://old.example/dl_advice/</link></thread>'
        + f'<post dsq:id="{"9" * 41}"><message>Hi</message>'
        + '<createdAt>2020-01-01T09:00:00Z</createdAt><thread dsq:id="1"/></post>'
        + "</disqus>"
    )

    out, _ = run_import(export)

    assert "skipped 1: Disqus id too long" in out
    assert not Comment.objects.exists()


# Comments deleted on Disqus with live replies (issue 11) ---------------------------------

DELETED_PARENT = Path(__file__).resolve().parent / "data" / "disqus_deleted_parent.xml"


def disqus_post(disqus_id, message, *, parent=None, deleted=False, spam=False, name="Reader"):
    """One <post> of thread 1, a minute after the previous one."""
    parent_tag = f'<parent dsq:id="{parent}" />' if parent else ""
    return (
        f'<post dsq:id="{disqus_id}"><message><![CDATA[{message}]]></message>'
        f"<createdAt>2016-01-01T00:{disqus_id:0>2}:00Z</createdAt>"
        f"<isDeleted>{str(deleted).lower()}</isDeleted><isSpam>{str(spam).lower()}</isSpam>"
        f'<author><name>{name}</name></author><thread dsq:id="1" />{parent_tag}</post>'
    )


def export_of(tmp_path, *posts_xml):
    path = tmp_path / "export.xml"
    thread = '<thread dsq:id="1"><link>https://x.example/dl_advice/</link></thread>'
    path.write_text(HEADER + thread + "".join(posts_xml) + "</disqus>", encoding="utf-8")
    return path


def test_the_case_file_imports_a_deleted_parent_as_a_placeholder_for_its_live_reply(posts, client):
    out, _ = run_import(DELETED_PARENT)

    assert (
        "1 comment imported; 1 deleted or spam on Disqus kept as a placeholder for its "
        "replies; 0 skipped"
    ) in out
    placeholder, answer = imported("201"), imported("202")
    assert (placeholder.is_removed, placeholder.body, placeholder.author_name) == (True, "", "")
    assert answer.parent == placeholder
    tree = page_tree(client, posts["by_url"])
    assert shown_comment_ids(tree) == [placeholder.pk, answer.pk]
    assert comment_element(tree, placeholder).first("span", class_="comment-author").text == (
        "[deleted]"
    )
    assert body_text(tree, answer) == "An answer that readers still find useful"
    assert "A question that its author later deleted" not in tree.text
    assert "Reader One" not in tree.text
    assert tree.by_id("comments-title").text == "Comments (1)"


def test_a_deleted_comment_without_live_replies_is_still_skipped(posts, tmp_path):
    path = export_of(
        tmp_path,
        disqus_post("1", "Gone", deleted=True),
        disqus_post("2", "Also gone", deleted=True),
        disqus_post("3", "Spam reply to a gone one", parent="2", spam=True),
    )

    out, _ = run_import(path)

    assert Comment.objects.count() == 0
    assert "skipped 2: deleted on Disqus" in out
    assert "skipped 1: spam on Disqus" in out


def test_a_chain_of_deleted_and_spam_comments_above_a_live_reply_keeps_its_place(
    posts, tmp_path, client
):
    path = export_of(
        tmp_path,
        disqus_post("1", "Deleted question", deleted=True),
        disqus_post("2", "Spam in between", parent="1", spam=True, name="Spammer"),
        disqus_post("3", "The live answer", parent="2"),
    )

    out, _ = run_import(path)

    assert "1 comment imported; 2 deleted or spam on Disqus kept as placeholders" in out
    question, spam, answer = imported("1"), imported("2"), imported("3")
    assert (answer.parent, spam.parent) == (spam, question)
    assert (spam.status, spam.body, spam.author_name) == ("spam", "", "")
    tree = page_tree(client, posts["by_url"])
    assert shown_comment_ids(tree) == [question.pk, spam.pk, answer.pk]
    assert comment_element(tree, spam).first("p", class_="comment-removed").text == (
        "This comment was removed by a moderator."
    )
    assert "Spam in between" not in tree.text and "Spammer" not in tree.text


def test_importing_the_case_file_again_adds_nothing(posts):
    run_import(DELETED_PARENT)

    out, _ = run_import(DELETED_PARENT)

    assert Comment.objects.count() == 2
    assert "0 comments imported; 0 deleted" in out
    assert "skipped 2: already imported" in out


# Plain text and names of imported comments (issue 11) -----------------------------------


def test_an_imported_comments_plain_text_keeps_its_paragraphs_apart(posts, tmp_path):
    path = export_of(
        tmp_path, disqus_post("1", "<p>Read papers daily.</p><p>Second line<br>third</p>")
    )

    run_import(path)

    assert imported("1").body == "Read papers daily.\n\nSecond line\nthird"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("\u202enimdA", "nimdA"),
        ("Ana\u200b Lee", "Ana Lee"),
        ("\u200b\u3164", "Disqus reader"),
        ("\u0410dmin", "Disqus reader"),  # a Cyrillic "А": looks like the site's "Admin"
    ],
)
def test_imported_names_follow_the_display_name_rules(posts, tmp_path, name, shown):
    run_import(export_of(tmp_path, disqus_post("1", "Hello", name=name)))

    assert imported("1").author_name == shown


@pytest.mark.parametrize(
    "created",
    [
        "9999-12-31T23:59:59-14:00",  # the audit's: past Python's last year in UTC
        "9999-12-31T23:30:00Z",  # inside Python's range, outside what any zone can show
        "0001-01-01T00:00:00+14:00",  # before the first instant at the other end
        "10000-01-01T00:00:00Z",
    ],
)
def test_a_comment_dated_beyond_what_the_site_can_keep_is_skipped_not_stored(
    client, posts, tmp_path, created
):
    """Issue 19: such a date imported "successfully" on PostgreSQL, then the article
    answered 500 to every visitor."""
    export = tmp_path / "far.xml"
    export.write_text(
        HEADER
        + '<thread dsq:id="1"><link>https://old.example/dl_advice/</link></thread>'
        + f'<post dsq:id="30"><message>Far</message><createdAt>{created}</createdAt>'
        + '<author><name>F</name></author><thread dsq:id="1"/></post>'
        + '<post dsq:id="31"><message>Near</message><createdAt>2020-01-01T10:00:00Z</createdAt>'
        + '<author><name>N</name></author><thread dsq:id="1"/></post>'
        + "</disqus>"
    )

    out, _ = run_import(export)

    assert not Comment.objects.filter(disqus_id="30").exists()
    assert imported("31").body == "Near"
    assert "1 comment imported;" in out
    assert client.get("/dl_advice/").status_code == 200


def test_a_thread_link_urllib_cannot_split_is_no_match_not_a_traceback(posts, tmp_path):
    export = tmp_path / "ipv6.xml"
    export.write_text(
        HEADER
        + '<thread dsq:id="1"><link>http://[::1/dl_advice/</link></thread>'
        + '<thread dsq:id="2"><link>http://[::1</link><id>/by-identifier/</id></thread>'
        + '<post dsq:id="40"><message>A</message><createdAt>2020-01-01T10:00:00Z</createdAt>'
        + '<author><name>A</name></author><thread dsq:id="1"/></post>'
        + '<post dsq:id="41"><message>B</message><createdAt>2020-01-01T10:00:00Z</createdAt>'
        + '<author><name>B</name></author><thread dsq:id="2"/></post>'
        + "</disqus>"
    )

    out, _ = run_import(export)

    assert not Comment.objects.filter(disqus_id="40").exists()
    assert imported("41").post == posts["by_identifier"]
    assert "1 of 2 threads matched to posts" in out


# Threads follow their posts (issue 21) ----------------------------------------------------

INDEX_HTML = Path(__file__).resolve().parent / "data" / "disqus_index_html.xml"
HTML_THREAD = Path(__file__).resolve().parent / "data" / "disqus_html_thread.xml"


def thread_xml(disqus_id, link="", *, identifier="", title="", closed=False, deleted=False):
    return (
        f'<thread dsq:id="{disqus_id}"><id>{identifier}</id><link>{link}</link>'
        f"<title>{title}</title><isClosed>{str(closed).lower()}</isClosed>"
        f"<isDeleted>{str(deleted).lower()}</isDeleted></thread>"
    )


def comment_xml(disqus_id, thread, message="A comment", *, parent=None):
    parent_tag = f'<parent dsq:id="{parent}" />' if parent else ""
    return (
        f'<post dsq:id="{disqus_id}"><message><![CDATA[<p>{message}</p>]]></message>'
        f"<createdAt>2018-03-01T10:{disqus_id:0>2}:00Z</createdAt>"
        "<isDeleted>false</isDeleted><isSpam>false</isSpam>"
        f'<author><name>Reader {disqus_id}</name></author><thread dsq:id="{thread}" />'
        f"{parent_tag}</post>"
    )


def write_export(tmp_path, *parts, name="export.xml"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(parts) + "</disqus>", encoding="utf-8")
    return path


@pytest.fixture
def a_peek(db):
    return make_post(title="A long peek", slug="a-long-peek", permalink="/2018/02/19/a-long-peek/")


@pytest.mark.parametrize(
    ("link", "how"),
    [
        ("https://old.example/2018/02/19/a-long-peek/", "its address"),
        ("https://old.example/2018/02/19/a-long-peek", "its address"),
        ("https://old.example/2018/02/19/a-long-peek/index.html", "its address written"),
        ("https://old.example/2018/02/19/a-long-peek.html", "its address written"),
        ("https://old.example/2018/02/19/A-Long-Peek.HTML", "its address written"),
        ("https://old.example/2018/02/19/a%2Dlong%2Dpeek/", "its address"),
        ("http://old.example/2018//02/19/a-long-peek/?utm_source=x#disqus_thread", "its address"),
        ("http://localhost:4000/blog/2018/02/19/a-long-peek/index.html", "its address with"),
        ("/2018/02/19/a-long-peek/", "its address"),
    ],
)
def test_a_thread_lands_on_its_post_however_its_address_is_written(a_peek, tmp_path, link, how):
    out, _ = run_import(write_export(tmp_path, thread_xml(1, link), comment_xml(1, 1)))

    assert imported("1").post == a_peek
    assert "1 of 1 threads matched to posts" in out
    assert f"  matched 1 by {how}" in out


def test_a_post_whose_address_has_capitals_takes_its_lowercase_thread(db, tmp_path):
    """Issue 21: a real export lost 4 of 168 live comments on capitalised paths."""
    post = make_post(title="6DoF OPE", slug="6dof-ope", permalink="/posts/6DoF-OPE/")

    run_import(
        write_export(
            tmp_path,
            thread_xml(1, "https://blog.example/posts/6dof-ope/"),
            thread_xml(2, "https://blog.example/posts/6DoF-OPE/index.html"),
            comment_xml(1, 1),
            comment_xml(2, 2),
        )
    )

    assert set(post.comments.values_list("disqus_id", flat=True)) == {"1", "2"}


def test_of_two_posts_whose_addresses_differ_only_in_case_the_one_written_so_wins(db, tmp_path):
    upper = make_post(title="Upper", slug="upper", permalink="/Notes/")
    lower = make_post(title="Lower", slug="lower", permalink="/notes/")

    run_import(
        write_export(
            tmp_path,
            thread_xml(1, "https://x.example/Notes/"),
            thread_xml(2, "https://x.example/notes/"),
            comment_xml(1, 1),
            comment_xml(2, 2),
        )
    )

    assert (imported("1").post, imported("2").post) == (upper, lower)


def test_a_thread_on_an_address_the_post_left_follows_the_redirects_to_it(posts, tmp_path):
    Redirect.objects.create(site_id=1, old_path="/2016/01/Old-Name.html", new_path="/dl-old/")
    Redirect.objects.create(site_id=1, old_path="/dl-old/", new_path="/dl_advice/")
    Redirect.objects.create(site_id=1, old_path="/gone.html", new_path="")

    out, _ = run_import(
        write_export(
            tmp_path,
            thread_xml(1, "https://old.example/2016/01/old-name/"),
            thread_xml(2, "https://old.example/dl-old/index.html"),
            thread_xml(3, "https://old.example/gone.html"),
            comment_xml(1, 1),
            comment_xml(2, 2),
            comment_xml(3, 3),
        )
    )

    assert imported("1").post == imported("2").post == posts["by_url"]
    assert not Comment.objects.filter(disqus_id="3").exists()
    assert "  matched 2 by an old address" in out


def test_a_thread_on_the_address_the_posts_file_asked_for_lands_on_it(posts, tmp_path):
    ImportRecord.objects.create(
        post=posts["by_identifier"],
        source_permalink="/2015/06/Asked-For.html",
        source_path="_posts/2015-06-01-asked-for.md",
        source_sha256="0" * 64,
        fields={},
    )

    run_import(
        write_export(
            tmp_path, thread_xml(1, "https://old.example/2015/06/asked-for/"), comment_xml(1, 1)
        )
    )

    assert imported("1").post == posts["by_identifier"]


def test_a_thread_is_matched_by_its_identifier_when_its_link_names_no_post(a_peek, tmp_path):
    out, _ = run_import(
        write_export(
            tmp_path,
            thread_xml(1, "https://old.example/", identifier="/2018/02/19/a-long-peek"),
            thread_xml(2, "", identifier="https://www.old.example/2018/02/19/a-long-peek.html"),
            comment_xml(1, 1),
            comment_xml(2, 2),
        )
    )

    assert imported("1").post == imported("2").post == a_peek
    assert "  matched 2 by its Disqus identifier" in out


def test_a_link_without_the_base_path_the_post_kept_still_lands(db, tmp_path):
    post = make_post(title="Redacted", slug="redacted", permalink="/blog/2013/02/12/redacted/")
    link = "http://localhost:4000/2013/02/12/redacted/index.html"

    out, _ = run_import(write_export(tmp_path, thread_xml(1, link), comment_xml(1, 1)))

    assert imported("1").post == post
    assert f"  matched by base path, to check: {link} → /blog/2013/02/12/redacted/" in out


def test_an_identifier_without_the_base_path_is_listed_as_what_matched(db, tmp_path):
    post = make_post(title="Peek", slug="peek", permalink="/blog/ml/2018/02/19/a-long-peek/")
    identifier = "/ml/2018/02/19/A-Long-Peek"  # Jekyll's page.id, without baseurl

    out, _ = run_import(
        write_export(
            tmp_path,
            thread_xml(1, "https://blog.example.com/", identifier=identifier),
            comment_xml(1, 1),
        )
    )

    assert imported("1").post == post
    assert f"  matched by base path, to check: {identifier} → {post.permalink}" in out


def test_a_base_path_that_two_posts_would_answer_matches_neither(db, tmp_path):
    make_post(title="One", slug="one", permalink="/blog/x/")
    make_post(title="Two", slug="two", permalink="/site/x/")

    out, _ = run_import(
        write_export(tmp_path, thread_xml(1, "https://old.example/x/"), comment_xml(1, 1))
    )

    assert not Comment.objects.exists()
    assert "0 of 1 threads matched to posts" in out


def test_the_isso_shaped_export_lands_every_comment_whose_thread_is_in_it(db, tmp_path):
    """Issue 21: Isso's Disqus fixture imported 0 of its 5 live comments, its links
    being .../index.html under the old blog's /blog/."""
    hello = make_post(title="First steps", slug="first", permalink="/blog/2013/02/12/first-steps/")
    second = make_post(
        title="Second thoughts", slug="second", permalink="/blog/2013/03/01/second-thoughts/"
    )

    out, _ = run_import(INDEX_HTML)

    assert set(hello.comments.values_list("disqus_id", flat=True)) == {"4", "5", "9", "11"}
    assert list(second.comments.values_list("disqus_id", flat=True)) == ["8"]
    assert imported("9").is_removed and imported("11").parent == imported("9")
    assert "2 of 3 threads matched to posts; 4 comments imported; 1 deleted" in out
    assert "skipped 1: thread not matched to a post" in out  # its thread is not in the file
    assert "1 unmatched threads without comments, not listed" in out


def test_the_remark42_shaped_export_keeps_its_html_thread_and_closes_the_closed_one(
    db, client, tmp_path
):
    """Issue 21: Remark42's fixture lost its thread on a .html address."""
    blogspot = make_post(title="Выпуск 229", slug="episode-229", permalink="/2011/03/episode_229/")
    closed = make_post(
        title="Episode 229", slug="episode-229-p", permalink="/p/2011/03/05/episode-229/"
    )

    out, _ = run_import(HTML_THREAD)

    assert list(blogspot.comments.values_list("disqus_id", flat=True)) == ["6003"]
    assert set(closed.comments.values_list("disqus_id", flat=True)) == {"6001", "6002"}
    assert "2 of 2 threads matched to posts; 3 comments imported" in out
    closed.refresh_from_db()
    blogspot.refresh_from_db()
    assert (closed.allow_comments, blogspot.allow_comments) == (False, True)
    assert (f"  discussion closed on {closed.permalink}: its thread was closed on Disqus") in out
    # Closed as on Disqus: the comments stay in sight, new ones are refused.
    tree = page_tree(client, closed)
    assert tree.first("p", class_="comments-closed").text == "Comments on this post are closed."
    assert len(shown_comment_ids(tree)) == 2
    client.force_login(make_user(email="late@example.com", display_name="Late Reader"))
    response = post_comment(client, closed, "Too late?", json=True)
    assert (response.status_code, response.json()["error"]) == (
        403,
        "Comments on this post are closed.",
    )
    assert closed.comments.count() == 2


def deleted_thread_export(tmp_path):
    text = HTML_THREAD.read_text(encoding="utf-8").replace(
        "<isClosed>true</isClosed>\n    <isDeleted>false</isDeleted>",
        "<isClosed>true</isClosed>\n    <isDeleted>true</isDeleted>",
    )
    assert text.count("<isDeleted>true</isDeleted>") == 1
    path = tmp_path / "deleted_thread.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_deleted_threads_comments_are_kept_hidden_and_its_post_closed(db, client, tmp_path):
    """Disqus shows a deleted thread's comments nowhere: imported rejected, so no reader
    sees them and a moderator can still find them in the admin."""
    post = make_post(
        title="Episode 229", slug="episode-229", permalink="/p/2011/03/05/episode-229/"
    )
    client.get(post.get_absolute_url())  # the page is cached before the import

    out, _ = run_import(deleted_thread_export(tmp_path))

    assert set(post.comments.values_list("disqus_id", "status")) == {
        ("6001", "rejected"),
        ("6002", "rejected"),
    }
    assert "  hidden 2: imported rejected, their thread was deleted on Disqus" in out
    assert f"  discussion closed on {post.permalink}: its thread was deleted on Disqus" in out
    post.refresh_from_db()
    assert post.allow_comments is False
    tree = page_tree(client, post)  # the cached page heard the post's save
    assert shown_comment_ids(tree) == []
    assert tree.by_id("comments-title").text == "Comments (0)"
    assert tree.first("p", class_="comments-closed") is not None
    assert "Thanks for the episode" not in tree.text


def test_a_deleted_threads_comments_an_earlier_import_published_are_hidden_on_the_next(
    db, client, tmp_path
):
    """Issue 21: a deleted thread's comments were published; importing again hides them,
    except one a moderator has decided on since."""
    post = make_post(
        title="Episode 229", slug="episode-229", permalink="/p/2011/03/05/episode-229/"
    )
    run_import(HTML_THREAD)  # as the earlier importer did: the thread's comments published
    Comment.objects.filter(disqus_id="6002").update(moderated_at=utc(2024, 1, 1))
    assert len(shown_comment_ids(page_tree(client, post))) == 2  # and the page is cached

    out, _ = run_import(deleted_thread_export(tmp_path))

    assert dict(post.comments.values_list("disqus_id", "status")) == {
        "6001": "rejected",
        "6002": "approved",
    }
    assert "  hidden 1 imported earlier: rejected, their thread was deleted on Disqus" in out
    assert shown_comment_ids(page_tree(client, post)) == [imported("6002").pk]


def test_closing_a_discussion_is_a_revision_of_the_post(db, tmp_path):
    post = make_post(
        title="Episode 229", slug="episode-229", permalink="/p/2011/03/05/episode-229/"
    )

    run_import(HTML_THREAD)

    latest = Version.objects.get_for_object(post).first()
    assert latest.revision.comment == "Comments closed: its thread was closed on Disqus"
    assert latest.field_dict["allow_comments"] is False


def test_a_post_another_live_thread_keeps_open_stays_open(a_peek, tmp_path):
    """The same page under two URLs on Disqus: one thread closed or deleted, the other
    open; readers could still comment there, so they can here."""
    run_import(
        write_export(
            tmp_path,
            thread_xml(1, "https://old.example/2018/02/19/a-long-peek.html", deleted=True),
            thread_xml(2, "https://old.example/2018/02/19/a-long-peek/", closed=True),
            thread_xml(3, "https://old.example/2018/02/19/a-long-peek/index.html"),
            comment_xml(1, 1),
            comment_xml(2, 2),
            comment_xml(3, 3),
        )
    )

    a_peek.refresh_from_db()
    assert a_peek.allow_comments is True
    statuses = dict(a_peek.comments.values_list("disqus_id", "status"))
    assert statuses == {"1": "rejected", "2": "approved", "3": "approved"}


def test_the_summary_lists_unmatched_threads_with_the_closest_post(a_peek, posts, tmp_path):
    out, _ = run_import(
        write_export(
            tmp_path,
            thread_xml(1, "https://old.example/2018/02/19/a-long-peak/", title="Something"),
            thread_xml(2, "https://old.example/about/", title="A Long Peek | My Blog"),
            thread_xml(3, "https://old.example/zzz/", title="Qwerty"),
            thread_xml(4, "https://old.example/tags/", title="Tags"),
            comment_xml(1, 1),
            comment_xml(2, 1),
            comment_xml(3, 2),
            comment_xml(4, 3),
        )
    )

    lines = [line for line in out.splitlines() if "unmatched" in line]
    assert lines == [
        "  unmatched thread (2 comments): https://old.example/2018/02/19/a-long-peak/ "
        "“Something”; closest post /2018/02/19/a-long-peek/ “A long peek” (similarity 0.96)",
        "  unmatched thread (1 comment): https://old.example/about/ “A Long Peek | My Blog”; "
        "closest post /2018/02/19/a-long-peek/ “A long peek” (similarity 1.00)",
        "  unmatched thread (1 comment): https://old.example/zzz/ “Qwerty”; no post is close",
        "  1 unmatched threads without comments, not listed",
    ]
    assert "skipped 4: thread not matched to a post" in out


def test_importing_again_adds_nothing_and_changes_nothing(db, tmp_path):
    post = make_post(
        title="Episode 229", slug="episode-229", permalink="/p/2011/03/05/episode-229/"
    )
    html = make_post(title="229", slug="e229", permalink="/2011/03/episode_229/")
    export = deleted_thread_export(tmp_path)
    run_import(export)
    before = set(Comment.objects.values_list("disqus_id", "post", "status", "parent"))
    versions = Version.objects.get_for_object(post).count()

    out, _ = run_import(export)

    assert set(Comment.objects.values_list("disqus_id", "post", "status", "parent")) == before
    assert len(before) == 3 and {row[1] for row in before} == {post.pk, html.pk}
    assert "0 comments imported" in out and "skipped 3: already imported" in out
    assert "discussion closed" not in out  # closed already
    assert Version.objects.get_for_object(post).count() == versions


def test_an_import_that_fails_part_way_closes_no_discussion(db, tmp_path, monkeypatch):
    post = make_post(
        title="Episode 229", slug="episode-229", permalink="/p/2011/03/05/episode-229/"
    )

    def fail(self, entry):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("comments.disqus._Import.entry", fail)
    with pytest.raises(RuntimeError):
        run_import(HTML_THREAD)

    post.refresh_from_db()
    assert post.allow_comments is True
    assert not Comment.objects.exists()


def test_matching_threads_costs_three_queries_whatever_the_number_of_posts(
    posts, a_peek, django_assert_num_queries
):
    Redirect.objects.create(site_id=1, old_path="/old.html", new_path="/dl_advice/")

    with django_assert_num_queries(3):
        addresses = PostAddresses()
        found = [
            addresses.match(link=f"https://old.example{path}", identifier="")
            for path in ("/old/", "/DL_advice/index.html", "/2018/02/19/a-long-peek.html")
        ]

    assert [match.post for match in found] == [posts["by_url"], posts["by_url"], a_peek]


@pytest.mark.parametrize(
    "forms",
    [
        ["/a/b/index.html", "/a/b/", "/a/b", "/a/b.html", "/a/b.htm", "/A/B/INDEX.HTML", "/a//b/"],
        ["/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F/", "/статья", "/СТАТЬЯ.html"],
        ["/caf%C3%A9/", "/cafe\u0301/", "/Café/index.htm"],  # NFC and NFD alike
        ["/", "", "/index.html"],
    ],
)
def test_the_forms_of_one_page_share_a_key(forms):
    assert len({address_key(form) for form in forms}) == 1


@pytest.mark.parametrize(
    ("one", "other"),
    [("/a/b/", "/a/"), ("/a/b.html", "/a/b.html/c"), ("/.html", "/"), ("/a-b/", "/a/b/")],
)
def test_different_pages_keep_different_keys(one, other):
    assert address_key(one) != address_key(other)


def test_a_malformed_export_closes_no_discussion(db, tmp_path):
    post = make_post(
        title="Episode 229", slug="episode-229", permalink="/p/2011/03/05/episode-229/"
    )
    path = tmp_path / "cut.xml"
    path.write_text(HTML_THREAD.read_text(encoding="utf-8")[:1800], encoding="utf-8")

    assert "is not well-formed XML" in refused(path)
    post.refresh_from_db()
    assert post.allow_comments is True


# In batches (issue 23): queries per batch, not per comment ------------------------------


def threads_export(tmp_path, count, *, name="threads.xml"):
    """``count`` comments on the thread of /dl_advice/ (dsq:id 1): each third a first
    comment, the others replies to it and to that reply, and every seventh deleted on
    Disqus (a placeholder when a reply needs it)."""
    start = datetime.datetime(2018, 1, 1, tzinfo=datetime.UTC)
    parts = ['<thread dsq:id="1"><link>https://x.example/dl_advice/</link></thread>']
    for number in range(1, count + 1):
        parent = f'<parent dsq:id="{number - 1}" />' if number % 3 != 1 else ""
        created = (start + datetime.timedelta(minutes=number)).strftime("%Y-%m-%dT%H:%M:%SZ")
        parts.append(
            f'<post dsq:id="{number}"><message><![CDATA[<p>Comment {number}</p>]]></message>'
            f"<createdAt>{created}</createdAt><isDeleted>{str(number % 7 == 0).lower()}"
            f"</isDeleted><isSpam>false</isSpam><author><name>Reader {number % 5}</name>"
            f'</author><thread dsq:id="1" />{parent}</post>'
        )
    return write_export(tmp_path, *parts, name=name)


def import_queries(path):
    with CaptureQueriesContext(connection) as queries:
        import_disqus(path)
    return len(queries)


def test_an_import_costs_the_same_queries_for_10_comments_as_for_200(posts, tmp_path):
    small = import_queries(threads_export(tmp_path, 10, name="small.xml"))
    Comment.objects.all().delete()

    large = import_queries(threads_export(tmp_path, 200, name="large.xml"))

    assert Comment.objects.filter(is_removed=False).count() == 200 - 200 // 7
    assert large == small


def test_an_import_larger_than_a_batch_costs_a_few_queries_a_batch(posts, tmp_path, monkeypatch):
    monkeypatch.setattr("comments.disqus.BATCH", 20)
    small = import_queries(threads_export(tmp_path, 10, name="small.xml"))
    Comment.objects.all().delete()

    large = import_queries(threads_export(tmp_path, 200, name="large.xml"))

    # Each batch: an INSERT per level of replies it holds (3) and an UPDATE of the
    # threads of its first comments.
    assert large - small <= 4 * (200 // 20)


def test_comments_written_in_batches_keep_their_threads_parents_and_placeholders(
    posts, tmp_path, monkeypatch
):
    monkeypatch.setattr("comments.disqus.BATCH", 7)

    out, _ = run_import(threads_export(tmp_path, 30))

    assert "26 comments imported; 3 deleted or spam on Disqus kept as placeholders" in out
    assert "skipped 1: deleted on Disqus" in out  # 21: no reply hangs on it
    rows = {
        row[0]: row[1:]
        for row in Comment.objects.values_list("disqus_id", "parent__disqus_id", "depth", "thread")
    }
    for number in [number for number in range(1, 31) if number != 21]:
        parent, depth, thread = rows[str(number)]
        first = number - (number - 1) % 3
        assert (parent, depth) == (
            (str(number - 1), (number - 1) % 3) if number != first else (None, 0)
        )
        assert thread == imported(str(first)).pk
    assert imported("7").is_removed and imported("7").body == ""


def test_the_post_page_and_its_count_follow_an_import(posts, client, tmp_path):
    post = posts["by_url"]
    assert page_tree(client, post).by_id("comments-title").text == "Comments (0)"  # cached
    assert "0 comments" in client.get(reverse("pages:list")).content.decode()

    run_import(threads_export(tmp_path, 30))

    public = Comment.objects.public().filter(post=post).count()
    assert public == 26 and post.discussion.public_count == public
    tree = page_tree(client, post)
    assert tree.by_id("comments-title").text == f"Comments ({public})"
    assert len(shown_comment_ids(tree)) == public + 3  # and the placeholders
    assert f"{public} comments" in client.get(reverse("pages:list")).content.decode()


def test_a_reply_to_a_comment_of_an_earlier_import_lands_under_it(posts, tmp_path, settings):
    settings.COMMENTS_MAX_DEPTH = 1
    run_import(threads_export(tmp_path, 2, name="earlier.xml"))
    question, answer = imported("1"), imported("2")
    later = write_export(
        tmp_path,
        '<thread dsq:id="1"><link>https://x.example/dl_advice/</link></thread>',
        *(comment_xml(number, 1, parent=number % 2 + 1) for number in range(5, 13)),
        name="later.xml",
    )

    with CaptureQueriesContext(connection) as queries:
        out, _ = run_import(later)

    assert "8 comments imported" in out
    # Deeper than the site allows: beside the reply it answers, under the same comment.
    assert (imported("5").parent, imported("5").depth, imported("5").thread) == (
        question,
        1,
        question,
    )
    assert (imported("6").parent, imported("6").depth) == (question, 1)
    assert answer.parent == question
    reads = [
        query["sql"] for query in queries.captured_queries if "comments_comment" in query["sql"]
    ]
    # The ids imported, the comments replied to, the count of public comments: not one
    # read per reply.
    assert len([sql for sql in reads if sql.startswith("SELECT")]) == 3


def test_a_reply_below_the_deepest_level_of_an_earlier_import_climbs_to_its_parent(
    posts, tmp_path, settings
):
    settings.COMMENTS_MAX_DEPTH = 1
    run_import(threads_export(tmp_path, 2, name="earlier.xml"))
    thread = '<thread dsq:id="1"><link>https://x.example/dl_advice/</link></thread>'

    run_import(write_export(tmp_path, thread, comment_xml(5, 1, parent=2), name="later.xml"))

    assert (imported("5").parent, imported("5").depth) == (imported("1"), 1)
