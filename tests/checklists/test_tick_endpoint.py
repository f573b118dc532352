"""POST /checklists/items/<id>/: set an item done or not done, by form or by JSON."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checklists.models import ChecklistItem, Tick
from checklists.progress import SESSION_KEY, set_tick
from tests.conftest import make_post

from .helpers import checklist_body, items_by_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def first(a_post):
    return items_by_text(a_post)["First thing"]


def url(item):
    return reverse("checklists:set", args=[item.pk])


def post_json(client, item, payload, headers=None):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(
        url(item),
        body,
        content_type="application/json",
        headers={"Accept": "application/json", **(headers or {})},
    )


def reader_count(item):
    return ChecklistItem.objects.get(pk=item.pk).reader_count


def assert_nothing_written(item):
    assert not Tick.objects.exists()
    assert reader_count(item) == 0


def test_a_form_post_sets_the_item_done_and_redirects_to_the_heading(
    reader_client, a_reader, first
):
    response = reader_client.post(url(first), {"done": "true"})

    assert response.status_code == 302
    assert response["Location"] == "/a-test-post/#first-thing"
    assert Tick.objects.filter(user=a_reader, item=first).exists()
    assert reader_count(first) == 1


def test_a_form_post_sets_the_item_not_done(reader_client, a_reader, first):
    set_tick(user=a_reader, item=first, done=True)

    response = reader_client.post(url(first), {"done": "false"})

    assert response.status_code == 302
    assert response["Location"] == "/a-test-post/#first-thing"
    assert not Tick.objects.exists()
    assert reader_count(first) == 0


def test_the_no_javascript_path_shows_the_new_state_after_the_redirect(reader_client, first):
    response = reader_client.post(url(first), {"done": "true"}, follow=True)

    assert response.redirect_chain == [("/a-test-post/#first-thing", 302)]
    assert response.context["checklist"].progress.summary == "1 of 2 done (50%)"


def test_json_sets_the_state_and_answers_with_the_progress(reader_client, a_reader, first):
    response = post_json(reader_client, first, {"done": True})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "item": "first-thing",
        "done": True,
        "done_count": 1,
        "total": 2,
        "percent": 50,
        "summary": "1 of 2 done (50%)",
        "readers": "You did this",
        "items": [
            {"item": "first-thing", "done": True, "readers": "You did this"},
            {"item": "second-thing", "done": False, "readers": "0 readers did this"},
        ],
    }
    assert Tick.objects.filter(user=a_reader, item=first).count() == 1


@pytest.mark.parametrize("logged_in", [True, False], ids=["reader", "visitor"])
def test_a_ticks_answer_carries_every_items_state_for_a_stale_page(
    reader_client, client, a_reader, a_post, logged_in
):
    """Issue 18: unticked in one tab, an item stayed checked in another after a tick
    there. The answer carries the whole state, so that tab shows what the server has."""
    items = items_by_text(a_post)
    browser = reader_client if logged_in else client
    post_json(browser, items["First thing"], {"done": True})
    post_json(browser, items["First thing"], {"done": False})  # "the other tab"

    response = post_json(browser, items["Second thing"], {"done": True})

    states = {state["item"]: state["done"] for state in response.json()["items"]}
    assert states == {"first-thing": False, "second-thing": True}
    assert response.json()["summary"] == "1 of 2 done (50%)"


@pytest.mark.parametrize("logged_in", [True, False], ids=["reader", "visitor"])
def test_a_ticks_whole_state_costs_the_same_queries_for_two_items_or_forty(
    reader_client, client, logged_in
):
    browser = reader_client if logged_in else client
    counts = []
    for size in (2, 40):
        headings = [f"Step {number}" for number in range(size)]
        post = make_post(
            title=f"{size}", slug=f"s{size}", permalink=f"/s{size}/", body=checklist_body(*headings)
        )
        with CaptureQueriesContext(connection) as captured:
            post_json(browser, post.checklist_items.first(), {"done": True})
        counts.append(len(captured))

    assert counts[0] == counts[1]


def test_json_unticks(reader_client, a_reader, first):
    set_tick(user=a_reader, item=first, done=True)

    response = post_json(reader_client, first, {"done": False})

    assert response.json()["done"] is False
    assert response.json()["summary"] == "0 of 2 done (0%)"
    assert response.json()["readers"] == "0 readers did this"
    assert not Tick.objects.exists()


@pytest.mark.parametrize("how", ["form", "json"])
def test_setting_done_twice_leaves_one_tick_and_one_reader(reader_client, a_reader, first, how):
    for _ in range(2):
        if how == "form":
            response = reader_client.post(url(first), {"done": "true"})
        else:
            response = post_json(reader_client, first, {"done": True})
        assert response.status_code in (200, 302)

    assert Tick.objects.filter(user=a_reader, item=first).count() == 1
    assert reader_count(first) == 1


def test_setting_not_done_twice_leaves_the_count_at_zero(reader_client, first):
    for _ in range(2):
        post_json(reader_client, first, {"done": False})

    assert reader_count(first) == 0


def test_a_reader_changes_only_their_own_ticks(reader_client, a_reader, another_reader, first):
    set_tick(user=another_reader, item=first, done=True)

    # Whatever names another reader in the request is ignored: the tick is the sender's.
    reader_client.post(url(first), {"done": "true", "user": another_reader.pk})
    post_json(reader_client, first, {"done": False, "user": another_reader.pk})
    post_json(reader_client, first, {"done": True, "user_id": another_reader.pk})

    assert set(Tick.objects.values_list("user_id", flat=True)) == {a_reader.pk, another_reader.pk}

    post_json(reader_client, first, {"done": False})
    assert list(Tick.objects.values_list("user_id", flat=True)) == [another_reader.pk]
    assert reader_count(first) == 1


# Cross-site requests: refused by Fetch metadata and Origin, not by a token, since a
# visitor's page is shared by every visitor and carries none.

CROSS_SITE = [
    {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "same-site", "Origin": "https://evil.testserver"},
    {"Origin": "https://evil.example"},  # a browser without Fetch metadata
    {"Origin": "null"},  # a sandboxed frame or a data: page
]


@pytest.mark.parametrize("headers", CROSS_SITE)
@pytest.mark.parametrize("logged_in", [True, False], ids=["reader", "visitor"])
def test_a_tick_forged_from_another_site_is_refused(a_reader, first, headers, logged_in):
    client = Client(enforce_csrf_checks=True)
    if logged_in:
        client.force_login(a_reader)

    form = client.post(url(first), {"done": "true"}, headers=headers)
    as_json = post_json(client, first, {"done": True}, headers=headers)

    assert (form.status_code, as_json.status_code) == (403, 403)
    assert_nothing_written(first)
    assert SESSION_KEY not in client.session


SAME_ORIGIN = [
    {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
    {"Origin": "http://testserver"},  # a browser without Fetch metadata
    {},  # not a browser (curl, a script): no page of another site can send it
]


@pytest.mark.parametrize("headers", SAME_ORIGIN)
def test_a_tick_from_the_sites_own_page_needs_no_token(a_reader, first, headers):
    client = Client(enforce_csrf_checks=True)
    client.force_login(a_reader)

    form = client.post(url(first), {"done": "true"}, headers=headers)
    as_json = post_json(client, first, {"done": False}, headers=headers)

    assert form.status_code == 302
    assert as_json.status_code == 200
    assert as_json.json()["done"] is False


def test_a_visitor_ticks_from_the_shared_page_without_a_token(first):
    client = Client(enforce_csrf_checks=True)
    same_origin = {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"}

    response = client.post(url(first), {"done": "true"}, headers=same_origin)

    assert response.status_code == 302
    assert client.session[SESSION_KEY].keys() == {str(first.pk)}


def test_other_forms_still_need_djangos_token(a_reader, a_post):
    """Only the tick endpoint trades the token for Fetch metadata: a reader's own pages
    carry tokens, and every other form keeps Django's check."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(a_reader)
    same_origin = {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"}

    response = client.post(
        reverse("comments:post", args=[a_post.pk]), {"body": "No token"}, headers=same_origin
    )

    assert response.status_code == 403


def test_an_unknown_item_is_404(reader_client, first):
    response = reader_client.post(reverse("checklists:set", args=[999999]), {"done": "true"})

    assert response.status_code == 404
    assert_nothing_written(first)


def test_an_archived_item_is_404(reader_client, a_post, first):
    a_post.body = checklist_body("Second thing")
    a_post.save()

    form = reader_client.post(url(first), {"done": "true"})
    as_json = post_json(reader_client, first, {"done": True})

    assert (form.status_code, as_json.status_code) == (404, 404)
    assert_nothing_written(first)


def test_an_item_of_a_draft_post_is_404(reader_client, a_draft):
    item = a_draft.checklist_items.first()

    response = reader_client.post(url(item), {"done": "true"})

    assert response.status_code == 404
    assert_nothing_written(item)


def test_an_item_of_a_draft_post_is_404_for_visitors_too(client, a_draft):
    item = a_draft.checklist_items.first()

    response = client.post(url(item), {"done": "true"})

    assert response.status_code == 404
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("method", ["get", "head", "put", "delete", "patch"])
def test_other_methods_are_405(reader_client, first, method):
    response = getattr(reader_client, method)(url(first))

    assert response.status_code == 405
    # GET and HEAD are served elsewhere on the site, so the endpoint lists what it takes;
    # methods the site never serves are refused before routing with the site's list.
    assert response["Allow"] == ("POST" if method in {"get", "head"} else "GET, HEAD, POST")
    assert_nothing_written(first)


def test_invalid_json_is_400_with_a_clear_message(reader_client, first):
    response = post_json(reader_client, first, "{done: true")

    assert response.status_code == 400
    assert response.json() == {"error": "The request body is not valid JSON."}
    assert_nothing_written(first)


@pytest.mark.parametrize(
    "payload", [{"done": "yes"}, {"done": 1}, {"done": None}, {}, [True], "true", {"Done": True}]
)
def test_json_without_a_true_or_false_done_is_400(reader_client, first, payload):
    response = post_json(reader_client, first, payload)

    assert response.status_code == 400
    assert response.json() == {"error": 'Send {"done": true} or {"done": false}.'}
    assert_nothing_written(first)


@pytest.mark.parametrize("data", [{}, {"done": ""}, {"done": "maybe"}])
def test_a_form_without_a_done_value_is_400(reader_client, first, data):
    response = reader_client.post(url(first), data)

    assert response.status_code == 400
    assert response.content.decode() == "Say whether the item is done: done=true or done=false."
    assert_nothing_written(first)


def test_a_form_error_asked_for_as_json_is_json(reader_client, first):
    response = reader_client.post(url(first), {}, headers={"Accept": "application/json"})

    assert response.status_code == 400
    assert "done=true" in response.json()["error"]
    assert_nothing_written(first)


def test_a_bad_request_from_a_visitor_writes_nothing_to_the_session(client, first):
    response = post_json(client, first, {"done": "yes"})

    assert response.status_code == 400
    assert SESSION_KEY not in client.session
