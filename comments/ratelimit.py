"""Fixed-window rate limits through Django's cache, so they hold across processes and
servers once the cache is shared (Redis)."""

import math
import time

from django.core.cache import cache

from core.cache import count_many


def hit(key, *, limit, seconds):
    """Count one request for ``key`` (str) in the current window of ``seconds`` (int);
    True while the window's count is at most ``limit`` (int). hit_all() for one key."""
    return hit_all({key: limit}, seconds=seconds)


def hit_all(limits, *, seconds):
    """Count one request against each of ``limits`` ({key (str): limit (int)}) in the
    current window of ``seconds`` (int); True while every window's count is at most its
    limit. Every counter is counted, even past a refusal, as each limit stands alone.

    One round trip to Redis for all of them (core.cache.RedisCache.count_many, issue
    23); other caches count key by key. Never raises: the default cache counts in this
    process's memory while Redis is down (core.cache).
    """
    window = int(time.time() // seconds)
    keys = [f"ratelimit:{key}:{window}" for key in limits]
    counter = getattr(cache, "count_many", None)
    if counter is not None:
        counts = counter(keys, seconds + 1)
    else:
        counts = count_many(cache, keys, seconds + 1)
    return all(count <= limit for count, limit in zip(counts, limits.values(), strict=True))


def seconds_left(seconds):
    """Seconds (int, at least 1) until the current window of ``seconds`` (int) ends: when
    a request refused by hit() may be tried again (the 429's Retry-After, RFC 9110)."""
    return max(1, math.ceil(seconds - time.time() % seconds))
