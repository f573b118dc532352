"""Admin: readers per item as counts and bars, a chart on the post, ticks only to look at."""

import pytest
from django.urls import reverse

from checklists.models import Tick
from checklists.progress import set_tick
from tests.conftest import make_user

from .helpers import items_by_text, parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticked_post(a_post):
    """First thing: 3 readers; Second thing: 1."""
    items = items_by_text(a_post)
    for number in range(3):
        reader = make_user(email=f"reader{number}@example.com")
        set_tick(user=reader, item=items["First thing"], done=True)
        if number == 0:
            set_tick(user=reader, item=items["Second thing"], done=True)
    return a_post


def test_the_item_list_shows_each_items_readers_as_a_count_and_a_bar(editor_client, ticked_post):
    response = editor_client.get(reverse("admin:checklists_checklistitem_changelist"))

    assert response.status_code == 200
    page = parse(response)
    rows = {
        row.find("th").text: row
        for row in page.find("table", id="result_list").find("tbody").find_all("tr")
    }
    assert set(rows) == {"First thing", "Second thing"}
    for text, count, width in (("First thing", "3", "160"), ("Second thing", "1", "53")):
        assert rows[text].find("td", class_="field-reader_count").text == count
        bar = rows[text].find("td", class_="field-readers_bar").find("svg")
        assert bar["role"] == "img"
        assert bar["aria-label"] == f"{count} readers"
        assert bar.find("rect")["width"] == width


def test_items_cannot_be_added_in_the_admin(editor_client, a_post):
    assert editor_client.get(reverse("admin:checklists_checklistitem_add")).status_code == 403


def test_items_cannot_be_deleted_on_their_own_in_the_admin(editor_client, ticked_post):
    item = ticked_post.checklist_items.first()

    assert (
        editor_client.get(
            reverse("admin:checklists_checklistitem_delete", args=[item.pk])
        ).status_code
        == 403
    )
    assert (
        editor_client.post(
            reverse("admin:checklists_checklistitem_delete", args=[item.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    changelist = parse(editor_client.get(reverse("admin:checklists_checklistitem_changelist")))
    actions = [
        option["value"] for option in changelist.find("select", name="action").find_all("option")
    ]
    assert "delete_selected" not in actions
    editor_client.post(
        reverse("admin:checklists_checklistitem_changelist"),
        {"action": "delete_selected", "_selected_action": [item.pk], "post": "yes"},
    )
    assert ticked_post.checklist_items.count() == 2 and Tick.objects.count() == 4


def test_an_editor_deletes_a_post_its_items_and_ticks_go_with_it(editor_client, ticked_post):
    confirm = editor_client.get(reverse("admin:posts_post_delete", args=[ticked_post.pk]))
    assert "Are you sure" in confirm.content.decode()
    assert "permission to delete" not in confirm.content.decode()

    response = editor_client.post(
        reverse("admin:posts_post_delete", args=[ticked_post.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not type(ticked_post).objects.filter(pk=ticked_post.pk).exists()
    assert Tick.objects.count() == 0


def test_deleting_a_reader_in_the_admin_takes_their_ticks(editor_client, ticked_post):
    reader = Tick.objects.filter(item__text="Second thing").get().user

    response = editor_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [reader.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Tick.objects.filter(user_id=reader.pk).exists()
    assert Tick.objects.count() == 2


def test_the_recount_action_puts_drifted_counts_right(editor_client, ticked_post):
    items = items_by_text(ticked_post)
    ticked_post.checklist_items.update(reader_count=42)

    response = editor_client.post(
        reverse("admin:checklists_checklistitem_changelist"),
        {"action": "recount", "_selected_action": [item.pk for item in items.values()]},
    )

    assert response.status_code == 302
    counts = {text: item.reader_count for text, item in items_by_text(ticked_post).items()}
    assert counts == {"First thing": 3, "Second thing": 1}


def test_the_post_change_page_shows_the_readers_chart(editor_client, ticked_post):
    response = editor_client.get(reverse("admin:posts_post_change", args=[ticked_post.pk]))

    assert response.status_code == 200
    chart = parse(response).find("svg", class_="readers-chart")
    assert chart["role"] == "img"
    assert chart["aria-label"] == ("Readers who ticked each item: First thing: 3; Second thing: 1")
    widths = [rect["width"] for rect in chart.find_all("rect")]
    assert widths == ["240", "80"]


def test_the_chart_leaves_out_archived_items(editor_client, ticked_post):
    ticked_post.body = '## <input type="checkbox"> Second thing\n\nText.\n'
    ticked_post.save()

    chart = parse(
        editor_client.get(reverse("admin:posts_post_change", args=[ticked_post.pk]))
    ).find("svg", class_="readers-chart")

    assert chart["aria-label"] == "Readers who ticked each item: Second thing: 1"


def test_a_post_without_checkbox_headings_says_so_instead_of_a_chart(editor_client):
    from tests.conftest import make_post

    post = make_post(body="No boxes here.\n")

    content = editor_client.get(reverse("admin:posts_post_change", args=[post.pk])).content.decode()

    assert "This post has no checklist headings." in content
    assert "readers-chart" not in content


def test_ticks_can_be_looked_at_in_the_admin(editor_client, ticked_post):
    response = editor_client.get(reverse("admin:checklists_tick_changelist"))

    assert response.status_code == 200
    assert len(parse(response).find("table", id="result_list").find("tbody").find_all("tr")) == 4


def test_ticks_cannot_be_added_changed_or_deleted_in_the_admin(editor_client, ticked_post):
    tick = Tick.objects.first()

    assert editor_client.get(reverse("admin:checklists_tick_add")).status_code == 403
    assert editor_client.post(reverse("admin:checklists_tick_add"), {}).status_code == 403
    assert (
        editor_client.get(reverse("admin:checklists_tick_delete", args=[tick.pk])).status_code
        == 403
    )
    change = editor_client.post(
        reverse("admin:checklists_tick_change", args=[tick.pk]), {"user": ""}
    )
    assert change.status_code == 403
    bulk_delete = editor_client.post(
        reverse("admin:checklists_tick_changelist"),
        {"action": "delete_selected", "_selected_action": [tick.pk]},
    )
    assert Tick.objects.count() == 4
    assert bulk_delete.status_code in (200, 302)


def test_the_tick_page_is_read_only(editor_client, ticked_post):
    tick = Tick.objects.first()

    response = editor_client.get(reverse("admin:checklists_tick_change", args=[tick.pk]))

    assert response.status_code == 200
    page = parse(response)
    assert not page.find_all("input", type="submit", name="_save")


# The ticks list at any size (issue 23): searched by reader or item, paged past the first
# page by keys, newest first.


@pytest.fixture
def many_ticks(a_post, settings):
    """Three readers' ticks on the post's two items; 3 ticks a page."""
    from checklists.admin import TickAdmin

    items = list(a_post.checklist_items.order_by("position"))
    readers = [
        make_user(email=f"dana{n}@example.com", display_name=f"Dana Number {n}") for n in range(3)
    ]
    for reader in readers:
        for item in items:
            set_tick(user=reader, item=item, done=True)
    TickAdmin.list_per_page, saved = 3, TickAdmin.list_per_page
    yield readers, items
    TickAdmin.list_per_page = saved


def shown_ticks(editor_client, **query):
    page = parse(editor_client.get(reverse("admin:checklists_tick_changelist"), query))
    table = page.by_id("result_list")
    return [] if table is None else [row.text for row in table.first("tbody").find_all("tr")]


@pytest.mark.parametrize("names", [500, 1])  # a list of reader ids, or a subquery per row
def test_ticks_are_found_by_the_readers_address_name_or_the_items_text(
    editor_client, many_ticks, monkeypatch, names
):
    monkeypatch.setattr("core.admin_lists.NAME_MATCHES", names)
    readers, items = many_ticks

    assert len(shown_ticks(editor_client, q="dana1@example")) == 2
    assert len(shown_ticks(editor_client, q="Number 2")) == 2
    assert len(shown_ticks(editor_client, q="dana")) == 3  # a page of the six
    by_item = shown_ticks(editor_client, q=f'"{items[0].text}"')
    assert len(by_item) == 3 and all(items[0].text in row for row in by_item)
    assert shown_ticks(editor_client, q="dana nobody") == []


def test_every_page_of_ticks_shows_its_own_rows_newest_first(editor_client, many_ticks):
    ticks = list(Tick.objects.order_by("-ticked_at", "-id").select_related("user"))
    pages = [shown_ticks(editor_client, p=number) for number in (1, 2)]

    assert [len(rows) for rows in pages] == [3, 3]
    shown = [row for rows in pages for row in rows]
    for tick, row in zip(ticks, shown, strict=True):
        assert tick.user.display_name in row
