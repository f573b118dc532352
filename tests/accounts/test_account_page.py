"""The account page: display name, data export and account deletion."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from checklists.models import Tick, Visit
from checklists.progress import set_tick
from tests.checklists.helpers import items_by_text, parse

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-password"
User = get_user_model()


@pytest.fixture
def ticked(a_post, a_reader, another_reader):
    """a_reader ticked both items of a_post; another_reader ticked the first."""
    items = items_by_text(a_post)
    for item in items.values():
        set_tick(user=a_reader, item=item, done=True)
    set_tick(user=another_reader, item=items["First thing"], done=True)
    return items


def test_the_account_page_needs_an_account(client):
    response = client.get(reverse("accounts:account"))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/account/"


def test_the_account_page_shows_the_display_name_and_the_readers_own_email(reader_client, a_reader):
    a_reader.display_name = "Ann Reader"
    a_reader.save()

    page = parse(reader_client.get(reverse("accounts:account")))

    assert page.find("h1").text == "Account"
    field = page.find("input", name="display_name")
    assert field["value"] == "Ann Reader"
    assert page.accessible_name(field) == "Display name"
    assert a_reader.email in page.find("main").text
    links = {a.text: a["href"] for a in page.find("main").find_all("a")}
    assert links["Download my data (JSON)"] == reverse("accounts:export")
    assert links["Delete my account"] == reverse("accounts:delete")


def test_change_the_display_name(reader_client, a_reader):
    response = reader_client.post(
        reverse("accounts:display_name"), {"display_name": "  Ann   Reader  "}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:account")
    a_reader.refresh_from_db()
    assert a_reader.display_name == "Ann Reader"
    assert "Ann Reader" in parse(reader_client.get("/")).find("nav", aria_label="Site").text


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_an_empty_display_name_is_refused(reader_client, a_reader, name):
    a_reader.display_name = "Kept"
    a_reader.save()

    response = reader_client.post(reverse("accounts:display_name"), {"display_name": name})

    assert response.status_code == 400
    assert parse(response).find(class_="errorlist").text
    a_reader.refresh_from_db()
    assert a_reader.display_name == "Kept"


def test_a_display_name_over_50_characters_is_refused(reader_client, a_reader):
    response = reader_client.post(reverse("accounts:display_name"), {"display_name": "x" * 51})

    assert response.status_code == 400
    a_reader.refresh_from_db()
    assert a_reader.display_name == ""


def test_changing_the_display_name_is_a_post(reader_client):
    assert reader_client.get(reverse("accounts:display_name")).status_code == 405


def test_download_my_data_is_a_json_attachment(reader_client, a_reader, a_post, ticked):
    a_reader.display_name = "Ann Reader"
    a_reader.save()

    response = reader_client.get(reverse("accounts:export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="advice-data-')
    assert response["Content-Disposition"].endswith('.json"')
    data = json.loads(response.content)
    assert data["account"]["display_name"] == "Ann Reader"
    assert [address["email"] for address in data["account"]["emails"]] == [a_reader.email]
    ticks = data["checklist_ticks"]
    assert [(tick["post"], tick["item"]) for tick in ticks] == [
        ("A test post", "First thing"),
        ("A test post", "Second thing"),
    ]
    assert ticks[0]["post_url"] == "/a-test-post/"
    stored = Tick.objects.filter(user=a_reader).order_by("ticked_at")
    assert [tick["ticked_at"] for tick in ticks] == [t.ticked_at.isoformat() for t in stored]


def test_download_my_data_holds_the_readers_visits(reader_client, a_reader, a_post):
    reader_client.get(a_post.get_absolute_url())

    data = json.loads(reader_client.get(reverse("accounts:export")).content)

    visit = Visit.objects.get(user=a_reader)
    assert data["post_visits"] == [
        {
            "post": "A test post",
            "post_url": "/a-test-post/",
            "visited_at": visit.visited_at.isoformat(),
            "previous_visited_at": None,
        }
    ]


def test_download_my_data_holds_nothing_of_another_reader(reader_client, another_reader, ticked):
    content = reader_client.get(reverse("accounts:export")).content.decode()

    assert another_reader.email not in content
    assert another_reader.display_name not in content
    assert len(json.loads(content)["checklist_ticks"]) == 2


def test_download_my_data_needs_an_account(client):
    response = client.get(reverse("accounts:export"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_delete_page_asks_for_the_password(reader_client):
    page = parse(reader_client.get(reverse("accounts:delete")))

    form = page.find("form", action=reverse("accounts:delete"))
    field = form.find("input", name="password")
    assert field["type"] == "password"
    assert page.accessible_name(field) == "Your password"


def test_deleting_with_a_wrong_password_keeps_the_account(reader_client, a_reader, ticked):
    response = reader_client.post(reverse("accounts:delete"), {"password": "not my password"})

    assert response.status_code == 400
    page = parse(response)
    assert page.find("span", class_="field-error").text == "That password is not correct."
    assert page.find("input", name="password")["aria-invalid"] == "true"
    assert User.objects.filter(pk=a_reader.pk).exists()
    assert Tick.objects.filter(user=a_reader).count() == 2
    assert reader_client.get(reverse("accounts:account")).status_code == 200


def test_deleting_without_a_password_says_so(reader_client, a_reader):
    response = reader_client.post(reverse("accounts:delete"), {})

    assert response.status_code == 400
    assert "required" in parse(response).find("span", class_="field-error").text
    assert User.objects.filter(pk=a_reader.pk).exists()


def test_deleting_with_the_password_removes_the_reader_and_their_ticks(
    reader_client, a_reader, another_reader, ticked
):
    response = reader_client.post(reverse("accounts:delete"), {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not User.objects.filter(pk=a_reader.pk).exists()
    assert not Tick.objects.filter(user_id=a_reader.pk).exists()
    counts = {
        text: item.reader_count for text, item in items_by_text(ticked["First thing"].post).items()
    }
    assert counts == {"First thing": 1, "Second thing": 0}
    assert Tick.objects.filter(user=another_reader).count() == 1

    after = reader_client.get("/", follow=True)
    assert after.context["user"].is_anonymous
    assert [str(m) for m in after.context["messages"]] == [
        "Your account and everything in it has been deleted."
    ]
    assert reader_client.get(reverse("accounts:account")).status_code == 302
