"""Display names that are honest (issue 11): the PRECIS Nickname profile (RFC 8266), a
visible character, no look-alike of a staff member's name, through every way a name is
set (sign-up, /account/name/, the admin, createsuperuser, the data migration), and
names set apart from the text around them wherever they are shown."""

import builtins
from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse

from accounts.names import clean_stored_names, skeleton, skeletons
from comments.models import Comment
from comments.moderation import create_comment
from tests.comments.conftest import add_comment, make_moderator
from tests.conftest import make_user
from tests.html import parse

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "a-long-enough-password"
STAFF_NAME = "Admin"

REFUSED = {
    "zero-width only": "\u200b\u200b",
    "zero-width space in a name": "An\u200ba",
    "byte order mark": "\ufeffAna",
    "word joiner (U+2060)": "Ana\u2060Lee",
    "right-to-left override spelling Admin": "\u202enimdA",
    "left-to-right override": "\u202dAna",
    "right-to-left isolate": "\u2067Ana\u2069",
    "Hangul filler (U+3164)": "\u3164",
    "Hangul fillers around a space": "\u3164 \u3164",
    "combining marks alone": "\u0301\u0308",
    "blank Braille pattern": "\u2800",
    "Admin and a zero-width space": "Admin\u200b",
    "Admin with a Cyrillic A": "\u0410dmin",
    "Admin with a Greek Alpha": "\u0391dmin",
    "Admin in capitals": "ADMIN",
    "Admin in full-width letters": "\uff21\uff44\uff4d\uff49\uff4e",
    "Admin with rn for m": "Adrnin",
    "a placeholder's label": "[deleted]",
    "the moderators' title": "Moderator",
    "the moderators' title with a zero": "M0derator",
    "a placeholder's label with a one": "[de1eted]",
    "a placeholder's label with a capital I": "[deIeted]",
    "a placeholder's label with a Cyrillic palochka for the l": "[de\u04c0eted]",
}
ACCEPTED = {
    "spaces collapsed": ("  Ana   Lee  ", "Ana Lee"),
    "accents": ("José Núñez", "José Núñez"),
    "Hebrew (right-to-left)": ("אבי כהן", "אבי כהן"),
    "Devanagari with a joiner after a virama": ("क्\u200dष", "क्\u200dष"),
    "Persian with a non-joiner": ("نام\u200cها", "نام\u200cها"),
    "an emoji sequence with a joiner": ("👩\u200d💻 Dev", "👩\u200d💻 Dev"),
    "an emoji with its presentation selector": ("❤\ufe0f Ana", "❤\ufe0f Ana"),
    "full-width letters, normalized": ("\uff21\uff4e\uff41", "Ana"),
}


@pytest.fixture(autouse=True)
def a_staff_member_named_admin(db):
    return make_user(email="admin@example.com", display_name=STAFF_NAME, is_staff=True)


def sign_up(client, name):
    return client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "display_name": name, "password1": PASSWORD,
         "password2": PASSWORD},
    )  # fmt: skip


def name_after_sign_up(client, name):
    response = sign_up(client, name)
    user = User.objects.filter(email="new@example.com").first()
    return response, user.display_name if user else None


def name_after_account_page(client, name):
    reader = make_user(email="reader@example.com", display_name="Before")
    client.force_login(reader)
    response = client.post(reverse("accounts:display_name"), {"display_name": name})
    reader.refresh_from_db()
    return response, reader.display_name if reader.display_name != "Before" else None


def name_after_admin(client, name):
    reader = make_user(email="reader@example.com", display_name="Before")
    client.force_login(make_user(email="root@example.com", is_staff=True, is_superuser=True))
    url = reverse("admin:accounts_user_change", args=[reader.pk])
    values = parse(client.get(url).content).first("form", id="user_form").form_values()
    response = client.post(url, {**values, "display_name": name})
    reader.refresh_from_db()
    return response, reader.display_name if reader.display_name != "Before" else None


PATHS = {
    "sign-up": name_after_sign_up,
    "account page": name_after_account_page,
    "admin": name_after_admin,
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", REFUSED.values(), ids=REFUSED.keys())
def test_a_dishonest_name_is_refused_with_a_reason(client, path, name):
    response, stored = PATHS[path](client, name)

    assert response.status_code in (200, 400)
    assert stored is None
    errors = parse(response.content).find_all(class_="errorlist")
    assert any(error.text for error in errors)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("name", "stored"), ACCEPTED.values(), ids=ACCEPTED.keys())
def test_an_honest_name_is_kept_as_written_after_precis(client, path, name, stored):
    response, kept = PATHS[path](client, name)

    assert response.status_code == 302, parse(response.content).text
    assert kept == stored


def test_a_staff_member_may_not_take_a_name_a_reader_already_has(client):
    make_user(email="paul@example.com", display_name="Paul")
    staff = make_user(email="boss@example.com", display_name="Boss", is_staff=True)
    client.force_login(make_user(email="root@example.com", is_staff=True, is_superuser=True))
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    values = parse(client.get(url).content).first("form", id="user_form").form_values()

    response = client.post(url, {**values, "display_name": "PauI"})

    assert response.status_code == 200
    assert "can be mistaken for “Paul”" in parse(response.content).first(class_="errorlist").text
    staff.refresh_from_db()
    assert staff.display_name == "Boss", (staff.display_name, staff.is_staff)


def test_the_reason_names_the_character(client):
    response, _ = name_after_account_page(client, "\u202enimdA")

    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in parse(response.content).first(class_="errorlist").text


def test_the_reason_names_the_staff_name_it_looks_like(client):
    response, _ = name_after_account_page(client, "\u0410dmin")

    assert "can be mistaken for “Admin”" in parse(response.content).first(class_="errorlist").text


def test_a_staff_member_keeps_their_own_name_and_may_use_the_sites_words(
    client, a_staff_member_named_admin
):
    client.force_login(a_staff_member_named_admin)

    kept = client.post(reverse("accounts:display_name"), {"display_name": "Admin"})
    moderator = client.post(reverse("accounts:display_name"), {"display_name": "Moderator"})

    assert (kept.status_code, moderator.status_code) == (302, 302)


def test_the_length_limit_counts_after_precis(client):
    """Fifty full-width letters are fifty letters once normalized; padding with invisible
    characters does not get a name past the check either."""
    response, stored = name_after_account_page(client, "\uff41" * 50)

    assert response.status_code == 302
    assert stored == "a" * 50


# createsuperuser ------------------------------------------------------------------------


def test_createsuperuser_asks_for_a_display_name(monkeypatch):
    prompts = []
    answers = {
        "Username": "root",
        "Email address": "root@example.com",
        "Display name": "Site Editor",
    }

    def answer(prompt=""):
        prompts.append(prompt)
        return next(value for label, value in answers.items() if prompt.startswith(label))

    monkeypatch.setattr(builtins, "input", answer)
    with mock.patch("getpass.getpass", return_value=PASSWORD):
        call_command(
            "createsuperuser",
            interactive=True,
            stdout=StringIO(),
            stdin=mock.Mock(isatty=lambda: True),
        )

    assert any(prompt.startswith("Display name") for prompt in prompts)
    assert User.objects.get(username="root").display_name == "Site Editor"


def test_createsuperuser_refuses_a_dishonest_display_name_and_asks_again(monkeypatch):
    names = iter(["\u202enimdA", "Site Editor"])
    answers = {"Username": lambda: "root", "Email address": lambda: "r@example.com",
               "Display name": lambda: next(names)}  # fmt: skip
    errors = StringIO()

    def answer(prompt=""):
        return next(value() for label, value in answers.items() if prompt.startswith(label))

    monkeypatch.setattr(builtins, "input", answer)
    with mock.patch("getpass.getpass", return_value=PASSWORD):
        call_command(
            "createsuperuser",
            interactive=True,
            stdout=StringIO(),
            stderr=errors,
            stdin=mock.Mock(isatty=lambda: True),
        )

    assert "RIGHT-TO-LEFT OVERRIDE" in errors.getvalue()
    assert User.objects.get(username="root").display_name == "Site Editor"


def test_createsuperuser_without_input_needs_the_display_name():
    with pytest.raises(CommandError, match="display_name"):
        call_command(
            "createsuperuser", interactive=False, username="root", email="root@example.com"
        )

    call_command(
        "createsuperuser",
        interactive=False,
        username="root",
        email="root@example.com",
        display_name="Site Editor",
        stdout=StringIO(),
    )
    assert User.objects.get(username="root").display_name == "Site Editor"


def test_the_admin_asks_for_a_display_name_when_adding_an_account(client):
    client.force_login(make_user(email="root@example.com", is_staff=True, is_superuser=True))
    url = reverse("admin:accounts_user_add")
    form = parse(client.get(url).content).first("form", id="user_form")
    assert form.first("input", name="display_name") is not None

    response = client.post(
        url,
        {"username": "editor", "email": "editor@example.com", "display_name": "Eve Editor",
         "usable_password": "false"},
    )  # fmt: skip

    assert response.status_code == 302
    assert User.objects.get(username="editor").display_name == "Eve Editor"


# Cleaning the names already stored ------------------------------------------------------


def stored_as_is(email, name, **extra):
    """A user whose name was stored before the rules (written around the validation)."""
    user = make_user(email=email, **extra)
    User.objects.filter(pk=user.pk).update(display_name=name)
    return user


def test_the_cleaning_removes_invisible_characters_and_empties_names_with_nothing_left():
    cases = {
        "rlo@example.com": ("\u202enimdA", "nimdA"),
        "zw@example.com": ("Ana\u200b Lee", "Ana Lee"),
        "blank@example.com": ("\u200b\u3164", ""),
        "spoof@example.com": ("Admin\u200b", ""),
        "cyrillic@example.com": ("\u0410dmin", ""),
        "fine@example.com": ("Fine Name", "Fine Name"),
    }
    users = {email: stored_as_is(email, name) for email, (name, _) in cases.items()}

    changes = clean_stored_names(User)

    for email, (_, expected) in cases.items():
        users[email].refresh_from_db()
        assert users[email].display_name == expected, email
    assert len(changes) == 5
    assert User.objects.get(email="admin@example.com").display_name == STAFF_NAME


def test_the_command_lists_without_changing_on_a_dry_run_then_cleans():
    user = stored_as_is("rlo@example.com", "\u202enimdA")
    out = StringIO()

    call_command("clean_display_names", "--dry-run", stdout=out)

    user.refresh_from_db()
    assert user.display_name == "\u202enimdA"
    assert out.getvalue().endswith("1 display name would change.\n")
    assert f"user {user.pk}: '\\u202enimdA' -> 'nimdA'" in out.getvalue()

    call_command("clean_display_names", stdout=StringIO())

    user.refresh_from_db()
    assert user.display_name == "nimdA"


def test_skeletons_follow_uts_39():
    assert skeleton("\u0410dmin") == skeleton("admin") == skeleton("ADMIN")
    assert skeleton("rn") == skeleton("m")
    assert skeleton("Adm1n") == skeleton("Admln")  # "1" and "l" share a prototype
    assert skeleton("Ana") != skeleton("Anna")


@pytest.mark.parametrize(
    "posing, real",
    [("PauI", "Paul"), ("Pau\u04c0", "Paul"), ("ADMIN", "Admin"), ("AIice", "alice")],
)
def test_skeletons_meet_for_a_capital_that_looks_like_another_letter_and_for_case(posing, real):
    assert not skeletons(posing).isdisjoint(skeletons(real))


def test_different_names_do_not_meet():
    assert skeletons("Paul").isdisjoint(skeletons("Paula"))
    assert skeletons("ivan").isdisjoint(skeletons("Iran"))


@pytest.mark.parametrize(
    "posing, real",
    [
        ("Editor B0ss", "Editor Boss"),
        ("M0derator", "Moderator"),
        ("Anonym0us reader", "anonymous READER"),
    ],
)
def test_a_digit_for_a_letter_shares_the_letters_skeleton_whatever_the_case(posing, real):
    # "0" maps to the capital "O": the skeleton is folded again after mapping.
    assert skeleton(posing) == skeleton(real)


# Names set apart wherever they are shown -------------------------------------------------

RTL_NAME = "אבי כהן"


def test_the_name_is_isolated_on_the_page_the_reply_and_flag_pages_and_the_header(client, a_post):
    author = make_user(email="avi@example.com", display_name=RTL_NAME)
    comment = add_comment(a_post, author, "שלום")
    reader = make_user(email="reader@example.com", display_name="Reader")
    client.force_login(reader)

    pages = {
        "post": client.get(a_post.get_absolute_url()),
        "reply": client.get(reverse("comments:reply", args=[comment.pk])),
        "flag": client.get(reverse("comments:flag", args=[comment.pk])),
    }

    for name, response in pages.items():
        isolated = [bdi.text for bdi in parse(response.content).find_all("bdi")]
        assert RTL_NAME in isolated, name
    client.force_login(author)
    header = parse(client.get("/").content).first("li", class_="signed-in-as")
    assert header.first("bdi").text == RTL_NAME


@pytest.mark.usefixtures("requests_commit")
def test_the_name_is_isolated_in_emails_and_the_admin(client, a_post, settings):
    settings.COMMENTS_EMAIL_IN_BACKGROUND = False
    moderator = make_moderator()
    author = make_user(email="avi@example.com", display_name=RTL_NAME)
    parent = add_comment(a_post, make_user(email="p@example.com", display_name="P"), "Q")

    with TestCase.captureOnCommitCallbacks(execute=True):
        comment = create_comment(post=a_post, author=author, body="תשובה", parent=parent)

    assert f"\u2068{RTL_NAME}\u2069 wrote on" in mail.outbox[0].body
    assert str(author) == f"\u2068{RTL_NAME}\u2069"
    client.force_login(moderator)
    queue = parse(client.get(reverse("admin:comments_comment_changelist"), follow=True).content)
    assert RTL_NAME in [bdi.text for bdi in queue.find_all("bdi")]
    assert Comment.objects.get(pk=comment.pk).plain_author == f"\u2068{RTL_NAME}\u2069"
