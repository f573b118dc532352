"""Migration accounts.0004 brings existing accounts in line: one address per reader, an
address verified on one account only, whatever the case it was typed in."""

import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps as current_apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from .helpers import log_in, logged_in_user

MIGRATION = "0004_one_email_address_per_reader"
one_address_per_reader = importlib.import_module(
    f"accounts.migrations.{MIGRATION}"
).one_address_per_reader

User = get_user_model()
PASSWORD = "a-long-enough-password"


def account(name, *addresses, email=None, last_login=None, joined_days_ago=100):
    """A user with the given addresses, each `(email, verified, primary)`, as the database
    held them before issue 14. `email` is User.email (default: the primary address)."""
    primary = next((address for address, _, is_primary in addresses if is_primary), "")
    user = User.objects.create_user(
        username=name,
        email=primary if email is None else email,
        password=PASSWORD,
        display_name=name,
        last_login=last_login,
    )
    User.objects.filter(pk=user.pk).update(
        date_joined=timezone.now() - timedelta(days=joined_days_ago)
    )
    for address, verified, is_primary in addresses:
        EmailAddress.objects.create(user=user, email=address, verified=verified, primary=is_primary)
    return user


def migrate():
    one_address_per_reader(current_apps, SimpleNamespace(connection=connection))


def addresses_of(user):
    """(email, verified, primary) of each address the user holds, and User.email."""
    user.refresh_from_db()
    rows = EmailAddress.objects.filter(user=user).order_by("email")
    return [(a.email, a.verified, a.primary) for a in rows], user.email


pytestmark = pytest.mark.django_db


def test_a_reader_keeps_the_verified_primary_and_loses_the_other_addresses():
    ann = account(
        "ann",
        ("ann@example.com", True, True),
        ("ann.work@example.com", True, False),
        ("typo@example.com", False, False),
    )

    migrate()

    assert addresses_of(ann) == ([("ann@example.com", True, True)], "ann@example.com")


def test_a_verified_address_wins_over_an_unverified_primary():
    ann = account("ann", ("old@example.com", False, True), ("ann@example.com", True, False))

    migrate()

    assert addresses_of(ann) == ([("ann@example.com", True, True)], "ann@example.com")


def test_without_a_verified_address_the_primary_stays_unverified():
    ann = account("ann", ("second@example.com", False, False), ("ann@example.com", False, True))

    migrate()

    assert addresses_of(ann) == ([("ann@example.com", False, True)], "ann@example.com")


def test_the_address_in_user_email_breaks_a_tie_between_verified_addresses():
    ann = account(
        "ann",
        ("first@example.com", True, False),
        ("ann@example.com", True, False),
        email="Ann@Example.com",
    )

    migrate()

    assert addresses_of(ann) == ([("ann@example.com", True, True)], "ann@example.com")


def test_case_only_duplicates_on_one_account_become_one_lower_cased_address():
    ann = account("ann", ("Ann@Example.COM", False, True), ("ann@example.com", True, False))
    bob = account("bob", ("Bob@Example.com", True, True))

    migrate()

    assert addresses_of(ann) == ([("ann@example.com", True, True)], "ann@example.com")
    assert addresses_of(bob) == ([("bob@example.com", True, True)], "bob@example.com")


def test_an_address_two_accounts_verified_stays_with_the_one_used_last():
    now = timezone.now()
    old = account("old", ("Shared@Example.com", True, True), last_login=now - timedelta(days=90))
    recent = account("recent", ("shared@example.com", True, True), last_login=now)

    migrate()

    assert addresses_of(recent) == ([("shared@example.com", True, True)], "shared@example.com")
    assert addresses_of(old) == ([], "")


def test_an_account_that_loses_an_address_keeps_its_next_one():
    now = timezone.now()
    old = account(
        "old",
        ("shared@example.com", True, True),
        ("old@example.com", False, False),
        last_login=now - timedelta(days=90),
    )
    recent = account("recent", ("SHARED@example.com", True, True), last_login=now)

    migrate()

    assert addresses_of(recent) == ([("shared@example.com", True, True)], "shared@example.com")
    assert addresses_of(old) == ([("old@example.com", False, True)], "old@example.com")


def test_an_address_stays_with_the_account_that_keeps_it_when_its_other_verifier_moves_on():
    # Ann verified shared@ but keeps her primary; Bob, seen earlier, keeps shared@.
    now = timezone.now()
    ann = account(
        "ann", ("ann@example.com", True, True), ("shared@example.com", True, False), last_login=now
    )
    bob = account("bob", ("Shared@example.com", True, True), last_login=now - timedelta(days=9))

    migrate()

    assert addresses_of(ann) == ([("ann@example.com", True, True)], "ann@example.com")
    assert addresses_of(bob) == ([("shared@example.com", True, True)], "shared@example.com")


def test_between_accounts_never_logged_in_the_oldest_keeps_a_verified_address():
    newer = account("newer", ("shared@example.com", True, True), joined_days_ago=1)
    older = account("older", ("Shared@example.com", True, True), joined_days_ago=10)

    migrate()

    assert addresses_of(older) == ([("shared@example.com", True, True)], "shared@example.com")
    assert addresses_of(newer) == ([], "")


def test_an_unverified_claim_on_an_address_another_account_verified_is_dropped():
    owner = account("owner", ("owner@example.com", True, True))
    squatter = account(
        "squatter", ("squatter@example.com", True, True), ("Owner@Example.com", False, False)
    )
    never_verified = account("claim", ("OWNER@example.com", False, True))

    migrate()

    assert addresses_of(owner) == ([("owner@example.com", True, True)], "owner@example.com")
    assert addresses_of(squatter) == (
        [("squatter@example.com", True, True)],
        "squatter@example.com",
    )
    assert addresses_of(never_verified) == ([], "")


def test_claims_on_an_address_nobody_verified_all_stay():
    first = account("first", ("pending@example.com", False, True))
    second = account("second", ("Pending@example.com", False, True))

    migrate()

    assert addresses_of(first) == ([("pending@example.com", False, True)], "pending@example.com")
    assert addresses_of(second) == ([("pending@example.com", False, True)], "pending@example.com")


def test_an_account_made_in_admin_keeps_its_user_email_unless_another_verified_it():
    own = User.objects.create_user(username="own", email="Admin@Example.com", password=PASSWORD)
    taken = User.objects.create_user(username="taken", email="Ann@example.com", password=PASSWORD)
    ann = account("ann", ("ann@example.com", True, True))

    migrate()

    assert addresses_of(own) == ([], "admin@example.com")
    assert addresses_of(taken) == ([], "")
    assert addresses_of(ann) == ([("ann@example.com", True, True)], "ann@example.com")


def test_running_it_twice_changes_nothing_more():
    now = timezone.now()
    account("a", ("A@example.com", True, True), ("b@example.com", False, False), last_login=now)
    account("b", ("a@example.com", True, True), ("B@Example.com", True, False))
    migrate()
    after_once = sorted(EmailAddress.objects.values_list("user__username", "email", "verified"))

    migrate()

    assert sorted(EmailAddress.objects.values_list("user__username", "email", "verified")) == (
        after_once
    )
    assert after_once == [("a", "a@example.com", True), ("b", "b@example.com", True)]


def test_after_the_migration_the_kept_address_logs_in_and_a_dropped_one_does_not():
    ann = account("ann", ("ann@example.com", True, True), ("ann.old@example.com", False, False))

    migrate()

    dropped = Client()
    log_in(dropped, "ann.old@example.com")
    assert logged_in_user(dropped) is None
    kept = Client()
    log_in(kept, "ANN@example.com")
    assert logged_in_user(kept) == ann


@pytest.mark.django_db(transaction=True)
def test_migrate_runs_the_rule_on_the_database_as_it_was():
    executor = MigrationExecutor(connection)
    allauth = ("account", "0009_emailaddress_unique_primary_email")
    before = [("accounts", "0003_alter_user_managers"), allauth]
    after = [("accounts", MIGRATION), allauth]
    executor.migrate(before)
    try:
        old_apps = executor.loader.project_state(before).apps
        OldUser = old_apps.get_model("accounts", "User")
        OldEmailAddress = old_apps.get_model("account", "EmailAddress")
        user = OldUser.objects.create(username="ann", email="Ann@Example.com")
        OldEmailAddress.objects.create(user=user, email="Ann@Example.com", primary=True)
        OldEmailAddress.objects.create(user=user, email="ann@example.com", verified=True)
        OldEmailAddress.objects.create(user=user, email="other@example.com", verified=True)

        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(EmailAddress.objects.values_list("email", "verified", "primary")) == [
        ("ann@example.com", True, True)
    ]
    assert User.objects.get(username="ann").email == "ann@example.com"
