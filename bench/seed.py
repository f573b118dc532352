"""Fill the benchmark database: the article, 10,000 readers with ticks, 500 comments with
replies, and readers with sessions for the load generator. Run by bench/run.py."""

import json
import random
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import transaction  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402

from accounts.models import User  # noqa: E402
from checklists.models import ChecklistItem, Tick  # noqa: E402
from checklists.progress import recount_readers  # noqa: E402
from comments.models import Comment  # noqa: E402
from posts.importing import import_post  # noqa: E402

READERS = 10_000
COMMENTS = 500
LOAD_USERS = 2_000  # readers the load generator acts as (ticks and comments)
ROOT = Path(__file__).resolve().parent.parent


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
        ticks = [
            Tick(user=user, item=item)
            for user in users[LOAD_USERS:]
            for item in items
            if random.random() < 0.5
        ]
        Tick.objects.bulk_create(ticks, batch_size=5000)
        recount_readers(items)

        comments = []
        for i in range(COMMENTS):
            parent = random.choice(comments) if comments and random.random() < 0.3 else None
            if parent is not None and parent.depth >= settings.COMMENTS_MAX_DEPTH:
                parent = parent.parent
            comment = Comment.objects.create(
                post=post,
                parent=parent,
                depth=parent.depth + 1 if parent else 0,
                author=users[LOAD_USERS + i],
                body=f"Benchmark comment {i}",
                body_html=f"<p>Benchmark comment {i}</p>",
                status=Comment.Status.APPROVED,
            )
            comment.thread_id = parent.thread_id if parent else comment.pk
            comment.save(update_fields=["thread"])
            comment.parent = parent
            comments.append(comment)

    sessions = []
    for user in users[:LOAD_USERS]:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        # An unmasked CSRF secret is accepted both as the cookie and as X-CSRFToken.
        sessions.append({"session": store.session_key, "csrf": _get_new_csrf_string()})
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
        f"seeded {READERS} readers, {len(ticks)} ticks, {COMMENTS} comments, "
        f"{LOAD_USERS} load sessions"
    )


if __name__ == "__main__":
    main(sys.argv[1])
