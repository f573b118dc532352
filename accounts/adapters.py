"""The site's allauth adapters.

The one module that reaches into allauth's private parts (issue 20): allauth has no
public hook for the key its "login_failed" rate limit counts by, nor for consuming that
rate with a rule of our own, and the lock-out rules of issue 19 need both. So
AccountAdapter overrides ``DefaultAccountAdapter._get_login_attempts_cache_key``, and
its pre_authenticate calls ``allauth.core.internal.ratelimit.consume`` and sets
``_login_failed_rl_usage``, which allauth's authenticate() rolls back after a successful
log-in. tests/test_upstream_pins.py fails when any of that allauth code changes, and
says what to re-check.
"""

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import user_email
from allauth.core import context as allauth_context
from allauth.core.internal import ratelimit
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.contrib.sites.models import Site
from django.core import signing
from django.http import Http404
from django.urls import reverse
from django.utils.crypto import get_random_string, salted_hmac

from core import site
from core.clients import client_ip
from core.mail import queue_email
from core.text import isolate

from .addresses import drop_unverified_claims, verified_owner
from .names import cleaned_name, name_taken

# Issue 19: a stranger's failed log-ins must not lock the owner out. allauth counts
# failures per IP address and per "key", which it makes from the address alone; here the
# key also names the client: the browser, when it holds a known-device cookie that an
# earlier log-in to that address set, else its network (an IPv4 address, an IPv6 /64).
KNOWN_DEVICE_COOKIE = "known_device"
KNOWN_DEVICE_SALT = "accounts.adapters.known-device"
KNOWN_DEVICE_MAX_AGE = 365 * 24 * 3600  # seconds


def _address_tag(address):
    """A keyed digest of a lower-cased email address: the cookie names the account
    without holding its address."""
    return salted_hmac(KNOWN_DEVICE_SALT, address.lower(), algorithm="sha256").hexdigest()[:32]


def known_device(request, address):
    """The id (str) this browser was given at an earlier log-in to ``address``, or None."""
    value = request.COOKIES.get(KNOWN_DEVICE_COOKIE)
    if not value or not address:
        return None
    try:
        tags = signing.loads(value, salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(tags, dict):
        return None
    device = tags.get(_address_tag(address))
    return device if isinstance(device, str) else None


def client_network(request):
    """The client's address as a rate-limit key: IPv6 by its /64, the block one
    machine is usually given, so rotating addresses within it gains nothing."""
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request, **credentials):
        """allauth's per-account key for failed log-ins (``login_failed``'s "key" rate,
        5 per 5 minutes), narrowed to one client: a known device, or the client's network.
        So failures from elsewhere never lock the owner out, while one client still gets
        5 guesses per account per 5 minutes (and 10 a minute over all accounts, allauth's
        per-IP rate). allauth calls this hook (tests/accounts/test_lockout.py pins it)."""
        key = super()._get_login_attempts_cache_key(request, **credentials)
        address = credentials.get("email", credentials.get("username", ""))
        device = known_device(request, address)
        return f"{key}:device:{device}" if device else f"{key}:net:{client_network(request)}"

    def pre_authenticate(self, request, **credentials):
        """allauth's count of failed log-ins before a password is checked, except that a
        browser that logged in to this address before (a known device) is held only by
        its own per-account rate, not by the IP address's rate over all accounts: a
        stranger behind the same address (an office, a NAT) who spends those 10 failures
        a minute would otherwise keep the owner out of their own browser, which the
        README promises never happens (issue 19). Raises allauth's ValidationError
        "too_many_login_attempts" when the rate is spent."""
        address = credentials.get("email", credentials.get("username", ""))
        if known_device(request, address) is None:
            return super().pre_authenticate(request, **credentials)
        # The configured rates ("10/m/ip,5/300s/key"), less the per-IP one ("per" is the
        # third part, "ip" when absent: docs.allauth.org, account/rate_limits.html).
        configured = allauth_settings.RATE_LIMITS.get("login_failed") or ""
        rates = [rate.strip() for rate in configured.split(",")]
        own = ",".join(rate for rate in rates if rate.count("/") == 2 and not rate.endswith("/ip"))
        self._login_failed_rl_usage = ratelimit.consume(
            request,
            app="allauth.account",
            action="login_failed",
            config={"login_failed": own},
            key=self._get_login_attempts_cache_key(request, **credentials),
        )
        if not self._login_failed_rl_usage:
            raise self.validation_error("too_many_login_attempts")

    def post_login(self, request, user, **kwargs):
        """After any log-in, this browser is a known device for the account's address,
        in a signed, HttpOnly cookie kept a year (one id per address it logged in to)."""
        response = super().post_login(request, user, **kwargs)
        address = (user.email or "").lower()
        if address and response is not None:
            try:
                tags = signing.loads(
                    request.COOKIES.get(KNOWN_DEVICE_COOKIE, ""),
                    salt=KNOWN_DEVICE_SALT,
                    max_age=KNOWN_DEVICE_MAX_AGE,
                )
            except signing.BadSignature:
                tags = {}
            if not isinstance(tags, dict):
                tags = {}
            tags.setdefault(_address_tag(address), get_random_string(16))
            response.set_cookie(
                KNOWN_DEVICE_COOKIE,
                signing.dumps(dict(list(tags.items())[-8:]), salt=KNOWN_DEVICE_SALT),
                max_age=KNOWN_DEVICE_MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def save_user(self, request, user, form, commit=True):
        """A new account is written whole, its display name included, in the one insert:
        then nothing but its own pages goes stale in the page cache (issue 23)."""
        name = form.cleaned_data.get("display_name")
        if name:
            user.display_name = name
        return super().save_user(request, user, form, commit)

    def is_safe_url(self, url):
        """allauth's check of a ``next`` address, except that an address urllib cannot
        split (a bad IPv6 host such as ``http://[::1``) is unsafe, and ignored like any
        other, where allauth's urlparse raised ValueError: a 500 on every log-in page."""
        try:
            return super().is_safe_url(url)
        except ValueError:
            return False

    def send_mail(self, template_prefix, email, context):
        """allauth's emails name the site and link to it from SITE_NAME and SITE_URL,
        like every other email, not from the request's Host or the sites row. They are
        rendered here, where the request is, and sent through the task queue
        (core.mail): a failing mail server is retried, a restart loses nothing."""
        context = dict(context)
        context["current_site"] = Site(
            id=settings.SITE_ID, domain=site.domain(), name=settings.SITE_NAME
        )
        for key, value in context.items():
            # activate_url, password_reset_url, signup_url: the path on SITE_URL.
            if key.endswith("_url") and isinstance(value, str) and value.startswith("http"):
                parts = urlsplit(value)
                context[key] = urlunsplit((site.scheme(), site.domain(), *parts[2:]))
        request = allauth_context.request
        if template_prefix.startswith("account/email/email_confirmation") and context.get("user"):
            # The code's wording names its flow (issue 18): a sign-up, a change of
            # address (from the verified one), or verifying the account's only address
            # (allauth sends the last with the sign-up template when one logs in).
            context["current_email"] = current_address(context["user"], besides=email)
            context["signing_up"] = request is not None and request.path.startswith(
                (reverse("account_signup"), reverse("socialaccount_signup"))
            )
        if template_prefix == "account/email/login_code":
            # allauth mails its log-in code also to confirm it is the reader before a
            # change (a reader without a password): say which (issue 18).
            context["reauthenticating"] = request is not None and request.path.startswith(
                reverse("account_request_reauthentication_code")
            )
        message = self.render_mail(
            template_prefix, email, {"request": request, "email": email, **context}
        )
        queue_email(message)

    def confirm_email(self, request, email_address):
        """Every verification, at sign-up or at a change of address, comes here. Once its
        owner has proved the address is theirs, other accounts' unverified claims on it
        are dropped (issue 14). Returns whether it was confirmed (bool)."""
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            drop_unverified_claims(email_address.email, owner=email_address.user)
        return confirmed

    def get_client_ip(self, request):
        """allauth's rate limits see the client as the rest of the site does:
        X-Forwarded-For only from DJANGO_TRUSTED_PROXIES."""
        return client_ip(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_app(self, request, provider, client_id=None):
        """The provider's configured app. A provider nobody set up (its log-in URLs exist
        all the same) answers 404 instead of the 500 of allauth's SocialApp.DoesNotExist."""
        from allauth.socialaccount.models import SocialApp

        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404(f"Log-in with {provider} is not set up on this site.") from None

    def authenticate_by_email(self, sociallogin):
        """The existing account a social log-in opens through its email: only through an
        address the provider verified and the account verified here (issue 14), never
        through an unverified claim. Returns (user, email) or None."""
        for address in sociallogin.email_addresses:
            if not address.verified or not self.can_authenticate_by_email(
                sociallogin, address.email
            ):
                continue
            owner = verified_owner(address.email)
            if owner is not None:
                return owner, address.email
        return None

    def pre_social_login(self, request, sociallogin):
        """A social sign-up keeps one address, like every account (issue 14): the one the
        provider verified, its primary first. Having proved the address is theirs, the
        new reader is not kept out by other accounts' unverified claims on it."""
        if sociallogin.is_existing or sociallogin.state.get("process") == AuthProcess.CONNECT:
            return
        addresses = sorted(
            sociallogin.email_addresses, key=lambda a: (a.verified, a.primary), reverse=True
        )[:1]
        sociallogin.email_addresses = addresses
        if addresses:
            user_email(sociallogin.user, addresses[0].email)
            if addresses[0].verified:
                drop_unverified_claims(addresses[0].email)

    def populate_user(self, request, sociallogin, data):
        """A reader who signs up through GitHub or Google gets a display name too."""
        user = super().populate_user(request, sociallogin, data)
        if not user.display_name:
            # Never the email address, not even the part before the "@": others see
            # the display name, and the email stays private. The provider's name follows
            # the same rules as a name typed here (accounts.names).
            name = cleaned_name(data.get("name") or data.get("username") or "")
            if name and name_taken(name) is not None:
                name = ""
            user.display_name = name or "Reader"
        return user


def current_address(user, *, besides):
    """The verified address (str) of ``user`` other than ``besides``, or None: the one a
    change of address replaces."""
    from allauth.account.models import EmailAddress

    addresses = EmailAddress.objects.filter(user=user, verified=True)
    return addresses.exclude(email__iexact=besides).values_list("email", flat=True).first()


def user_display(user):
    """How allauth names a reader (ACCOUNT_USER_DISPLAY): never the email or username;
    isolated, since allauth puts it in sentences ("Successfully signed in as ...")."""
    return isolate(user.public_name)
