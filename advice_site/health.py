"""The state of what the site depends on, for /healthz."""

from django.conf import settings
from django.core.cache import caches
from django.db import connection


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "down", with its reason
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": True}


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
