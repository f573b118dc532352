"""Issue 19: staff allowed to change users cannot give themselves (or anyone) privileges,
nor take over a superuser's account. A superuser still can do all of it."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.conftest import make_user
from tests.html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_user_manager(db):
    """Staff with the user admin's permissions, as one would set up a support person."""
    manager = make_user(email="support@example.com", is_staff=True, display_name="Support")
    manager.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user", "delete_user"])
    )
    return manager


def change_form(client, user):
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = parse(client.get(url)).find("form", id="user_form")
    return url, form.form_values()


def test_user_managers_cannot_make_themselves_superuser_or_grant_permissions(
    client, a_user_manager
):
    everything = Group.objects.create(name="Everything")
    everything.permissions.set(Permission.objects.all())
    client.force_login(a_user_manager)
    url, values = change_form(client, a_user_manager)
    assert "is_superuser" not in values
    assert "groups" not in values
    assert "user_permissions" not in values

    response = client.post(
        url,
        {
            **values,
            "is_superuser": "on",
            "groups": [str(everything.pk)],
            "user_permissions": [str(p.pk) for p in Permission.objects.all()[:5]],
        },
    )

    assert response.status_code == 302
    a_user_manager.refresh_from_db()
    assert not a_user_manager.is_superuser
    assert not a_user_manager.groups.exists()
    assert a_user_manager.user_permissions.count() == 3


def test_user_managers_cannot_change_delete_or_reset_a_superuser(client, a_user_manager, an_editor):
    client.force_login(a_user_manager)
    base = f"/admin/accounts/user/{an_editor.pk}"

    assert client.post(f"{base}/change/", {"email": "mine@example.com"}).status_code == 403
    assert client.post(f"{base}/password/", {}).status_code == 403
    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    an_editor.refresh_from_db()
    assert an_editor.email == "editor@example.com"
    # They still see the account, and still manage readers.
    assert client.get(f"{base}/change/").status_code == 200
    reader = make_user(email="ann@example.com", display_name="Ann")
    url, values = change_form(client, reader)
    assert client.post(url, {**values, "display_name": "Ann L"}).status_code == 302


def test_a_superuser_still_grants_privileges(client, an_editor, a_user_manager):
    client.force_login(an_editor)
    url, values = change_form(client, a_user_manager)
    response = client.post(url, {**values, "is_superuser": "on"})
    assert response.status_code == 302
    a_user_manager.refresh_from_db()
    assert a_user_manager.is_superuser


def test_user_managers_cannot_take_over_a_moderators_account(client, a_user_manager):
    """A moderator is not a superuser, but their account holds a privilege the user
    manager lacks: changing its address, then asking for a reset, would give it to them.
    Another staff member's account is the superuser's to change (issue 19)."""
    moderators = Group.objects.create(name="Moderators")
    moderators.permissions.add(Permission.objects.get(codename="moderate_comment"))
    moderator = make_user(email="mod@example.com", is_staff=True, display_name="Mo")
    moderator.groups.add(moderators)
    client.force_login(a_user_manager)
    base = f"/admin/accounts/user/{moderator.pk}"

    assert client.post(f"{base}/change/", {"email": "mine@example.com"}).status_code == 403
    assert client.post(f"{base}/password/", {}).status_code == 403
    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    moderator.refresh_from_db()
    assert moderator.email == "mod@example.com"
    assert client.get(f"{base}/change/").status_code == 200
