"""Every URL pattern of the site driven with random paths, queries, methods, headers and
bodies (hypothesis), as a visitor, a reader and staff: no answer is a 500, and nothing
is logged as an error or with a traceback (issue 12). Query-field counts, charsets, Host
headers and body sizes are drawn too (issue 19).

The budget is fixed and the examples derandomized, so CI runs the same requests every
time: FUZZ_EXAMPLES (default 300) sets how many; raise it to search further locally.
"""

import logging
import os
import re
from urllib.parse import quote, urlencode

import django.test.client
import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.handler import SiteRequest
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "BREW"]
QUERY_KEYS = ["comments", "next", "q", "p", "o", "page", "utm_source", "fbclid", "done", "e"]
# Valid, invalid and odd charset parameters: Django reads one while it builds the request,
# before any middleware (issue 19: 1,001 query fields plus a charset was a bare 500).
CHARSETS = [
    "",
    "; charset=utf-8",
    "; charset=UTF-8",
    '; charset="utf-8"',
    "; charset=utf_8",
    "; charset=ascii",
    "; charset=utf-16",
    "; charset=latin-1",
    "; charset=nope",
    "; charset=",
    "; charset*=nope''x",
    "; charset*=utf-8''utf-8",
    "; charset=utf-8; charset=latin-1",
]
HOSTS = ["localhost", "localhost:8000", "localhost:0", "localhost:999999999999", "", "[::1]:1"]
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/json",
    "text/plain",
    "",
]


def url_regexes(patterns=None, prefix=""):
    """Each URL pattern of the site as one regex of the whole path (without the leading
    slash), nested includes joined."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        part = pattern.pattern.regex.pattern.removeprefix("^").removesuffix("\\Z")
        part = part.removesuffix("$")
        if isinstance(pattern, URLResolver):
            yield from url_regexes(pattern.url_patterns, prefix + part)
        else:
            yield prefix + part


URL_REGEXES = sorted(set(url_regexes()))

text = st.text(max_size=40)
# What a WSGI server hands Django in a header: the raw bytes read as ISO-8859-1.
header_text = st.text(st.characters(max_codepoint=255), max_size=40)
paths = st.one_of(
    st.sampled_from(URL_REGEXES).flatmap(
        lambda regex: st.from_regex(re.compile(f"^{regex}$"), fullmatch=True)
    ),
    text,
)
# Addresses urllib refuses to split (a bad IPv6 host), in redirect targets such as next.
BROKEN_URLS = ["http://[::1", "//[x", "https://[", "http://]/", "http://[::1]:99999/"]
query_values = st.one_of(text, st.sampled_from(BROKEN_URLS))
queries = st.dictionaries(st.one_of(st.sampled_from(QUERY_KEYS), text), query_values, max_size=4)
MULTIPART_FILE = (
    b'--xyz\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n'
    b"Content-Type: image/png\r\n\r\n" + b"\x89PNG" * 100 + b"\r\n--xyz--\r\n"
)
bodies = st.one_of(
    st.binary(max_size=200),
    st.just(MULTIPART_FILE),
    queries.map(lambda query: urlencode(query).encode()),
    st.recursive(
        st.none() | st.booleans() | st.integers() | text,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    ).map(lambda value: repr(value).replace("'", '"').encode()),
)
# Around Django's DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) and up to half as many again; none
# half the time, so that the other draws reach the views.
field_counts = st.one_of(
    st.just(0), st.integers(0, 1500), st.sampled_from([0, 999, 1000, 1001, 1500])
)
# Padding added to the body: around the site's limits (a tick 8 KiB, most forms 128 KiB,
# admin 2.5 MiB) and anything up to 300 KB.
body_sizes = st.one_of(
    st.just(0), st.integers(0, 300_000), st.sampled_from([8 * 1024 + 1, 128 * 1024 + 1])
)
headers = st.fixed_dictionaries(
    {
        "content_type": st.tuples(st.sampled_from(CONTENT_TYPES), st.sampled_from(CHARSETS)).map(
            "".join
        ),
        "HTTP_ACCEPT": st.sampled_from(["text/html", "application/json", "*/*", "", "\x7f"]),
    },
    optional={
        "HTTP_ORIGIN": st.sampled_from(["http://testserver", "https://evil.example", "null"]),
        "HTTP_SEC_FETCH_SITE": st.sampled_from(["same-origin", "cross-site", "none", "x"]),
        "HTTP_X_FORWARDED_FOR": header_text,
        "HTTP_COOKIE": header_text,
        "HTTP_IF_NONE_MATCH": st.sampled_from(['W/"x"', "*", '"', ""]),
        "HTTP_IF_MODIFIED_SINCE": st.sampled_from(["Sun, 06 Nov 1994 08:49:37 GMT", "junk"]),
        "HTTP_ACCEPT_ENCODING": st.sampled_from(["gzip", "br", "", "x"]),
        "HTTP_HOST": st.sampled_from(HOSTS),
    },
)


@pytest.fixture
def viewers(the_article, monkeypatch):
    """A visitor, a reader and a superuser, each a client that answers rather than raises,
    building requests as gunicorn's handler does (core.handler.SiteRequest)."""
    monkeypatch.setattr(django.test.client, "WSGIRequest", SiteRequest)
    clients = {"visitor": Client()}
    reader = make_user(email="fuzz-reader@example.com", display_name="Fuzz Reader")
    staff = make_user(
        email="fuzz-staff@example.com", display_name="Fuzz Staff", is_staff=True, is_superuser=True
    )
    for name, user in (("reader", reader), ("staff", staff)):
        clients[name] = Client()
        clients[name].force_login(user)
    for client in clients.values():
        client.raise_request_exception = False
    return clients


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(
    viewer=st.sampled_from(["visitor", "reader", "staff"]),
    method=st.sampled_from(METHODS),
    path=paths,
    query=queries,
    extra=headers,
    body=bodies,
    fields=field_counts,
    padding=body_sizes,
)
def test_no_request_is_answered_500_or_logged_as_an_error(
    viewers, caplog, viewer, method, path, query, extra, body, fields, padding
):
    caplog.clear()
    query_string = "&".join(
        ([urlencode(query)] if query else []) + [f"f{number}=1" for number in range(fields)]
    )
    url = "/" + quote(path, safe="/") + ("?" + query_string if query_string else "")
    body += b"&pad=" + b"x" * padding if padding else b""
    extra = dict(extra)
    content_type = extra.pop("content_type")

    with caplog.at_level(logging.WARNING):
        response = viewers[viewer].generic(method, url, body, content_type, **extra)

    assert response.status_code < 500, f"{method} {url} answered {response.status_code}"
    troubles = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not troubles, f"{method} {url} logged: {troubles[0].getMessage()}"


@pytest.mark.parametrize("target", BROKEN_URLS)
@pytest.mark.parametrize(
    "path",
    [
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        reverse("admin:login"),
    ],
)
def test_a_next_address_urllib_cannot_split_is_ignored_not_a_500(client, path, target):
    client.raise_request_exception = False

    response = client.get(path, {"next": target}, follow=True)

    assert response.status_code == 200
