"""Threads under a post: replies, nesting depth, permalinks, counts, pages and their cost."""

from datetime import datetime, timedelta

import pytest
from django.db.models import F
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from comments.models import Comment, hidden_reason
from tests.conftest import make_post, make_user, session_queries, visited_this_hour
from tests.html import parse

from .conftest import (
    add_comment,
    body_text,
    comment_element,
    get_page,
    page_tree,
    post_comment,
    shown_comment_ids,
)

pytestmark = pytest.mark.django_db


def reply_via_form(client, post, parent, body):
    response = post_comment(client, post, body, parent=parent, json=True)
    assert response.status_code == 201, response.content
    return Comment.objects.get(pk=response.json()["id"])


# Replies and nesting ---------------------------------------------------------------------


def test_a_reply_is_threaded_under_its_parent(client, a_post, a_commenter, a_reader):
    parent = add_comment(a_post, a_commenter, "Question")
    other = add_comment(a_post, a_commenter, "Another thread")
    client.force_login(a_reader)

    reply = reply_via_form(client, a_post, parent, "Answer")
    reply.status = Comment.Status.APPROVED
    reply.save()

    assert (reply.parent, reply.thread, reply.depth) == (parent, parent, 1)
    tree = page_tree(client, a_post)
    replies = comment_element(tree, parent).first("ol", class_="comment-replies")
    assert shown_comment_ids(replies) == [reply.pk]
    assert comment_element(comment_element(tree, other), reply) is None


def test_a_reply_to_a_reply_nests_one_level_deeper(client, a_post, a_commenter, a_reader):
    top = add_comment(a_post, a_commenter, "Top")
    middle = add_comment(a_post, a_commenter, "Middle", parent=top)
    client.force_login(a_reader)

    reply = reply_via_form(client, a_post, middle, "Deepest allowed")

    assert (reply.parent, reply.thread, reply.depth) == (middle, top, 2)


def test_a_reply_to_a_comment_at_the_maximum_depth_attaches_to_that_comments_parent(
    client, a_post, a_commenter, a_reader
):
    top = add_comment(a_post, a_commenter, "Top")
    middle = add_comment(a_post, a_commenter, "Middle", parent=top)
    deepest = add_comment(a_post, a_commenter, "Deepest", parent=middle)
    client.force_login(a_reader)

    reply = reply_via_form(client, a_post, deepest, "Even deeper?")

    assert deepest.depth == 2
    assert (reply.parent, reply.thread, reply.depth) == (middle, top, 2)


@override_settings(COMMENTS_MAX_DEPTH=1)
def test_the_maximum_depth_is_a_setting(client, a_post, a_commenter, a_reader):
    top = add_comment(a_post, a_commenter, "Top")
    middle = add_comment(a_post, a_commenter, "Middle", parent=top)
    client.force_login(a_reader)

    reply = reply_via_form(client, a_post, middle, "Flattened")

    assert (reply.parent, reply.depth) == (top, 1)


@override_settings(COMMENTS_RATE_LIMIT_PER_READER=100)
def test_depth_never_exceeds_the_maximum_however_long_the_chain_of_replies(
    client, a_post, a_commenter, a_reader
):
    parent = add_comment(a_post, a_commenter, "Start")
    client.force_login(a_reader)
    for number in range(6):
        reply = reply_via_form(client, a_post, parent, f"Reply {number}")
        Comment.objects.filter(pk=reply.pk).update(status=Comment.Status.APPROVED)
        parent = reply

    assert max(Comment.objects.values_list("depth", flat=True)) == 2
    assert set(Comment.objects.values_list("thread", flat=True)) == {Comment.objects.first().pk}


def test_the_reply_page_without_javascript_quotes_the_comment_and_posts_a_reply(
    client, a_post, a_commenter, a_reader
):
    parent = add_comment(a_post, a_commenter, "Worth *answering*")
    client.force_login(a_reader)

    page = client.get(reverse("comments:reply", args=[parent.pk]))

    tree = parse(page.content)
    assert page.status_code == 200
    assert tree.first("blockquote", class_="quoted-comment").first("em").text == "answering"
    form = tree.first("form", class_="comment-form")
    assert form.get("action") == reverse("comments:post", args=[a_post.pk])
    assert form.first("input", name="parent").get("value") == str(parent.pk)


# Permalinks ------------------------------------------------------------------------------


def test_every_comment_has_a_permalink_anchor_and_a_link_to_it(client, a_post, a_commenter):
    top = add_comment(a_post, a_commenter, "Top")
    reply = add_comment(a_post, a_commenter, "Reply", parent=top)

    tree = page_tree(client, a_post)

    for comment in (top, reply):
        element = tree.by_id(f"comment-{comment.pk}")
        assert element is not None
        assert (
            element.first("a", class_="comment-permalink").get("href") == f"#comment-{comment.pk}"
        )


# Counts ----------------------------------------------------------------------------------


def discussion_with_every_kind_of_comment(post, author, reader):
    """Three approved comments (one a reply) and one of each kind that must not count."""
    top = add_comment(post, author, "Approved 1")
    add_comment(post, author, "Approved 2", parent=top)
    add_comment(post, author, "Approved 3")
    add_comment(post, author, "Pending", status=Comment.Status.PENDING)
    add_comment(post, author, "Rejected", status=Comment.Status.REJECTED)
    add_comment(post, author, "Spam", status=Comment.Status.SPAM)
    add_comment(post, author, "Hidden", hidden_by_flags=True)
    deleted = add_comment(post, author, "", is_removed=True)
    add_comment(post, reader, "Reply under a deleted one", parent=deleted)  # counts: 4


def test_the_post_shows_the_number_of_approved_comments_only(client, a_post, a_commenter, a_reader):
    discussion_with_every_kind_of_comment(a_post, a_commenter, a_reader)

    tree = page_tree(client, a_post)

    assert tree.first("p", class_="post-comments").text == "4 comments"
    assert tree.by_id("comments-title").text == "Comments (4)"


def test_the_post_list_shows_the_number_of_approved_comments_only(
    client, a_post, a_commenter, a_reader
):
    discussion_with_every_kind_of_comment(a_post, a_commenter, a_reader)
    quiet = make_post(title="Quiet", slug="quiet", permalink="/quiet/")
    add_comment(quiet, a_commenter, "Only one")

    tree = parse(client.get(reverse("pages:list")).content)

    counts = {
        summary.first("h2").text: summary.first("p", class_="post-comments").text
        for summary in tree.find_all("article", class_="post-summary")
    }
    assert counts == {
        "A test post": "4 comments on A test post",
        "Quiet": "1 comment on Quiet",
    }


def test_the_count_includes_the_readers_own_pending_comment_for_them_only(
    client, a_post, a_reader, a_replier
):
    """The count is what the viewer can read (issue 11): the author reads their comment
    awaiting moderation on the page, other readers do not."""
    add_comment(a_post, a_reader, "Mine, waiting", status=Comment.Status.PENDING)
    client.force_login(a_reader)
    mine = page_tree(client, a_post)
    client.force_login(a_replier)
    theirs = page_tree(client, a_post)

    assert mine.first("p", class_="post-comments").text == "1 comment"
    assert mine.by_id("comments-title").text == "Comments (1)"
    assert theirs.first("p", class_="post-comments").text == "0 comments"


def shown_count(tree, where):
    """The number (int) a page shows: the post's summary on a list, or the discussion's
    header on the post page."""
    if where == "discussion":
        text = tree.by_id("comments-title").text  # "Comments (N)"
        return int(text.removeprefix("Comments (").removesuffix(")"))
    (summary,) = tree.find_all("article", class_="post-summary")
    return int(summary.first("p", class_="post-comments").text.split()[0])


@pytest.mark.parametrize(("viewer", "expected"), [("visitor", 4), ("their author", 6)])
def test_the_list_the_category_page_and_the_discussion_count_the_same_comments(
    client, a_category, a_commenter, a_reader, viewer, expected
):
    """One definition of what counts (issue 20): approved comments, not hidden by flags,
    not deleted, and for their author their own awaiting a moderator or hidden by flags."""
    post = make_post(categories=[a_category])
    discussion_with_every_kind_of_comment(post, a_commenter, a_reader)  # 4 for everyone
    add_comment(post, a_reader, "Mine, awaiting", status=Comment.Status.PENDING)
    add_comment(post, a_reader, "Mine, hidden by flags", hidden_by_flags=True)
    add_comment(post, a_reader, "Mine, rejected", status=Comment.Status.REJECTED)
    add_comment(post, a_reader, "Mine, spam", status=Comment.Status.SPAM)
    add_comment(post, a_reader, "", is_removed=True)
    if viewer == "their author":
        client.force_login(a_reader)

    pages = {
        "list": parse(client.get(reverse("pages:list")).content),
        "category": parse(client.get(reverse("pages:category", args=[a_category.slug])).content),
        "discussion": page_tree(client, post),
    }

    counts = {name: shown_count(tree, name) for name, tree in pages.items()}
    assert counts == {"list": expected, "category": expected, "discussion": expected}


def test_a_comment_is_public_exactly_when_the_row_rule_hides_it_from_nobody(a_post, a_commenter):
    """Comment.objects.public() (the PUBLIC condition) and hidden_reason() (the rule for
    one row, which the page applies) say the same of every state a comment can be in."""
    for status in Comment.Status.values:
        for hidden_by_flags in (False, True):
            for is_removed in (False, True):
                add_comment(
                    a_post,
                    a_commenter,
                    status=status,
                    hidden_by_flags=hidden_by_flags,
                    is_removed=is_removed,
                )

    public = set(Comment.objects.public().values_list("pk", flat=True))

    hidden_from_nobody = {
        comment.pk
        for comment in Comment.objects.all()
        if hidden_reason(
            status=comment.status,
            hidden_by_flags=comment.hidden_by_flags,
            is_removed=comment.is_removed,
            own=False,
        )
        is None
    }
    assert public == hidden_from_nobody
    assert public == {comment.pk for comment in Comment.objects.all() if comment.is_public}
    assert len(public) == 1  # approved, not hidden, not deleted


# Pages of threads ------------------------------------------------------------------------


@override_settings(COMMENTS_THREADS_PER_PAGE=2)
def test_a_long_discussion_is_paginated_with_a_later_comments_link(client, a_post, a_commenter):
    first = add_comment(a_post, a_commenter, "Thread 1")
    second = add_comment(a_post, a_commenter, "Thread 2")
    second_reply = add_comment(a_post, a_commenter, "Reply in 2", parent=second)
    third = add_comment(a_post, a_commenter, "Thread 3")
    third_reply = add_comment(a_post, a_commenter, "Reply in 3", parent=third)
    third_deeper = add_comment(a_post, a_commenter, "Deeper in 3", parent=third_reply)

    page_one = page_tree(client, a_post)
    page_two = page_tree(client, a_post, comments=2)

    assert shown_comment_ids(page_one) == [first.pk, second.pk, second_reply.pk]
    later = next(a for a in page_one.find_all("a") if a.text == "Later comments")
    assert later.get("href") == "?comments=2#comments"
    assert shown_comment_ids(page_two) == [third.pk, third_reply.pk, third_deeper.pk]
    assert not [a for a in page_two.find_all("a") if a.text == "Later comments"]
    earlier = next(a for a in page_two.find_all("a") if a.text == "Earlier comments")
    assert earlier.get("href") == "?comments=1#comments"


@override_settings(COMMENTS_THREADS_PER_PAGE=2)
def test_a_page_past_the_last_shows_the_last_page(client, a_post, a_commenter):
    for number in range(3):
        add_comment(a_post, a_commenter, f"Thread {number}")

    response = client.get(a_post.get_absolute_url(), {"comments": "99"})

    assert response.status_code == 200
    tree = parse(response.content)
    assert len(shown_comment_ids(tree)) == 1  # two threads a page: the third is on page 2
    assert "Page 2 of 2" in tree.first("nav", class_="pagination").text


@pytest.mark.parametrize("page", ["0", "abc", "-1", "²", "1.0", " 2", "٣", "9" * 20])
def test_a_nonsense_page_number_is_a_bad_request(client, a_post, a_commenter, page):
    add_comment(a_post, a_commenter, "Thread")

    response = client.get(a_post.get_absolute_url(), {"comments": page})

    assert response.status_code == 400


def test_unknown_query_parameters_are_ignored(client, a_post, a_commenter):
    comment = add_comment(a_post, a_commenter, "Thread")

    response = client.get(
        a_post.get_absolute_url(), {"utm_source": "newsletter", "fbclid": "x", "comments": "1"}
    )

    assert response.status_code == 200
    assert shown_comment_ids(parse(response.content)) == [comment.pk]


def test_a_short_discussion_has_no_page_links(client, a_post, a_commenter):
    add_comment(a_post, a_commenter)

    tree = page_tree(client, a_post)

    assert tree.first("nav", class_="pagination") is None


# Query count -----------------------------------------------------------------------------

# Pinned: a change here is a change in what the post page costs; make it on purpose.
# Built with nothing cached (the worst case). Anonymous, no session yet: the post, its
# categories, its checklist items, the count of approved comments, the count of threads,
# and the page of threads with all their replies.
VISITOR_QUERIES = 6
# Logged in, add: the user, the reader's ticks, their previous visit (what is new since;
# their visit this hour already recorded), and in one query whether they are blocked
# from commenting or unverified (besides the session; see session_queries()).
READER_QUERIES = VISITOR_QUERIES + 4


def bulk_discussion(post, authors, *, threads=100):
    """500 comments in bulk: `threads` threads, each with two replies and a reply to each
    reply, written by the given readers in turn; thread and depth set as the site sets them."""
    start = timezone.now() - timedelta(days=3)

    def fields(number):
        body = f"Comment number {number}"
        return {
            "post": post,
            "author": authors[number % len(authors)],
            "body": body,
            "body_html": f"<p>{body}</p>",
            "status": Comment.Status.APPROVED,
            "created_at": start + timedelta(seconds=number),
        }

    roots = Comment.objects.bulk_create(Comment(**fields(n)) for n in range(threads))
    Comment.objects.filter(pk__in=[root.pk for root in roots]).update(thread=F("pk"))
    replies = Comment.objects.bulk_create(
        Comment(parent=root, thread_id=root.pk, depth=1, **fields(threads + 2 * i + k))
        for i, root in enumerate(roots)
        for k in range(2)
    )
    Comment.objects.bulk_create(
        Comment(parent=reply, thread_id=reply.thread_id, depth=2, **fields(3 * threads + i))
        for i, reply in enumerate(replies)
    )
    assert Comment.objects.filter(post=post).count() == 5 * threads


@pytest.fixture
def a_long_post(db):
    return make_post(title="Long", slug="long", permalink="/long/")


@pytest.mark.parametrize("comments", [0, 500])
def test_the_post_page_query_count_is_fixed_for_a_visitor(
    client, a_long_post, django_assert_num_queries, comments
):
    if comments:
        bulk_discussion(a_long_post, [make_user("a@example.com"), make_user("b@example.com")])

    with django_assert_num_queries(VISITOR_QUERIES):
        response = get_page(client, a_long_post)

    assert len(shown_comment_ids(parse(response.content))) == (150 if comments else 0)


@pytest.mark.parametrize("comments", [0, 500])
def test_the_post_page_query_count_is_fixed_for_a_reader(
    client, a_long_post, a_reader, django_assert_num_queries, comments
):
    if comments:
        bulk_discussion(a_long_post, [a_reader, make_user("b@example.com")])
        first = Comment.objects.filter(post=a_long_post, parent=None).first()
        add_comment(a_long_post, a_reader, "Mine, waiting", parent=first, status="pending")
    client.force_login(a_reader)
    visited_this_hour(client, a_reader, a_long_post)

    with django_assert_num_queries(READER_QUERIES + session_queries()):
        response = get_page(client, a_long_post)

    assert len(shown_comment_ids(parse(response.content))) == (151 if comments else 0)


def test_the_thread_page_with_a_reply_under_a_deleted_comment_still_shows_it(
    client, a_post, a_commenter, a_reader
):
    deleted = add_comment(a_post, a_commenter, "", is_removed=True)
    reply = add_comment(a_post, a_reader, "Still here", parent=deleted)

    tree = page_tree(client, a_post)

    assert body_text(tree, reply) == "Still here"


def test_a_new_display_name_shows_next_to_the_readers_comments_at_once(
    client, a_post, a_commenter, a_reader
):
    comment = add_comment(a_post, a_commenter, "Hello")

    def author_as_seen_by(viewer):
        """The name on the comment as a reader, or a visitor (None), sees the page."""
        if viewer:
            client.force_login(viewer)
        else:
            client.logout()
        element = comment_element(page_tree(client, a_post), comment)
        return element.first("span", class_="comment-author").text

    assert author_as_seen_by(a_reader) == author_as_seen_by(None) == "Carla Commenter"
    client.force_login(a_commenter)

    client.post(reverse("accounts:display_name"), {"display_name": "Zed Zebra"})

    assert author_as_seen_by(a_reader) == author_as_seen_by(None) == "Zed Zebra"


@pytest.mark.parametrize(
    "value",
    [
        "<b>Jane & 'Joe'</b>",
        '"quoted"',
        42,
        3.5,
        None,
        mark_safe("<em>safe</em>"),
        gettext_lazy("Awaiting <moderation>"),
        lazy(lambda: mark_safe("<i>lazy safe</i>"), str)(),
        datetime(2026, 12, 7, 9, 5),
    ],
)
def test_the_comments_format_html_writes_what_djangos_does(value):
    from django.utils.html import format_html as djangos

    from comments.threads import format_html

    template = '<p title="{0}">{0} {1}</p>'

    assert format_html(template, value, "&") == djangos(template, value, "&")
    assert hasattr(format_html(template, value, "&"), "__html__")
