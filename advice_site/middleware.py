import json
from urllib.parse import unquote

from django.conf import settings
from django.contrib.redirects import middleware as redirects
from django.contrib.redirects.models import Redirect
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import BadRequest
from django.http import HttpResponse, HttpResponseNotAllowed
from django.urls import get_resolver, get_urlconf
from django.utils.encoding import escape_uri_path
from django.utils.log import log_response

from posts.models import normalize_permalink

from . import health
from .http import allowed_methods, query_string, with_query_string
from .views import gone


class HealthCheckMiddleware:
    """Answer /healthz before host checks and HTTPS redirects: 200 when the database
    (and Redis, when configured) answer, 503 naming what is down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != "/healthz":
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        ok, checks = health.status()
        body = json.dumps({"status": "ok" if ok else "unavailable", "checks": checks})
        response = HttpResponse(body, status=200 if ok else 503, content_type="application/json")
        response["Cache-Control"] = "no-store"
        return response


class PermissionsPolicyMiddleware:
    """Turn off browser features the site never uses (Django has no setting for it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RejectNullCharactersMiddleware:
    """Answer 400 to a request with a NUL character in its path, query string or cookies.

    No browser sends one, and PostgreSQL refuses NUL in every string it compares or
    stores: a permalink, a session key or an email confirmation key with one was a 500
    (issue 12). Forms already refuse NUL in text fields (Django's CharField).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if (
            "\x00" in request.path
            or ("%00" in query and "\x00" in unquote(query))
            or "\x00" in request.META.get("HTTP_COOKIE", "")
        ):
            raise BadRequest("A NUL character in the address or cookies.")
        return self.get_response(request)


class AllowedMethodsMiddleware:
    """Answer 405 Method Not Allowed (RFC 9110 section 15.5.6) to any method the site
    never serves, on every path, before any view runs.

    The site speaks GET, HEAD and POST (HTML forms and its scripts' fetch calls), so PUT,
    PATCH, DELETE, OPTIONS, TRACE and made-up methods stop here, including at views of
    Django's admin and allauth that would take PUT for POST or answer OPTIONS. Read-only
    views narrow this to GET and HEAD with advice_site.http.read_only, and class-based
    views to the methods they have handlers for, answered here before CSRF's check.
    """

    SERVED_METHODS = ("GET", "HEAD", "POST")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.SERVED_METHODS:
            return HttpResponseNotAllowed(self.SERVED_METHODS)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """405 for a method the resolved view does not serve, when it says which it
        serves (advice_site.http.allowed_methods): before CsrfViewMiddleware, whose 403
        would otherwise answer a POST without a token to a read-only view."""
        allowed = allowed_methods(view_func)
        if allowed is not None and request.method not in allowed:
            return HttpResponseNotAllowed(sorted(allowed))
        return None


class RequestCharsetMiddleware:
    """Refuse, with the 400 page, a request whose Content-Type declares a charset other
    than UTF-8.

    Django decodes form fields (and the query string) in the declared charset, and
    refuses to read a urlencoded form in any but "utf-8". Every page of the site sends
    its forms and its scripts' requests in UTF-8 (HTML's rule for form submission), so
    another charset is never ours: it is refused here, on every path, before CSRF's
    check or a view reads the body, with Django's own test for the name.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        charset = request.content_params.get("charset")
        if charset is not None and charset.lower() != "utf-8":
            # Answered here, not raised: with DEBUG on, Django's technical page for a
            # raised BadRequest reads request.POST, which fails again, and gives a 500.
            exception = BadRequest(f"The request declares charset {charset[:40]!r}; send UTF-8.")
            response = get_resolver(get_urlconf()).resolve_error_handler(400)(request, exception)
            log_response(
                "Bad Request: %s (%s)", request.path, exception, response=response, request=request
            )
            return response
        return self.get_response(request)


class RedirectFallbackMiddleware(redirects.RedirectFallbackMiddleware):
    """Old addresses, from Django's redirects app: a 404 at an address a post left (or one
    written in the redirects admin) answers 301 to where it went, and a deleted post's
    addresses (an empty new_path, posts.models) answer 410 with the site's page.

    Django's own middleware looks the address up with its query string, so
    ``/old/?utm_source=x`` was a 404 (issue 18). Here the query string never decides
    whether an address is old, and the redirect keeps it.
    """

    def process_response(self, request, response):
        if response.status_code != 404:
            return response
        candidates = old_address_forms(request)
        found = dict(
            Redirect.objects.filter(
                site=get_current_site(request), old_path__in=candidates
            ).values_list("old_path", "new_path")
        )
        old_path = next((path for path in candidates if path in found), None)
        if old_path is None:
            return response
        new_path = found[old_path]
        if new_path == "":
            return gone(request)
        if "?" not in old_path:  # a redirect written for one query string takes it whole
            new_path = with_query_string(request, new_path)
        return self.response_redirect_class(new_path)


def old_address_forms(request):
    """The forms (list of str, most exact first) under which the request's address may be
    stored as a Redirect's old_path: with its query string (a redirect written for it),
    then without; decoded ("/статья/") or percent-encoded, as Django's admin takes either;
    as asked, with the trailing slash Django's APPEND_SLASH would add, and with the
    slashes of a permalink ("/old//" and "/old" mean "/old/", posts.models)."""
    paths = []
    for path in (request.path, escape_uri_path(request.path)):
        paths += [path, f"{path}/", normalize_permalink(path)]
    paths = list(dict.fromkeys(path for path in paths if path))
    query = query_string(request)
    with_query = [f"{path}?{query}" for path in paths] if query else []
    return with_query + paths
