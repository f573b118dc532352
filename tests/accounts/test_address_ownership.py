"""Issue 14's three ways into, or out of, an account through an address nobody verified.

Each test is one attack as a new user would try it (allauth #517, #2103, #2360, #2699,
#3353) and fails on the settings before issue 14: an unverified address stored on an
account logged in, took password reset mail, and blocked its real owner.
"""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from tests.conftest import make_user

from .helpers import (
    PASSWORD,
    RESET_LINK,
    UNKNOWN_ACCOUNT,
    VERIFICATION_CODE,
    add_address,
    after_a_while,
    enter_code,
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


OWNER_PASSWORD = "the-owners-own-password"


def the_owner_signs_up():
    """The address's owner signs up with it and types the code mailed to it; the account
    they are then logged in to, or None."""
    owner = Client()
    sign_up(owner, "owner@example.com", display_name="Owner", password=OWNER_PASSWORD)
    enter_code(owner, verification_code(last_mail_to("owner@example.com")))
    return logged_in_user(owner)


def test_squatting_an_address_neither_logs_in_with_it_nor_keeps_its_owner_out():
    squatter = make_user("squatter@example.com", display_name="Squatter")
    squatting = signed_in("squatter@example.com")
    add_address(squatting, "owner@example.com")
    after_a_while()

    # The owner's address with the squatter's password opens nothing.
    elsewhere = Client()
    log_in(elsewhere, "owner@example.com")
    assert logged_in_user(elsewhere) is None

    # The owner signs up with their address and is in an account of their own.
    signed_up = the_owner_signs_up()
    assert signed_up is not None
    assert signed_up != squatter
    assert signed_up.display_name == "Owner"

    # From then on the address opens the owner's account, and only with their password.
    later = Client()
    log_in(later, "owner@example.com")
    assert logged_in_user(later) is None
    log_in(later, "owner@example.com", OWNER_PASSWORD)
    assert logged_in_user(later) == signed_up


def test_a_sign_up_with_someone_elses_address_keeps_neither_them_out_nor_a_way_in():
    squatting = Client()
    sign_up(squatting, "owner@example.com", display_name="Squatter")
    squatter_account = EmailAddress.objects.get(email="owner@example.com").user
    mail.outbox.clear()
    after_a_while()

    signed_up = the_owner_signs_up()

    assert signed_up is not None
    assert signed_up != squatter_account
    # The squatter's unconfirmed claim is gone: their password opens nothing, and a
    # password reset for the address reaches the owner's account only.
    assert not EmailAddress.objects.filter(user=squatter_account).exists()
    squatter_again = Client()
    log_in(squatter_again, "owner@example.com")
    assert logged_in_user(squatter_again) is None
    mail.outbox.clear()
    request_password_reset(Client(), "owner@example.com")
    assert sent_mail() == [("owner@example.com", RESET_LINK)]
    reset_password_by_link(Client(), mail.outbox[0], "a-brand-new-password")
    signed_up.refresh_from_db()
    assert signed_up.check_password("a-brand-new-password")
    squatter_account.refresh_from_db()
    assert squatter_account.check_password(PASSWORD)


def test_a_mistyped_second_address_gives_its_owner_no_way_into_the_account():
    reader = make_user("reader@example.com", display_name="Reader")
    reading = signed_in("reader@example.com")
    add_address(reading, "raeder@example.com")  # a typo: the stranger's address
    assert sent_mail() == [("raeder@example.com", VERIFICATION_CODE)]
    mail.outbox.clear()

    stranger = Client()
    response = request_password_reset(stranger, "raeder@example.com")

    assert response.status_code == 302
    # No link that sets the reader's password reaches the stranger...
    assert sent_mail() == [("raeder@example.com", UNKNOWN_ACCOUNT)]
    # ... so the reader's password still opens the reader's account.
    reader.refresh_from_db()
    assert reader.check_password(PASSWORD)
    again = Client()
    log_in(again, "reader@example.com")
    assert logged_in_user(again) == reader
    assert EmailAddress.objects.get(user=reader).email == "reader@example.com"


def test_an_address_the_reader_has_not_verified_is_no_login_name():
    reader = make_user("reader@example.com")
    reading = signed_in("reader@example.com")
    add_address(reading, "second@example.com")

    elsewhere = Client()
    log_in(elsewhere, "second@example.com")

    assert logged_in_user(elsewhere) is None
    log_in(elsewhere, "reader@example.com")
    assert logged_in_user(elsewhere) == reader
