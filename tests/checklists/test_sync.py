"""Checklist items follow the post's checkbox headings on every save, keeping readers' ticks."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checklists.models import ChecklistItem, Tick
from checklists.progress import (
    merge_session_ticks,
    progress_for,
    reset_progress,
    set_session_tick,
    set_tick,
)
from checklists.sync import sync_items
from posts.importing import import_post
from tests.conftest import make_post, make_user

from .helpers import checklist_body, items_by_text

pytestmark = pytest.mark.django_db


def progress(user, post):
    return progress_for(user=user, session={}, post=post)


def ticked_texts(user, post):
    return {tick.item.text for tick in Tick.objects.filter(user=user, item__post=post)}


def edit(post, *headings):
    post.body = checklist_body(*headings)
    post.save()
    return items_by_text(post)


def test_items_are_the_checkbox_headings_in_order():
    post = make_post(body=checklist_body("First", "Second", "Third") + "\n## Not a box\n")

    items = list(ChecklistItem.objects.current().filter(post=post))

    assert [(item.text, item.anchor, item.position) for item in items] == [
        ("First", "first", 0),
        ("Second", "second", 1),
        ("Third", "third", 2),
    ]


def test_reordering_headings_keeps_every_tick(a_reader):
    post = make_post(body=checklist_body("First", "Second", "Third"))
    before = items_by_text(post)
    for text in ("First", "Third"):
        set_tick(user=a_reader, item=before[text], done=True)

    after = edit(post, "Third", "Second", "First")

    assert {text: item.pk for text, item in after.items()} == {
        text: item.pk for text, item in before.items()
    }
    assert [item.text for item in ChecklistItem.objects.current().filter(post=post)] == [
        "Third",
        "Second",
        "First",
    ]
    assert ticked_texts(a_reader, post) == {"First", "Third"}
    assert progress(a_reader, post).summary == "2 of 3 done (67%)"


def test_editing_a_headings_wording_keeps_its_ticks_matched_by_position(a_reader):
    post = make_post(body=checklist_body("First", "Second"))
    first = items_by_text(post)["First"]
    set_tick(user=a_reader, item=first, done=True)

    edit(post, "First, said better", "Second")

    first.refresh_from_db()
    assert (first.text, first.anchor, first.archived_at) == (
        "First, said better",
        "first-said-better",
        None,
    )
    assert ticked_texts(a_reader, post) == {"First, said better"}
    assert ChecklistItem.objects.filter(post=post).count() == 2


def test_a_pinned_id_keeps_identity_when_text_and_position_change(a_reader):
    post = make_post(body=checklist_body("Start here {#start}", "Middle", "End"))
    start = items_by_text(post)["Start here"]
    set_tick(user=a_reader, item=start, done=True)

    edit(post, "Middle", "End", "Something else entirely {#start}")

    start.refresh_from_db()
    assert (start.text, start.anchor, start.position) == ("Something else entirely", "start", 2)
    assert ticked_texts(a_reader, post) == {"Something else entirely"}


def test_a_removed_heading_is_archived_not_deleted_and_its_ticks_return_with_it(a_reader):
    post = make_post(body=checklist_body("First", "Second", "Third"))
    second = items_by_text(post)["Second"]
    set_tick(user=a_reader, item=second, done=True)

    edit(post, "First", "Third")

    second.refresh_from_db()
    assert second.archived_at is not None
    assert Tick.objects.filter(user=a_reader, item=second).exists()
    assert second.reader_count == 1
    assert progress(a_reader, post).summary == "0 of 2 done (0%)"

    edit(post, "First", "Second", "Third")

    second.refresh_from_db()
    assert (second.archived_at, second.position) == (None, 1)
    assert progress(a_reader, post).summary == "1 of 3 done (33%)"
    assert ChecklistItem.objects.filter(post=post).count() == 3


def test_a_heading_added_where_one_was_removed_is_a_new_item(a_reader):
    post = make_post(body=checklist_body("First", "Second"))
    first = items_by_text(post)["First"]
    set_tick(user=a_reader, item=first, done=True)

    items = edit(post, "Second", "Brand new")

    assert items["Brand new"].pk != first.pk
    assert items["Brand new"].reader_count == 0
    first.refresh_from_db()
    assert first.is_archived


def test_saving_an_unchanged_post_changes_no_item(a_reader):
    post = make_post(body=checklist_body("First", "Second"))
    before = list(ChecklistItem.objects.filter(post=post).values())

    post.save()

    assert list(ChecklistItem.objects.filter(post=post).values()) == before


def test_progress_counts_done_among_current_items_so_all_done_is_reachable_after_edits(
    a_reader,
):
    post = make_post(body=checklist_body("First", "Second", "Third"))
    items = items_by_text(post)
    for text in ("First", "Second"):
        set_tick(user=a_reader, item=items[text], done=True)
    assert (progress(a_reader, post).summary, progress(a_reader, post).percent) == (
        "2 of 3 done (67%)",
        67,
    )

    edit(post, "First", "Second")  # the one not done is removed

    result = progress(a_reader, post)
    assert (result.summary, result.percent, result.done_count, result.total) == (
        "2 of 2 done (100%)",
        100,
        2,
        2,
    )


def test_items_follow_headings_when_a_post_is_reimported(a_reader, write_post_file):
    text = "---\ntitle: Imported\npermalink: /imported/\n---\n\n{}"
    path = write_post_file(text.format(checklist_body("One", "Two")))
    post = import_post(path).post
    two = items_by_text(post)["Two"]
    set_tick(user=a_reader, item=two, done=True)

    write_post_file(text.format(checklist_body("Two", "One", "Three")))
    import_post(path)

    assert [item.text for item in ChecklistItem.objects.current().filter(post=post)] == [
        "Two",
        "One",
        "Three",
    ]
    assert ticked_texts(a_reader, post) == {"Two"}


def test_items_follow_headings_when_a_post_is_saved_in_the_admin(editor_client, a_reader):
    post = make_post(body=checklist_body("One", "Two"))
    one = items_by_text(post)["One"]
    set_tick(user=a_reader, item=one, done=True)
    published = timezone.localtime(post.published_at)

    response = editor_client.post(
        reverse("admin:posts_post_change", args=[post.pk]),
        {
            "title": post.title,
            "slug": post.slug,
            "permalink": post.permalink,
            "description": post.description,
            "body": checklist_body("Two", "One, reworded", "Zero"),
            "status": post.status,
            "published_at_0": published.strftime("%Y-%m-%d"),
            "published_at_1": published.strftime("%H:%M:%S"),
            "allow_comments": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    one.refresh_from_db()
    # "One" moved, so its new wording does not match by position: a new item, the old
    # one archived with its tick kept for when it returns.
    assert [item.text for item in ChecklistItem.objects.current().filter(post=post)] == [
        "Two",
        "One, reworded",
        "Zero",
    ]
    assert one.is_archived
    assert Tick.objects.filter(item=one, user=a_reader).exists()


def reader_counts(post):
    return {item.text: item.reader_count for item in post.checklist_items.all()}


def assert_counts_match_ticks(post):
    for item in post.checklist_items.all():
        assert item.reader_count == item.ticks.count(), item.text


def test_reader_count_follows_tick_untick_and_reset(a_reader):
    post = make_post()
    first = items_by_text(post)["First thing"]
    second = items_by_text(post)["Second thing"]
    other = make_user(email="other@example.com")

    set_tick(user=a_reader, item=first, done=True)
    set_tick(user=a_reader, item=first, done=True)
    set_tick(user=other, item=first, done=True)
    set_tick(user=a_reader, item=second, done=True)
    assert reader_counts(post) == {"First thing": 2, "Second thing": 1}

    set_tick(user=other, item=first, done=False)
    set_tick(user=other, item=first, done=False)
    assert reader_counts(post) == {"First thing": 1, "Second thing": 1}

    reset_progress(user=a_reader, session={}, post=post)
    assert reader_counts(post) == {"First thing": 0, "Second thing": 0}
    assert_counts_match_ticks(post)


def test_reader_count_follows_account_deletion_and_merge(a_reader):
    from accounts.data import delete_account

    post = make_post()
    first = items_by_text(post)["First thing"]
    second = items_by_text(post)["Second thing"]
    leaving = make_user(email="leaving@example.com")
    set_tick(user=leaving, item=first, done=True)
    set_tick(user=leaving, item=second, done=True)
    set_tick(user=a_reader, item=first, done=True)

    delete_account(leaving)
    assert reader_counts(post) == {"First thing": 1, "Second thing": 0}

    session = {}
    set_session_tick(session=session, item=first, done=True)
    set_session_tick(session=session, item=second, done=True)
    merge_session_ticks(user=a_reader, session=session)
    assert reader_counts(post) == {"First thing": 1, "Second thing": 1}
    assert_counts_match_ticks(post)


def test_reader_count_stays_right_for_an_archived_item(a_reader):
    post = make_post(body=checklist_body("First", "Second"))
    first = items_by_text(post)["First"]
    set_tick(user=a_reader, item=first, done=True)
    edit(post, "Second")

    reset_progress(user=a_reader, session={}, post=post)

    first.refresh_from_db()
    assert first.reader_count == 0
    assert_counts_match_ticks(post)


def test_an_item_is_revised_when_added_reworded_or_put_back_but_not_when_moved():
    post = make_post(body=checklist_body("First", "Second", "Third"))
    long_ago = timezone.now() - timedelta(days=1)
    ChecklistItem.objects.update(revised_at=long_ago)

    items = edit(post, "Third", "First", "Second")  # moved only
    assert {text: item.revised_at for text, item in items.items()} == {
        "First": long_ago,
        "Second": long_ago,
        "Third": long_ago,
    }

    items = edit(post, "Third", "First, reworded", "Second", "Fourth")
    assert items["Third"].revised_at == items["Second"].revised_at == long_ago
    assert items["First, reworded"].revised_at > long_ago
    assert items["Fourth"].revised_at > long_ago

    ChecklistItem.objects.update(revised_at=long_ago)
    items = edit(post, "Third", "First, reworded", "Second")  # Fourth removed: archived
    assert items["Fourth"].is_archived and items["Fourth"].revised_at == long_ago
    items = edit(post, "Third", "First, reworded", "Second", "Fourth")  # and put back
    assert items["Fourth"].revised_at > long_ago
    assert {items[text].revised_at for text in ("Third", "First, reworded", "Second")} == {long_ago}


# Queries (issue 23): a fixed number per save, whatever the number of headings -----------


def import_queries(write_post_file, count, *, version):
    """Queries of importing a file of ``count`` checkbox headings: ``version`` 1 first,
    then 2 with the first heading gone (archived), the others moved up, one added."""
    headings = [f"Step {n} of the plan" for n in range(count)]
    if version == 2:
        headings = [*headings[1:], "Something else entirely"]
    text = f"---\ntitle: Plan {count}\npermalink: /plan-{count}/\n---\n\n"
    path = write_post_file(text + checklist_body(*headings), name=f"plan-{count}.md")
    with CaptureQueriesContext(connection) as queries:
        import_post(path)
    return len(queries)


def test_importing_a_post_costs_the_same_queries_for_2_headings_as_for_50(write_post_file):
    import_queries(write_post_file, 1, version=1)  # what a first import reads once
    created = [import_queries(write_post_file, count, version=1) for count in (2, 50)]
    edited = [import_queries(write_post_file, count, version=2) for count in (2, 50)]

    assert created[0] == created[1]
    assert edited[0] == edited[1]
    items = ChecklistItem.objects.filter(post__permalink="/plan-50/")
    assert list(items.current().values_list("text", flat=True)) == [
        *(f"Step {n} of the plan" for n in range(1, 50)),
        "Something else entirely",
    ]
    assert list(items.filter(archived_at__isnull=False).values_list("text", flat=True)) == [
        "Step 0 of the plan"
    ]


def test_syncing_items_reads_writes_and_tells_the_page_cache_in_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    post = make_post(body=checklist_body(*(f"Step {n}" for n in range(30))))
    post.body = checklist_body(*(f"Step {n}" for n in range(1, 30)), "Something else entirely")
    post.render()

    # Its savepoint, the items (locked), one UPDATE (29 moved up, 1 archived), one
    # INSERT, the post's address for its pages, the savepoint released.
    with django_assert_num_queries(6):
        sync_items(post)

    assert ChecklistItem.objects.current().filter(post=post).count() == 30
