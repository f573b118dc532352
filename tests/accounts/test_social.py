"""A reader who signs up through GitHub or Google gets a display name, never their email."""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from accounts.adapters import SocialAccountAdapter


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
def test_a_social_sign_up_takes_the_display_name_from_the_provider(data, display_name):
    assert populate(**data).display_name == display_name


def test_a_social_sign_up_never_makes_the_email_the_display_name():
    user = populate(email="ada.lovelace.1815@example.com")

    assert user.display_name == "Reader"
    assert user.email == "ada.lovelace.1815@example.com"
