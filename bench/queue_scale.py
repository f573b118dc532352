"""The moderation queue at two sizes (issue 23): the admin's comment list, its last page
and its search, with 1,000 and with 100,000 comments, on PostgreSQL. Prints, for each
operation, the median time of 5 views, the queries, and the ratio of the large size to
the small.

Usage: python bench/queue_scale.py    (make bench-queue)
Environment: BENCH_QUEUE_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/advice_bench_queue): a database this script drops and
creates again at each size.
"""

import json
import os
import random
import secrets
import subprocess
import sys
import time
from pathlib import Path
from statistics import median
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "BENCH_QUEUE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/advice_bench_queue"
)
SIZES = [(1_000, 1_000), (10_000, 100_000)]  # (readers, comments)
POSTS = 200
VIEWS = 5
WORDS = [
    "learn",
    "framework",
    "model",
    "gradient",
    "paper",
    "course",
    "project",
    "notebook",
    "dataset",
    "tensor",
]


def environment(database_url=DATABASE_URL):
    """The benchmark's environment for the site's settings, on ``database_url`` (str)."""
    return {
        **os.environ,
        # The test settings: static files from the apps' folders, nothing collected first.
        "DJANGO_SETTINGS_MODULE": "advice_site.test_settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "testserver,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        # Seeding writes 100,000 rows in one statement; the site's limit is 3 s.
        "DATABASE_STATEMENT_TIMEOUT": "300",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def reset_database(database_url=DATABASE_URL):
    """Drop the database of ``database_url`` (str) and create it again, empty."""
    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')


def seed(readers, comments):
    """``readers`` readers and ``comments`` comments over POSTS posts, a tenth of them
    awaiting a moderator, in bulk."""
    from django.db.models import F
    from django.utils import timezone

    from accounts.models import User
    from comments.models import Comment
    from posts.models import Post

    now = timezone.now()
    posts = Post.objects.bulk_create(
        Post(
            title=f"Post {n}",
            slug=f"post-{n}",
            permalink=f"/post-{n}/",
            body="",
            body_html="",
            status=Post.Status.PUBLISHED,
            published_at=now,
        )
        for n in range(POSTS)
    )
    users = User.objects.bulk_create(
        User(username=f"reader{n}", email=f"reader{n}@example.com", display_name=f"Reader {n}")
        for n in range(readers)
    )
    rng = random.Random(1)
    batch = []
    for n in range(comments):
        body = " ".join(rng.choice(WORDS) for _ in range(40)) + f" number{n}"
        batch.append(
            Comment(
                post=rng.choice(posts),
                author=rng.choice(users),
                body=body,
                body_html=f"<p>{body}</p>",
                status="pending" if n % 10 == 0 else "approved",
                created_at=now - timezone.timedelta(minutes=comments - n),
            )
        )
        if len(batch) == 5_000:
            Comment.objects.bulk_create(batch)
            batch = []
    Comment.objects.bulk_create(batch)
    Comment._base_manager.filter(thread__isnull=True).update(thread_id=F("pk"))
    with psycopg.connect(DATABASE_URL, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")


def timed(client, url, query):
    """(median milliseconds of VIEWS views, queries of one view)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(VIEWS):
        start = time.perf_counter()
        response = client.get(url, query)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url, query)
    return median(times), len(queries)


def measure():
    """{operation: (ms, queries)} for the data now in the database."""
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from comments.models import Comment

    editor = User.objects.create_superuser("editor", "editor@example.com", "x" * 20)
    client = Client()
    client.force_login(editor)
    queue = reverse("admin:comments_comment_changelist")
    awaiting = {"status__exact": "awaiting"}
    first = client.get(queue, awaiting)  # the session and the content types, once
    assert first.status_code == 200
    pages = max(1, -(-Comment.objects.awaiting_moderation().count() // 50))
    return {
        "queue, first page": timed(client, queue, awaiting),
        "queue, last page": timed(client, queue, {**awaiting, "p": pages}),
        "all comments, first page": timed(client, queue, {"status__exact": "all"}),
        "search, a word in the text": timed(client, queue, {"q": "number4242"}),
        "search, a reader's name": timed(client, queue, {"q": "Reader 4242"}),
    }


def in_fresh_database(database_url, env, code):
    """Run ``code`` (Python, str) in a new process with ``env`` (the site's environment,
    see environment()) on an empty, migrated database at ``database_url`` (str), with
    Django set up and bench/ importable; return the JSON (parsed) its last line prints.
    Exits this script with the process's error when it fails. Shared by the benchmarks
    that seed a throwaway database (this one, scale.py, disqus_scale.py)."""
    reset_database(database_url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    script = f"import sys, json; sys.path.insert(0, 'bench'); import django; django.setup()\n{code}"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    if out.returncode:
        sys.exit(f"{code.strip().splitlines()[-1]} failed (its error is above)")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_size(readers, comments):
    return in_fresh_database(
        DATABASE_URL,
        environment(),
        f"import queue_scale as q\nq.seed({readers}, {comments})\nprint(json.dumps(q.measure()))",
    )


def main():
    results = [run_size(*size) for size in SIZES]
    small, large = results
    names = [f"{r:,} readers / {c:,} comments" for r, c in SIZES]
    print(f"| operation | {names[0]} | {names[1]} | queries | ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for operation, (ms, queries) in small.items():
        big_ms, big_queries = large[operation]
        print(
            f"| {operation} | {ms:.0f} ms | {big_ms:.0f} ms | {queries} → {big_queries} |"
            f" {big_ms / ms:.1f}× |"
        )


if __name__ == "__main__":
    main()
