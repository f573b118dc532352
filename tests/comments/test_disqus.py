"""Importing a Disqus export: threads matched to posts, replies kept, nothing unsafe."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from comments.models import Comment
from tests.conftest import make_post
from tests.html import parse

from .conftest import body_text, comment_element, page_tree, shown_comment_ids

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
