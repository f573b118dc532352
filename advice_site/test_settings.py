"""Settings for the test suite: the real settings with faster parts swapped in."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Tasks (emails) run at once, so tests read the outbox; the worker's tests switch to the
# database backend themselves.
os.environ.setdefault("TASKS_BACKEND", "immediate")
# pytest-xdist runs the suite in several processes ("gw0", "gw1", ...; none without it).
# The tests empty the shared cache before and after each test, so each process needs a
# cache of its own: a folder of its own, and with Redis a database of its own.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_WORKER_NUMBER = int(_WORKER[2:]) if _WORKER.startswith("gw") else 0

# Without REDIS_URL the shared cache is a folder, as in production: a throwaway one, in
# memory where Linux offers a tmpfs (/dev/shm): the same files, written ten times faster
# than on a disk, and the suite writes thousands (sessions, pages, generations).
# The folder is remembered per process in the environment, so that a command a test runs
# in a subprocess (which loads these settings again) shares it.
_FOLDER_VARIABLE = f"ADVICE_SITE_TEST_CACHE_DIR_{_WORKER or 'main'}"
if not os.environ.get(_FOLDER_VARIABLE):
    _memory = "/dev/shm"
    os.environ[_FOLDER_VARIABLE] = tempfile.mkdtemp(
        prefix="advice-site-test-cache-",
        dir=_memory if os.path.isdir(_memory) and os.access(_memory, os.W_OK) else None,
    )
    atexit.register(shutil.rmtree, os.environ[_FOLDER_VARIABLE], ignore_errors=True)
os.environ["DJANGO_CACHE_DIR"] = os.environ[_FOLDER_VARIABLE]


def _worker_database(url, number):
    """``url`` (a redis:// URL, str) with its database number moved up by ``number``
    (int), modulo Redis's default 16 databases: gw0 keeps the URL's own."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base + number) % 16}"))


# The URL as the run was given it is kept, so that a subprocess moves from it, not from
# an already moved one.
if os.environ.get("REDIS_URL") or os.environ.get("ADVICE_SITE_TEST_REDIS_URL"):
    _given = os.environ.setdefault("ADVICE_SITE_TEST_REDIS_URL", os.environ["REDIS_URL"])
    os.environ["REDIS_URL"] = _worker_database(_given, _WORKER_NUMBER)

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The test client speaks plain HTTP; the production security settings are tested
# explicitly (tests/test_deployment.py) with these switched back on.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Serve static files from the apps' folders; nothing is collected before tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
