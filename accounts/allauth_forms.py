"""allauth's forms, with "taken" and "whose address" meaning verified (issue 14).

Each form is allauth's own (ACCOUNT_FORMS, SOCIALACCOUNT_FORMS in settings); only the
question "who holds this address" is answered by `accounts.addresses`, so that an
unverified claim never blocks the address's owner and never receives a reset link.
(A separate module from `accounts.forms`, which allauth imports while building these.)
"""

import hashlib

from allauth.account import app_settings as account_settings
from allauth.account import forms as account_forms
from allauth.account.adapter import get_adapter
from allauth.socialaccount import forms as social_forms
from django.contrib.auth.hashers import make_password
from django.core.cache import cache

from .addresses import is_taken, verified_owner


class VerifiedAddressTakenMixin:
    """Sign-up: an address is taken only when an account has verified it.

    When it is taken the form still succeeds on the outside (allauth's enumeration
    prevention): no account is made, and the address's owner gets allauth's "account
    already exists" mail."""

    def validate_unique_email(self, value):
        self.account_already_exists = is_taken(value)
        return get_adapter().validate_unique_email(value)


class SignupForm(VerifiedAddressTakenMixin, account_forms.SignupForm):
    """allauth's sign-up form (with `accounts.forms.SignupForm`'s display name)."""

    def try_save(self, request):
        """As allauth's, except that a taken address costs what a new account costs: the
        password is hashed either way (issue 19: 21 ms for a taken address against 518 ms
        for a new one told who has an account). The hash is thrown away."""
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class SocialSignupForm(VerifiedAddressTakenMixin, social_forms.SignupForm):
    """allauth's form for a social sign-up whose provider gave no usable address."""


class ConfirmEmailVerificationCodeForm(account_forms.ConfirmEmailVerificationCodeForm):
    """The code typed to verify an address: refused (with allauth's "already registered"
    error, shown only to someone who got the code) when another account verified the
    address first; another account's unverified claim does not stand in the way."""

    def clean_code(self):
        if not consume_code_attempt(self.expected_code, self.email):
            raise get_adapter().validation_error("incorrect_code")
        code = account_forms.BaseConfirmCodeForm.clean_code(self)
        if code and is_taken(self.email, except_user=self.user):
            raise get_adapter().validation_error("email_taken")
        return code


class ResetPasswordForm(account_forms.ResetPasswordForm):
    """A reset link goes only to an address its account has verified, and only for that
    account. Any other address gets allauth's "unknown account" mail, so the page and the
    mail look the same whether or not the address is on some account."""

    def clean_email(self):
        email = super().clean_email().lower()
        owner = verified_owner(email)
        self.users = [owner] if owner is not None and owner.is_active else []
        return email


def consume_code_attempt(code, email):
    """Count one attempt at a mailed verification code; whether it may still be checked.

    allauth counts attempts in the session, which requests sent in parallel each read
    before any of them saves: 7 of 12 parallel guesses were checked against a limit of 3
    (issue 19). This count is one atomic increment in the cache (Redis's INCR), keyed by
    the code issued, so at most ACCOUNT_EMAIL_VERIFICATION_BY_CODE_MAX_ATTEMPTS checks
    happen whatever the timing. Without Redis it counts in each process, like the rate
    limits (docs/deployment.md).
    """
    if not code:
        return True  # no code was issued: allauth refuses the form itself
    digest = hashlib.sha256(f"{email}\0{code}".encode()).hexdigest()
    key = f"accounts:code-attempts:{digest}"
    cache.add(key, 0, timeout=account_settings.EMAIL_VERIFICATION_BY_CODE_TIMEOUT)
    try:
        attempts = cache.incr(key)
    except ValueError:  # evicted (or the cache is unreachable) between add and incr
        attempts = 1
    return attempts <= account_settings.EMAIL_VERIFICATION_BY_CODE_MAX_ATTEMPTS
