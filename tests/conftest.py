"""Shared fixtures, named like the things they are."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from posts.importing import import_post
from posts.models import Category, Post

ROOT = Path(__file__).resolve().parent.parent
ARTICLE_FILE = ROOT / "content" / "dl_advice.md"
# Files that failed when issues were filed: shared/ sits beside the checkout (in CI too).
# The inputs the issues named (copied from shared/cases, so a fresh clone has them).
CASES = ROOT / "tests" / "cases"
ARTICLE_TITLE = "Advice for those who want to learn Deep Learning"
# The nine checklist sections of content/dl_advice.md, exactly as a reader sees them: an
# imported post is read as kramdown, whose typography curls the apostrophes (issue 21).
ARTICLE_CHECKLIST = [
    "Don’t learn Machine Learning",
    "Deep Learning gets easier as more time passes.",
    "Get comfortable not knowing a lot of stuff.",
    "Material beats the Method.",
    "Learn a framework well",
    "Be hands-on from Day One",
    "Don’t get intimidated from people on the internet.",
    "Wait and develop skills for a good job. Don’t turn into a beggar.",
    "Finding something difficult??",
]


def session_queries():
    """Queries to load a session: 1 from the database, 0 when sessions are cached (with
    REDIS_URL set, as in one of CI's runs, the engine is cached_db or advice_site's
    subclass of it)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore

    engine = import_module(settings.SESSION_ENGINE)
    return 0 if issubclass(engine.SessionStore, CachedDbStore) else 1


def run_on_commit():
    """Run what the code defers to after the commit (emails, cache invalidation) at the
    end of the block, as it runs in production; inside a test's transaction it would not."""
    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def requests_commit(monkeypatch, django_capture_on_commit_callbacks):
    """Every test client's request ends as a committed request does in production: its
    on-commit callbacks (emails through the immediate task backend, the page cache's
    second generation bump) run before the response comes back. Inside a test's
    transaction they would never run, so a test of what a request sends or invalidates
    asks for this fixture (usually as `pytestmark = pytest.mark.usefixtures(...)`)."""
    plain_request = Client.request

    def request(self, **request):
        with django_capture_on_commit_callbacks(execute=True):
            return plain_request(self, **request)

    monkeypatch.setattr(Client, "request", request)


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def csrf_client():
    """A browser that sends no CSRF token unless told: checks are enforced."""
    return Client(enforce_csrf_checks=True)


def a_worker():
    """The task worker of `manage.py task_worker --batch`, as one test's worker."""
    from core.worker import Worker

    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def run_due_tasks():
    """Run the database backend's tasks that are due, as `task_worker --batch` does, inside
    the test's transaction."""
    worker = a_worker()
    while worker.work_once():
        pass


def task_rows(status=None):
    """The database backend's tasks, oldest first, with the given status if one is given."""
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.order_by("enqueued_at")
    return list(rows.filter(status=status) if status else rows)


def make_post(**overrides):
    """A published post with a two-item checklist; override any field."""
    categories = overrides.pop("categories", [])
    fields = {
        "title": "A test post",
        "slug": "a-test-post",
        "permalink": "/a-test-post/",
        "description": "A post for tests.",
        "body": 'Intro.\n\n## <input type="checkbox"> First thing\n\nText.\n\n'
        '## <input type="checkbox"> Second thing\n\nMore text.\n',
        "status": Post.Status.PUBLISHED,
    }
    fields.update(overrides)
    post = Post.objects.create(**fields)
    if categories:
        post.categories.set(categories)
    return post


def visited_this_hour(client, user, post):
    """Record `user`'s visit to `post` as their browser's first view this hour does (the
    visit row, and the time in their session), so the next view of the page records no
    visit: for tests that pin what building the page costs."""
    import time

    from checklists.page import SESSION_VISITS_KEY
    from checklists.visits import record_visit

    record_visit(user=user, post_id=post.pk)
    session = client.session
    session[SESSION_VISITS_KEY] = {post.get_absolute_url(): time.time()}
    session.save()


def make_user(
    email="reader@example.com", password="a-long-enough-password", verified=True, **extra
):
    """A reader whose one email address is verified (as every reader who can log in has
    it); `verified=False` leaves it unconfirmed, as after a sign-up not yet finished."""
    from allauth.account.models import EmailAddress

    extra.setdefault("username", email.split("@")[0])
    user = get_user_model().objects.create_user(email=email, password=password, **extra)
    EmailAddress.objects.create(user=user, email=email.lower(), verified=verified, primary=True)
    return user


@pytest.fixture
def a_post(db):
    return make_post()


@pytest.fixture
def a_category(db):
    return Category.objects.create(name="Deep Learning", slug="deep-learning")


@pytest.fixture
def the_article(db):
    """The bundled article, imported the way `make run` imports it."""
    return import_post(ARTICLE_FILE).post


@pytest.fixture
def a_reader(db):
    return make_user()


@pytest.fixture
def an_editor(db):
    return make_user(email="editor@example.com", is_staff=True, is_superuser=True)


def image_bytes(image_format="PNG", size=(4, 3)):
    """A small real image file's bytes, made with Pillow."""
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, color=(200, 30, 30)).save(buffer, format=image_format)
    return buffer.getvalue()


@pytest.fixture
def a_staff_member(db):
    """Staff, but not a superuser: may use the editor, has no admin permissions."""
    return make_user(email="staff@example.com", is_staff=True)


@pytest.fixture
def reader_client(client, a_reader):
    client.force_login(a_reader)
    return client


@pytest.fixture
def editor_client(client, an_editor):
    client.force_login(an_editor)
    return client


@pytest.fixture
def write_post_file(tmp_path):
    """Write a Markdown file (str, or bytes as they are) and return its path."""

    def write(content, name="post.md"):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def fresh_cache():
    """Empty caches for every test: allauth keeps its rate-limit history there, and one
    test's logins must not count against the next; pages are cached there too."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=False):
        cache.clear()
    yield
    for cache in caches.all(initialized_only=False):
        cache.clear()


@pytest.fixture
def another_reader(db):
    return make_user(email="other@example.com", display_name="Other Reader")


@pytest.fixture
def a_draft(db):
    """An unpublished post with a checklist."""
    return make_post(
        title="A draft", slug="a-draft", permalink="/a-draft/", status=Post.Status.DRAFT
    )


def admin_form_for(post, **changes):
    """The admin change form of ``post`` as a browser would send it, with ``changes``."""
    published = timezone.localtime(post.published_at)
    data = {
        "title": post.title,
        "slug": post.slug,
        "permalink": post.permalink,
        "description": post.description,
        "body": post.body,
        "status": post.status,
        "published_at_0": published.strftime("%Y-%m-%d"),
        "published_at_1": published.strftime("%H:%M:%S"),
        "publication_date_0": "",
        "publication_date_1": "",
        "categories": [str(pk) for pk in post.categories.values_list("pk", flat=True)],
    }
    if post.publication_date:
        shown = timezone.localtime(post.publication_date)
        data["publication_date_0"] = shown.strftime("%Y-%m-%d")
        data["publication_date_1"] = shown.strftime("%H:%M:%S")
    if post.allow_comments:
        data["allow_comments"] = "on"
    if post.use_math:
        data["use_math"] = "on"
    data.update(changes)
    return data


def edit_in_admin(client, post, **changes):
    """Save ``post`` through its admin change form with ``changes``; the reloaded post."""
    response = client.post(
        reverse("admin:posts_post_change", args=[post.pk]), admin_form_for(post, **changes)
    )
    assert response.status_code == 302, response.content[:2000]
    post.refresh_from_db()
    return post


def free_port():
    """A loopback TCP port nothing listens on (int)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def gunicorn(tmp_path_factory):
    """(port, log path) of a gunicorn serving the site with production settings from a
    migrated SQLite database of its own: one for the session (starting it costs seconds),
    shared by tests/test_gunicorn.py and tests/test_request_charset.py."""
    folder = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "advice_site.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "a-gunicorn-test-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        "DJANGO_CACHE_DIR": str(folder / "cache"),
        "DJANGO_LOG_LEVEL": "INFO",
    }
    env.pop("REDIS_URL", None)
    for command in (["collectstatic", "--no-input"], ["migrate", "--no-input"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    log = folder / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "advice_site.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port, log
    finally:
        server.terminate()
        server.wait(timeout=30)
