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


@pytest.fixture
def context(browser, live_server, transactional_db):
    # bypass_csp: axe-core is injected as an inline script, which the site's
    # Content-Security-Policy would (rightly) block for anything else.
    context = browser.new_context(
        base_url=live_server.url,
        bypass_csp=True,
        locale="en-GB",
        reduced_motion="reduce",
        viewport={"width": 1280, "height": 800},
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A fresh page; an uncaught JavaScript error on it fails the test."""
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    yield page
    assert not errors, "Uncaught JavaScript errors:\n" + "\n".join(errors)


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
