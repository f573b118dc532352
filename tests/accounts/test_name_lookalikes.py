"""Names that pose as someone else's (issue 18): every look-alike the README claims is
caught, built from the data rather than listed by hand; another commenter's name; and
names that read as an email address.

The table of look-alikes is generated: for every staff name, reserved word and the
site's name, each character is replaced, one at a time, by each letter or digit that
UTS #39's confusables data (as confusable-homoglyphs ships it) pairs with it in either
case, by each letter sequence paired with it ("rn" for "m"), and by each of the README's
extra substitutions (digits, "@" and "$" for letters; i, l, 1, I, | and ! as one
letter). Every such
name must be refused."""

import unicodedata

import pytest
from confusable_homoglyphs.confusables import confusables_data
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts.forms import DisplayNameForm, SignupForm
from accounts.names import RESERVED, clean_stored_names
from tests.comments.conftest import add_comment
from tests.conftest import make_user
from tests.html import parse

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "a-long-enough-password"
STAFF_NAMES = ("Admin", "Site Admin", "Editor Boss")
COMMENTER = "Paul Lee"
# The README's claim beyond UTS #39 ("Display names"), written out independently of
# accounts.names: the digit read as each letter, and the letters read as one.
DIGITS_FOR_LETTERS = {"o": "0", "l": "1", "z": "2", "e": "3", "a": "4@", "s": "5$",
                      "b": "68", "t": "7", "g": "9"}  # fmt: skip
ONE_LETTER = {"i", "l", "1", "I", "|", "!"}
MARKS = str.maketrans("", "", "\u200e\u200f")


def letters_or_digits(text):
    return bool(text) and all(
        unicodedata.category(char).startswith("L") or unicodedata.category(char) == "Nd"
        for char in text
    )


def confusable_partners(text):
    """What UTS #39 pairs with ``text`` (a character or a sequence), direction marks of
    the data dropped: letters and digits that stay look-alikes through the normalization
    every name goes through, since others see the name as stored. (NFKC makes the long
    s "ſ" an "s", the lunate sigma "ϲ" a final sigma "ς", U+037A a space and a mark:
    none of them then looks like the letter it stood for.)"""
    entries = confusables_data.get(text, []) + confusables_data.get(text + "\u200e", [])
    partners = {entry["c"].translate(MARKS) for entry in entries}
    kept = set()
    for partner in partners:
        normal = unicodedata.normalize("NFKC", partner)
        if letters_or_digits(normal) and (
            normal in partners or normal.casefold() == text.casefold()
        ):
            kept.add(partner)
    return kept


def substitutes(char):
    """Every substitution the README claims for ``char`` (str of one character)."""
    found = set()
    for variant in {char, char.lower(), char.upper()}:
        found |= confusable_partners(variant)
    found |= set(DIGITS_FOR_LETTERS.get(char.casefold(), ""))
    if char in ONE_LETTER or char.casefold() in ONE_LETTER:
        found |= ONE_LETTER
    return found - {char}


def look_alikes(name):
    """{look-alike: what was substituted} for ``name``: one substitution at a time,
    each character by each of its substitutes, and each sequence of the data that
    occurs in the name by its partners ("m" for "rn")."""
    found = {}
    for index, char in enumerate(name):
        for substitute in substitutes(char):
            found[name[:index] + substitute + name[index + 1 :]] = f"{char!r}->{substitute!r}"
    sequences = (key for key in confusables_data if len(key.translate(MARKS)) > 1)
    for sequence in map(lambda key: key.translate(MARKS), sequences):
        if letters_or_digits(sequence) and sequence in name.casefold():
            start = name.casefold().index(sequence)
            for partner in confusable_partners(sequence):
                posing = name[:start] + partner + name[start + len(sequence) :]
                found[posing] = f"{sequence!r}->{partner!r}"
    found.pop(name, None)
    return found


@pytest.fixture(autouse=True)
def staff_and_a_commenter(db, a_post):
    for number, name in enumerate(STAFF_NAMES):
        make_user(email=f"staff{number}@example.com", display_name=name, is_staff=True)
    paul = make_user(email="paul@example.com", display_name=COMMENTER)
    add_comment(a_post, paul, "First!")
    return paul


def refused_at_sign_up(name):
    """The errors sign-up's display name field gives ``name`` (its form is the part of
    allauth's sign-up form that holds the name)."""
    form = SignupForm({"display_name": name})
    form.is_valid()
    return form.errors.get("display_name")


@pytest.mark.parametrize("real", [*STAFF_NAMES, *RESERVED, "the site's name", COMMENTER])
def test_every_claimed_look_alike_of_a_staff_name_or_site_word_is_refused(real):
    real = settings.SITE_NAME if real == "the site's name" else real
    table = look_alikes(real)
    assert len(table) > len(real)  # the data gave substitutes for the name

    accepted = {posing: how for posing, how in table.items() if not refused_at_sign_up(posing)}

    assert accepted == {}


def test_the_issues_names_are_refused():
    for name in ("Adm1n", "S1te Admin", "ADM1N", "Adm!n", "@dmin", "5ite 4dmin", "Ed1tor B0$$"):
        assert refused_at_sign_up(name), name


def test_names_that_merely_resemble_are_kept():
    for name in ("Adam", "Amin", "Admiral", "Site Editor", "Paula Lee", "Boss Editor"):
        assert refused_at_sign_up(name) is None, name


# Another reader's name --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Paul Lee", "paul lee", "PauI Lee", "Pau1 1ee", "Paul Lее"])
def test_a_reader_may_not_take_a_commenters_name_or_a_look_alike(client, name):
    reader = make_user(email="eve@example.com", display_name="Eve")
    client.force_login(reader)

    response = client.post(reverse("accounts:display_name"), {"display_name": name})

    assert response.status_code == 400
    error = parse(response.content).first(class_="errorlist").text
    assert "can be mistaken for “Paul Lee”, the name another reader comments under" in error
    assert "paul@example.com" not in response.content.decode()
    reader.refresh_from_db()
    assert reader.display_name == "Eve"


@pytest.mark.usefixtures("requests_commit")
def test_sign_up_refuses_a_commenters_name_without_revealing_their_address(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "display_name": "Paul Lee", "password1": PASSWORD,
         "password2": PASSWORD},
    )  # fmt: skip

    assert response.status_code == 200
    assert not User.objects.filter(email="new@example.com").exists()
    assert (
        "can be mistaken for “Paul Lee”" in parse(response.content).first(class_="errorlist").text
    )
    assert "paul@example.com" not in response.content.decode()
    assert mail.outbox == []


def test_a_commenter_keeps_their_own_name_and_a_reader_without_comments_blocks_nobody(client):
    paul = User.objects.get(email="paul@example.com")
    make_user(email="quiet@example.com", display_name="Quiet Reader")
    client.force_login(paul)
    kept = client.post(reverse("accounts:display_name"), {"display_name": "Paul Lee"})
    assert kept.status_code == 302

    assert DisplayNameForm({"display_name": "Quiet Reader"}, user=paul).is_valid()


def test_the_check_is_one_query_whatever_the_number_of_readers(django_assert_num_queries, a_post):
    for number in range(30):
        add_comment(a_post, make_user(email=f"r{number}@example.com", display_name=f"R {number}"))
    reader = User.objects.get(email="r0@example.com")

    with django_assert_num_queries(1):
        form = DisplayNameForm({"display_name": "R 1"}, user=reader)
        assert not form.is_valid()


def test_the_skeleton_columns_follow_every_change_of_name(a_post):
    reader = make_user(email="eve@example.com", display_name="Eve")
    reader.display_name = "Adam Smith"
    reader.save(update_fields=["display_name"])
    add_comment(a_post, reader)

    assert refused_at_sign_up("Adarn 5mith")


# Names that read as an email address ---------------------------------------------------------

ADDRESS_NAMES = [
    'Bob "Builder" <x@evil.test>, Eve',
    "x@evil.test",
    "bob@localhost",
    "Bob at @evil.test",
    "<Bob>",
    "Bob >",
    "Bob ‹x›",  # single angle quotation marks, UTS #39 look-alikes of < and >
    "bob\uff20evil.test",  # full-width @, NFKC makes it "@"
]


@pytest.mark.parametrize("name", ADDRESS_NAMES)
def test_a_name_with_an_address_or_angle_brackets_is_refused(client, name):
    reader = make_user(email="eve@example.com", display_name="Eve")
    client.force_login(reader)

    response = client.post(reverse("accounts:display_name"), {"display_name": name})

    assert response.status_code == 400
    assert "cannot hold an email address" in parse(response.content).first(class_="errorlist").text


@pytest.mark.parametrize("name", ['Bob "Builder"', "@bob", "Bob & Eve", "Tom @ home"])
def test_quotes_and_a_handle_are_kept(name):
    assert refused_at_sign_up(name) is None


def test_a_name_with_a_line_break_cannot_reach_a_header():
    form = SignupForm({"display_name": "Bob\r\nBcc: eve@evil.test"})

    assert not form.is_valid()  # refused as an address; line breaks would be spaces anyway
    assert SignupForm({"display_name": "Bob\r\nBuilder"}).is_valid()
    form = SignupForm({"display_name": "Bob\r\nBuilder"})
    form.is_valid()
    assert form.cleaned_data["display_name"] == "Bob Builder"


def test_stored_names_that_break_the_new_rules_are_emptied():
    cases = {
        "spoof@example.com": ("Adm1n", ""),
        "address@example.com": ('Bob "Builder" <x@evil.test>, Eve', ""),
        "fine@example.com": ('Bob "Builder"', 'Bob "Builder"'),
    }
    users = {}
    for email, (name, _) in cases.items():
        users[email] = make_user(email=email)
        User.objects.filter(pk=users[email].pk).update(display_name=name)

    clean_stored_names(User)

    for email, (_, expected) in cases.items():
        users[email].refresh_from_db()
        assert users[email].display_name == expected, email


def test_the_migration_cleans_names_and_fills_every_skeleton(a_post):
    """accounts.0007: names stored before these rules are cleaned, and every account's
    skeletons filled, so that a reader who commented before is protected at once."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps as current_apps
    from django.db import connection

    migration = importlib.import_module("accounts.migrations.0007_display_name_skeletons")
    old = make_user(email="old@example.com")
    spoof = make_user(email="spoof@example.com")
    User.objects.filter(pk=old.pk).update(display_name="Olga Old", skeleton_folded_first="",
                                          skeleton_mapped_first="")  # fmt: skip
    User.objects.filter(pk=spoof.pk).update(display_name="M0derator")
    add_comment(a_post, old)
    assert not refused_at_sign_up("0lga 0ld")  # before: no skeleton stored

    migration.clean_and_fill_skeletons(current_apps, SimpleNamespace(connection=connection))

    assert User.objects.get(pk=spoof.pk).display_name == ""
    assert refused_at_sign_up("0lga 0ld")


def test_the_admin_refuses_a_commenters_name_for_another_reader(client):
    reader = make_user(email="eve@example.com", display_name="Eve")
    client.force_login(make_user(email="root@example.com", is_staff=True, is_superuser=True))
    url = reverse("admin:accounts_user_change", args=[reader.pk])
    values = parse(client.get(url).content).first("form", id="user_form").form_values()

    response = client.post(url, {**values, "display_name": "Pau1 Lee"})

    assert response.status_code == 200
    assert (
        "can be mistaken for “Paul Lee”" in parse(response.content).first(class_="errorlist").text
    )
    reader.refresh_from_db()
    assert reader.display_name == "Eve"


@pytest.mark.parametrize("name", ["Paul Lee", "Bob <bob@example.com>", "Adm1n"])
def test_a_social_sign_up_does_not_take_a_name_that_is_refused(rf, name):
    from allauth.socialaccount.models import SocialAccount, SocialLogin

    from accounts.adapters import SocialAccountAdapter

    request = rf.get("/")
    sociallogin = SocialLogin(user=User(), account=SocialAccount(provider="github"))

    user = SocialAccountAdapter(request).populate_user(request, sociallogin, {"name": name})

    assert user.display_name == "Reader"
