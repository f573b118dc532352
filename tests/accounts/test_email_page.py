"""The email page (/accounts/email/): the reader's one address, how to change it, and how
a reader whose address was never verified (from before, or made in admin) verifies it."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.conftest import make_post, make_user
from tests.html import parse

from .helpers import (
    PASSWORD,
    enter_code,
    last_mail_to,
    log_in,
    logged_in_user,
    signed_in,
    verification_code,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]


def test_the_email_page_needs_an_account(client):
    response = client.get(reverse("account_email"))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/email/"


def test_the_email_page_shows_the_address_and_a_labelled_field_for_a_new_one():
    make_user("ann@example.com")

    page = parse(signed_in("ann@example.com").get(reverse("account_email")))

    main = page.find("main")
    assert main.find("h1").text == "Email address"
    assert "Your address is ann@example.com (verified)." in main.text
    field = main.find("input", name="email")
    assert (field["type"], field["autocomplete"]) == ("email", "email")
    assert page.accessible_name(field) == "New email address"
    button = main.find("button", name="action_add")
    assert button.text == "Send a code to the new address"


def test_the_account_page_links_to_the_email_page_with_the_address():
    make_user("ann@example.com")

    page = parse(signed_in("ann@example.com").get(reverse("accounts:account")))

    links = {a.text: a["href"] for a in page.find("main").find_all("a")}
    assert links["Change email address"] == reverse("account_email")
    assert "Your email address: ann@example.com" in page.find("main").text


def test_a_reader_from_before_whose_address_was_never_verified_verifies_it_here():
    post = make_post()
    reader = make_user("old@example.com", verified=False)
    browser = Client()
    browser.force_login(reader)  # a session from before the address had to be verified
    assert "Confirm your email address" in browser.get(post.get_absolute_url()).text

    page = parse(browser.get(reverse("account_email")))
    assert "Your address old@example.com is not verified yet" in page.find("main").text
    button = page.find("button", name="action_send")
    assert button.text == "Email me a code to verify it"
    form = button.parent
    response = browser.post(form["action"], {**form.form_values(), "action_send": ""})
    assert response["Location"] == reverse("account_email_verification_sent")
    enter_code(browser, verification_code(last_mail_to("old@example.com")))

    assert EmailAddress.objects.get(user=reader).verified
    assert "Confirm your email address" not in browser.get(post.get_absolute_url()).text


def test_an_account_made_with_createsuperuser_logs_in_on_the_site_after_typing_a_code():
    admin = get_user_model().objects.create_superuser("admin", "Admin@Example.com", PASSWORD)
    assert admin.email == "admin@example.com"
    browser = Client()

    response = log_in(browser, "ADMIN@example.com")

    assert response["Location"] == reverse("account_email_verification_sent")
    assert logged_in_user(browser) is None
    enter_code(browser, verification_code(last_mail_to("admin@example.com")))
    assert logged_in_user(browser) == admin


def test_an_address_typed_in_the_admins_user_form_is_stored_lower_cased(client, an_editor):
    reader = make_user("ann@example.com", display_name="Ann")
    client.force_login(an_editor)
    form = parse(client.get(reverse("admin:accounts_user_change", args=[reader.pk]))).find(
        "form", id="user_form"
    )

    response = client.post(
        reverse("admin:accounts_user_change", args=[reader.pk]),
        {**form.form_values(), "email": "Ann.Lovelace@Example.COM", "user_permissions": []},
    )

    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.email == "ann.lovelace@example.com"


def test_an_unverified_address_beside_the_verified_one_is_a_change_to_finish_or_cancel():
    # As when staff type a new address into the admin's user form: allauth keeps it as
    # an unverified address beside the verified one, to be verified or dropped.
    reader = make_user("ann@example.com")
    EmailAddress.objects.create(user=reader, email="ann.new@example.com")
    browser = signed_in("ann@example.com")

    page = parse(browser.get(reverse("account_email")))

    main = page.find("main")
    assert "Your address is ann@example.com (verified)." in main.text
    assert "A change to ann.new@example.com is waiting for its code" in main.text
    form = main.find("button", name="action_remove").parent
    assert main.find("button", name="action_send").parent is form
    browser.post(form["action"], {**form.form_values(), "action_remove": ""})

    assert list(EmailAddress.objects.filter(user=reader).values_list("email", "verified")) == [
        ("ann@example.com", True)
    ]
