"""HTTP methods, for every URL pattern the site routes: PUT, PATCH, DELETE, OPTIONS, TRACE
and made-up methods are refused with 405 everywhere; read-only views answer GET and HEAD
only, so POST is refused there too."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, PathConverter, SlugConverter

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NEVER_SERVED = ["PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "BREW", "PROPFIND"]

# Every view of the site's own apps, by URL name: read-only (GET and HEAD) or one that
# takes a form (POST). A new view must be listed, which decides its methods.
READ_ONLY = {
    "healthz",
    "pages:list",
    "pages:category",
    "pages:detail",
    "feed",
    "sitemap",
    "robots",
    "media",
    "favicon",
    "checklists:my_progress",
    "accounts:account",
    "accounts:export",
    "comments:reply",
    # The search for a reader to block, in the moderators' admin.
    "admin:comments_blockedcommenter_reader_autocomplete",
    # allauth's pages that only show something.
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    "account_inactive",
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
}
TAKES_POST = {
    "accounts:display_name",
    "accounts:notifications",
    "accounts:delete",
    "checklists:set",
    "checklists:reset",
    "comments:post",
    "comments:preview",
    "comments:edit",
    "comments:decide",
    "comments:delete",
    "comments:flag",
    "editor_markdownify",
    "editor_upload",
    "admin:posts_post_revision",  # shows an earlier revision; POST restores it
    # The moderators' queue and a comment's page (issue 18): POST runs an action.
    "admin:comments_comment_changelist",
    "admin:comments_comment_change",
    "admin:comments_comment_moderate",
}
OWN_APPS = (
    "accounts.",
    "checklists.",
    "comments.",
    "posts.",
    "core.",
    "django.contrib.sitemaps",
)


def url_patterns(patterns=None, namespace=None):
    """(name, pattern, view's module) for every named URL pattern, nested ones too."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, entry.pattern, entry.lookup_str


def sample_value(converter):
    if isinstance(converter, IntConverter):
        return 1
    if isinstance(converter, SlugConverter):
        return "a-slug"
    if isinstance(converter, PathConverter):
        return "a-test-post/"
    return "a1b2"


REGEX_SAMPLES = {"app_label": "posts", "uidb36": "1", "url": "nowhere/"}


def example_url(name, pattern):
    """A URL the pattern matches, with made-up values for its parameters."""
    converters = getattr(pattern, "converters", {})
    if converters:
        return reverse(name, kwargs={key: sample_value(c) for key, c in converters.items()})
    regex = pattern.regex
    if not regex.groupindex:  # positional groups, as django-reversion's admin has
        return reverse(name, args=["1"] * regex.groups)
    return reverse(name, kwargs={key: REGEX_SAMPLES.get(key, "a1b2") for key in regex.groupindex})


# /healthz is answered before the rest of the stack, for load balancers, whatever the Host
# (core.middleware.HealthCheckMiddleware); its methods are tested on their own below.
ALL_PATTERNS = sorted(
    {(name, example_url(name, pattern)) for name, pattern, _ in url_patterns()}
    - {("healthz", "/healthz")}
)


def test_every_view_of_the_sites_apps_is_declared_read_only_or_taking_posts():
    own = {name for name, _, view in url_patterns() if view.startswith(OWN_APPS)}

    assert own - READ_ONLY - TAKES_POST == set()
    assert set() == READ_ONLY & TAKES_POST


@pytest.mark.parametrize(("name", "url"), ALL_PATTERNS, ids=[name for name, _ in ALL_PATTERNS])
def test_methods_the_site_never_serves_are_refused_on_every_url(client, a_post, name, url):
    for method in NEVER_SERVED:
        response = client.generic(method, url)

        assert response.status_code == 405, f"{method} {url}"
        assert response["Allow"] == "GET, HEAD, POST"
        assert "default-src 'self'" in response["Content-Security-Policy"]


READ_ONLY_URLS = [(name, url) for name, url in ALL_PATTERNS if name in READ_ONLY]


@pytest.mark.parametrize(("name", "url"), READ_ONLY_URLS, ids=[name for name, _ in READ_ONLY_URLS])
@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "reader"])
def test_read_only_views_answer_get_and_head_and_refuse_post(
    csrf_client, a_post, name, url, logged_in
):
    # With CSRF checks on, as curl or a browser posts: 405 all the same, not CSRF's 403.
    client = csrf_client
    if logged_in:
        client.force_login(make_user())

    assert client.get(url).status_code != 405
    assert client.head(url).status_code != 405
    response = client.post(url)
    assert response.status_code == 405, url
    assert set(response["Allow"].split(", ")) <= {"GET", "HEAD", "OPTIONS"}


def test_the_health_check_answers_get_and_head_only(client):
    assert client.get("/healthz").status_code == 200
    assert client.head("/healthz").status_code == 200
    for method in ["POST", *NEVER_SERVED]:
        assert client.generic(method, "/healthz").status_code == 405


@pytest.mark.parametrize("path", [reverse("feed"), reverse("sitemap"), reverse("robots"), "/"])
def test_a_read_only_page_answers_head_with_its_headers_and_no_body(client, a_post, path):
    head = client.head(path)
    get = client.get(path)

    assert head.status_code == get.status_code == 200
    assert head["Content-Type"] == get["Content-Type"]
    assert head.content == b""
