"""Settings for advice_site, read from the environment (12-factor).

Development defaults are safe only while DEBUG is on; with DEBUG off a missing
secret stops start-up with a clear message instead of running insecurely.
"""

import hashlib
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse_lazy
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from None


def cache_directory(configured, databases):
    """str: the folder of the file cache used without Redis. ``configured``
    (DJANGO_CACHE_DIR) when set; else one under the user's cache folder
    ($XDG_CACHE_HOME or ~/.cache, private to the user: Django's file cache unpickles what
    it finds there) named for this checkout and database, so two checkouts of the same
    code with different databases never share pages. Made if missing.

    Raises ImproperlyConfigured, naming the folder, when it cannot be made, belongs to
    another user, or others may write it (issue 19)."""
    if configured:
        folder = Path(configured)
    else:
        database = databases["default"]
        identity = "|".join(
            str(part)
            for part in (BASE_DIR, database["ENGINE"], database.get("HOST"), database.get("NAME"))
        )
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        folder = Path(base) / "advice_site" / hashlib.sha256(identity.encode()).hexdigest()[:12]
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = folder.stat()
    except OSError as error:
        raise ImproperlyConfigured(
            f"The page cache's folder {folder} cannot be made ({error.strerror}): set "
            "DJANGO_CACHE_DIR to a folder this user may write, or set REDIS_URL."
        ) from None
    # Django's file cache unpickles what it finds: a folder another user can write lets
    # them run code as the site (issue 19).
    if status.st_uid != os.geteuid():
        raise ImproperlyConfigured(
            f"The page cache's folder {folder} belongs to user id {status.st_uid}, not to "
            f"the site's user (id {os.geteuid()}): set DJANGO_CACHE_DIR to a folder of "
            "this user's own (chmod 700), or set REDIS_URL."
        )
    if status.st_mode & 0o022:
        raise ImproperlyConfigured(
            f"The page cache's folder {folder} can be written by other users (mode "
            f"{status.st_mode & 0o777:o}): run chmod 700 on it, or set DJANGO_CACHE_DIR to "
            "a folder only this user may write, or set REDIS_URL."
        )
    return str(folder)


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value in production, "
            "or set DJANGO_DEBUG=true for local development."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
# Former keys, comma-separated, while a rotation settles: sessions, signed links and the
# emails waiting in the task table (sealed under the key, core/mail.py) still open.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Public address of the site: every absolute link (robots.txt, sitemap, feed, emails,
# canonical links) is built from it, at every start (core.site).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
_site_url = urlsplit(SITE_URL)
if _site_url.scheme not in {"http", "https"} or not _site_url.netloc or _site_url.path:
    raise ImproperlyConfigured(
        f"SITE_URL must be the site's origin, such as https://advice.example.com "
        f"(http or https, a host, no path), not {SITE_URL!r}."
    )
SITE_NAME = os.environ.get("SITE_NAME", "Advice")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.redirects",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.google",
    "markdownx",
    "reversion",
    "django_tasks_db",
    # What every app stands on: HTTP helpers, the rows-changed signal, text, the client's
    # address, the cache backend, mail, tasks and their worker, the error pages.
    "core",
    "accounts",
    "posts",
    "checklists",
    "comments",
    # The reader's pages, composed of each app's part, and the post page cache.
    "pages",
]

# What each app keeps of a reader, in the export's order (accounts.data composes them;
# the account's own part is deleted last, so it comes first).
READER_DATA = ["accounts.data", "comments.data", "checklists.data"]

MIDDLEWARE = [
    # Cross-Origin-Resource-Policy on every response; a warning for an untrusted proxy.
    "core.middleware.EveryResponseMiddleware",
    # First, so load balancers and Docker's HEALTHCHECK get an answer whatever the Host.
    "core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed on the way out (static files come precompressed from WhiteNoise).
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # ETag and Last-Modified answered with 304: below GZip, so the ETag is taken from the
    # uncompressed page, and below every middleware that adds headers, so a 304 carries
    # them too (Django's 304 keeps only the caching headers of the response it replaces).
    "django.middleware.http.ConditionalGetMiddleware",
    # A malformed Host, a port out of range, no Host on HTTP/1.1: the 400 page (issue 19).
    "core.middleware.RequestHostMiddleware",
    "core.middleware.RejectNullCharactersMiddleware",
    # PUT, DELETE, TRACE, OPTIONS and made-up methods: 405, with the headers above.
    "core.middleware.AllowedMethodsMiddleware",
    # A body in another charset than UTF-8: the 400 page, before anything reads it.
    "core.middleware.RequestCharsetMiddleware",
    # Query fields, body sizes and files bounded, before CSRF's check reads the body.
    "core.middleware.RequestLimitsMiddleware",
    # Anything with a session leaves Cache-Control: private (issue 19).
    "core.middleware.PrivateSessionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Old permalinks answer with a permanent redirect to the new address.
    # A deleted post's old permalinks answer 410 with the site's page.
    "posts.middleware.RedirectFallbackMiddleware",
]

ROOT_URLCONF = "advice_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "advice_site.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Persistent connections in production, checked before reuse so a restarted
        # PostgreSQL is reconnected to by itself.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    # Fail fast while the database is down instead of holding a worker for minutes.
    _options["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 3)
    # And while it hangs (a lock held, a server overwhelmed): PostgreSQL cancels a
    # statement after this many seconds, and the page answers 503 (issue 19). 0 turns
    # it off, for a long migration.
    _statement_timeout = env_int("DATABASE_STATEMENT_TIMEOUT", 3)
    _options["options"] = " ".join(
        part
        for part in (_options.get("options", ""), f"-c statement_timeout={_statement_timeout}s")
        if part
    )

# Caches: Redis when REDIS_URL is set, shared by every app server.
# "shared" holds what must be the same on every server or nowhere (post pages, sessions);
# while Redis is unreachable it misses, and pages and sessions come from the database
# (sessions are stored there and only cached, so a lost Redis logs nobody out).
# "default" holds rate limits (ours and allauth's) and other small counters; while Redis
# is unreachable each process counts in its own memory (core.cache).
# Without Redis, "shared" is Django's file cache, so every process on this machine (each
# gunicorn worker, a management command such as clear_page_cache) sees the same pages and
# generations; "default" is each process's memory.
# Rate limits must outlive any flood of pages (issue 19): a Redis that evicts under memory
# pressure evicts from every database it holds, so REDIS_RATE_LIMIT_URL names a second
# Redis server (run with maxmemory-policy noeviction, README "Redis") for "default".
# Unset, both aliases share REDIS_URL's server, as before.
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_RATE_LIMIT_URL = os.environ.get("REDIS_RATE_LIMIT_URL", "") or REDIS_URL
if REDIS_URL:
    _redis = {
        "BACKEND": "core.cache.RedisCache",
        "KEY_PREFIX": "advice",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
    }
    CACHES = {
        "default": {
            **_redis,
            "LOCATION": REDIS_RATE_LIMIT_URL,
            "OPTIONS": {**_redis["OPTIONS"], "WHILE_DOWN": "memory"},
        },
        "shared": {
            **_redis,
            "LOCATION": REDIS_URL,
            "OPTIONS": {**_redis["OPTIONS"], "WHILE_DOWN": "miss"},
        },
    }
    # Django's cached_db, whose log-out fails rather than being undone by a hung Redis.
    SESSION_ENGINE = "core.sessions"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {
            # Django's, with writes the disk refuses skipped (core.cache).
            "BACKEND": "core.cache.FileBasedCache",
            "LOCATION": cache_directory(os.environ.get("DJANGO_CACHE_DIR", ""), DATABASES),
            # Each reader who viewed a page in the last minute has one; past this many
            # files Django deletes a third of them at random (a deleted page or generation
            # is a miss: the page is built again, never served stale).
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        },
    }
SESSION_CACHE_ALIAS = "shared"

# The running code and templates, part of every cached page's key: a deploy never serves
# HTML that points at static files it removed. Set it to the commit in a build pipeline;
# by default it is a digest of the project's source (pages.page_cache.release).
RELEASE = os.environ.get("DJANGO_RELEASE", "")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# Accounts (django-allauth): email and password, a public display name, rate limits on.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_USER_DISPLAY = "accounts.adapters.user_display"  # a dotted path to a function
ACCOUNT_EMAIL_SUBJECT_PREFIX = os.environ.get("EMAIL_SUBJECT_PREFIX", "")
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"

# One address per reader, and an address counts only once its owner has proved it is
# theirs (issue 14): accounts/addresses.py has the rule, this is allauth's part of it.
# - Every address is verified by a code mailed to it and typed into the same browser
#   session, before the account opens (sign-up) or before it replaces the old address
#   (change). A code is useless to anyone who did not start that session, so a stranger
#   who receives one cannot attach their address to someone's account; and an address
#   being changed to is kept in the session only, never stored, so until it is verified
#   it cannot log in, receive a reset, or stand in anybody's way.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_RESEND = True
if os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "mandatory") != "mandatory":
    raise ImproperlyConfigured(
        "ACCOUNT_EMAIL_VERIFICATION is no longer configurable: every address is verified "
        "before it counts (issue 14). Remove the variable from the environment."
    )
# - Changing the address replaces the old one once the new one is verified; until then
#   the old one stays in force. Changing it first asks for the password again (allauth
#   remembers that for five minutes), so a browser left logged in cannot change it.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# - Addresses are unique once verified. "strict" is allauth's setting for letting an
#   unverified claim (a sign-up whose code was never typed) share its address with the
#   owner's own sign-up; the first to verify keeps it, and the other claims are dropped.
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = "strict"
# allauth's own rates, except its 30 log-in posts a minute per IP address, successes
# included: a stranger spending them kept the owner out of their own browser (issue 19).
# Guessing stays bounded by login_failed (accounts.adapters: 5 per account and client in
# 5 minutes, 10 failures a minute per address), which refuses before a password is hashed.
ACCOUNT_RATE_LIMITS = {"login": None}
# - Sign-up, log-in, reset and change answer alike whether or not an address is known;
#   the mail tells the address's owner what happened.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
# - The reader hears at their (old) address when the address or password changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = False  # a mailed code opens no account; see addresses.py
ACCOUNT_FORMS = {
    "signup": "accounts.allauth_forms.SignupForm",
    "confirm_email_verification_code": "accounts.allauth_forms.ConfirmEmailVerificationCodeForm",
    "reset_password": "accounts.allauth_forms.ResetPasswordForm",
}
ACCOUNT_EMAIL_CONFIRMATION_AUTHENTICATED_REDIRECT_URL = reverse_lazy("account_email")
# - Social log-in opens an existing account only through an address verified on both
#   sides: by the provider, and here (SocialAccountAdapter.authenticate_by_email).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_FORMS = {"signup": "accounts.allauth_forms.SocialSignupForm"}
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"

# Social login is switched on by configuration alone: set a provider's client id and
# secret in the environment (or add a Social application in admin). A provider with
# neither shows no button.
SOCIALACCOUNT_PROVIDERS = {}
for _provider, _scope in (("github", ["user:email"]), ("google", ["profile", "email"])):
    _client_id = os.environ.get(f"{_provider.upper()}_CLIENT_ID", "")
    _secret = os.environ.get(f"{_provider.upper()}_CLIENT_SECRET", "")
    SOCIALACCOUNT_PROVIDERS[_provider] = {"SCOPE": _scope}
    if _client_id and _secret:
        SOCIALACCOUNT_PROVIDERS[_provider]["APPS"] = [{"client_id": _client_id, "secret": _secret}]

# Email through Django 6.1's MAILERS: console by default, SMTP when EMAIL_HOST is set.
if os.environ.get("EMAIL_HOST"):
    _email_port = env_int("EMAIL_PORT", 587)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": _email_port,
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=_email_port == 587),
                "use_ssl": env_bool("EMAIL_USE_SSL", default=_email_port == 465),
                "timeout": env_int("EMAIL_TIMEOUT", 10),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Advice <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# advice_site.E001 says the same as Django's mail.E001 and names the setting to fix it.
SILENCED_SYSTEM_CHECKS = [
    "mail.E001",
    # comment_thread_start_idx INCLUDEs the columns that say who may read a first comment,
    # so PostgreSQL counts a post's threads from the index alone (issue 23); SQLite builds
    # the same index without them, which is all this warning says.
    "models.W040",
]

# Background tasks (Django's django.tasks): every email leaves through one. "database"
# (the default in production) stores each task in PostgreSQL in the same transaction as
# the change it reports, and `manage.py task_worker` runs it; "immediate" (the default
# with DEBUG) runs it at once in the request, so `make run` needs no worker.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate" if DEBUG else "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured("TASKS_BACKEND must be database or immediate.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}
# The worker's retries and recovery (core/worker.py).
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 10)  # 30 s, 1, 2, 4 ... 60 min: ~3 hours
TASKS_RETRY_DELAY_SECONDS = env_int("TASKS_RETRY_DELAY_SECONDS", 30)
# A task still running this long after it started had its worker die: run it again.
# Longer than any task takes (an email: EMAIL_TIMEOUT for each step with the server).
TASKS_LEASE_SECONDS = env_int("TASKS_LEASE_SECONDS", 120)
# The worker deletes finished tasks itself (issue 19): sent emails after this many hours,
# failed ones (kept for a person to look at and run again) after this many days.
TASKS_KEEP_SUCCESSFUL_HOURS = env_int("TASKS_KEEP_SUCCESSFUL_HOURS", 1)
TASKS_KEEP_FAILED_DAYS = env_int("TASKS_KEEP_FAILED_DAYS", 7)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

SITE_ID = 1

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]

if not DEBUG:
    # Hashed, compressed file names that can be cached for a year (WhiteNoise).
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

# Where posts imported from a Jekyll site live (issue 21, docs/writing.md): "jekyll" keeps
# the address Jekyll gave each (.html, capitals and baseurl included), as migration guides
# advise; "clean" gives it /<slug>/ and redirects permanently from Jekyll's.
JEKYLL_ADDRESSES = os.environ.get("JEKYLL_ADDRESSES", "jekyll")
if JEKYLL_ADDRESSES not in ("jekyll", "clean"):
    raise ImproperlyConfigured(
        f"JEKYLL_ADDRESSES is 'jekyll' (keep Jekyll's addresses) or 'clean' (/<slug>/, "
        f"redirected from Jekyll's), not {JEKYLL_ADDRESSES!r}."
    )

# markdownx: the admin editor's live preview uses the site's own renderer, so the
# preview is exactly the page; uploads are raster images only (no SVG, which can
# carry script), checked by their bytes in posts.editor_views.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "posts.markdown.render_preview"
MARKDOWNX_URLS_PATH = "/editor/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/editor/upload/"
MARKDOWNX_MEDIA_PATH = "posts/images/"
MARKDOWNX_UPLOAD_MAX_SIZE = env_int("IMAGE_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
MARKDOWNX_UPLOAD_CONTENT_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
MARKDOWNX_IMAGE_MAX_SIZE = {"size": (1600, 1600), "quality": 85}

# Request bodies, bounded before anything reads or spools them (issue 19): larger bodies
# answer 413 (core.middleware.RequestLimitsMiddleware). REQUEST_BODY_LIMITS names
# views, URL names or namespaces; everything else takes REQUEST_BODY_MAX_BYTES, room
# for the longest comment sent as a urlencoded form (5000 characters, 12 bytes each).
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 128 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("ADMIN_FORM_MAX_BYTES", 2_621_440)  # Django's: long posts
REQUEST_BODY_LIMITS = {
    "admin": DATA_UPLOAD_MAX_MEMORY_SIZE,
    "editor_markdownify": DATA_UPLOAD_MAX_MEMORY_SIZE,  # the preview of a whole post
    "editor_upload": MARKDOWNX_UPLOAD_MAX_SIZE + 64 * 1024,
    "checklists": 8 * 1024,  # a tick: {"done": true}, or a form with a return address
}
# Only these views take files (multipart with a file part elsewhere is a 400, unread);
# one image at a time, kept in memory, never spooled to a temporary file.
FILE_UPLOAD_VIEWS = ["editor_upload"]
DATA_UPLOAD_MAX_NUMBER_FILES = 1
FILE_UPLOAD_MAX_MEMORY_SIZE = MARKDOWNX_UPLOAD_MAX_SIZE + 64 * 1024

# Security headers and cookies. With DEBUG off `manage.py check --deploy` is clean.
# Behind a TLS-terminating proxy set DJANGO_BEHIND_TLS_PROXY=true so Django knows the
# original request was HTTPS; DJANGO_SECURE_SSL_REDIRECT=false leaves redirects to it.
if env_bool("DJANGO_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True  # scripts read the token from the form, never the cookie
# A failed CSRF check answers the site's 403 page, in its layout (issue 18).
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# Every asset comes from the site itself; no inline script or style anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    # Social log-in forms redirect to the provider.
    "form-action": [CSP.SELF, "https://github.com", "https://accounts.google.com"],
}
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# Client addresses: X-Forwarded-For is believed only from these proxies (IPs or networks).
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES")

# Comments: all limits configurable from the environment.
COMMENTS_MAX_LENGTH = env_int("COMMENTS_MAX_LENGTH", 5000)
COMMENTS_MAX_DEPTH = env_int("COMMENTS_MAX_DEPTH", 2)  # replies to replies, no deeper
COMMENTS_EDIT_WINDOW = timedelta(minutes=env_int("COMMENTS_EDIT_MINUTES", 15))
COMMENTS_TRUSTED_AFTER = env_int("COMMENTS_TRUSTED_AFTER", 3)  # approved, none rejected
COMMENTS_FLAGS_TO_HIDE = env_int("COMMENTS_FLAGS_TO_HIDE", 3)
COMMENTS_THREADS_PER_PAGE = env_int("COMMENTS_THREADS_PER_PAGE", 30)
COMMENTS_RATE_LIMIT_PER_READER = env_int("COMMENTS_RATE_LIMIT_PER_READER", 5)
COMMENTS_RATE_LIMIT_PER_IP = env_int("COMMENTS_RATE_LIMIT_PER_IP", 20)
COMMENTS_RATE_LIMIT_SECONDS = env_int("COMMENTS_RATE_LIMIT_SECONDS", 600)
COMMENTS_IP_RETENTION_DAYS = env_int("COMMENTS_IP_RETENTION_DAYS", 30)
# Moderators get one email listing what awaits them per this many minutes; 0 sends one
# email per comment. The delay needs a backend that can defer tasks (the database one).
COMMENTS_MODERATOR_DIGEST_MINUTES = env_int(
    "COMMENTS_MODERATOR_DIGEST_MINUTES", 0 if TASKS_BACKEND == "immediate" else 15
)
if COMMENTS_MODERATOR_DIGEST_MINUTES and TASKS_BACKEND == "immediate":
    raise ImproperlyConfigured(
        "COMMENTS_MODERATOR_DIGEST_MINUTES needs TASKS_BACKEND=database: the immediate "
        "backend runs a task at once and cannot wait. Set it to 0 or use the database."
    )

# Logs go to standard output, one line per record: an error carries the request's
# method, path, status, client address and the exception, enough to act on.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"one_line": {"()": "core.logs.OneLineFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "one_line",
        },
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger would also print every 404 as a warning.
        "django.request": {"level": os.environ.get("DJANGO_REQUEST_LOG_LEVEL", "ERROR")},
    },
}
