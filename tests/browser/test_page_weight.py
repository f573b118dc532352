"""The article page's weight (issue 13): under 60 KB transferred with its assets, font
included, with no comments; under 100 KB with one page of the benchmark's comments.

Measured as bench/run.py's page_weight measures it (the page and each asset fetched
with "Accept-Encoding: gzip", bytes of the bodies as sent), with two additions: the
fonts are the ones the browser actually fetched for the page, and a text asset that the
test server sends uncompressed (it serves static files from the source folders) counts
as the gzip file that collectstatic makes for WhiteNoise to send in production.
The figures are written to test-results/page-weight.json.
"""

import gzip
import json
import random
import urllib.request

from django.contrib.auth import get_user_model

from bench.run import AssetFinder

from .conftest import RESULTS

ARTICLE_PATH = "/dl_advice/"
EMPTY_BUDGET = 60_000  # bytes
COMMENTS_BUDGET = 100_000
COMPRESSIBLE = ("text/", "application/javascript", "image/svg+xml", "application/json")


def transferred(url):
    """(bytes sent for `url`, decoded body) with gzip accepted, as production sends it."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
        encoding = response.headers.get("Content-Encoding")
        content_type = response.headers.get("Content-Type", "")
    if encoding == "gzip":
        return len(body), gzip.decompress(body)
    if content_type.startswith(COMPRESSIBLE):
        return len(gzip.compress(body, compresslevel=9, mtime=0)), body
    return len(body), body


def page_weight(page, base, path):
    """{url: bytes} for the page at `path` and everything it loads, fonts included."""
    fonts = []
    page.on(
        "request", lambda request: request.resource_type == "font" and fonts.append(request.url)
    )
    page.goto(path)
    page.evaluate("document.fonts.ready")
    size, html = transferred(base + path)
    weights = {path: size}
    finder = AssetFinder()  # bench/run.py's own
    finder.feed(html.decode())
    for asset in [base + found for found in finder.assets] + fonts:
        weights[asset.removeprefix(base)] = transferred(asset)[0]
    return weights


def test_the_article_page_stays_within_its_weight_budgets(page, the_article, live_server):
    from bench.seed import seed_comments

    empty = page_weight(page, live_server.url, ARTICLE_PATH)

    random.seed(42)  # as bench/seed.py does
    authors = get_user_model().objects.bulk_create(
        get_user_model()(username=f"r{n}", email=f"r{n}@example.com", display_name=f"Reader {n}")
        for n in range(200)
    )
    seed_comments(the_article, authors)
    with_comments = page_weight(page, live_server.url, ARTICLE_PATH)

    RESULTS.mkdir(exist_ok=True)
    figures = {"no comments": empty, "first page of the benchmark's comments": with_comments}
    (RESULTS / "page-weight.json").write_text(json.dumps(figures, indent=2) + "\n")
    assert any(url.endswith(".woff2") for url in empty), "the text face was not counted"
    assert sum(empty.values()) < EMPTY_BUDGET, empty
    assert sum(with_comments.values()) < COMMENTS_BUDGET, with_comments
