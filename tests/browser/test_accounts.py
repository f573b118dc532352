"""A reader changes their email address: the new one counts only once its code is typed in,
and until then the old one stays in force (issue 14)."""

import re

from allauth.account.models import EmailAddress
from django.urls import reverse
from playwright.sync_api import expect

from tests.accounts.helpers import last_mail_to, verification_code
from tests.conftest import make_user

from .axe import describe_violations

PASSWORD = "a-long-enough-password"
OLD = "ada@example.com"
NEW = "ada.lovelace@example.com"


def assert_no_axe_violations(page, axe_violations, where):
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations, where)


def log_in_with(page, email, password=PASSWORD):
    """Log in through the form; returns the page, on whatever the form led to."""
    page.goto(reverse("account_login"))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    return page


def test_a_reader_changes_their_address_with_the_code_mailed_to_the_new_one(
    page, new_page, log_in, axe_violations
):
    ada = make_user(OLD, display_name="Ada")
    log_in(page, ada)

    page.goto(reverse("accounts:account"))
    page.get_by_role("link", name="Change email address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email address")
    expect(page.get_by_role("main")).to_contain_text(f"Your address is {OLD} (verified).")
    assert_no_axe_violations(page, axe_violations, "the email page")

    page.get_by_label("New email address").fill(NEW)
    page.get_by_role("button", name="Send a code to the new address").click()

    # Changing the address asks for the password again first.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    assert_no_axe_violations(page, axe_violations, "the password check")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code we emailed you")
    expect(page.get_by_role("main")).to_contain_text(f"We have emailed a code to {NEW}")
    assert_no_axe_violations(page, axe_violations, "the code page")
    code = verification_code(last_mail_to(NEW))

    # Until the code is typed, the old address is the reader's and the new one is nobody's.
    assert list(EmailAddress.objects.filter(user=ada).values_list("email", "verified")) == [
        (OLD, True)
    ]
    too_early = log_in_with(new_page(), NEW)
    expect(too_early.get_by_role("main")).to_contain_text(
        "The email address and/or password you specified are not correct."
    )

    # A wrong code is refused, with the reason next to the field.
    page.get_by_label("Code", exact=True).fill("AAAA-AAAA")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("main")).to_contain_text("Incorrect code.")

    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Email address")
    expect(page.get_by_role("status")).to_contain_text(f"Your email address {NEW} is verified.")
    expect(page.get_by_role("main")).to_contain_text(f"Your address is {NEW} (verified).")
    # The old address heard about the change.
    assert "email address of your account on Advice was changed" in last_mail_to(OLD).subject

    # From now on the new address logs in, and the old one no longer does.
    with_new = log_in_with(new_page(), NEW)
    expect(with_new.get_by_role("button", name="Log out")).to_be_visible()
    with_old = log_in_with(new_page(), OLD)
    expect(with_old.get_by_role("main")).to_contain_text(
        "The email address and/or password you specified are not correct."
    )


def test_changing_to_an_address_already_in_use_looks_the_same_until_the_code(
    page, log_in, axe_violations
):
    make_user("grace@example.com", display_name="Grace")
    ada = make_user(OLD, display_name="Ada")
    log_in(page, ada)
    page.goto(reverse("account_email"))

    page.get_by_label("New email address").fill("Grace@Example.com")
    page.get_by_role("button", name="Send a code to the new address").click()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    # Nothing tells Ada that the address has an account: the code went to its owner.
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code we emailed you")
    code = verification_code(last_mail_to("grace@example.com"))
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Confirm").click()

    # Only someone who can read Grace's mail learns it, and the address stays Grace's.
    expect(page.get_by_role("main")).to_contain_text(
        "A user is already registered with this email address."
    )
    assert_no_axe_violations(page, axe_violations, "the code page with an error")
    assert list(EmailAddress.objects.filter(user=ada).values_list("email", flat=True)) == [OLD]
