"""Where the site relies on private code of Django, django-allauth or django-tasks-db,
because no public API does what it needs (issue 20). Each test fails when that upstream
code changes, and says what to re-check before its pin is updated.

Source pins hash the upstream function's text (inspect.getsource): any change, even a
comment, fails them, on purpose. After re-checking, put the new hash printed in the
failure into PINS.
"""

import hashlib
import inspect

import pytest
from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject, empty
from django_tasks_db.management.commands import db_worker

from core.logs import loaded_user_id
from core.sessions import SessionStore as SiteSessionStore
from core.views import rate_window

ALLAUTH_LOCKOUT = (
    "accounts/adapters.py overrides allauth's _get_login_attempts_cache_key and, for a "
    "known device, consumes the login_failed rate itself and sets _login_failed_rl_usage "
    "for authenticate() to roll back. Re-check that allauth still builds the key there, "
    "calls pre_authenticate before checking a password, rolls the usage back after a "
    "success, and that ratelimit.consume() keeps its arguments; then run "
    "tests/accounts/test_lockout.py."
)
SITE_REQUEST = (
    "core/handler.py's SiteRequest overrides HttpRequest._set_content_type_params "
    "and the encoding setter, so that building a request never raises. Re-check what the "
    "new code can raise while WSGIRequest.__init__ runs and what the setter resets "
    "(_encoding, GET, _post); then run tests/test_request_charset.py and "
    "tests/test_fuzz.py."
)
TASK_WORKER = (
    "core/worker.py rewrites django-tasks-db's Worker.run() and run_task() (retries, "
    "recovery, pruning) and keeps its constructor and signal handling. Re-read the new "
    "Worker, carry over what changed (claiming, signals, the attributes shutdown() reads, "
    "new options), then run tests/test_tasks.py."
)

# (the upstream object, the sha256 of its source, first 16 hex digits; what to re-check)
PINS = {
    "allauth DefaultAccountAdapter._get_login_attempts_cache_key": (
        DefaultAccountAdapter._get_login_attempts_cache_key,
        "58a617b4345558fb",
        ALLAUTH_LOCKOUT,
    ),
    "allauth DefaultAccountAdapter.pre_authenticate": (
        DefaultAccountAdapter.pre_authenticate,
        "2cf668171ab31a72",
        ALLAUTH_LOCKOUT,
    ),
    "allauth DefaultAccountAdapter.authenticate": (
        DefaultAccountAdapter.authenticate,
        "7b29ce7dcc16ad09",
        ALLAUTH_LOCKOUT,
    ),
    "allauth DefaultAccountAdapter._rollback_login_failed_rl_usage": (
        DefaultAccountAdapter._rollback_login_failed_rl_usage,
        "5f26f968d6fb3662",
        ALLAUTH_LOCKOUT,
    ),
    "allauth DefaultAccountAdapter._delete_login_attempts_cached_email": (
        DefaultAccountAdapter._delete_login_attempts_cached_email,
        "8ef85bf1a8a26a04",
        ALLAUTH_LOCKOUT,
    ),
    "allauth allauth.core.internal.ratelimit.consume": (
        "allauth.core.internal.ratelimit:consume",
        "9243619a0ac1f7cf",
        ALLAUTH_LOCKOUT,
    ),
    "allauth allauth.core.internal.ratelimit.get_cache_key": (
        "allauth.core.internal.ratelimit:get_cache_key",
        "f3b2abae21d0db74",
        ALLAUTH_LOCKOUT,
    ),
    "Django HttpRequest._set_content_type_params": (
        HttpRequest._set_content_type_params,
        "e22945ec8be2f44e",
        SITE_REQUEST,
    ),
    "Django HttpRequest.encoding (getter)": (
        HttpRequest.encoding.fget,
        "6cb05706d1c03185",
        SITE_REQUEST,
    ),
    "Django HttpRequest.encoding (setter)": (
        HttpRequest.encoding.fset,
        "c569134672719fab",
        SITE_REQUEST,
    ),
    "Django WSGIRequest.__init__": (WSGIRequest.__init__, "484035aace3128a9", SITE_REQUEST),
    "django-tasks-db Worker": (db_worker.Worker, "091b92c0234ac044", TASK_WORKER),
}


def source_digest(obj):
    """The first 16 hex digits of the sha256 of ``obj``'s source; ``obj`` may be given
    as "module:name", so that a module that no longer exists fails the test, not the
    collection of every test."""
    if isinstance(obj, str):
        from importlib import import_module

        module, name = obj.split(":")
        obj = getattr(import_module(module), name)
    return hashlib.sha256(inspect.getsource(obj).encode()).hexdigest()[:16]


@pytest.mark.parametrize("name", PINS)
def test_the_upstream_code_the_site_relies_on_is_unchanged(name):
    obj, pinned, what_to_check = PINS[name]
    try:
        digest = source_digest(obj)
    except (ImportError, AttributeError) as error:
        pytest.fail(f"{name} is gone ({error}). {what_to_check}")
    assert digest == pinned, (
        f"{name} changed upstream (its source hash is now {digest}). {what_to_check} "
        "Then update its hash in tests/test_upstream_pins.py."
    )


LOGS = (
    "core/logs.py's loaded_user_id() reads SimpleLazyObject._wrapped and "
    "SessionBase._session_cache to log the user id without loading the user or the "
    "session. Django changed how they keep what they loaded: find the new way, or a "
    "public one, so that a log line never queries the database."
)


def test_a_lazy_object_says_empty_until_evaluated():
    lazy = SimpleLazyObject(lambda: "loaded")
    assert getattr(lazy, "_wrapped", None) is empty, LOGS
    str(lazy)
    assert getattr(lazy, "_wrapped", None) == "loaded", LOGS


@pytest.mark.django_db
@pytest.mark.parametrize("store_class", [DatabaseSessionStore, SiteSessionStore])
def test_a_session_keeps_what_it_loaded_in_its_session_cache(store_class):
    saved = store_class()
    saved[SESSION_KEY] = "42"
    saved.save()

    session = store_class(session_key=saved.session_key)
    assert not hasattr(session, "_session_cache"), LOGS
    assert session.get(SESSION_KEY) == "42"
    assert getattr(session, "_session_cache", None) == {SESSION_KEY: "42"}, LOGS


@pytest.mark.django_db
def test_a_log_line_names_a_loaded_session_s_user_without_loading_the_user(
    django_assert_num_queries,
):
    saved = SiteSessionStore()
    saved[SESSION_KEY] = "42"
    saved.save()
    request = RequestFactory().get("/")
    request.session = SiteSessionStore(session_key=saved.session_key)
    request.user = SimpleLazyObject(lambda: pytest.fail("the user was loaded"))
    with django_assert_num_queries(0):
        assert loaded_user_id(request) is None  # nothing loaded yet: nothing to say
    request.session.get(SESSION_KEY)
    with django_assert_num_queries(0):
        assert loaded_user_id(request) == "42"


def test_the_site_reads_allauth_rates_as_allauth_does():
    """core.views.rate_window reads the documented rate format itself (429's
    Retry-After); it must agree with allauth's own parser on every configured rate."""
    try:
        from allauth.core.internal.ratelimit import parse_rate
    except ImportError as error:
        pytest.fail(
            f"allauth's rate parser moved ({error}): check that the format of "
            "ACCOUNT_RATE_LIMITS is unchanged (core.views.rate_window), then point "
            "this test at the new parser."
        )
    configured = [
        rate.strip()
        for rates in allauth_settings.RATE_LIMITS.values()
        if rates
        for rate in rates.split(",")
    ]
    assert configured
    for rate in [*configured, "5/m", "3/30s/key", "1/2h/user", "2/1.5d/ip"]:
        assert rate_window(rate) == parse_rate(rate).duration, rate


def test_a_rate_not_in_allauth_s_format_is_refused():
    for rate in ["5", "5/", "5/10x/ip", "5/m/ip/extra"]:
        with pytest.raises(ValueError):
            rate_window(rate)
