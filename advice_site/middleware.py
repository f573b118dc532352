import json

from django.conf import settings
from django.http import HttpResponse

from . import health


class HealthCheckMiddleware:
    """Answer /healthz before host checks and HTTPS redirects: 200 when the database
    (and Redis, when configured) answer, 503 naming what is down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != "/healthz":
            return self.get_response(request)
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
