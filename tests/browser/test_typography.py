"""The article's text face (issue 13): a local WOFF2 file, swapped in, subset so other
scripts fall back to the reader's own fonts; nothing loads from anywhere else."""

from playwright.sync_api import expect

from tests.conftest import make_post

ARTICLE_PATH = "/dl_advice/"
FACE = "Source Serif 4"


def fonts_rendering(page, selector):
    """{font family: glyphs} that Chromium drew the first element matching `selector`
    with (the DevTools protocol's own account, so fallbacks show)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {font["familyName"]: font["glyphCount"] for font in fonts}


def test_the_article_is_set_in_the_local_text_face_and_nothing_comes_from_elsewhere(
    page, the_article, live_server
):
    requests = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto(ARTICLE_PATH)
    faces = page.evaluate(
        """() => document.fonts.ready.then(() => [...document.fonts]
            .filter((face) => face.family.replaceAll('"', '') === 'Source Serif 4')
            .map((face) => ({status: face.status, display: face.display,
                             unicodeRange: face.unicodeRange})))"""
    )

    assert [face["display"] for face in faces] == ["swap", "swap"]
    # Each face covers one script range; neither Cyrillic, Greek nor CJK.
    for face in faces:
        assert face["unicodeRange"] not in ("", "U+0-10FFFF")
    assert [face["status"] for face in faces] == ["loaded", "unloaded"]  # Latin only here
    fonts = [url for url in requests if url.endswith(".woff2")]
    assert fonts == [f"{live_server.url}/static/fonts/source-serif-4-latin-400-normal.woff2"]
    assert all(url.startswith(live_server.url) for url in requests), requests
    assert set(fonts_rendering(page, ".post-body p")) == {FACE}
    # Headings lighter than the bold they were.
    expect(page.get_by_role("heading", level=1)).to_have_css("font-weight", "400")
    expect(page.get_by_role("heading", name="Learn a framework well")).to_have_css(
        "font-weight", "400"
    )


def test_cyrillic_greek_and_cjk_text_falls_back_to_the_readers_own_fonts(page):
    post = make_post(body="Latin words here.\n\nПривет\n\nΚαλημέρα\n\n你好世界\n")

    page.goto(post.get_absolute_url())
    page.evaluate("document.fonts.ready")

    assert FACE in fonts_rendering(page, ".post-body p:nth-of-type(1)")
    for script in (2, 3, 4):
        used = fonts_rendering(page, f".post-body p:nth-of-type({script})")
        assert FACE not in used, f"paragraph {script} drawn with {used}"
