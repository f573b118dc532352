"""The post page: every checklist heading a real checkbox, with progress and readers' counts."""

import pytest

from checklists.progress import set_tick
from tests.conftest import ARTICLE_CHECKLIST, make_post, make_user

from .helpers import checklist_body, items_by_text, parse

pytestmark = pytest.mark.django_db

ARTICLE_HEADINGS = ARTICLE_CHECKLIST


def checkboxes(page):
    return page.find_all("input", type="checkbox", class_="checklist-box")


def test_every_checklist_heading_is_a_checkbox_named_by_the_heading_text(client, the_article):
    page = parse(client.get(the_article.get_absolute_url()))

    boxes = checkboxes(page)
    assert [page.accessible_name(box) for box in boxes] == ARTICLE_HEADINGS
    for box in boxes:
        assert box.parent.tag == "h2"
        assert "checked" not in box.attrs
        assert box["data-tick-url"].startswith("/checklists/items/")


def test_a_reader_who_ticked_two_items_sees_2_of_9_done_at_the_top_and_in_the_contents(
    client, the_article, a_reader
):
    items = items_by_text(the_article)
    for text in ("Learn a framework well", "Be hands-on from Day One"):
        set_tick(user=a_reader, item=items[text], done=True)
    client.force_login(a_reader)

    page = parse(client.get(the_article.get_absolute_url()))

    header = page.find("header", class_="post-header")
    toc = page.find("nav", aria_label="Table of contents")
    for place in (header, toc):
        assert place.find("p", class_="progress-text").text == "2 of 9 done"
        bar = place.find("progress")
        assert (bar["max"], bar["value"]) == ("9", "2")
        assert page.accessible_name(bar) == "2 of 9 done"
    checked = [page.accessible_name(box) for box in checkboxes(page) if "checked" in box.attrs]
    assert checked == ["Learn a framework well", "Be hands-on from Day One"]


def test_each_item_says_how_many_readers_did_it(client, a_post, a_reader):
    items = items_by_text(a_post)
    set_tick(user=a_reader, item=items["First thing"], done=True)
    for number in range(3):
        reader = make_user(email=f"reader{number}@example.com")
        set_tick(user=reader, item=items["Second thing"], done=True)

    page = parse(client.get(a_post.get_absolute_url()))

    readers = {
        page.accessible_name(box): page.by_id(box["aria-describedby"]).text
        for box in checkboxes(page)
    }
    assert readers == {"First thing": "1 reader did this", "Second thing": "3 readers did this"}


def test_an_item_nobody_did_says_0_readers(client, a_post):
    page = parse(client.get(a_post.get_absolute_url()))

    assert [p.text for p in page.find_all("p", class_="readers")] == ["0 readers did this"] * 2


def test_each_item_has_a_form_that_ticks_it_without_javascript(client, a_post, a_reader):
    first = items_by_text(a_post)["First thing"]
    set_tick(user=a_reader, item=first, done=True)
    client.force_login(a_reader)

    page = parse(client.get(a_post.get_absolute_url()))

    forms = page.find_all("form", class_="tick-form")
    assert [(form["method"], form["action"]) for form in forms] == [
        ("post", f"/checklists/items/{item.pk}/")
        for item in a_post.checklist_items.order_by("position")
    ]
    assert [form.find("input", name="done")["value"] for form in forms] == ["false", "true"]
    assert [form.find("button").text for form in forms] == [
        "Mark as not done: First thing",
        "Mark as done: Second thing",
    ]
    # No token: the page may be shared by every visitor (see test_tick_endpoint.py).
    assert not any(form.find_all("input", name="csrfmiddlewaretoken") for form in forms)


def test_anonymous_visitors_are_invited_to_log_in_or_sign_up_to_save_progress(client, a_post):
    page = parse(client.get(a_post.get_absolute_url()))

    note = page.find("p", class_="checklist-note")
    assert "to save your progress" in note.text
    links = {link.text: link["href"] for link in note.find_all("a")}
    assert links["Log in"] == "/accounts/login/?next=/a-test-post/"
    assert links["sign up"] == "/accounts/signup/?next=/a-test-post/"


def test_a_logged_in_reader_is_not_invited_to_log_in(client, a_post, a_reader):
    client.force_login(a_reader)

    page = parse(client.get(a_post.get_absolute_url()))

    assert "saved to your account" in page.find("p", class_="checklist-note").text
    assert not page.find_all("a", href="/accounts/login/?next=/a-test-post/")


def test_a_post_without_checkbox_headings_shows_no_progress(client):
    post = make_post(body="Just text.\n\n## A heading\n\nMore.\n")

    content = client.get(post.get_absolute_url()).content.decode()

    assert "<progress" not in content
    assert "checklist-note" not in content


def test_checkbox_headings_below_h2_get_their_own_controls(client, a_reader):
    # A "###" checkbox heading is an item too; its controls must follow its own heading,
    # not swallow the next heading's checkbox.
    post = make_post(
        body=checklist_body("Big step")
        + '\n### <input type="checkbox"> Small step\n\nText.\n\n'
        + checklist_body("Next big step")
    )
    client.force_login(a_reader)

    page = parse(client.get(post.get_absolute_url()))

    boxes = checkboxes(page)
    assert [page.accessible_name(box) for box in boxes] == [
        "Big step",
        "Small step",
        "Next big step",
    ]
    assert all(box.get("data-tick-url") for box in boxes)
    assert len(page.find_all("form", class_="tick-form")) == 3
    assert page.find("p", id="progress-top").text == "0 of 3 done"
