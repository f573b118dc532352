"""Issue 19: nobody can keep an account locked out of log-in. Failed log-ins count per
account *and client* (a known device, or the client's network), so a stranger's wrong
passwords lock out only the stranger, while each client still gets 5 guesses per account
per 5 minutes."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.adapters import KNOWN_DEVICE_COOKIE

from .helpers import form_errors, log_in, logged_in_user

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts"


def test_a_strangers_failures_interleaved_with_the_owners_log_ins_never_lock_the_owner_out(
    a_reader,
):
    """The audit's case: one wrong password every few seconds, for minutes, while the
    owner logs in and out from their own browser between the guesses."""
    stranger = Client(REMOTE_ADDR="203.0.113.9")
    owner = Client(REMOTE_ADDR="198.51.100.4")
    for _ in range(9):
        log_in(stranger, a_reader.email, "wrong password")
        assert log_in(owner, a_reader.email).status_code == 302
        assert logged_in_user(owner) == a_reader
        owner.logout()
    # The stranger, meanwhile, is held at 5 guesses, even with the right password.
    refused = log_in(stranger, a_reader.email)
    assert TOO_MANY in form_errors(refused)
    assert logged_in_user(stranger) is None


def test_the_owners_first_log_in_from_a_new_place_works_while_strangers_guess(a_reader):
    for number in range(6):
        log_in(Client(REMOTE_ADDR=f"203.0.113.{number + 10}"), a_reader.email, "wrong")
    new_place = Client(REMOTE_ADDR="198.51.100.77")
    assert log_in(new_place, a_reader.email).status_code == 302


def test_a_known_device_logs_in_even_after_failures_from_its_own_network(a_reader):
    """Behind one address (an office, a proxy set up without DJANGO_TRUSTED_PROXIES),
    the owner's browser that logged in before is still let in."""
    owner = Client(REMOTE_ADDR="198.51.100.4")
    assert log_in(owner, a_reader.email).status_code == 302
    assert KNOWN_DEVICE_COOKIE in owner.cookies
    owner.post(reverse("account_logout"))  # the site's log-out, which keeps other cookies
    assert logged_in_user(owner) is None
    colleague = Client(REMOTE_ADDR="198.51.100.4")
    for _ in range(5):
        log_in(colleague, a_reader.email, "wrong password")
    assert TOO_MANY in form_errors(log_in(colleague, a_reader.email))

    assert log_in(owner, a_reader.email).status_code == 302
    assert logged_in_user(owner) == a_reader


def test_a_forged_or_foreign_known_device_cookie_counts_for_nothing(a_reader):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    attacker.cookies[KNOWN_DEVICE_COOKIE] = "forged"
    for _ in range(5):
        log_in(attacker, a_reader.email, "wrong password")
    assert TOO_MANY in form_errors(log_in(attacker, a_reader.email))
    # A fresh cookie for each guess does not buy fresh guesses either.
    attacker.cookies[KNOWN_DEVICE_COOKIE] = "forged-again"
    assert TOO_MANY in form_errors(log_in(attacker, a_reader.email))


def test_the_known_device_cookie_does_not_hold_the_address(a_reader):
    owner = Client()
    log_in(owner, a_reader.email)
    cookie = owner.cookies[KNOWN_DEVICE_COOKIE]
    assert cookie["httponly"]
    assert a_reader.email.lower() not in cookie.value.lower()
    assert "reader" not in cookie.value.lower()


def test_addresses_in_one_ipv6_64_are_one_client(a_reader):
    for number in range(5):
        log_in(Client(REMOTE_ADDR=f"2001:db8:1:2::{number + 1:x}"), a_reader.email, "wrong")
    same_block = Client(REMOTE_ADDR="2001:db8:1:2:ffff::9")
    assert TOO_MANY in form_errors(log_in(same_block, a_reader.email))
    other_block = Client(REMOTE_ADDR="2001:db8:1:3::1")
    assert log_in(other_block, a_reader.email).status_code == 302


def test_a_known_device_logs_in_while_its_network_uses_up_the_per_address_rate(a_reader):
    """The README's promise, "from their own browser even behind the stranger's address",
    also when the stranger spends the 10 failures a minute allowed to one IP address
    (over every account): a browser that logged in before is not that stranger."""
    owner = Client(REMOTE_ADDR="198.51.100.4")
    assert log_in(owner, a_reader.email).status_code == 302
    owner.post(reverse("account_logout"))
    stranger = Client(REMOTE_ADDR="198.51.100.4")
    for number in range(10):
        log_in(stranger, f"someone{number}@example.com", "wrong password")
    assert TOO_MANY in form_errors(log_in(stranger, "another@example.com", "wrong"))

    assert log_in(owner, a_reader.email).status_code == 302
    assert logged_in_user(owner) == a_reader


def test_a_known_device_still_gets_only_5_guesses_per_account(a_reader):
    device = Client(REMOTE_ADDR="198.51.100.4")
    assert log_in(device, a_reader.email).status_code == 302
    device.post(reverse("account_logout"))
    for _ in range(5):
        assert TOO_MANY not in form_errors(log_in(device, a_reader.email, "wrong password"))
    assert TOO_MANY in form_errors(log_in(device, a_reader.email))


def test_a_strangers_flood_of_log_in_posts_does_not_keep_a_known_device_out(a_reader):
    """allauth's 30 log-in posts a minute per IP address counted successes and empty
    forms too: 31 posts from a stranger behind the owner's address kept the owner's own
    browser out (a 429) until the minute passed."""
    owner = Client(REMOTE_ADDR="198.51.100.4")
    assert log_in(owner, a_reader.email).status_code == 302
    owner.post(reverse("account_logout"))
    stranger = Client(REMOTE_ADDR="198.51.100.4")
    for number in range(40):
        stranger.post(reverse("account_login"), {"login": f"x{number}@example.com", "password": ""})

    assert log_in(owner, a_reader.email).status_code == 302
    assert logged_in_user(owner) == a_reader
