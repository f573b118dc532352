"""The post page: every checklist heading a real checkbox, with progress and readers' counts."""

import pytest
from django.urls import reverse

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


def test_a_reader_who_ticked_two_items_sees_the_percent_once_and_done_in_the_contents(
    client, the_article, a_reader
):
    items = items_by_text(the_article)
    for text in ("Learn a framework well", "Be hands-on from Day One"):
        set_tick(user=a_reader, item=items[text], done=True)
    client.force_login(a_reader)

    page = parse(client.get(the_article.get_absolute_url()))

    # One summary, with its percent, in the contents' disclosure (issue 13: no duplicate).
    assert [p.text for p in page.find_all(class_="progress-text")] == ["2 of 9 done (22%)"]
    assert page.find("summary").text == "Contents 2 of 9 done (22%)"
    bar = page.find("progress")
    assert (bar["max"], bar["value"]) == ("9", "2")
    assert page.accessible_name(bar) == "2 of 9 done (22%)"
    contents = page.find("nav", aria_label="Table of contents")
    assert [link.text for link in contents.find_all("a")] == [
        f"{text} (done)" if text in ("Learn a framework well", "Be hands-on from Day One") else text
        for text in ARTICLE_HEADINGS
    ]
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
        ("post", reverse("checklists:set", args=[item.pk]))
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
    assert page.find(class_="progress-text").text == "0 of 3 done (0%)"
    contents = page.find("nav", aria_label="Table of contents")
    assert [link.text for link in contents.find_all("a")] == [
        "Big step",
        "Small step",
        "Next big step",
    ]


def next_link(page):
    return page.find("a", data_next_link=True)


def test_next_unticked_item_leads_to_the_first_item_not_done(client, the_article, a_reader):
    items = items_by_text(the_article)
    for text in ARTICLE_HEADINGS[:2]:
        set_tick(user=a_reader, item=items[text], done=True)
    client.force_login(a_reader)

    page = parse(client.get(the_article.get_absolute_url()))

    assert next_link(page).text == "Next unticked item ↓"
    assert next_link(page)["href"] == f"#{items[ARTICLE_HEADINGS[2]].anchor}"
    assert "hidden" not in next_link(page).parent.attrs
    assert "hidden" in page.find(class_="checklist-complete").attrs


def test_at_nine_of_nine_a_completion_message_links_to_my_progress(client, the_article, a_reader):
    for item in the_article.checklist_items.all():
        set_tick(user=a_reader, item=item, done=True)
    client.force_login(a_reader)

    page = parse(client.get(the_article.get_absolute_url()))

    assert page.find(class_="progress-text").text == "9 of 9 done (100%)"
    assert "hidden" in next_link(page).parent.attrs
    complete = page.find(class_="checklist-complete")
    assert "hidden" not in complete.attrs
    assert complete.text == "All done! My progress"
    assert complete.find("a")["href"] == reverse("checklists:my_progress")


def test_the_skip_link_leads_to_the_first_checklist_item(client, the_article):
    page = parse(client.get(the_article.get_absolute_url()))

    skip_links = {link.text: link["href"] for link in page.find_all("a", class_="skip-link")}

    assert skip_links == {
        "Skip to content": "#content",
        "Skip to the checklist": "#dont-learn-machine-learning",
    }


def test_a_post_without_a_checklist_has_contents_but_no_progress(client):
    post = make_post(body="Intro.\n\n## One\n\nText.\n\n## Two\n\nMore.\n")

    page = parse(client.get(post.get_absolute_url()))

    panel = page.find("section", class_="checklist-panel")
    assert panel["aria-label"] == "Contents"
    assert [link.text for link in panel.find_all("a")] == ["One", "Two"]
    assert not page.find_all("progress")
    assert not page.find_all(class_="skip-link", href="#one")


def test_every_heading_has_a_link_to_its_section(client, the_article):
    page = parse(client.get(the_article.get_absolute_url()))

    body = page.find("div", class_="post-body")
    # The "#" a reader sees is aria-hidden: the name is the hidden text (browser-tested too).
    links = [
        (link.find(class_="visually-hidden").text, link["href"])
        for link in body.find_all("a", class_="heading-link")
    ]
    assert links == [
        (f"Link to this section: {heading['text']}", f"#{heading['id']}")
        for heading in the_article.headings
    ]


def test_the_percent_is_rounded_half_up_on_the_post_page_and_my_progress(client, a_reader):
    post = make_post(body=checklist_body(*(f"Step {number}" for number in range(1, 9))))
    set_tick(user=a_reader, item=post.checklist_items.first(), done=True)
    client.force_login(a_reader)

    article = parse(client.get(post.get_absolute_url()))
    my_progress = parse(client.get(reverse("checklists:my_progress")))

    # 1 of 8 is 12.5%: half up gives 13 (Python's round() would say 12).
    assert article.find(class_="progress-text").text == "1 of 8 done (13%)"
    assert my_progress.find("p", id=f"progress-post-{post.pk}-summary").text == "1 of 8 done (13%)"
