"""Redis as a cache that degrades instead of failing: while Redis is unreachable, reads
miss and writes are dropped (with a warning in the log), so pages still render from the
database and sessions (stored in the database) keep everyone logged in."""

import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_MISS = object()

# Increment a key only if it exists (Redis's INCRBY alone would create it at the delta).
_INCR_IF_EXISTS = """
if redis.call('exists', KEYS[1]) == 1 then return redis.call('incrby', KEYS[1], ARGV[1]) end
return false
"""


class ReusingRedisCacheClient(RedisCacheClient):
    """Django builds a new redis.Redis object for every cache call (a quarter of a
    millisecond each, filling its table of reply parsers); one per connection pool is
    enough, since redis.Redis is thread-safe and the pool does the connecting."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    @property
    def strict(self):
        """The same cache without tolerance, for health checks that must see failures."""
        return _Strict(self)

    def _tolerate(self, name, default, *args, **kwargs):
        try:
            return getattr(super(), name)(*args, **kwargs)
        except RedisError as error:
            logger.warning("Redis unavailable for cache.%s: %s", name, error)
            return default

    def get(self, key, default=None, version=None):
        return self._tolerate("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._tolerate("get_many", {}, keys, version)

    def set(self, key, value, timeout=..., version=None):
        timeout = self.default_timeout if timeout is ... else timeout
        return self._tolerate("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=..., version=None):
        timeout = self.default_timeout if timeout is ... else timeout
        return self._tolerate("add", False, key, value, timeout, version)

    def set_many(self, data, timeout=..., version=None):
        timeout = self.default_timeout if timeout is ... else timeout
        return self._tolerate("set_many", list(data), data, timeout, version)

    def delete(self, key, version=None):
        return self._tolerate("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._tolerate("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        """Django's incr asks whether the key exists, then increments: two round trips
        on every tick, comment and rate-limit hit. One script does both, atomically."""
        key = self.make_and_validate_key(key, version=version)
        try:
            client = self._cache.get_client(key, write=True)
            value = client.eval(_INCR_IF_EXISTS, 1, key, delta)
        except RedisError as error:
            logger.warning("Redis unavailable for cache.incr: %s", error)
            raise ValueError("cache unavailable") from error
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def touch(self, key, timeout=..., version=None):
        timeout = self.default_timeout if timeout is ... else timeout
        return self._tolerate("touch", False, key, timeout, version)

    def has_key(self, key, version=None):
        return self._tolerate("has_key", False, key, version)


class _Strict:
    def __init__(self, cache):
        self._cache = cache

    def __getattr__(self, name):
        return getattr(super(TolerantRedisCache, self._cache), name)
