"""The state of what the site depends on, for /healthz."""

import uuid

from django.conf import settings
from django.core.cache import cache
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
    """Round-trip a value through the shared cache (Redis), bypassing error tolerance."""
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        client = getattr(cache, "strict", cache)
        client.set(key, "1", timeout=5)
        ok = client.get(key) == "1"
        client.delete(key)
    except Exception as error:
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": ok} if ok else {"ok": False, "error": "value did not round-trip"}


def status():
    checks = {"database": check_database()}
    if settings.REDIS_URL:
        checks["redis"] = check_cache()
    return all(check["ok"] for check in checks.values()), checks
