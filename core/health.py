"""The state of what the site depends on, for /healthz."""

import json
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse, HttpResponseNotAllowed

logger = logging.getLogger(__name__)

# Mailed codes expire by the clock of the server that checks them against the time the
# issuing server wrote (allauth): app servers whose clocks disagree expire codes early or
# late (issue 19). Beyond this many seconds from the database's clock, /healthz says so.
CLOCK_SKEW_WARNING_SECONDS = 2.0

DATABASE_EPOCH = {
    "postgresql": "SELECT EXTRACT(EPOCH FROM clock_timestamp())",
    "sqlite": "SELECT (julianday('now') - 2440587.5) * 86400.0",
}


def server_time():
    """This server's clock, in seconds since the epoch (float)."""
    return time.time()


def check_database():
    """{"ok": bool, "clock_skew_seconds": float} (this server's clock minus the
    database's, measured at the middle of the round trip), or {"ok": False, "error"}.
    A skew over CLOCK_SKEW_WARNING_SECONDS adds "warning" and logs it; it does not make
    the server unhealthy, since taking it out of service would not set its clock."""
    try:
        with connection.cursor() as cursor:
            before = server_time()
            cursor.execute(DATABASE_EPOCH.get(connection.vendor, "SELECT 1"))
            (database_time,) = cursor.fetchone()
            after = server_time()
    except Exception as error:  # any failure means "down", with its reason
        return {"ok": False, "error": error.__class__.__name__}
    if connection.vendor not in DATABASE_EPOCH:
        return {"ok": True}
    skew = round((before + after) / 2 - float(database_time), 3)
    result = {"ok": True, "clock_skew_seconds": skew}
    if abs(skew) > CLOCK_SKEW_WARNING_SECONDS:
        result["warning"] = "this server's clock disagrees with the database's: run NTP"
        logger.warning("Clock skew: this server is %+.1f s from the database's clock", skew)
    return result


def check_cache():
    """Write to Redis directly (the cache itself ignores Redis errors): one round trip that
    fails if Redis is down, unreachable or refusing writes (out of memory, read-only)."""
    from django_redis import get_redis_connection

    try:
        # Both servers when rate limits have their own (REDIS_RATE_LIMIT_URL, issue 19).
        for alias in ("default", "shared"):
            get_redis_connection(alias).set(caches[alias].make_key("healthz"), b"1", ex=5)
    except Exception as error:
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": True}


def status():
    checks = {"database": check_database()}
    if settings.REDIS_URL:
        checks["redis"] = check_cache()
    return all(check["ok"] for check in checks.values()), checks


def healthz(request):
    """GET or HEAD /healthz: 200 {"status": "ok", "checks": ...} when the database (and
    Redis, when configured) answer, else 503 naming what is down; 405 for other methods.

    Answered by core.middleware.HealthCheckMiddleware before the Host is checked (load
    balancers ask by address); also routed in the URLconf, which reserves the address."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    ok, checks = status()
    body = json.dumps({"status": "ok" if ok else "unavailable", "checks": checks})
    response = HttpResponse(body, status=200 if ok else 503, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response
