"""The site's error pages (handler400, 403, 404, 429, 500 in advice_site.urls; the 410 of
a deleted post; the CSRF failure page), and /favicon.ico.

Django's own handlers are wrapped in requires_csrf_token, which runs CSRF's check, and
the check reads request.POST. When the body is what failed (a form declaring a charset
other than UTF-8 raises BadRequest on reading it) the handler fails the same way, each
middleware layer tries again, and gunicorn answers its raw 500 after a thousand lines
of traceback. These handlers never read the body; CsrfViewMiddleware, in the stack,
still makes the token of a page's forms.
"""

import sys
from functools import cache

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import cache_control

from .context_processors import site
from .http import read_only
from .sessions import SessionStoreUnavailable
from .text import duration_words

# What a database that is down or restarting raises (not bugs such as IntegrityError).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
# How long browsers and caches may keep /favicon.ico's answer without asking again.
FAVICON_SECONDS = 24 * 60 * 60


def error_page(request, template_name, *, status, context=None):
    """The site's page for an error (an HttpResponse with ``status``, int): the template
    ``template_name`` in the site's layout, with its name, navigation and footer.

    Every error answer of the site is made here (the handlers below, the 410 of a deleted
    post, the CSRF failure page), so none can lose the site's context (issue 18). The
    site's names come from settings, never the database. ``request`` None renders the
    page without the request: no query, no session, no user, for the pages that must
    render whatever failed (400, whose Host may be what is bad; 500 and 503, while the
    database may be down); their navigation is a visitor's.
    """
    context = {**site(request), **(context or {})}
    html = loader.render_to_string(template_name, context, request=request)
    return HttpResponse(html, status=status)


def bad_request(request, exception):
    """400: a page that needs nothing from the request (its Host may be what is bad)."""
    return error_page(None, "400.html", status=400)


def permission_denied(request, exception):
    return error_page(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    """403 for a form whose CSRF check failed (settings.CSRF_FAILURE_VIEW): the site's
    page saying what to do, where Django's own has no layout. ``reason`` (str, Django's
    words for the failure) is for the log, which Django writes, not for readers."""
    return error_page(request, "403_csrf.html", status=403)


def page_not_found(request, exception):
    return error_page(request, "404.html", status=404)


def gone(request):
    """410 Gone, "Article removed": a deleted post's addresses (RFC 9110 section 15.5.11;
    core.middleware.RedirectFallbackMiddleware, issue 18)."""
    return error_page(request, "410.html", status=410)


def server_error(request):
    """500, or 503 with Retry-After during a database outage or when a log-out cannot
    reach the session store (core.sessions); neither page needs the database or
    the request."""
    if isinstance(sys.exception(), SessionStoreUnavailable):
        response = error_page(None, "503.html", status=503, context={"down": "sessions"})
        response["Retry-After"] = "30"
        return response
    if isinstance(sys.exception(), DATABASE_UNAVAILABLE):
        response = error_page(None, "503.html", status=503)
        response["Retry-After"] = "30"
        return response
    return error_page(None, "500.html", status=500)


# Seconds in each unit of a rate's window ("5/m/ip", "5/300s/key", "1/2h/user").
_RATE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def rate_window(rate):
    """Seconds (float) of the window of one allauth rate (str), in the format of
    ACCOUNT_RATE_LIMITS documented at docs.allauth.org/en/latest/account/rate_limits.html:
    ``amount/duration[/per]``, the duration a unit (s, m, h, d) with an optional number
    before it. Raises ValueError for anything else.

    Read here from the documented format rather than through allauth's parser, which
    lives in allauth.core.internal (issue 20); tests/test_upstream_pins.py checks that the
    two agree on every configured rate.
    """
    parts = rate.strip().split("/")
    if len(parts) not in (2, 3) or not parts[1] or parts[1][-1] not in _RATE_UNITS:
        raise ValueError(f"Not an allauth rate: {rate!r}")
    number = parts[1][:-1]
    return (float(number) if number else 1) * _RATE_UNITS[parts[1][-1]]


@cache
def _longest_allauth_window():
    """Seconds (int) of the longest window among allauth's rate limits (login, sign-up,
    password reset, ...): an upper bound on how long a refused request has to wait."""
    from allauth.account import app_settings

    windows = [
        rate_window(rate)
        for rates in app_settings.RATE_LIMITS.values()
        if rates
        for rate in rates.split(",")
        if rate.strip()
    ]
    return int(max(windows, default=60))


def too_many_requests(request):
    """allauth's answer when one of its rate limits is spent (it calls ROOT_URLCONF's
    handler429): the site's page, with the site's headers, instead of a bare one; with
    Retry-After (RFC 9110) set to the longest of allauth's windows, since allauth does
    not say which limit was hit, and the wait in words (issue 11)."""
    wait = _longest_allauth_window()
    response = error_page(request, "429.html", status=429, context={"wait": duration_words(wait)})
    response["Retry-After"] = str(wait)
    return response


@read_only
@cache_control(public=True, max_age=FAVICON_SECONDS)
def favicon(request):
    """/favicon.ico, which browsers and crawlers ask for whatever a page's ``<link
    rel="icon">`` says: a redirect to the site's icon, static/favicon.svg (issue 18).

    A 302 kept for a day, not a 301 kept for ever: the icon's static address carries a
    hash of its content (ManifestStaticFilesStorage), which changes when the icon does.
    """
    return redirect(static("favicon.svg"))
