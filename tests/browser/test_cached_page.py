"""Visitors tick on a page served from the shared page cache: the page carries no CSRF
token, and the browser's own Origin and Sec-Fetch-Site headers let the tick through."""

from playwright.sync_api import expect

ARTICLE_PATH = "/dl_advice/"
FRAMEWORK = "Learn a framework well"
HANDS_ON = "Be hands-on from Day One"


def served_from_the_cache(page):
    """Load the article twice (another visitor first) and return the second response,
    the one a visitor gets from the shared cache."""
    page.goto(ARTICLE_PATH)  # builds and stores the shared page
    page.context.clear_cookies()
    response = page.goto(ARTICLE_PATH)
    assert response.headers["cache-control"] == "public, max-age=0, s-maxage=5"
    assert page.locator("input[name=csrfmiddlewaretoken]").count() == 0
    return response


def test_a_visitor_ticks_with_javascript_on_a_cached_page(page, the_article):
    served_from_the_cache(page)

    page.get_by_role("checkbox", name=FRAMEWORK, exact=True).click()

    expect(page.get_by_role("status").filter(has_text="1 of 9 done (11%)")).to_have_text(
        f"Done: {FRAMEWORK}. 1 of 9 done (11%)."
    )
    page.reload()
    expect(page.get_by_role("checkbox", name=FRAMEWORK, exact=True)).to_be_checked()


def test_a_visitor_ticks_without_javascript_on_a_cached_page(new_page, the_article):
    page = new_page(java_script_enabled=False)
    served_from_the_cache(page)

    page.get_by_role("button", name=f"Mark as done: {HANDS_ON}", exact=True).click()

    expect(page).to_have_url(f"{page.url.split('#')[0]}#be-hands-on-from-day-one")
    expect(page.get_by_role("checkbox", name=HANDS_ON, exact=True)).to_be_checked()
    expect(page.get_by_role("button", name=f"Mark as not done: {HANDS_ON}")).to_be_visible()
    # Now with ticks in their session, the visitor's page is their own.
    response = page.reload()
    assert "private" in response.headers["cache-control"]


def test_another_visitor_still_gets_the_untouched_shared_page(new_page, the_article):
    ticking = new_page()
    served_from_the_cache(ticking)
    ticking.get_by_role("checkbox", name=FRAMEWORK, exact=True).click()
    expect(ticking.get_by_role("status")).to_contain_text("1 of 9 done (11%)")

    other = new_page()
    other.goto(ARTICLE_PATH)

    expect(other.get_by_role("checkbox", name=FRAMEWORK, exact=True)).not_to_be_checked()
    expect(other.get_by_role("region", name="Contents and your progress")).to_contain_text(
        "0 of 9 done (0%)"
    )
