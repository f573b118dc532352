"""The visitor's cached post page: served compressed, with a fresh CSRF token each time."""

import gzip

import pytest
from django.test import Client

from posts.page_cache import CachedPage

pytestmark = pytest.mark.django_db

PLACEHOLDER = "\x00csrf-token\x00"


def test_a_cached_page_unzips_to_the_page_with_the_visitors_token():
    html = "<p>start</p>" + PLACEHOLDER + "<p>middle</p>" * 500 + PLACEHOLDER + "<p>end</p>"
    page = CachedPage(html)

    body = gzip.decompress(page.gzipped("TOKEN-1"))

    assert body.decode() == html.replace(PLACEHOLDER, "TOKEN-1")
    assert page.text("TOKEN-2").decode() == html.replace(PLACEHOLDER, "TOKEN-2")
    assert len(page.gzipped("TOKEN-1")) < len(html) / 10


def test_a_page_without_tokens_is_one_piece():
    assert gzip.decompress(CachedPage("<p>plain</p>").gzipped("x")) == b"<p>plain</p>"


def test_repeat_visitors_get_the_same_page_compressed_or_not(the_article):
    first = Client().get("/dl_advice/", HTTP_ACCEPT_ENCODING="gzip")  # builds and caches
    cached = Client().get("/dl_advice/", HTTP_ACCEPT_ENCODING="gzip")
    plain = Client().get("/dl_advice/")

    assert cached["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in cached["Vary"]
    cached_html = gzip.decompress(cached.content).decode()
    first_html = gzip.decompress(first.content).decode()
    token = cached_html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert len(token) == 64
    assert cached_html.split(token)[0] in first_html
    assert "Advice for those who want to learn Deep Learning" in plain.content.decode()
    assert "\x00" not in cached_html and "\x00" not in plain.content.decode()
