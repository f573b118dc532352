"""The post page built from nothing, in-process: every cached page made stale before each
view, so each view queries and renders everything. Run by bench/run.py with the
benchmark's environment and data; prints one line.

Usage: python bench/build_time.py PERMALINK
"""

import sys
import time
from pathlib import Path
from statistics import median

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
django.setup()

from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402
from comments.models import Comment  # noqa: E402
from pages import page_cache  # noqa: E402

VIEWS = 30


def built(client, permalink):
    """Milliseconds for each of VIEWS views, every one built from nothing."""
    times = []
    for _ in range(VIEWS):
        page_cache.changed(page_cache.CONTENT)
        start = time.perf_counter()
        response = client.get(permalink, HTTP_HOST="127.0.0.1")
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def main(permalink):
    visitor = Client()
    reader = Client()
    reader.force_login(User.objects.filter(comments__isnull=False).first())
    html = visitor.get(permalink, HTTP_HOST="127.0.0.1").content.decode()
    shown = html.count('<article class="comment')
    visitor_ms = median(built(visitor, permalink))
    reader_ms = median(built(reader, permalink))
    comments = Comment.objects.public().count()
    print(
        f"page built from nothing (in-process, median of {VIEWS}): visitor {visitor_ms:.1f} ms, "
        f"reader {reader_ms:.1f} ms, with {comments} approved comments ({shown} on the page)"
    )


if __name__ == "__main__":
    main(sys.argv[1])
