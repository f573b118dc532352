"""allauth's pages look like the rest of the site (issue 18): the header's words in
sentence case ("Log in", not "Sign In"), every label above its field, one primary
button on the code page, no empty "Add a third-party account" section, no "contact
us" that names no contact, and axe finds nothing on any of them."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.accounts.helpers import last_mail_to, verification_code
from tests.conftest import make_user

from .axe import describe_violations

PASSWORD = "a-long-enough-password"
# Words that keep their capitals inside a sentence-case text.
PROPER_NOUNS = {"Advice", "GitHub", "Google", "JSON"}

# Where every label sits against its field, and the words of the page's headings,
# labels and buttons: read in the browser, as a reader sees them.
LAYOUT = """() => {
  const main = document.querySelector("main");
  const misplaced = [];
  for (const input of main.querySelectorAll("input, textarea, select")) {
    if (["hidden", "submit"].includes(input.type) || !input.offsetParent) continue;
    const label = main.querySelector(`label[for="${input.id}"]`);
    if (!label) { misplaced.push(`${input.name}: no label`); continue; }
    const l = label.getBoundingClientRect(), i = input.getBoundingClientRect();
    const choice = ["checkbox", "radio"].includes(input.type);
    const ok = choice
      ? Math.abs((l.top + l.bottom) / 2 - (i.top + i.bottom) / 2) < 6 && l.left >= i.right
      : l.bottom <= i.top + 1 && Math.abs(l.left - i.left) < 2;
    if (!ok) misplaced.push(`${input.name}: label "${label.textContent.trim()}"`);
  }
  const texts = [...main.querySelectorAll("h1, h2, label, button, a.button, legend")]
    .filter((el) => el.offsetParent).map((el) => el.textContent.trim().replace(/\\s+/g, " "));
  const fields = ".form-field > input:not([type=checkbox]):not([type=radio])";
  const widths = [...main.querySelectorAll(fields)]
    .filter((el) => el.offsetParent).map((el) => Math.round(el.getBoundingClientRect().width));
  const filled = [...main.querySelectorAll("button, a.button")].filter((el) => {
    const style = getComputedStyle(el);
    return el.offsetParent && style.backgroundColor !== "rgba(0, 0, 0, 0)"
      && !el.classList.contains("danger") && !el.classList.contains("link-button");
  }).map((el) => el.textContent.trim());
  return {misplaced, texts, widths, filled};
}"""


def reset_link_path(message):
    """The path of the link in a reset mail (on SITE_URL, not the test's server)."""
    return re.search(r"(/accounts/password/reset/key/\S+/)", message.body)[1]


def not_sentence_case(texts):
    """The texts with a capital after their first word (proper nouns aside)."""
    wrong = []
    for text in texts:
        words = re.findall(r"[^\W\d_]+", text)
        if any(w[0].isupper() and w not in PROPER_NOUNS for w in words[1:]):
            wrong.append(text)
    return wrong


def check_page(page, axe_violations, heading, where):
    """The page's h1 is ``heading``; labels sit above fields (choices beside); headings,
    labels and buttons are in sentence case; fields have one width; no "contact us";
    axe finds nothing. Returns the layout facts for more checks."""
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    facts = page.evaluate(LAYOUT)
    assert facts["misplaced"] == [], where
    assert not_sentence_case(facts["texts"]) == [], where
    assert len(set(facts["widths"])) <= 1, (where, facts["widths"])
    expect(page.get_by_role("main")).not_to_contain_text(re.compile("contact us", re.I))
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations, where)
    return facts


def test_a_visitors_pages_log_in_sign_up_and_code(page, axe_violations):
    page.goto(reverse("account_login"))
    facts = check_page(page, axe_violations, "Log in", "log in")
    assert facts["filled"] == ["Log in"]
    page.get_by_role("link", name="Sign up", exact=True).last.click()

    check_page(page, axe_violations, "Sign up", "sign up")
    page.get_by_label("Email", exact=True).fill("new@example.com")
    page.get_by_label("Display name", exact=True).fill("New Reader")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign up", exact=True).click()

    facts = check_page(page, axe_violations, "Enter the code we emailed you", "the code page")
    # One primary action; asking for a new code and cancelling are secondary.
    assert facts["filled"] == ["Confirm"]
    for name in ("Email me a new code", "Cancel"):
        expect(page.get_by_role("button", name=name)).to_be_visible()

    page.get_by_label("Code", exact=True).fill("AAAA-AAAA")
    page.get_by_role("button", name="Confirm").click()
    check_page(page, axe_violations, "Enter the code we emailed you", "a wrong code")
    page.get_by_label("Code", exact=True).fill(verification_code(last_mail_to("new@example.com")))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text(
        "You are logged in as \u2068New Reader\u2069."
    )


def test_the_password_reset_pages(page, axe_violations):
    make_user("ann@example.com", display_name="Ann")
    page.goto(reverse("account_login"))
    page.get_by_role("link", name="Forgot your password?").click()

    check_page(page, axe_violations, "Reset your password", "reset")
    page.get_by_label("Email", exact=True).fill("ann@example.com")
    page.get_by_role("button", name="Email me a link").click()

    check_page(page, axe_violations, "Check your email", "reset sent")
    link = reset_link_path(last_mail_to("ann@example.com"))
    page.goto(link)
    check_page(page, axe_violations, "Choose a new password", "new password")
    page.get_by_label("New password", exact=True).fill("another-long-password")
    page.get_by_label("New password (again)", exact=True).fill("another-long-password")
    page.get_by_role("button", name="Save the new password").click()
    check_page(page, axe_violations, "Your password is changed", "reset done")

    page.goto(link)
    check_page(page, axe_violations, "This link no longer works", "used link")


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        (reverse("account_logout"), "Log out"),
        (reverse("account_change_password"), "Change password"),
        (reverse("account_reauthenticate"), "Confirm it is you"),
        (reverse("account_email"), "Email address"),
        (reverse("socialaccount_connections"), "Connected accounts"),
    ],
)
def test_a_readers_account_pages(page, log_in, axe_violations, path, heading):
    log_in(page, make_user("ann@example.com", display_name="Ann"))

    page.goto(path)

    check_page(page, axe_violations, heading, path)


def test_connected_accounts_has_no_empty_section_without_a_provider(page, log_in):
    log_in(page, make_user("ann@example.com", display_name="Ann"))

    page.goto(reverse("socialaccount_connections"))

    expect(page.get_by_role("heading")).to_have_count(1)  # the page's own title only
    expect(page.get_by_role("main")).to_contain_text("No account on another site is connected")


def test_connected_accounts_offers_a_configured_provider(page, log_in, axe_violations):
    from allauth.socialaccount.models import SocialApp
    from django.contrib.sites.models import Site

    app = SocialApp.objects.create(provider="github", name="GitHub", client_id="id", secret="s")
    app.sites.add(Site.objects.get_current())
    log_in(page, make_user("ann@example.com", display_name="Ann"))

    page.goto(reverse("socialaccount_connections"))

    connect = page.get_by_role("region", name="Connect an account")
    expect(connect.get_by_role("link", name="GitHub")).to_be_visible()
    check_page(page, axe_violations, "Connected accounts", "connections with GitHub")


def test_a_reader_without_a_password_confirms_it_is_them_by_a_code(page, log_in, axe_violations):
    log_in(page, make_user("gh@example.com", display_name="Gh", password=None))

    page.goto(reverse("account_set_password"))

    check_page(page, axe_violations, "Confirm it is you", "asking for a code")
    page.get_by_role("button", name="Email me a code").click()
    facts = check_page(page, axe_violations, "Enter the code we emailed you", "reauth code")
    assert facts["filled"] == ["Confirm"]
    message = last_mail_to("gh@example.com")
    assert message.subject == "Your code to confirm it is you on Advice"
    code = re.search(r"^([A-Z0-9-]{6,})$", message.body, re.MULTILINE)[1]
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Confirm").click()
    check_page(page, axe_violations, "Set a password", "set a password")


def test_changing_a_password_is_confirmed_in_the_sites_words(page, log_in, axe_violations):
    """allauth's flash message after a change was "Password successfully changed."."""
    log_in(page, make_user("ann@example.com", display_name="Ann"))
    page.goto(reverse("account_change_password"))

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("another-long-enough-password")
    page.get_by_label("New password (again)").fill("another-long-enough-password")
    page.get_by_role("button", name="Change password").click()

    expect(page.get_by_text("Your password is changed.")).to_be_visible()
    expect(page.get_by_text("successfully")).to_have_count(0)
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations, "after a password change")
