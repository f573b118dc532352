"""The method rule of the site's views, for every app (issue 12: 405, never a 200 or a
403, for a method a view does not serve), the query string a redirect keeps (issue 18),
and whether a request asks for JSON or for a page (issue 20)."""

from urllib.parse import quote

from django.core.handlers.wsgi import WSGIRequest
from django.utils.http import parse_header_parameters
from django.views.decorators.http import require_safe

SAFE_METHODS = ("GET", "HEAD")


def read_only(view):
    """``view`` answering GET and HEAD only, and 405 Method Not Allowed to anything else
    (RFC 9110 section 15.5.6): Django's ``require_safe``, marked with its
    ``allowed_methods`` so that AllowedMethodsMiddleware answers 405 before the CSRF
    check, which would otherwise answer a POST without a token 403."""
    view = require_safe(view)
    view.allowed_methods = SAFE_METHODS
    return view


def allowed_methods(view):
    """The methods ``view`` (a resolved view function) serves, a set of str, when it
    says so: a read_only view, or a class-based view (the methods it has handlers for,
    as Django's View._allowed_methods, HEAD wherever GET is); else None."""
    if hasattr(view, "allowed_methods"):
        return set(view.allowed_methods)
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return None
    methods = {name.upper() for name in view_class.http_method_names if hasattr(view_class, name)}
    if "GET" in methods:
        methods.add("HEAD")  # View.setup() makes head() from get()
    return methods


# What may stay as it is in a URI's query (RFC 3986 section 3.4: pchar, "/" and "?"), "%"
# included so that what the client percent-encoded is kept as it was sent, and "[" "]",
# which browsers send unencoded (as Django's iri_to_uri keeps them).
QUERY_SAFE = "!$&'()*+,;=:@/?%[]-._~"


def query_string(request):
    """The request's query string (str, without "?"; "" when there is none) as a URI
    carries it: every byte the client sent kept, and percent-encoded where RFC 3986 does
    not allow it as it is (non-ASCII, spaces, quotes, "#"), so that repeated keys, empty
    values and encoded characters reach a redirect's target unchanged (issue 18).

    Django's get_full_path() does not do this: under WSGI the query string is the sent
    bytes decoded as Latin-1 (PEP 3333), which iri_to_uri() then encodes a second time.
    """
    raw = request.META.get("QUERY_STRING", "")
    sent = raw.encode("latin-1") if isinstance(request, WSGIRequest) else raw.encode()
    return quote(sent, safe=QUERY_SAFE)


def with_query_string(request, location):
    """``location`` (str, a path or URL) with the request's query string added to its
    own, before any fragment: where a redirect sends a link that carried one."""
    query = query_string(request)
    if not query:
        return location
    location, hash_mark, fragment = location.partition("#")
    separator = "&" if "?" in location else "?"
    return f"{location}{separator}{query}{hash_mark}{fragment}"


def wants_json(request, *, default=False):
    """Whether to answer ``request`` with JSON rather than an HTML page (bool), by its
    Accept header (content negotiation, RFC 9110 section 12.5.1).

    application/json and text/html each get the quality (q, from 0 to 1; 1 when not
    given, or not a number from 0 to 1) of the most specific media range that matches
    them: the type itself, then application/* or text/*, then */*; q=0 means "not
    acceptable", as does no matching range. The type with the higher quality wins, and
    between equal qualities the one named more specifically: JSON for
    "application/json", "application/json, */*" or "text/html;q=0, */*"; a page for a
    browser's "text/html,…,*/*;q=0.8" or "application/json;q=0.5, text/html".

    When the header does not choose, ``default`` (bool): no Accept header, or none that
    can be read (any type is then acceptable, section 12.5.1); "*/*" alone; both types
    named alike with the same quality; neither acceptable. Media type parameters other
    than q are not compared.
    """
    ranges = []
    for item in request.headers.get("Accept", "").split(","):
        media_range, params = parse_header_parameters(item)
        main_type, slash, sub_type = media_range.partition("/")
        if slash and main_type and sub_type:
            ranges.append((main_type, sub_type, _quality(params.get("q"))))
    json = _preference(ranges, "application", "json")
    html = _preference(ranges, "text", "html")
    if not ranges or json == html or json[0] == html[0] == 0:
        return default
    return json > html


def _quality(value):
    """A media range's q parameter (str or None) as a float from 0 to 1; 1 when absent or
    not such a number, as Django's HttpRequest.accepted_types reads it."""
    try:
        quality = float(value) if value is not None else 1.0
    except ValueError:
        return 1.0
    return quality if 0 <= quality <= 1 else 1.0


def _preference(ranges, main_type, sub_type):
    """(quality, specificity) of main_type/sub_type: the quality the most specific of
    ``ranges`` ([(main type, sub type, quality)]) that matches it gives it, and how
    specific that range is (2 the type itself, 1 main_type/*, 0 */*); (0, -1) when none
    matches."""
    best = (0.0, -1)
    for range_main, range_sub, quality in ranges:
        if (range_main, range_sub) == (main_type, sub_type):
            specificity = 2
        elif (range_main, range_sub) == (main_type, "*"):
            specificity = 1
        elif (range_main, range_sub) == ("*", "*"):
            specificity = 0
        else:
            continue
        if specificity > best[1]:
            best = (quality, specificity)
    return best
