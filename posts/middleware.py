from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware

from . import page_cache


class CachedPageMiddleware:
    """Answer a post page view from the page cache before sessions, authentication,
    messages and URL routing run: on a cache hit they would only confirm what the cache
    key already says, and they cost more than the rest of the response.

    It sits below the middleware that adds security headers and the CSRF cookie, so a
    cached page leaves with the same headers and cookie as a rendered one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return page_cache.early_response(request) or self.get_response(request)


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, reusing the session CachedPageMiddleware has already read for a page it
    could not answer, instead of reading it a second time."""

    def process_request(self, request):
        if not hasattr(request, "session"):
            super().process_request(request)
