"""Social log-in: a display name for new readers, never their email, and existing accounts
opened only through an address verified on both sides (issue 14)."""

from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from allauth.core import context
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.contrib.sites.models import Site
from django.test import RequestFactory
from django.urls import reverse

from accounts.adapters import SocialAccountAdapter
from tests.conftest import make_user, run_on_commit

from .helpers import ALREADY_EXISTS, sent_mail


def populate(**data):
    sociallogin = SimpleNamespace(user=get_user_model()())
    request = RequestFactory().get("/")
    return SocialAccountAdapter(request).populate_user(request, sociallogin, data)


@pytest.mark.parametrize(
    ("data", "display_name"),
    [
        ({"name": "  Ada   Lovelace ", "username": "ada"}, "Ada Lovelace"),
        ({"username": "ada-l", "email": "ada@example.com"}, "ada-l"),
        ({"name": "x" * 80}, "x" * 50),
    ],
)
@pytest.mark.django_db  # the name is checked against the staff's names
def test_a_social_sign_up_takes_the_display_name_from_the_provider(data, display_name):
    assert populate(**data).display_name == display_name


@pytest.mark.django_db
def test_a_social_sign_up_never_makes_the_email_the_display_name():
    user = populate(email="ada.lovelace.1815@example.com")

    assert user.display_name == "Reader"
    assert user.email == "ada.lovelace.1815@example.com"


# Social log-in and existing accounts (issue 14): an account opens through an address only
# when the provider verified it and the account verified it here.


def github_login(*emails, uid="583231", login="ada", name="Ada Lovelace"):
    """Finish a GitHub log-in as allauth does once GitHub has answered: `emails` are
    GitHub's /user/emails entries as (address, verified, primary). Returns the request
    (its user is whoever is logged in afterwards) and allauth's response."""
    app = SocialApp.objects.create(provider="github", name="GitHub", client_id="id", secret="s")
    app.sites.add(Site.objects.get_current())
    request = RequestFactory().get("/accounts/github/login/callback/")
    SessionMiddleware(lambda request: None).process_request(request)
    MessageMiddleware(lambda request: None).process_request(request)
    request.user = AnonymousUser()
    data = {
        "id": int(uid),
        "login": login,
        "name": name,
        "email": next((email for email, _, primary in emails if primary), None),
        "emails": [
            {"email": email, "verified": verified, "primary": primary}
            for email, verified, primary in emails
        ],
    }
    # As a committed request: emails are sent (queued) once the transaction commits.
    with context.request_context(request), run_on_commit():
        provider = get_adapter(request).get_provider(request, "github")
        sociallogin = provider.sociallogin_from_response(request, data)
        response = complete_social_login(request, sociallogin)
    return request, response


def connected_to(user):
    return list(SocialAccount.objects.filter(user=user).values_list("provider", "uid"))


@pytest.mark.django_db
def test_a_github_address_verified_on_both_sides_opens_that_account_and_connects_it():
    ada = make_user("ada@example.com", display_name="Ada")

    request, response = github_login(("Ada@Example.com", True, True))

    assert request.user == ada
    assert connected_to(ada) == [("github", "583231")]
    ada.refresh_from_db()
    assert ada.has_usable_password()


@pytest.mark.django_db
def test_a_github_address_the_provider_did_not_verify_opens_no_account():
    ada = make_user("ada@example.com", display_name="Ada")

    request, response = github_login(("ada@example.com", False, True))

    assert not request.user.is_authenticated
    # Enumeration prevention: the same "we sent you a code" page as for a new address,
    # and the address's owner hears that an account exists.
    assert response["Location"] == reverse("account_email_verification_sent")
    assert sent_mail() == [("ada@example.com", ALREADY_EXISTS)]
    assert connected_to(ada) == []
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_a_github_address_a_local_account_never_verified_does_not_open_that_account():
    claim = make_user("ada@example.com", display_name="Squatter", verified=False)

    request, response = github_login(("ada@example.com", True, True))

    # A new account for the address's owner, with the address verified; the unverified
    # claim on it is dropped, and the claiming account is left untouched otherwise.
    assert request.user.is_authenticated
    assert request.user != claim
    assert connected_to(request.user) == [("github", "583231")]
    assert list(
        EmailAddress.objects.filter(user=request.user).values_list("email", "verified")
    ) == [("ada@example.com", True)]
    assert not EmailAddress.objects.filter(user=claim).exists()
    claim.refresh_from_db()
    assert claim.email == ""
    assert claim.has_usable_password()
    assert connected_to(claim) == []


@pytest.mark.django_db
def test_a_github_sign_up_keeps_one_address_the_verified_primary():
    request, response = github_login(
        ("old@example.com", True, False),
        ("ada@example.com", True, True),
        ("unconfirmed@example.com", False, False),
    )

    assert request.user.is_authenticated
    addresses = EmailAddress.objects.filter(user=request.user)
    assert [(a.email, a.verified, a.primary) for a in addresses] == [
        ("ada@example.com", True, True)
    ]
    assert request.user.email == "ada@example.com"
    assert request.user.display_name == "Ada Lovelace"


@pytest.mark.django_db
def test_a_github_log_in_never_opens_an_account_through_an_address_it_did_not_verify_here():
    sociallogin = SimpleNamespace(
        email_addresses=[EmailAddress(email="ada@example.com", verified=True, primary=True)],
        provider=SimpleNamespace(app=None, get_settings=lambda: {}),
    )
    make_user("ada@example.com", verified=False)
    adapter = SocialAccountAdapter(RequestFactory().get("/"))

    assert adapter.authenticate_by_email(sociallogin) is None

    EmailAddress.objects.filter(email="ada@example.com").update(verified=True)
    user, email = adapter.authenticate_by_email(sociallogin)
    assert (user.email, email) == ("ada@example.com", "ada@example.com")
