"""Visitors tick in their session; logging in or signing up merges those ticks into the account."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from checklists.models import Tick
from checklists.progress import SESSION_KEY, set_tick
from tests.accounts.helpers import enter_code, last_mail_to, verification_code

from .helpers import items_by_text, parse

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-password"


@pytest.fixture
def items(a_post):
    return items_by_text(a_post)


def tick(client, item, done=True):
    return client.post(
        reverse("checklists:set", args=[item.pk]), {"done": "true" if done else "false"}
    )


def tick_json(client, item, done=True):
    return client.post(
        reverse("checklists:set", args=[item.pk]),
        json.dumps({"done": done}),
        content_type="application/json",
        headers={"Accept": "application/json"},
    )


def checked_on_page(client, post):
    page = parse(client.get(post.get_absolute_url()))
    return [
        page.accessible_name(box)
        for box in page.find_all("input", class_="checklist-box")
        if "checked" in box.attrs
    ]


def ticked(user):
    return sorted(Tick.objects.filter(user=user).values_list("item__text", flat=True))


def test_a_visitors_ticks_are_kept_in_the_session_and_survive_reloads(client, a_post, items):
    assert tick(client, items["Second thing"]).status_code == 302

    assert checked_on_page(client, a_post) == ["Second thing"]
    assert checked_on_page(client, a_post) == ["Second thing"]
    assert not Tick.objects.exists()
    assert list(client.session[SESSION_KEY]) == [str(items["Second thing"].pk)]


def test_a_visitor_ticks_with_json_and_sees_progress(client, a_post, items):
    response = tick_json(client, items["First thing"])

    assert response.json()["summary"] == "1 of 2 done (50%)"
    # A visitor's tick is not in the readers' count (that is for accounts), but the
    # sentence beside their box must not say nobody did it (issue 18).
    assert response.json()["readers"] == "You did this"
    assert checked_on_page(client, a_post) == ["First thing"]


def test_a_visitor_unticks(client, a_post, items):
    tick(client, items["First thing"])
    tick_json(client, items["First thing"], done=False)

    assert checked_on_page(client, a_post) == []


def test_client_login_merges_the_visitors_ticks(client, a_post, a_reader, items):
    tick(client, items["First thing"])

    client.login(email=a_reader.email, password=PASSWORD)

    assert ticked(a_reader) == ["First thing"]
    assert items_by_text(a_post)["First thing"].reader_count == 1
    assert SESSION_KEY not in client.session
    assert checked_on_page(client, a_post) == ["First thing"]


def test_logging_in_through_the_login_page_merges_as_a_union(client, a_post, a_reader, items):
    set_tick(user=a_reader, item=items["First thing"], done=True)
    tick(client, items["First thing"])
    tick(client, items["Second thing"])

    response = client.post(
        reverse("account_login"),
        {"login": a_reader.email, "password": PASSWORD, "next": a_post.get_absolute_url()},
    )

    assert response.status_code == 302
    assert response["Location"] == a_post.get_absolute_url()
    assert ticked(a_reader) == ["First thing", "Second thing"]
    assert Tick.objects.count() == 2
    counts = {text: item.reader_count for text, item in items_by_text(a_post).items()}
    assert counts == {"First thing": 1, "Second thing": 1}
    assert checked_on_page(client, a_post) == ["First thing", "Second thing"]


def test_the_merge_keeps_the_accounts_ticks_the_visitor_did_not_make(
    client, a_post, a_reader, items
):
    set_tick(user=a_reader, item=items["First thing"], done=True)
    tick(client, items["Second thing"])

    client.login(email=a_reader.email, password=PASSWORD)

    assert ticked(a_reader) == ["First thing", "Second thing"]


def test_the_merge_keeps_the_accounts_time_for_an_item_both_ticked(client, a_reader, items):
    set_tick(user=a_reader, item=items["First thing"], done=True)
    first_ticked = Tick.objects.get().ticked_at - timedelta(days=3)
    Tick.objects.update(ticked_at=first_ticked)
    tick(client, items["First thing"])

    client.login(email=a_reader.email, password=PASSWORD)

    assert Tick.objects.get().ticked_at == first_ticked


@pytest.mark.usefixtures("requests_commit")
def test_signing_up_merges_the_visitors_ticks(client, a_post, items):
    tick(client, items["Second thing"])

    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.com",
            "display_name": "New Reader",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": a_post.get_absolute_url(),
        },
    )

    assert response.status_code == 302
    user = get_user_model().objects.get(email="new@example.com")
    assert ticked(user) == []  # not before the new reader's address is verified
    enter_code(client, verification_code(last_mail_to("new@example.com")))
    assert ticked(user) == ["Second thing"]
    assert items_by_text(a_post)["Second thing"].reader_count == 1
    assert checked_on_page(client, a_post) == ["Second thing"]


def test_a_visitors_ticks_are_not_merged_when_the_login_fails(client, a_reader, items):
    tick(client, items["First thing"])

    client.post(reverse("account_login"), {"login": a_reader.email, "password": "wrong password"})

    assert not Tick.objects.exists()
    assert list(client.session[SESSION_KEY]) == [str(items["First thing"].pk)]


def test_logging_out_starts_a_fresh_visit(client, a_post, a_reader, items):
    client.force_login(a_reader)
    tick(client, items["First thing"])

    client.post(reverse("account_logout"))

    assert checked_on_page(client, a_post) == []
    assert ticked(a_reader) == ["First thing"]


def test_a_visitor_resets_their_session_progress(client, a_post, items):
    tick(client, items["First thing"])
    tick(client, items["Second thing"])

    response = client.post(reverse("checklists:reset", args=[a_post.pk]))

    assert response.status_code == 302
    assert checked_on_page(client, a_post) == []
