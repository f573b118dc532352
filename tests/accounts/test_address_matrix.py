"""Who gets in, and who gets mail: sign-up, log-in, change of address and password reset,
over every state an address can be in (issue 14).

The readers, each with a password of their own:

- Ann has verified ann@example.com.
- Bob has verified bob@example.com: for Ann, the address of another account.
- Cat has verified cat@example.com and is changing it to cat.new@example.com: she typed
  the new address, the code went to it, and she has not typed the code yet. Her primary
  address is still cat@ (in force); cat.new@ is unverified and not hers yet.
- Una signed up with una@example.com and never typed the code: an unverified claim.
- new@example.com is nobody's address.

Each row of a table is one cell: the address typed, then who can log in and who got which
mail (a verification code, "account already exists", a reset link, "unknown account", "your
address changed"). Every flow answers a stranger the same way whatever the address's state
(allauth's enumeration prevention), so the rows also compare the responses.
"""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import make_user

from .helpers import (
    ADDRESS_CHANGED,
    ALREADY_EXISTS,
    RESET_LINK,
    UNKNOWN_ACCOUNT,
    VERIFICATION_CODE,
    add_address,
    after_a_while,
    enter_code,
    form_errors,
    last_mail_to,
    log_in,
    logged_in_user,
    request_password_reset,
    reset_password_by_link,
    sent_mail,
    sign_up,
    signed_in,
    verification_code,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]

PASSWORDS = {name: f"{name.lower()}-has-a-password-of-her-own" for name in ("Ann", "Bob", "Cat")}
PASSWORDS |= {"Una": "una-has-a-password-of-her-own", "Nat": "nat-is-new-here-with-a-password"}

# The states of issue 14, and the address typed for each.
STATES = {
    "verified": "ann@example.com",
    "differing only in case": "ANN@Example.COM",
    "primary, change pending": "cat@example.com",
    "another account's": "bob@example.com",
    "unverified sign-up": "una@example.com",
    "unverified change": "cat.new@example.com",
    "nobody's": "new@example.com",
}


@pytest.fixture
def readers():
    """Ann, Bob, Cat (mid-change) and Una, as the module docstring describes; Cat's
    browser and the code mailed to cat.new@ are kept for the rows that need them."""
    people = {
        name: make_user(f"{name.lower()}@example.com", password=PASSWORDS[name], display_name=name)
        for name in ("Ann", "Bob", "Cat")
    }
    people["Una"] = make_user(
        "una@example.com", password=PASSWORDS["Una"], display_name="Una", verified=False
    )
    cats_browser = signed_in("cat@example.com", PASSWORDS["Cat"])
    add_address(cats_browser, "cat.new@example.com")
    people["cats_browser"] = cats_browser
    people["cats_code"] = verification_code(last_mail_to("cat.new@example.com"))
    mail.outbox.clear()
    after_a_while()
    return people


def opens(address, name):
    """The display name of the account `address` with `name`'s password opens, or None."""
    browser = Client()
    log_in(browser, address, PASSWORDS[name])
    user = logged_in_user(browser)
    after_a_while()  # failed log-ins count towards allauth's limits
    return user.display_name if user else None


def addresses_of(user):
    return list(EmailAddress.objects.filter(user=user).values_list("email", "verified"))


# Sign-up: Nat signs up with the address, then types the code if one reached him.

SIGN_UP = [
    # state, mail sent, whom the address opens afterwards (with that reader's password)
    ("verified", [("ann@example.com", ALREADY_EXISTS)], "Ann"),
    ("differing only in case", [("ann@example.com", ALREADY_EXISTS)], "Ann"),
    ("primary, change pending", [("cat@example.com", ALREADY_EXISTS)], "Cat"),
    ("another account's", [("bob@example.com", ALREADY_EXISTS)], "Bob"),
    ("unverified sign-up", [("una@example.com", VERIFICATION_CODE)], "Nat"),
    ("unverified change", [("cat.new@example.com", VERIFICATION_CODE)], "Nat"),
    ("nobody's", [("new@example.com", VERIFICATION_CODE)], "Nat"),
]


@pytest.mark.parametrize(("state", "mails", "then_opens"), SIGN_UP, ids=[r[0] for r in SIGN_UP])
def test_sign_up(readers, state, mails, then_opens):
    address = STATES[state]
    accounts_before = get_user_model().objects.count()
    nat = Client()

    response = sign_up(nat, address, display_name="Nat", password=PASSWORDS["Nat"])

    assert (response.status_code, response["Location"]) == (
        302,
        reverse("account_email_verification_sent"),
    )
    assert sent_mail() == mails
    assert logged_in_user(nat) is None  # nobody is in before typing a code
    made = then_opens == "Nat"
    assert get_user_model().objects.count() == accounts_before + made
    if made:
        enter_code(nat, verification_code(mail.outbox[0]))
        assert logged_in_user(nat).display_name == "Nat"
    after_a_while()
    assert opens(address, then_opens) == then_opens
    assert opens(address, "Nat") == ("Nat" if made else None)


def test_an_owner_who_signs_up_drops_the_unverified_claim(readers):
    nat = Client()
    sign_up(nat, "una@example.com", display_name="Nat", password=PASSWORDS["Nat"])
    enter_code(nat, verification_code(last_mail_to("una@example.com")))

    assert addresses_of(readers["Una"]) == []
    assert opens("una@example.com", "Una") is None


def test_a_pending_change_loses_to_the_owner_who_verified_first(readers):
    nat = Client()
    sign_up(nat, "cat.new@example.com", display_name="Nat", password=PASSWORDS["Nat"])
    enter_code(nat, verification_code(last_mail_to("cat.new@example.com")))

    response = enter_code(readers["cats_browser"], readers["cats_code"])

    assert "already registered with this email address" in form_errors(response)
    assert addresses_of(readers["Cat"]) == [("cat@example.com", True)]


# Log-in: the address with one reader's password.

LOG_IN = [
    # state, whose password, who is logged in, mail sent
    ("verified", "Ann", "Ann", []),
    ("differing only in case", "Ann", "Ann", []),
    ("primary, change pending", "Cat", "Cat", []),
    ("another account's", "Ann", None, []),
    ("another account's", "Bob", "Bob", []),
    ("unverified sign-up", "Una", None, [("una@example.com", VERIFICATION_CODE)]),
    ("unverified sign-up", "Ann", None, []),
    ("unverified change", "Cat", None, []),
    ("nobody's", "Ann", None, []),
]


@pytest.mark.parametrize(
    ("state", "password_of", "logged_in", "mails"),
    LOG_IN,
    ids=[f"{r[0]} with {r[1]}'s password" for r in LOG_IN],
)
def test_log_in(readers, state, password_of, logged_in, mails):
    browser = Client()

    log_in(browser, STATES[state], PASSWORDS[password_of])

    user = logged_in_user(browser)
    assert (user.display_name if user else None) == logged_in
    assert sent_mail() == mails


def test_an_unverified_sign_up_opens_only_once_its_owner_types_the_code(readers):
    una = Client()
    log_in(una, "una@example.com", PASSWORDS["Una"])

    enter_code(una, verification_code(last_mail_to("una@example.com")))

    assert logged_in_user(una) == readers["Una"]
    assert addresses_of(readers["Una"]) == [("una@example.com", True)]


# Change of address: Ann changes hers to the address, then types the code if one reached
# her (the rows assume she can read that mailbox).

CHANGE = [
    # state, error shown, mail sent, Ann's address once the code is typed, other mail
    ("verified", "already associated with this account", [], "ann@example.com", []),
    ("differing only in case", "already associated with this account", [], "ann@example.com", []),
    (
        "primary, change pending",
        "",
        [("cat@example.com", VERIFICATION_CODE)],
        "ann@example.com",
        [],
    ),
    ("another account's", "", [("bob@example.com", VERIFICATION_CODE)], "ann@example.com", []),
    (
        "unverified sign-up",
        "",
        [("una@example.com", VERIFICATION_CODE)],
        "una@example.com",
        [("ann@example.com", ADDRESS_CHANGED)],
    ),
    (
        "unverified change",
        "",
        [("cat.new@example.com", VERIFICATION_CODE)],
        "cat.new@example.com",
        [("ann@example.com", ADDRESS_CHANGED)],
    ),
    (
        "nobody's",
        "",
        [("new@example.com", VERIFICATION_CODE)],
        "new@example.com",
        [("ann@example.com", ADDRESS_CHANGED)],
    ),
]


@pytest.mark.parametrize(
    ("state", "error", "mails", "ann_ends_with", "notices"), CHANGE, ids=[r[0] for r in CHANGE]
)
def test_change_address(readers, state, error, mails, ann_ends_with, notices):
    address = STATES[state]
    ann = signed_in("ann@example.com", PASSWORDS["Ann"])

    response = add_address(ann, address)

    if error:
        assert response.status_code == 200
        assert error in form_errors(response)
    else:
        # The same page whether or not the address is someone's.
        assert (response.status_code, response["Location"]) == (
            302,
            reverse("account_email_verification_sent"),
        )
    assert sent_mail() == mails
    # Until a code is typed, Ann's address stays hers and the new one opens nothing of hers.
    assert addresses_of(readers["Ann"]) == [("ann@example.com", True)]
    after_a_while()
    assert opens("ann@example.com", "Ann") == "Ann"
    assert opens(address, "Ann") == (
        "Ann" if state in ("verified", "differing only in case") else None
    )

    if mails:
        code = verification_code(last_mail_to(address.lower()))
        mail.outbox.clear()
        response = enter_code(ann, code)
        assert sent_mail() == notices
        assert addresses_of(readers["Ann"]) == [(ann_ends_with, True)]
        after_a_while()
        assert opens(ann_ends_with, "Ann") == "Ann"
        if ann_ends_with != "ann@example.com":
            assert opens("ann@example.com", "Ann") is None
        else:
            assert "already registered with this email address" in form_errors(response)


def test_changing_the_address_asks_for_the_password_again():
    make_user("ann@example.com", password=PASSWORDS["Ann"])
    ann = Client()
    log_in(ann, "ann@example.com", PASSWORDS["Ann"])

    response = add_address(ann, "new@example.com")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert sent_mail() == []
    # Once she types it, her request goes through.
    response = ann.post(response["Location"], {"password": PASSWORDS["Ann"]})
    assert sent_mail() == [("new@example.com", VERIFICATION_CODE)]


# Password reset, asked for by anyone: a link only to an address its account verified.

RESET = [
    # state, mail sent, whose password the link sets
    ("verified", [("ann@example.com", RESET_LINK)], "Ann"),
    ("differing only in case", [("ann@example.com", RESET_LINK)], "Ann"),
    ("primary, change pending", [("cat@example.com", RESET_LINK)], "Cat"),
    ("another account's", [("bob@example.com", RESET_LINK)], "Bob"),
    ("unverified sign-up", [("una@example.com", UNKNOWN_ACCOUNT)], None),
    ("unverified change", [("cat.new@example.com", UNKNOWN_ACCOUNT)], None),
    ("nobody's", [("new@example.com", UNKNOWN_ACCOUNT)], None),
]


@pytest.mark.parametrize(("state", "mails", "link_for"), RESET, ids=[r[0] for r in RESET])
def test_password_reset(readers, state, mails, link_for):
    response = request_password_reset(Client(), STATES[state])

    assert (response.status_code, response["Location"]) == (302, "/accounts/password/reset/done/")
    assert sent_mail() == mails
    if link_for:
        reset_password_by_link(Client(), mail.outbox[0], "a-new-password-from-the-link")
        passwords_after = {**PASSWORDS, link_for: "a-new-password-from-the-link"}
        for name, user in readers.items():
            if name in PASSWORDS:
                user.refresh_from_db()
                assert user.check_password(passwords_after[name]), name
