"""Issue 19: sign-up must not tell by its timing whether an address has an account. The
cost that differed was hashing the password (about 500 ms against 20 ms in production);
both paths now hash it once. Counted, not timed: timings drift on this machine."""

from unittest import mock

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client

from accounts.models import User

from .helpers import sign_up

pytestmark = pytest.mark.django_db


def hashes_during(action):
    with mock.patch.object(
        MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode
    ) as encode:
        response = action()
    return response, encode.call_count


def test_a_taken_address_hashes_the_password_as_often_as_a_new_one(a_reader):
    new, new_hashes = hashes_during(lambda: sign_up(Client(), "someone.new@example.com"))
    taken, taken_hashes = hashes_during(lambda: sign_up(Client(), a_reader.email))

    assert new.status_code == taken.status_code == 302
    assert new["Location"] == taken["Location"]
    assert new_hashes >= 1
    assert taken_hashes == new_hashes
    assert User.objects.filter(email=a_reader.email).count() == 1
