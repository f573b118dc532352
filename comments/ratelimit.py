"""Fixed-window rate limits through Django's cache, so they hold across processes and
servers once the cache is shared (Redis)."""

import time

from django.core.cache import cache


def hit(key, *, limit, seconds):
    """Count one request for key; return True while the window's count is within limit."""
    window = int(time.time() // seconds)
    cache_key = f"ratelimit:{key}:{window}"
    cache.add(cache_key, 0, timeout=seconds + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=seconds + 1)
        count = 1
    return count <= limit
