"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's
live server, with axe-core from node_modules for accessibility checks.

Chromium comes from apt (`apt-get install -y chromium`), never from `playwright install`,
and axe-core from npm (`npm ci`). Without them these tests are skipped on a developer's
machine and fail under CI=true, so CI cannot pass by silently testing nothing.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from .axe import AXE_SCRIPT, run_axe

# Playwright's sync API runs an asyncio event loop in the test's thread; Django would
# otherwise refuse ORM calls made from that thread (SynchronousOnlyOperation).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent
# Screenshots and measurements the tests leave for people (CI keeps them as artifacts).
RESULTS = HERE.parent.parent / "test-results"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    """Every test under tests/browser/ carries the `browser` marker (-m "not browser")."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


def require(path, what, install):
    """Skip without `path` on a developer's machine; fail under CI=true."""
    if path.exists():
        return
    message = f"{what} is missing ({path} not found). Install it from the repo root: {install}"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def playwright():
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright):
    require(CHROMIUM, "Debian's Chromium", "apt-get install -y chromium")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def open_context(browser, live_server, **options):
    """A browser context on the live server with the suite's defaults; `options` override."""
    # bypass_csp: axe-core is injected as an inline script, which the site's
    # Content-Security-Policy would (rightly) block for anything else.
    defaults = {
        "base_url": live_server.url,
        "bypass_csp": True,
        "locale": "en-GB",
        "reduced_motion": "reduce",
        "viewport": {"width": 1280, "height": 800},
    }
    context = browser.new_context(**{**defaults, **options})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


def watch_for_errors(page, errors):
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    return page


@pytest.fixture
def context(browser, live_server, transactional_db):
    context = open_context(browser, live_server)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A fresh page; an uncaught JavaScript error on it fails the test."""
    errors = []
    page = watch_for_errors(context.new_page(), errors)
    yield page
    assert not errors, "Uncaught JavaScript errors:\n" + "\n".join(errors)


@pytest.fixture
def new_page(browser, live_server, transactional_db):
    """`new_page(**context_options)`: a page in a context of its own, so another visitor
    with their own cookies (e.g. `java_script_enabled=False`). Uncaught JavaScript
    errors on any of them fail the test, as with `page`."""
    contexts, errors = [], []

    def open_page(**options):
        context = open_context(browser, live_server, **options)
        contexts.append(context)
        return watch_for_errors(context.new_page(), errors)

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, "Uncaught JavaScript errors:\n" + "\n".join(errors)


@pytest.fixture
def log_in(live_server):
    """`log_in(page, user)`: sign the page's browser context in as `user`, without the
    log-in form (for journeys that are not about logging in)."""
    from django.conf import settings
    from django.test import Client

    def sign_in(page, user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )
        return page

    return sign_in


@pytest.fixture(scope="session")
def axe_script():
    require(AXE_SCRIPT, "axe-core", "npm ci")
    return AXE_SCRIPT.read_text(encoding="utf-8")


@pytest.fixture
def axe_violations(axe_script):
    """`axe_violations(page)`: axe-core's WCAG 2.1 A/AA and best-practice violations.

    Pass `rules=[...]` (axe rule ids) to run only those rules.
    """

    def violations(page, *, rules=None):
        return run_axe(page, axe_script, rules=rules)

    return violations


@pytest.fixture
def save_screenshot():
    """`save_screenshot(page, name, full_page=False)`: what the screen shows (or the whole
    page) as test-results/<name>.png."""

    def save(page, name, *, full_page=False):
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=RESULTS / f"{name}.png", full_page=full_page)

    return save
