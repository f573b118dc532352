"""Every email flow answers the same whether or not an address is on an account, so that
nobody can learn who reads the site by typing addresses (allauth's enumeration prevention,
ACCOUNT_PREVENT_ENUMERATION). Only the mail, which reaches the address's owner, differs."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import make_user
from tests.html import parse

from .helpers import (
    ALREADY_EXISTS,
    RESET_LINK,
    UNKNOWN_ACCOUNT,
    VERIFICATION_CODE,
    after_a_while,
    log_in,
    sent_mail,
    sign_up,
    signed_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]

KNOWN = "ann@example.com"  # Ann verified it
CLAIMED = "una@example.com"  # Una signed up with it and never typed the code
UNKNOWN = "nobody@example.com"


@pytest.fixture(autouse=True)
def readers():
    make_user(KNOWN, display_name="Ann")
    make_user(CLAIMED, display_name="Una", verified=False)
    make_user("me@example.com", display_name="Me")


def what_the_browser_shows(response, address):
    """Status, where it leads, and the page's main text, the typed address blanked out
    (the page may repeat what the visitor typed; that tells them nothing)."""
    page = parse(response)
    main = page.find("main")
    text = main.text if main else ""
    return (
        response.status_code,
        [url for url, _ in getattr(response, "redirect_chain", [])],
        re.sub(re.escape(address), "ADDRESS", text, flags=re.IGNORECASE),
    )


def test_prevention_is_on():
    assert settings.ACCOUNT_PREVENT_ENUMERATION
    assert settings.ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS


def test_signing_up_looks_the_same_for_a_known_a_claimed_and_an_unknown_address():
    seen = {}
    for address in (KNOWN, CLAIMED, UNKNOWN):
        response = Client().post(
            reverse("account_signup"),
            {
                "email": address,
                "display_name": "Someone",
                "password1": "a-long-enough-password",
                "password2": "a-long-enough-password",
            },
            follow=True,
        )
        seen[address] = what_the_browser_shows(response, address)
        after_a_while()

    assert seen[KNOWN] == seen[CLAIMED] == seen[UNKNOWN]
    assert seen[UNKNOWN][1] == [reverse("account_email_verification_sent")]
    assert "We have emailed a code to ADDRESS" in seen[UNKNOWN][2]
    assert sent_mail() == [
        (KNOWN, ALREADY_EXISTS),
        (CLAIMED, VERIFICATION_CODE),
        (UNKNOWN, VERIFICATION_CODE),
    ]


def test_a_failed_log_in_looks_the_same_for_a_known_a_claimed_and_an_unknown_address():
    seen = {}
    for address in (KNOWN, CLAIMED, UNKNOWN):
        response = log_in(Client(), address, "not the password")
        seen[address] = what_the_browser_shows(response, address)

    assert seen[KNOWN] == seen[CLAIMED] == seen[UNKNOWN]
    assert seen[UNKNOWN][0] == 200
    assert "The email address and/or password you specified are not correct." in seen[KNOWN][2]
    assert sent_mail() == []


def test_asking_for_a_password_reset_looks_the_same_for_every_address():
    seen = {}
    for address in (KNOWN, CLAIMED, UNKNOWN):
        response = Client().post(reverse("account_reset_password"), {"email": address}, follow=True)
        seen[address] = what_the_browser_shows(response, address)

    assert seen[KNOWN] == seen[CLAIMED] == seen[UNKNOWN]
    assert seen[UNKNOWN][1] == ["/accounts/password/reset/done/"]
    assert sent_mail() == [
        (KNOWN, RESET_LINK),
        (CLAIMED, UNKNOWN_ACCOUNT),
        (UNKNOWN, UNKNOWN_ACCOUNT),
    ]


def test_changing_to_an_address_looks_the_same_whether_or_not_it_is_someone_elses():
    me = signed_in("me@example.com")
    seen = {}
    for address in (KNOWN, CLAIMED, UNKNOWN):
        response = me.post(
            reverse("account_email"), {"email": address, "action_add": ""}, follow=True
        )
        seen[address] = what_the_browser_shows(response, address)
        after_a_while()
        me = signed_in("me@example.com")

    assert seen[KNOWN] == seen[CLAIMED] == seen[UNKNOWN]
    assert seen[UNKNOWN][1] == [reverse("account_email_verification_sent")]
    assert sent_mail() == [(a, VERIFICATION_CODE) for a in (KNOWN, CLAIMED, UNKNOWN)]


def test_asking_for_a_new_code_looks_the_same_after_signing_up_with_a_known_address():
    seen = {}
    for address in (KNOWN, UNKNOWN):
        browser = Client()
        sign_up(browser, address)
        after_a_while()
        response = browser.post(
            reverse("account_email_verification_sent"), {"action": "resend"}, follow=True
        )
        seen[address] = what_the_browser_shows(response, address)
        after_a_while()

    assert seen[KNOWN] == seen[UNKNOWN]
    assert seen[UNKNOWN][1] == [reverse("account_email_verification_sent")]
