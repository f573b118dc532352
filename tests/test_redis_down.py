"""A lost Redis (core/cache.py): pages, ticks, comments and logins keep working,
and logins stay rate-limited, per process. Redis here is an address nothing listens on;
the tests that need a live Redis use the one CI runs on 127.0.0.1:6379."""

import logging

import pytest
import redis
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from core.cache import RedisCache
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NOWHERE = "redis://127.0.0.1:1/0"  # connection refused at once


def redis_caches(location):
    options = {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2}
    backend = {"BACKEND": "core.cache.RedisCache", "LOCATION": location}
    return {
        "default": {**backend, "OPTIONS": {**options, "WHILE_DOWN": "memory"}},
        "shared": {**backend, "OPTIONS": {**options, "WHILE_DOWN": "miss"}},
    }


@pytest.fixture
def redis_down(settings):
    settings.CACHES = redis_caches(NOWHERE)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    caches["default"].clear()  # this process's memory, which outlives the test otherwise
    yield
    caches["default"].clear()


def test_pages_and_ticks_work_uncached(redis_down, a_post):
    visitor = Client()
    item = a_post.checklist_items.first()

    first = visitor.get(a_post.get_absolute_url())
    tick = visitor.post(
        reverse("checklists:set", args=[item.pk]),
        {"done": "true"},
        headers={"Accept": "application/json"},
    )
    again = visitor.get(a_post.get_absolute_url())

    assert (first.status_code, tick.status_code, again.status_code) == (200, 200, 200)
    assert tick.json()["summary"] == "1 of 2 done (50%)"
    assert "1 of 2 done (50%)" in again.content.decode()


def test_a_reader_logs_in_and_comments(redis_down, a_post):
    reader = make_user(email="reader@example.com", display_name="Rae")
    client = Client()

    response = client.post(
        reverse("account_login"), {"login": reader.email, "password": "a-long-enough-password"}
    )
    comment = client.post(reverse("comments:post", args=[a_post.pk]), {"body": "Still here"})

    assert response.status_code == 302
    assert comment.status_code == 302
    assert "Rae" in client.get(a_post.get_absolute_url()).content.decode()


def test_failed_logins_are_still_limited_in_each_process(redis_down, a_reader):
    client = Client()
    wrong = {"login": a_reader.email, "password": "not the password"}

    answers = [client.post(reverse("account_login"), wrong).content.decode() for _ in range(6)]
    right = client.post(
        reverse("account_login"), {"login": a_reader.email, "password": "a-long-enough-password"}
    )

    # allauth allows 5 failed attempts per address in 5 minutes (ACCOUNT_LOGIN_ATTEMPTS_LIMIT)
    assert all("Too many failed login attempts" not in answer for answer in answers[:5])
    assert "Too many failed login attempts" in answers[5]
    assert right.status_code == 200  # the right password waits too: no way to guess on
    assert "Too many failed login attempts" in right.content.decode()


def test_each_failure_is_one_warning_and_redis_is_not_asked_again_at_once(caplog, monkeypatch):
    calls = []
    cache = RedisCache(NOWHERE, {"OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "WHILE_DOWN": "miss"}})
    real_get = RedisCache.__mro__[1].get
    monkeypatch.setattr(
        RedisCache.__mro__[1], "get", lambda *a, **k: calls.append(1) or real_get(*a, **k)
    )

    with caplog.at_level(logging.WARNING, logger="core.cache"):
        values = [cache.get("key", "fallback") for _ in range(5)]

    assert values == ["fallback"] * 5
    assert len(calls) == 1
    assert len(caplog.records) == 1
    assert "Redis unreachable" in caplog.records[0].getMessage()


def test_a_cache_that_misses_says_so_for_incr():
    cache = RedisCache(NOWHERE, {"OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2}})

    with pytest.raises(ValueError):
        cache.incr("counter")
    assert cache.add("key", 1) is False
    assert cache.get_many(["a", "b"]) == {}


def test_a_cache_with_memory_counts_in_this_process():
    cache = RedisCache(
        NOWHERE, {"OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "WHILE_DOWN": "memory"}}
    )

    assert cache.add("count", 0) is True
    assert cache.incr("count") == 1
    assert cache.get("count") == 1


@pytest.fixture
def live_redis():
    url = "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379 (CI starts one)")
    cache = RedisCache(url, {"KEY_PREFIX": "cache-test", "OPTIONS": {"WHILE_DOWN": "memory"}})
    cache.clear()
    yield cache
    cache.clear()


def test_with_redis_up_every_call_goes_to_redis(live_redis):
    live_redis.set("count", 41)

    assert live_redis.incr("count") == 42
    assert live_redis.get_many(["count", "missing"]) == {"count": 42}
    with pytest.raises(ValueError):
        live_redis.incr("missing")
    assert live_redis._memory.get("count") is None  # nothing went to the fallback


@pytest.fixture
def redis_sessions(settings, live_redis):
    """The production settings with Redis: sessions in the database, cached in Redis."""
    settings.CACHES = redis_caches("redis://127.0.0.1:6379/13")
    settings.SESSION_ENGINE = "core.sessions"
    caches["shared"].clear()
    yield
    caches["shared"].clear()


def logged_in(client):
    return client.get(reverse("accounts:account")).status_code == 200


def test_a_log_out_while_redis_hangs_fails_and_is_never_undone(redis_sessions, a_reader):
    """Issue 19: the log-out's cache delete was dropped while Redis hung, so when Redis
    answered again the old session cookie was logged in once more."""
    from unittest import mock

    from django_redis.cache import RedisCache as DjangoRedisCache
    from redis.exceptions import TimeoutError as RedisTimeout

    browser = Client(raise_request_exception=False)  # the 503 page, as a browser gets it
    browser.force_login(a_reader)
    assert logged_in(browser)
    stolen_cookie = browser.cookies["sessionid"].value

    with mock.patch.object(DjangoRedisCache, "delete", side_effect=RedisTimeout("hung")):
        response = browser.post(reverse("account_logout"))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "You are still logged in" in response.content.decode()
    assert logged_in(browser)  # the truth: nothing was half done

    # Redis answers again; the log-out is tried again and holds, on every copy.
    assert browser.post(reverse("account_logout")).status_code == 302
    assert not logged_in(browser)
    replay = Client()
    replay.cookies["sessionid"] = stolen_cookie
    assert not logged_in(replay)


def test_a_log_out_with_redis_up_forgets_the_session_everywhere(redis_sessions, a_reader):
    browser = Client()
    browser.force_login(a_reader)
    cookie = browser.cookies["sessionid"].value
    browser.post(reverse("account_logout"))

    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert not logged_in(replay)
    assert caches["shared"].get(f"django.contrib.sessions.cached_db{cookie}") is None


def test_counters_are_counted_in_one_round_trip_with_redis_up(live_redis, monkeypatch):
    """Issue 23: a comment's two rate limits (reader, network) cost one round trip."""
    live_redis.set("known", 4)
    round_trips = []
    connection_class = redis.connection.Connection
    original = connection_class.send_packed_command
    monkeypatch.setattr(
        connection_class,
        "send_packed_command",
        lambda self, *args, **kwargs: round_trips.append(1) or original(self, *args, **kwargs),
    )

    assert live_redis.count_many(["known", "new"], timeout=60) == [5, 1]
    assert len(round_trips) == 1
    assert live_redis.count_many(["known", "new"], timeout=60) == [6, 2]
    ttl = live_redis.ttl("new")
    assert 0 < ttl <= 60  # a new counter lives for its window, an old one keeps its own
    assert live_redis._memory.get("new") is None


def test_counters_are_counted_in_memory_while_redis_is_down():
    cache = RedisCache(
        NOWHERE, {"OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "WHILE_DOWN": "memory"}}
    )

    assert cache.count_many(["a", "b"], timeout=60) == [1, 1]
    assert cache.count_many(["a"], timeout=60) == [2]
    missing = RedisCache(NOWHERE, {"OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2}})
    with pytest.raises(ValueError):
        missing.count_many(["a"], timeout=60)
