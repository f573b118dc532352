"""Redis as Django's cache, for a site that keeps working while Redis is unreachable.

django-redis talks to Redis. This subclass only decides what a cache call does while
Redis cannot be reached, per cache alias, with ``OPTIONS["WHILE_DOWN"]``:

- ``"miss"``: reads miss and writes are dropped. For what must be the same on every app
  server or not at all: post pages and sessions (then built and read from the database).
- ``"memory"``: a memory cache in this process answers instead. For rate limits, ours and
  django-allauth's: logins keep working and stay limited, per process (allauth's lock is
  a cache ``add``; with Redis down and nothing to answer, every login would be a 429).

After a failed call Redis is left alone for RETRY_SECONDS, so a Redis that hangs costs
one timeout per process, not one per call; each failure logs one warning.
"""

import logging
import os
import time

from django.core.cache.backends.filebased import FileBasedCache as DjangoFileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5
_MISSING = object()


class CacheUnavailable(Exception):
    """Redis could not be reached for a call that must not be dropped."""


class RedisCache(DjangoRedisCache):
    """django-redis's cache with a chosen behaviour while Redis is unreachable (above).

    Options: everything django-redis takes, and ``WHILE_DOWN`` ("miss" or "memory";
    "miss" when not given). django-redis's own ``IGNORE_EXCEPTIONS`` is replaced by it.
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.while_down = options.pop("WHILE_DOWN", "miss")
        if self.while_down not in {"miss", "memory"}:
            raise ValueError(f'WHILE_DOWN is "miss" or "memory", not {self.while_down!r}')
        options["IGNORE_EXCEPTIONS"] = False
        super().__init__(server, {**params, "OPTIONS": options})
        memory = self.while_down == "memory"
        self._memory = LocMemCache(f"while-down:{server}", {}) if memory else None
        self._retry_at = 0.0

    def _redis(self, call):
        """(True, what ``call()`` returns) from Redis, or (False, None) while it cannot be
        reached: then Redis is left alone for RETRY_SECONDS, with one warning."""
        if time.monotonic() >= self._retry_at:
            try:
                return True, call()
            except (RedisError, ConnectionInterrupted) as error:
                self._retry_at = time.monotonic() + RETRY_SECONDS
                logger.warning(
                    "Redis unreachable (%s: %s); for %d s a cache with WHILE_DOWN=%s %s",
                    error.__class__.__name__,
                    error,
                    RETRY_SECONDS,
                    self.while_down,
                    "answers from this process's memory" if self._memory else "misses",
                )
        return False, None

    def _call(self, name, miss, *args, **kwargs):
        answered, value = self._redis(
            lambda: getattr(super(RedisCache, self), name)(*args, **kwargs)
        )
        if answered:
            return value
        if self._memory is not None:
            kwargs.pop("client", None)
            return getattr(self._memory, name)(*args, **kwargs)
        if miss is _MISSING:
            raise ValueError("the cache is unavailable")  # as incr() of a missing key
        return miss

    def get(self, key, default=None, version=None, **kwargs):
        return self._call("get", default, key, default, version, **kwargs)

    def get_many(self, keys, version=None, **kwargs):
        return self._call("get_many", {}, keys, version=version, **kwargs)

    def has_key(self, key, version=None, **kwargs):
        return self._call("has_key", False, key, version=version, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", False, *args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", False, *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", [], *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", False, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", False, *args, **kwargs)

    def delete_or_raise(self, key, version=None):
        """Delete ``key`` in Redis itself, never only in this process's memory; raise
        CacheUnavailable if Redis cannot be reached (for a log-out, core.sessions)."""
        try:
            return super().delete(key, version=version)
        except (RedisError, ConnectionInterrupted) as error:
            self._retry_at = time.monotonic() + RETRY_SECONDS
            raise CacheUnavailable(f"{error.__class__.__name__}: {error}") from error

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", None, *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", _MISSING, *args, **kwargs)

    def decr(self, *args, **kwargs):
        return self._call("decr", _MISSING, *args, **kwargs)

    def count_many(self, keys, timeout):
        """Add one to each counter of ``keys`` (a list of str), creating a missing one
        with ``timeout`` (seconds, int) to live; their new values (list of int), in one
        round trip to Redis (a pipeline of SET NX EX and INCR per key, so a counter is
        made and counted at once; issue 23). While Redis is unreachable, counted in this
        process's memory (WHILE_DOWN "memory"), else ValueError, as incr() raises."""

        def counted():
            pipeline = self.client.get_client(write=True).pipeline(transaction=False)
            for key in keys:
                made = self.make_and_validate_key(key)
                pipeline.set(made, 0, ex=timeout, nx=True)
                pipeline.incr(made)
            return pipeline.execute()[1::2]

        answered, counts = self._redis(counted)
        if answered:
            return counts
        if self._memory is None:
            raise ValueError("the cache is unavailable")
        return count_many(self._memory, keys, timeout)

    def clear(self):
        return self._call("clear", None)


def count_many(cache, keys, timeout):
    """count_many() for any Django cache (``cache``): one add() or incr() per key, for
    caches without a way to do them at once (RedisCache.count_many does)."""
    counts = []
    for key in keys:
        try:
            counts.append(cache.incr(key))
        except ValueError:  # the window's first request (or its counter just expired)
            counts.append(1 if cache.add(key, 1, timeout=timeout) else cache.incr(key))
    return counts


class FileBasedCache(DjangoFileBasedCache):
    """Django's file cache, used without Redis, whose writes never fail a request
    (issue 19): a write the disk refuses (full, read-only, out of inodes: any OSError)
    is skipped, so the page is built and served uncached, as on a miss.

    The first failure logs one warning; the next is logged only after a write has
    succeeded again.
    """

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self.directory = os.path.abspath(dir)  # for the warning; Django keeps its own privately
        self._failing = False

    def _refused(self, error):
        if not self._failing:
            self._failing = True
            logger.warning(
                "The file cache in %s cannot be written (%s); pages are served "
                "uncached until it can",
                self.directory,
                error.strerror or error,
            )

    def set(self, *args, **kwargs):
        try:
            super().set(*args, **kwargs)
        except OSError as error:
            self._refused(error)
        else:
            self._failing = False  # a file was written: the next failure is news

    def add(self, *args, **kwargs):
        # Django's add() writes through set() above, which says whether it could.
        try:
            added = super().add(*args, **kwargs)
        except OSError as error:
            self._refused(error)
            return False
        return added and not self._failing

    def touch(self, *args, **kwargs):
        try:
            return super().touch(*args, **kwargs)
        except OSError as error:
            self._refused(error)
            return False
