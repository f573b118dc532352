"""What a reader does with allauth's pages, over the test client, and what mail it sends."""

import re

from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.html import parse

PASSWORD = "a-long-enough-password"

# allauth's mail subjects, in the site's words (templates/account/email/*_subject.txt,
# issue 18), as a reader reads them; the test settings' SITE_NAME is "Advice".
VERIFICATION_CODE = "Your code to verify your email address on Advice"
ALREADY_EXISTS = "You already have an account on Advice"
UNKNOWN_ACCOUNT = "No account on Advice has this email address"
RESET_LINK = "Set a new password on Advice"
ADDRESS_CHANGED = "The email address of your account on Advice was changed"


def sign_up(client, email, display_name="New Reader", password=PASSWORD):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "display_name": display_name,
            "password1": password,
            "password2": password,
        },
    )


def log_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def signed_in(email, password=PASSWORD):
    """A browser that logged in through the form and confirmed the password again just
    now, as allauth asks before a change of address (ACCOUNT_REAUTHENTICATION_REQUIRED)."""
    client = Client()
    log_in(client, email, password)
    assert logged_in_user(client) is not None, f"{email} could not log in"
    reauthenticate(client, password)
    return client


def reauthenticate(client, password=PASSWORD):
    return client.post(reverse("account_reauthenticate"), {"password": password})


def after_a_while():
    """Let allauth's rate limits forget the last few seconds (one verification mail per
    address per 10 s, failed log-ins, resets): they live in the cache."""
    cache.clear()


def logged_in_user(client):
    """The user the client's session belongs to, or None."""
    page = client.get(reverse("accounts:account"))
    return page.context["user"] if page.status_code == 200 else None


def add_address(client, email):
    """Ask to change the reader's address to `email` on /accounts/email/."""
    return client.post(reverse("account_email"), {"email": email, "action_add": ""})


def enter_code(client, code):
    """Type the code from a verification mail into the page that asks for it."""
    return client.post(reverse("account_email_verification_sent"), {"code": code})


def request_password_reset(client, email):
    return client.post(reverse("account_reset_password"), {"email": email})


def form_errors(response):
    """The error messages a form shows (Django's error lists and the site's field errors)."""
    page = parse(response)
    errors = page.find_all(class_="errorlist") + page.find_all(class_="field-error")
    return " ".join(error.text for error in errors)


def sent_mail():
    """Every mail sent so far as (recipient, subject), in order."""
    return [(to, message.subject) for message in mail.outbox for to in message.to]


def last_mail_to(address):
    messages = [message for message in mail.outbox if address in message.to]
    assert messages, f"no mail to {address}: {sent_mail()}"
    return messages[-1]


def verification_code(message):
    """The code in an email verification mail, on a line of its own ("JFGF-WGSZ")."""
    assert message.subject == VERIFICATION_CODE, message.subject
    return re.search(r"^([A-Z0-9]{4}(?:-[A-Z0-9]{4})+)$", message.body, re.MULTILINE)[1]


def reset_link_path(message):
    """The path of the link in a reset mail (links in mail are on SITE_URL)."""
    pattern = re.escape(settings.SITE_URL) + r"(/accounts/password/reset/key/\S+/)"
    return re.search(pattern, message.body)[1]


def reset_password_by_link(client, message, new_password):
    """Follow the link in a reset mail and set `new_password`; the final response."""
    path = reset_link_path(message)
    form_page = client.get(path, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    return client.post(action, {"password1": new_password, "password2": new_password})
