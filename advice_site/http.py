"""The method rule of the site's views, for every app (issue 12: 405, never a 200 or a
403, for a method a view does not serve)."""

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
