"""Who an email address lets in: one rule for every account flow (issue 14).

An address belongs to the account that verified it, and lets nobody else in:

- it logs in to that account only (allauth's mandatory verification stops a log-in
  through an address the account has not verified, and mails a code to it instead);
- password reset links for it go to that account only (`allauth_forms.ResetPasswordForm`);
- a social log-in whose provider verified it opens that account only
  (`adapters.SocialAccountAdapter.authenticate_by_email`).

An unverified claim, such as a sign-up whose code was never typed, lets nobody in and
keeps nobody out: it does not make the address taken (`is_taken`), and it is dropped as
soon as the address is verified on any account (`drop_unverified_claims`).

allauth stores addresses lower-cased (its forms, managers and `EmailAddress.clean`), and
migration `accounts.0004` lowered the older ones, so lookups compare lower-cased strings
as allauth's own do. allauth's `unique_verified_email` constraint (ACCOUNT_UNIQUE_EMAIL)
lets one account at most hold an address verified.
"""

from allauth.account.models import EmailAddress


def verified_owner(email):
    """The user (active or not) who verified `email` (a str, any case), or None."""
    address = (
        EmailAddress.objects.filter(email=email.lower(), verified=True)
        .select_related("user")
        .first()
    )
    return address.user if address else None


def is_taken(email, *, except_user=None):
    """Whether `email` is verified on an account other than `except_user`: the only
    conflict that stops a sign-up or a change of address. Returns a bool."""
    verified = EmailAddress.objects.filter(email=email.lower(), verified=True)
    if except_user is not None:
        verified = verified.exclude(user_id=except_user.pk)
    return verified.exists()


def drop_unverified_claims(email, *, owner=None):
    """Remove the unverified claims on `email` held by accounts other than `owner` (a
    user, or None for every account), now that its owner has proved it is theirs.

    allauth's `EmailAddress.remove()` also empties such an account's `User.email` when it
    was this address. Returns the number of claims dropped (int).
    """
    claims = EmailAddress.objects.filter(email=email.lower(), verified=False)
    if owner is not None:
        claims = claims.exclude(user_id=owner.pk)
    dropped = 0
    for claim in claims.select_related("user"):
        claim.remove()
        dropped += 1
    return dropped
