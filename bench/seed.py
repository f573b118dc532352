"""Fill the benchmark database: the article, 10,000 readers with ticks, 1,000 approved
comments in threads (518 of them in the first page's 30 threads, as issue 9 measured),
and readers with sessions for the load generator. Run by bench/run.py."""

import json
import random
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import transaction  # noqa: E402
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from accounts.models import User  # noqa: E402
from checklists.models import ChecklistItem, Tick  # noqa: E402
from checklists.progress import recount_readers  # noqa: E402
from comments.models import Comment  # noqa: E402
from posts.importing import import_post  # noqa: E402

READERS = 10_000
# Thread sizes: the first page's 30 threads hold 518 comments (8 threads of 18, 22 of
# 17), the next 40 threads the other 482 (2 of 13, 38 of 12): 1,000 in all.
THREAD_SIZES = [18] * 8 + [17] * 22 + [13] * 2 + [12] * 38
LOAD_USERS = 2_000  # readers the load generator acts as (ticks and comments)
ROOT = Path(__file__).resolve().parent.parent


def seed_comments(post, authors):
    """THREAD_SIZES threads, oldest first: each a thread starter, replies to it and
    replies to those (depth 2 at most), with their HTML rendered as the site renders it."""
    from datetime import timedelta

    from django.utils import timezone

    from comments.rendering import render_comment

    start = timezone.now() - timedelta(days=30)
    number = 0
    comments = []
    for size in THREAD_SIZES:
        thread = []
        for _ in range(size):
            parent = random.choice(thread) if thread else None
            if parent is not None and parent.depth >= settings.COMMENTS_MAX_DEPTH:
                parent = parent.parent
            body = f"Benchmark comment {number}: a thought about *the article*, and a question."
            comment = Comment(
                post=post,
                parent=parent,
                thread=thread[0] if thread else None,
                depth=parent.depth + 1 if parent else 0,
                author=authors[number % len(authors)],
                body=body,
                body_html=render_comment(body),
                status=Comment.Status.APPROVED,
                created_at=start + timedelta(minutes=number),
            )
            comment.save()  # sets the thread of a thread starter
            thread.append(comment)
            number += 1
        comments += thread
    return comments


def main(out_path):
    random.seed(42)
    post = import_post(ROOT / "content" / "dl_advice.md").post
    items = list(ChecklistItem.objects.current().filter(post=post))
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(
                username=f"reader{i}",
                email=f"reader{i}@bench.invalid",
                display_name=f"Reader {i}",
                password="!",
            )  # unusable password: these never log in with one
            for i in range(READERS)
        )
        # Verification is mandatory: readers comment only with a verified address.
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
        )
        ticks = [
            Tick(user=user, item=item)
            for user in users[LOAD_USERS:]
            for item in items
            if random.random() < 0.5
        ]
        Tick.objects.bulk_create(ticks, batch_size=5000)
        recount_readers(items)

        comments = seed_comments(post, users[LOAD_USERS:])

    sessions = []
    for user in users[:LOAD_USERS]:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        # An unmasked CSRF secret is accepted both as the cookie and as X-CSRFToken.
        csrf = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
        sessions.append({"session": store.session_key, "csrf": csrf})
    Path(out_path).write_text(
        json.dumps(
            {
                "post_id": post.pk,
                "permalink": post.permalink,
                "items": [item.pk for item in items],
                "sessions": sessions,
                "session_cookie": settings.SESSION_COOKIE_NAME,
            }
        )
    )
    print(
        f"seeded {READERS} readers, {len(ticks)} ticks, {len(comments)} comments, "
        f"{LOAD_USERS} load sessions"
    )


if __name__ == "__main__":
    main(sys.argv[1])
