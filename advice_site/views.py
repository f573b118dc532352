"""The site's error pages (handler400, 403, 404, 429, 500 in advice_site.urls).

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
from django.http import (
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.shortcuts import render
from django.template import loader

from .text import duration_words

# What a database that is down or restarting raises (not bugs such as IntegrityError).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def bad_request(request, exception):
    """400: a page that needs nothing from the request (its Host may be what is bad)."""
    return HttpResponseBadRequest(loader.render_to_string("400.html"))


def permission_denied(request, exception):
    return HttpResponseForbidden(loader.render_to_string("403.html", request=request))


def page_not_found(request, exception):
    return HttpResponseNotFound(loader.render_to_string("404.html", request=request))


def server_error(request):
    """500, or 503 with Retry-After during a database outage; neither page needs the
    database or the request."""
    if isinstance(sys.exception(), DATABASE_UNAVAILABLE):
        response = HttpResponseServerError(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))


@cache
def _longest_allauth_window():
    """Seconds (int) of the longest window among allauth's rate limits (login, sign-up,
    password reset, ...): an upper bound on how long a refused request has to wait."""
    from allauth.account import app_settings
    from allauth.core.internal.ratelimit import parse_rates

    windows = [
        rate.duration for rates in app_settings.RATE_LIMITS.values() for rate in parse_rates(rates)
    ]
    return int(max(windows, default=60))


def too_many_requests(request):
    """allauth's answer when one of its rate limits is spent (it calls ROOT_URLCONF's
    handler429): the site's page, with the site's headers, instead of a bare one; with
    Retry-After (RFC 9110) set to the longest of allauth's windows, since allauth does
    not say which limit was hit, and the wait in words (issue 11)."""
    wait = _longest_allauth_window()
    response = render(request, "429.html", {"wait": duration_words(wait)}, status=429)
    response["Retry-After"] = str(wait)
    return response
