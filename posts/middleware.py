"""Old addresses of posts (Django's redirects app), answered after every view: 301 to
where a post went, 410 for a deleted post's addresses."""

from django.contrib.redirects import middleware as redirects
from django.contrib.redirects.models import Redirect
from django.contrib.sites.shortcuts import get_current_site
from django.utils.encoding import escape_uri_path

from core.http import query_string, with_query_string
from core.views import gone

from .models import normalize_permalink


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
