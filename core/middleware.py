import re
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParserError
from django.urls import get_resolver, get_urlconf
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.log import log_response

from . import health, views
from .clients import warn_untrusted_forwarding
from .handler import FROM_SERVER
from .http import allowed_methods


def error_page(request, message, status=400):
    """The site's 400 page (handler400) for ``request``, with ``status`` (400, or 413 for
    a body too large), logged as a warning on one line: answered, never raised, so that
    no handler reads the body again and no traceback is logged (issue 19)."""
    exception = BadRequest(message)
    if status == 413:  # Content Too Large (RFC 9110 section 15.5.14): its own page
        response = views.error_page(None, "413.html", status=413)
    else:
        response = get_resolver(get_urlconf()).resolve_error_handler(400)(request, exception)
        response.status_code = status
    log_response(
        "Bad Request: %s (%s)", request.path, exception, response=response, request=request
    )
    return response


class EveryResponseMiddleware:
    """First in MIDDLEWARE, so it sees every request and response, static files and
    /healthz included (issue 19): sends ``Cross-Origin-Resource-Policy`` (settings;
    Django has no setting for it), so no other site can embed the site's responses, and
    warns once when a proxy left out of DJANGO_TRUSTED_PROXIES forwards requests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        warn_untrusted_forwarding(request)
        response = self.get_response(request)
        response.setdefault("Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY)
        return response


class HealthCheckMiddleware:
    """Answer /healthz before host checks and HTTPS redirects: 200 when the database
    (and Redis, when configured) answer, 503 naming what is down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != "/healthz":
            return self.get_response(request)
        return health.healthz(request)


class PermissionsPolicyMiddleware:
    """Turn off browser features the site never uses (Django has no setting for it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


# A Host header's port (RFC 3986 section 3.2.3, RFC 9110 section 4.2.1): 1 to 65535.
HOST_PORT = re.compile(r"^(?:\[[^\]]*\]|[^:\[\]]*)(?::(\d*))?$")


class RequestHostMiddleware:
    """Answer the 400 page to a request whose Host is malformed or not allowed (issue 19):
    empty, a port that is not 1 to 65535, a host outside ALLOWED_HOSTS, or, on HTTP/1.1
    through a server (core.handler), no Host at all (RFC 9112 section 3.2).

    Django's own check (request.get_host()) accepts any run of digits as a port and,
    without a Host header, falls back to the server's name; and it raises, which logs a
    traceback. Nothing below this middleware sees a request with a bad Host.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self.host_problem(request)
        if problem:
            return error_page(request, problem)
        return self.get_response(request)

    @staticmethod
    def host_problem(request):
        """str: what is wrong with the request's Host, or "" when nothing is."""
        meta = request.META
        if "HTTP_HOST" not in meta:
            if meta.get(FROM_SERVER) and meta.get("SERVER_PROTOCOL") == "HTTP/1.1":
                return "An HTTP/1.1 request without a Host header."
        else:
            match = HOST_PORT.match(meta["HTTP_HOST"])
            if not meta["HTTP_HOST"] or match is None:
                return "An empty or malformed Host header."
            port = match.group(1)
            if port is not None and not (
                port.isascii() and port.isdigit() and 0 < int(port) < 65536
            ):
                return "The Host header's port is not a number from 1 to 65535."
        try:
            request.get_host()
        except DisallowedHost as error:
            return str(error)[:200]
        return ""


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
    views narrow this to GET and HEAD with core.http.read_only, and class-based
    views to the methods they have handlers for, answered here before CSRF's check.
    """

    SERVED_METHODS = ("GET", "HEAD", "POST")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.SERVED_METHODS:
            return method_not_allowed(self.SERVED_METHODS)
        response = self.get_response(request)
        if response.status_code == 405 and not response.streaming and not response.content:
            # A view's own 405 (@require_POST, a class view's http_method_not_allowed):
            # the site's page, with the methods Django's answer allowed (issue 18).
            allowed = [method.strip() for method in response.get("Allow", "").split(",")]
            return method_not_allowed([method for method in allowed if method])
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        """405 for a method the resolved view does not serve, when it says which it
        serves (core.http.allowed_methods): before CsrfViewMiddleware, whose 403
        would otherwise answer a POST without a token to a read-only view."""
        allowed = allowed_methods(view_func)
        if allowed is not None and request.method not in allowed:
            return method_not_allowed(sorted(allowed))
        return None


def method_not_allowed(allowed):
    """405 Method Not Allowed with the site's page and ``Allow`` naming ``allowed`` (a
    list of str), as RFC 9110 section 15.5.6 asks: every error page is in the site's
    layout (issue 18), where Django's HttpResponseNotAllowed has an empty body."""
    response = views.error_page(None, "405.html", status=405)
    response["Allow"] = ", ".join(allowed)
    return response


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
        if getattr(request, "content_type_error", None) is not None:
            return error_page(request, "The Content-Type header cannot be read.")
        charset = request.content_params.get("charset")
        if charset is not None and charset.lower() != "utf-8":
            # Answered here, not raised: with DEBUG on, Django's technical page for a
            # raised BadRequest reads request.POST, which fails again, and gives a 500.
            return error_page(
                request, f"The request declares charset {charset[:40]!r}; send UTF-8."
            )
        return self.get_response(request)


class FilesNotAccepted(MultiPartParserError):
    """A file in a multipart body sent to a view that takes none (issue 19)."""


class RefuseFilesUploadHandler(FileUploadHandler):
    """Django's upload handler for views that take no file: the first file part stops
    the parse with FilesNotAccepted, before a byte of it is kept in memory or on disk.
    Forms sent by the site's scripts (FormData) are multipart without files."""

    def new_file(self, *args, **kwargs):
        raise FilesNotAccepted("This address takes no files.")

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


class RequestLimitsMiddleware:
    """Bound every request before anything reads it, and answer what breaks a bound with
    the site's page instead of an exception (issue 19):

    - more query-string fields than DATA_UPLOAD_MAX_NUMBER_FIELDS: 400;
    - a Content-Length above the view's limit: 413 before a byte of the body is read.
      The limit is REQUEST_BODY_LIMITS' entry for the view's name, URL name or namespace
      (most specific first), else REQUEST_BODY_MAX_BYTES; above the largest limit the
      request is refused before routing;
    - a multipart body with a file, to a view not in FILE_UPLOAD_VIEWS: 400, unread;
    - a form body Django cannot parse (too many fields or files, too large, malformed
      multipart): 400 or 413, here before CsrfViewMiddleware reads it, so nothing logs a
      traceback for a client's mistake.
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response
        self.largest = max(
            [settings.REQUEST_BODY_MAX_BYTES, *settings.REQUEST_BODY_LIMITS.values()]
        )

    def __call__(self, request):
        if self.content_length(request) > self.largest:
            return error_page(request, "The request's body is too large.", status=413)
        try:
            request.GET  # noqa: B018 (parsed here, where its errors are answered)
        except TooManyFieldsSent:
            return error_page(request, "The address has too many query fields.")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if self.content_length(request) > self.limit(request.resolver_match):
            return error_page(request, "The request's body is too large.", status=413)
        if request.method != "POST" or request.content_type not in self.FORM_TYPES:
            return None
        match = request.resolver_match
        if request.content_type == "multipart/form-data" and not (
            {match.view_name, match.url_name} & set(settings.FILE_UPLOAD_VIEWS)
        ):
            request.upload_handlers = [RefuseFilesUploadHandler(request)]
        try:
            request.POST  # noqa: B018 (as CsrfViewMiddleware would, with errors answered)
        except RequestDataTooBig:
            return error_page(request, "The form is too large.", status=413)
        except (TooManyFieldsSent, TooManyFilesSent, MultiPartParserError) as error:
            return error_page(request, f"The form cannot be read: {str(error)[:100]}")
        except OSError:
            return None  # the client went away (UnreadablePostError); CSRF's check says so
        return None

    @staticmethod
    def content_length(request):
        try:
            return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
        except ValueError:
            return 0

    @staticmethod
    def limit(match):
        """int: the most bytes a body to the view of ``match`` (a ResolverMatch) may have."""
        limits = settings.REQUEST_BODY_LIMITS
        for name in (match.view_name, match.url_name, *reversed(match.namespaces)):
            if name in limits:
                return limits[name]
        return settings.REQUEST_BODY_MAX_BYTES


class PrivateSessionMiddleware:
    """Mark every response to a request with a session ``Cache-Control: private`` and
    ``Vary: Cookie`` (issue 19): a shared cache in front never keeps what a reader or a
    visitor with a session was given (their account, export, progress, addresses, pages).

    A session is a session cookie sent or set, or a logged-in user. ``no-store`` where a
    view set it is kept; ``public`` and ``s-maxage`` go. Requests without a session (the
    visitor pages of pages.page_cache, ``public``) are left as they are. Placed above
    SessionMiddleware, so it sees the cookie that middleware sets.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self.has_session(request, response):
            cache_control = response.get("Cache-Control", "")
            if "s-maxage" in cache_control:
                kept = [part for part in cache_control.split(",") if "s-maxage" not in part]
                response["Cache-Control"] = ",".join(kept)
            patch_cache_control(response, private=True)
            patch_vary_headers(response, ["Cookie"])
        return response

    @staticmethod
    def has_session(request, response):
        name = settings.SESSION_COOKIE_NAME
        if name in request.COOKIES or name in response.cookies:
            return True
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)
