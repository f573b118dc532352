"""The WSGI handler gunicorn runs (advice_site.wsgi): Django's, with a request that can
always be built, so that every bad request reaches the middleware and gets the site's
400 page instead of the server's bare 500 (issue 19).

Django builds the request before any middleware runs, and two things in that step could
raise: a Content-Type header it cannot parse, and a charset parameter, whose setter
parses the query string (``hasattr(self, "GET")``) and raised TooManyFieldsSent for more
than DATA_UPLOAD_MAX_NUMBER_FIELDS fields. Raised there, the exception left Django
altogether.

Nothing public runs before that step (middleware comes after), so SiteRequest overrides
two private parts of HttpRequest: ``_set_content_type_params()`` and the ``encoding``
setter with its ``_encoding`` and ``_post`` attributes. This module is the one place
that does (issue 20); tests/test_upstream_pins.py fails when Django changes that code.
"""

from django.core.exceptions import BadRequest
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest

# environ key set on every request that came through a real HTTP server (not Django's test
# client, which sends no Host): core.middleware.RequestHostMiddleware reads it.
FROM_SERVER = "advice_site.from_server"


class SiteRequest(WSGIRequest):
    """A WSGIRequest whose construction never raises.

    ``content_type_error`` is the BadRequest for an unparsable Content-Type header (the
    request then has no content type), else None; RequestCharsetMiddleware answers it."""

    content_type_error = None

    def _set_content_type_params(self, meta):
        try:
            super()._set_content_type_params(meta)
        except BadRequest as error:
            self.content_type, self.content_params = "", {}
            self.content_type_error = error

    @property
    def encoding(self):
        return self._encoding

    @encoding.setter
    def encoding(self, value):
        # Django's setter tests hasattr(self, "GET"), which parses the query string.
        self._encoding = value
        self.__dict__.pop("GET", None)
        if hasattr(self, "_post"):
            del self._post


class SiteWSGIHandler(WSGIHandler):
    """Django's WSGIHandler building a SiteRequest, and marking each request as one from
    a server (FROM_SERVER), whose HTTP/1.1 requests must carry a Host header."""

    request_class = SiteRequest

    def __call__(self, environ, start_response):
        environ[FROM_SERVER] = True
        return super().__call__(environ, start_response)
