"""allauth's emails in the site's words (issue 18): each flow's mail says what that flow
is (a change of address is not "registering an account"), and every subject is a
sentence in sentence case that names the site, not allauth's title-case defaults."""

from pathlib import Path

import allauth
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.adapters import AccountAdapter
from tests.accounts.helpers import (
    PASSWORD,
    add_address,
    after_a_while,
    enter_code,
    last_mail_to,
    log_in,
    request_password_reset,
    reset_password_by_link,
    sign_up,
    signed_in,
    verification_code,
)
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]

User = get_user_model()
SITE = "Advice"
ALLAUTH_EMAILS = Path(allauth.__file__).parent / "templates" / "account" / "email"
# allauth's own words that a reader of this site should never get.
ALLAUTH_PHRASES = ("register an account", "Hello from", "Thank you for using", "sign-in", "Sign-In")


def assert_in_site_voice(message):
    subject = message.subject
    assert SITE in subject, subject
    without_site = subject.replace(SITE, "")
    assert without_site == without_site[0] + without_site[1:].lower(), subject  # sentence case
    for phrase in ALLAUTH_PHRASES:
        assert phrase not in message.body, (phrase, message.body)


def test_the_sign_up_code_says_it_finishes_signing_up(client):
    sign_up(client, "new@example.com")

    message = last_mail_to("new@example.com")
    assert_in_site_voice(message)
    assert "signing up on Advice with this email address" in message.body
    assert verification_code(message)


def test_the_change_of_address_code_says_it_changes_the_address_not_registers():
    make_user(email="ann@example.com", display_name="Ann")
    client = signed_in("ann@example.com")

    add_address(client, "ann.new@example.com")

    message = last_mail_to("ann.new@example.com")
    assert_in_site_voice(message)
    assert "change the email address of your account on Advice" in message.body
    assert "from ann@example.com to this one" in message.body
    assert "sign" not in message.body.lower()  # neither signing up nor registering

    enter_code(client, verification_code(message))

    notice = last_mail_to("ann@example.com")
    assert_in_site_voice(notice)
    assert "changed from ann@example.com to ann.new@example.com" in notice.body


def test_logging_in_with_an_unverified_address_mails_a_code_to_verify_it(client):
    make_user(email="una@example.com", display_name="Una", verified=False)

    log_in(client, "una@example.com")

    message = last_mail_to("una@example.com")
    assert_in_site_voice(message)
    assert "has this email address, not verified yet" in message.body
    assert "change" not in message.body


def test_signing_up_with_a_taken_address_tells_its_owner_to_log_in(client):
    make_user(email="ann@example.com", display_name="Ann")

    sign_up(client, "ann@example.com", display_name="Someone")

    message = last_mail_to("ann@example.com")
    assert_in_site_voice(message)
    assert message.subject == "You already have an account on Advice"
    assert "an account already has it. No new account was made." in message.body


def test_a_reset_for_an_unknown_address_says_no_account_has_it(client):
    request_password_reset(client, "nobody@example.com")

    message = last_mail_to("nobody@example.com")
    assert_in_site_voice(message)
    assert "No account has this address" in message.body


def test_a_reset_link_then_the_notice_that_the_password_was_reset(client):
    make_user(email="ann@example.com", display_name="Ann")
    request_password_reset(client, "ann@example.com")
    link = last_mail_to("ann@example.com")
    assert_in_site_voice(link)
    assert link.subject == "Set a new password on Advice"

    after_a_while()
    reset_password_by_link(Client(), link, "a-new-password-from-the-link")

    notice = last_mail_to("ann@example.com")
    assert notice.subject == "Your password on Advice was reset"
    assert_in_site_voice(notice)
    assert "someone else may know your password" in notice.body


def test_changing_a_password_is_told_in_its_words():
    make_user(email="ann@example.com", display_name="Ann")
    client = signed_in("ann@example.com")

    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "another-long-password",
         "password2": "another-long-password"},
    )  # fmt: skip

    changed = last_mail_to("ann@example.com")
    assert changed.subject == "Your password on Advice was changed"
    assert_in_site_voice(changed)
    assert "was changed on the account page" in changed.body


@pytest.mark.parametrize(
    "prefix",
    sorted(path.name.removesuffix("_subject.txt") for path in ALLAUTH_EMAILS.glob("*_subject.txt")),
)
def test_every_allauth_email_the_package_ships_has_the_sites_subject_and_words(prefix, rf):
    """Each email allauth can send, also those no flow here sends today (login and reset
    codes, address removed): a new allauth email would appear here and fail."""
    reader = make_user(email="ann@example.com", display_name="Ann")
    adapter = AccountAdapter(RequestFactory().get("/"))
    context = {
        "user": reader, "email": "ann@example.com", "code": "ABCD-EFGH",
        "password_reset_url": "https://x/reset/", "signup_url": "https://x/signup/",
        "from_email": "a@example.com", "to_email": "b@example.com",
        "deleted_email": "c@example.com", "ip": "192.0.2.1", "user_agent": "Firefox",
        "timestamp": "now", "current_site": type("S", (), {"name": SITE, "domain": "x"}),
    }  # fmt: skip

    message = adapter.render_mail(f"account/email/{prefix}", "ann@example.com", context)

    assert_in_site_voice(message)
    shipped = (ALLAUTH_EMAILS / f"{prefix}_subject.txt").read_text()
    assert message.subject not in shipped
    mail.outbox.clear()


SOCIAL_EMAILS = Path(allauth.__file__).parent / "templates" / "socialaccount" / "email"


@pytest.mark.parametrize(
    "prefix",
    sorted(path.name.removesuffix("_subject.txt") for path in SOCIAL_EMAILS.glob("*_subject.txt")),
)
def test_every_email_about_a_connected_account_has_the_sites_subject_and_words(prefix, rf):
    """allauth mails a reader when a GitHub or Google account is connected to theirs or
    disconnected from it (socialaccount/email/), with "Third-Party Account Connected" as
    its subject unless the site words it (issue 18: every allauth email)."""
    reader = make_user(email="ann@example.com", display_name="Ann")
    adapter = AccountAdapter(RequestFactory().get("/"))
    context = {
        "user": reader, "provider": type("P", (), {"name": "GitHub"})(), "ip": "192.0.2.1",
        "user_agent": "Firefox", "timestamp": "now",
        "current_site": type("S", (), {"name": SITE, "domain": "x"}),
    }  # fmt: skip

    message = adapter.render_mail(f"socialaccount/email/{prefix}", "ann@example.com", context)

    # In sentence case but for the provider's name, which is a proper noun.
    assert_in_site_voice(
        type("M", (), {"subject": message.subject.replace("GitHub", "it"), "body": message.body})
    )
    assert "GitHub" in message.subject
    assert "GitHub" in message.body
    shipped = (SOCIAL_EMAILS / f"{prefix}_subject.txt").read_text()
    assert message.subject not in shipped
    assert "third-party" not in message.body.lower()
    mail.outbox.clear()
