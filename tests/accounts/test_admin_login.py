"""The admin's login is the site's login (allauth's secure_admin_login), so its failed
attempts are limited by the same rate limits (ACCOUNT_RATE_LIMITS, login_failed)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "an-editors-long-password"


@pytest.fixture
def an_admin(db):
    return make_user(email="admin@example.com", password=PASSWORD, is_staff=True, is_superuser=True)


def admin_login(client, password):
    return client.post(
        "/admin/login/?next=/admin/", {"username": "admin@example.com", "password": password}
    )


def site_login(client, password):
    return client.post(
        "/accounts/login/?next=/admin/", {"login": "admin@example.com", "password": password}
    )


def in_admin(client):
    return client.get(reverse("admin:index")).status_code == 200


def test_the_admin_login_page_sends_staff_to_the_sites_login(client):
    response = client.get("/admin/login/?next=/admin/posts/post/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fposts%2Fpost%2F"


def test_a_password_posted_to_the_admin_login_is_never_checked(client, an_admin):
    response = admin_login(client, PASSWORD)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not in_admin(client)


def test_forty_wrong_passwords_then_the_right_one_at_the_admin_form_do_not_get_in(client, an_admin):
    for _ in range(40):
        assert admin_login(client, "wrong password").status_code == 302

    assert admin_login(client, PASSWORD).status_code == 302  # never checked there
    assert not in_admin(client)


def test_forty_wrong_passwords_then_the_right_one_at_the_login_staff_are_sent_to_are_refused(
    client, an_admin
):
    for _ in range(40):
        site_login(client, "wrong password")

    limited = site_login(client, PASSWORD)

    assert limited.status_code in {200, 429}  # the form with an error, or too many requests
    assert "Too many" in limited.content.decode()
    assert not in_admin(client)


def test_once_the_limit_has_passed_the_right_password_opens_the_admin(client, an_admin):
    for _ in range(40):
        site_login(client, "wrong password")
    cache.clear()  # the rate limit's window has passed

    response = site_login(client, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert in_admin(client)


def test_a_logged_in_reader_who_is_not_staff_is_refused(client, a_reader):
    client.force_login(a_reader)

    assert client.get(reverse("admin:login")).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 302
