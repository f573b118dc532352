"""Bring existing accounts in line with issue 14: one address per reader, unique once verified.

Before issue 14 a reader could hold several addresses, verified or not, and two accounts
could hold addresses differing only in case. The rule (addresses compared lower-cased, as
allauth stores them):

1. Each account keeps one address: a verified one before an unverified one; among those
   its primary address, then the one in `User.email`, then the oldest. It becomes the
   primary address, lower-cased, and `User.email` is set to it; the others are removed.
2. An address verified on an account belongs to one account: when accounts would keep
   the same address and one of them verified it, of those that verified it the one that
   logged in last (then the oldest account) keeps it, and the others keep their next
   address instead (rule 1), if they have one.
3. Accounts that claim an address nobody verified all keep their claim: an unverified
   claim lets nobody in and blocks nobody, and the first account to verify it keeps it.
4. An account left without an address (its addresses were another account's) keeps its
   data; it cannot log in by email until staff give it an address in admin. Each one is
   logged (logger `accounts.migrations`).

Running it again changes nothing. Going back leaves the data as it is.
"""

import logging

from django.db import migrations
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Lower

logger = logging.getLogger("accounts.migrations")


def _last_seen(user):
    """Sort key: the most recent log-in first, then the oldest account."""
    return (user.last_login is not None, user.last_login, -user.date_joined.timestamp(), -user.pk)


def _keeper_rank(address, user):
    """Sort key for the address an account keeps (rule 1): smaller is better."""
    return (
        not address.verified,
        not address.primary,
        address.email.lower() != (user.email or "").lower(),
        address.pk,
    )


def one_address_per_reader(apps, schema_editor):
    """Apply the module's rule to every account; `apps` is the migration's app registry
    (historical models), `schema_editor` gives the database to write to."""
    db = schema_editor.connection.alias
    EmailAddress = apps.get_model("account", "EmailAddress")
    User = apps.get_model("accounts", "User")

    users = {user.pk: user for user in User.objects.using(db).all()}
    addresses = list(EmailAddress.objects.using(db).order_by("pk"))

    # Each account's addresses, the one it would rather keep first (rule 1).
    candidates = {}
    for address in addresses:
        candidates.setdefault(address.user_id, []).append(address)
    for user_pk, rows in candidates.items():
        rows.sort(key=lambda a, user=users[user_pk]: _keeper_rank(a, user))

    # Rule 2: when accounts would keep the same address and one of them verified it, the
    # verifier seen last keeps it and the others fall back to their next address, until
    # no two accounts keep an address that one of them verified.
    while True:
        kept_by_email = {}
        for rows in candidates.values():
            if rows:
                kept_by_email.setdefault(rows[0].email.lower(), []).append(rows[0])
        conflicts = False
        for rows in kept_by_email.values():
            verifiers = [row for row in rows if row.verified]
            if not verifiers or len(rows) == 1:
                continue  # rule 3: unverified claims may share an address
            winner = max(verifiers, key=lambda row: _last_seen(users[row.user_id])).user_id
            for row in rows:
                if row.user_id != winner:
                    candidates[row.user_id].pop(0)
                    conflicts = True
        if not conflicts:
            break

    keepers = {user_pk: rows[0] for user_pk, rows in candidates.items() if rows}
    kept = {keeper.pk for keeper in keepers.values()}
    removed = [address.pk for address in addresses if address.pk not in kept]
    for chunk in _chunks(removed):
        EmailAddress.objects.using(db).filter(pk__in=chunk).delete()
    # One row per account is left: each is its account's primary address, lower-cased.
    remaining = EmailAddress.objects.using(db)
    remaining.exclude(email=Lower("email")).update(email=Lower("email"))
    remaining.filter(primary=False).update(primary=True)

    # User.email follows: the kept address; none for an account whose addresses all went
    # to others (rule 4); for an account that never had an address row (made in admin),
    # its own address lower-cased, unless another account verified that address.
    verified_by = {k.email.lower(): k.user_id for k in keepers.values() if k.verified}
    users_table = User.objects.using(db)
    for chunk in _chunks(list(keepers)):
        users_table.filter(pk__in=chunk).update(
            email=Subquery(
                EmailAddress.objects.using(db).filter(user=OuterRef("pk")).values("email")[:1]
            )
        )
    losing = []
    for user in users.values():
        if user.pk in keepers or not user.email:
            continue
        lowered = user.email.lower()
        if user.pk in candidates or verified_by.get(lowered, user.pk) != user.pk:
            losing.append(user.pk)
            logger.warning(
                "Account %s lost its email address %s, which another account verified "
                "(issue 14); give it an address in admin if its reader asks.",
                user.pk,
                user.email,
            )
    for chunk in _chunks(losing):
        users_table.filter(pk__in=chunk).update(email="")
    lost = set(losing)
    without_rows = [pk for pk in users if pk not in candidates and pk not in lost]
    for chunk in _chunks(without_rows):
        mixed_case = users_table.filter(pk__in=chunk).exclude(email=Lower("email"))
        mixed_case.update(email=Lower("email"))


def _chunks(values, size=1000):
    """`values` (a list) in slices of `size`, to keep each IN (...) within SQLite's limit."""
    return [values[start : start + size] for start in range(0, len(values), size)]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_alter_user_managers"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.RunPython(one_address_per_reader, migrations.RunPython.noop),
    ]
