"""JSON or a page: core.http.wants_json, the Accept header's negotiation (RFC 9110
section 12.5.1) that the comment and tick views share (issue 20)."""

import json

import pytest
from django.test import RequestFactory
from django.urls import reverse

from checklists.models import ChecklistItem
from core.http import wants_json
from tests.comments.conftest import post_comment

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def request_with(accept):
    headers = {} if accept is None else {"Accept": accept}
    return RequestFactory().post("/", headers=headers)


@pytest.mark.parametrize(
    "accept",
    [
        "application/json",  # what the site's scripts send
        "application/json;q=0.9, text/html;q=0.5",
        "text/html;q=0.5, application/json",
        "application/*",
        "application/json, */*",  # named, where HTML only falls under */*
        "application/json, text/javascript, */*; q=0.01",  # jQuery's
        "text/html;q=0, */*",  # HTML refused, anything else welcome
        "APPLICATION/JSON",  # media types are case-insensitive
        "application/json; charset=utf-8",
        " application/json ;q=1 , text/html;q=0.2",
    ],
)
def test_a_header_that_prefers_json_gets_json_whatever_the_default(accept):
    assert wants_json(request_with(accept)) is True
    assert wants_json(request_with(accept), default=False) is True


@pytest.mark.parametrize(
    "accept",
    [
        BROWSER,
        "text/html",
        "text/*",
        "application/json;q=0.5, text/html",
        "application/json;q=0, */*",  # JSON refused
        "text/html, application/json;q=0.999",
        "text/html;level=1, application/json;q=0.1",
    ],
)
def test_a_header_that_prefers_a_page_gets_a_page_whatever_the_default(accept):
    assert wants_json(request_with(accept)) is False
    assert wants_json(request_with(accept), default=True) is False


@pytest.mark.parametrize(
    "accept",
    [
        None,  # no header: any type is acceptable
        "",
        "*/*",  # fetch()'s own
        "application/json, text/html",  # both named, same quality
        "text/html;q=0.5, application/json;q=0.5",
        "application/json;q=0",  # nothing acceptable
        "application/json;q=0, text/html;q=0",
        "image/png",  # neither
        "\x7f",  # unreadable
        ",,, ;q=1, /json, application/",
        "*/*;q=0.5",
    ],
)
def test_a_header_that_does_not_choose_gets_the_views_default(accept):
    assert wants_json(request_with(accept)) is False
    assert wants_json(request_with(accept), default=True) is True


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("0.8", False),  # JSON 0.8 against HTML 0.9
        ("1.0", True),
        ("1.000", True),
        ("nonsense", True),  # an unreadable q counts as 1
        ("1.5", True),  # so does one above 1
        ("-1", True),
        ("0", False),
    ],
)
def test_q_values_rank_the_types(q, expected):
    request = request_with(f"application/json;q={q}, text/html;q=0.9")

    assert wants_json(request) is expected


# The views --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_browsers_comment_form_gets_a_page_and_the_script_gets_json(client, a_post, a_reader):
    client.force_login(a_reader)

    from_the_form = client.post(
        reverse("comments:post", args=[a_post.pk]),
        {"body": "From the form"},
        headers={"Accept": BROWSER},
    )
    from_the_script = post_comment(client, a_post, "From the script", json=True)

    assert from_the_form.status_code == 302
    assert from_the_script.status_code == 201
    assert from_the_script.json()["status"] == "pending"


@pytest.mark.django_db
@pytest.mark.parametrize(("accept", "json_answer"), [(None, True), ("*/*", True), (BROWSER, False)])
def test_a_tick_sent_as_json_gets_json_unless_the_header_prefers_a_page(
    client, a_post, accept, json_answer
):
    item = ChecklistItem.objects.filter(post=a_post).first()
    headers = {} if accept is None else {"Accept": accept}

    response = client.post(
        reverse("checklists:set", args=[item.pk]),
        json.dumps({"done": True}),
        content_type="application/json",
        headers=headers,
    )

    if json_answer:
        assert response.status_code == 200
        assert response.json()["done"] is True
    else:
        assert response.status_code == 302


@pytest.mark.django_db
def test_a_tick_sent_as_a_form_gets_json_when_asked_for_it(client, a_post):
    item = ChecklistItem.objects.filter(post=a_post).first()

    response = client.post(
        reverse("checklists:set", args=[item.pk]),
        {"done": "true"},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 200
    assert response.json()["done"] is True
