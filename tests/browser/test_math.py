"""Math legible at text size (issue 22): with its math font, Chromium draws display math
at the text's size, large operators large and their limits under and over them; the
font comes from the site itself, within its Content-Security-Policy."""

from tests.conftest import make_post

from .axe import describe_violations
from .test_typography import fonts_rendering

BODY = (
    "The sum below.\n\n$$\n\\sum_{i=1}^n x_i = \\int_0^1 f(x)\\,dx\n$$\n\n"
    "Inline, $\\sum_{i=1}^n x_i$ stays small.\n"
)


def box(page, selector):
    return page.locator(selector).first.evaluate(
        "n => { const r = n.getBoundingClientRect();"
        " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,"
        " height: r.height}; }"
    )


def test_display_math_is_set_in_the_math_font_at_text_size_with_limits(new_page, live_server):
    post = make_post(body=BODY, use_math=True)
    page = new_page(bypass_csp=False)  # the site's own CSP, as readers get it
    refused, requests = [], []
    page.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m.text))
    page.on("request", lambda request: requests.append(request.url))

    page.goto(post.get_absolute_url())
    status = page.evaluate(
        """() => document.fonts.ready.then(() => [...document.fonts]
            .filter((face) => face.family.replaceAll('"', '') === 'STIX Two Math')
            .map((face) => face.status))"""
    )

    assert status == ["loaded"]
    assert f"{live_server.url}/static/fonts/stix-two-math.woff2" in requests
    assert refused == []
    for part in ("munderover > mo", "msub > mi", "msubsup > mo"):  # ∑, x, ∫
        drawn = fonts_rendering(page, f".math.block {part}")
        assert set(drawn) == {"STIX Two Math"}, f"{part} drawn with {drawn}"
    text_size = page.locator(".post-body p").first.evaluate("n => getComputedStyle(n).fontSize")
    math_size = page.locator(".math.block math").evaluate("n => getComputedStyle(n).fontSize")
    assert math_size == text_size == "19px"
    # The large operator of display math is larger than inline (without a math font
    # both are 18 px high), its limits centred below and above it with a gap between
    # (without: touching it).
    display_sum = box(page, ".math.block munderover > mo")
    inline_sum = box(page, ".math.inline msubsup > mo")
    assert display_sum["height"] >= 1.25 * inline_sum["height"]
    below = box(page, ".math.block munderover > :nth-child(2)")
    above = box(page, ".math.block munderover > :nth-child(3)")
    assert below["top"] - display_sum["bottom"] >= 2
    assert display_sum["top"] - above["bottom"] >= 2
    centre = (display_sum["left"] + display_sum["right"]) / 2
    assert abs((below["left"] + below["right"]) / 2 - centre) < 2


def test_a_page_without_math_loads_no_math_font(page, the_article):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(the_article.get_absolute_url())  # "Use math" ticked, no formula written
    page.evaluate("document.fonts.ready")
    assert not [url for url in requests if "math" in url]


def test_a_page_with_math_has_no_axe_violations(page, axe_violations):
    post = make_post(body=BODY, use_math=True)
    page.goto(post.get_absolute_url())
    page.evaluate("document.fonts.ready")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations, "a page with math")
