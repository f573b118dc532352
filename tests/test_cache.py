"""The Redis cache that degrades instead of failing (advice_site/cache.py), against the
Redis CI runs on 127.0.0.1:6379."""

import pytest
import redis

from advice_site.cache import TolerantRedisCache

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_cache():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379 (CI starts one)")
    cache = TolerantRedisCache(REDIS_URL, {"KEY_PREFIX": "cache-test"})
    cache.clear()
    yield cache
    cache.clear()


def test_incr_adds_to_a_stored_number(redis_cache):
    redis_cache.set("count", 41)

    assert redis_cache.incr("count") == 42
    assert redis_cache.incr("count", 8) == 50
    assert redis_cache.get("count") == 50


def test_incr_of_a_missing_key_is_an_error_and_creates_nothing(redis_cache):
    with pytest.raises(ValueError):
        redis_cache.incr("missing")

    assert redis_cache.get("missing") is None


def test_with_redis_down_reads_miss_and_incr_says_so():
    cache = TolerantRedisCache(
        "redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}}
    )

    assert cache.get("anything") is None
    with pytest.raises(ValueError):
        cache.incr("anything")
