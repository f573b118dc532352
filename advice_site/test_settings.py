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
# Without REDIS_URL the shared cache is a folder, as in production: a throwaway one, in
# memory where Linux offers a tmpfs (/dev/shm): the same files, written ten times faster
# than on a disk, and the suite writes thousands (sessions, pages, generations).
if not os.environ.get("DJANGO_CACHE_DIR"):
    _memory = "/dev/shm"
    os.environ["DJANGO_CACHE_DIR"] = tempfile.mkdtemp(
        prefix="advice-site-test-cache-",
        dir=_memory if os.path.isdir(_memory) and os.access(_memory, os.W_OK) else None,
    )
    atexit.register(shutil.rmtree, os.environ["DJANGO_CACHE_DIR"], ignore_errors=True)

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
