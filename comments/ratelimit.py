"""Fixed-window rate limits through Django's cache, so they hold across processes and
servers once the cache is shared (Redis)."""

import math
import time

from django.core.cache import cache


def hit(key, *, limit, seconds):
    """Count one request for ``key`` (str) in the current window of ``seconds`` (int);
    True while the window's count is at most ``limit`` (int).

    One round trip to the cache in the steady state (an increment); the window's first
    request also adds the counter. Never raises: the default cache counts in this
    process's memory while Redis is down (core.cache).
    """
    window = int(time.time() // seconds)
    cache_key = f"ratelimit:{key}:{window}"
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the window's first request (or its counter just expired)
        count = 1 if cache.add(cache_key, 1, timeout=seconds + 1) else cache.incr(cache_key)
    return count <= limit


def seconds_left(seconds):
    """Seconds (int, at least 1) until the current window of ``seconds`` (int) ends: when
    a request refused by hit() may be tried again (the 429's Retry-After, RFC 9110)."""
    return max(1, math.ceil(seconds - time.time() % seconds))
