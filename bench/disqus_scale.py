"""The Disqus import at two sizes (issue 23): a synthetic export of 300 threads with
10,000 and with 100,000 comments (a third top-level, the rest replies, one in a hundred
deleted and one in two hundred spam on Disqus, 2,000 names each used many times),
imported by ``manage.py import_disqus`` on PostgreSQL, then imported again (every
comment already there). Prints, for each size and run, the seconds (wall, CPU of the
importing process, waiting for queries) and the queries.

Usage: python bench/disqus_scale.py [COMMENTS ...]    (make bench-disqus)
COMMENTS: the sizes to run, 10000 and 100000 by default.
Environment: BENCH_DISQUS_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/advice_bench_disqus): a database this script drops and
creates again at each size.
"""

import datetime
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

import queue_scale

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "BENCH_DISQUS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/advice_bench_disqus"
)
SIZES = [10_000, 100_000]
THREADS = 300
NAMES = 2_000
START = datetime.datetime(2015, 1, 1)
HEADER = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
)


def environment():
    """queue_scale's benchmark environment on this script's database, with the site's
    own statement limit (3 s): the import runs as in production."""
    env = queue_scale.environment(DATABASE_URL)
    env.pop("DATABASE_STATEMENT_TIMEOUT", None)
    return env


def write_export(path, comments):
    """A Disqus export of THREADS threads (every tenth closed) and ``comments`` comments
    at ``path`` (a Path): a third top-level, the rest replies to an earlier comment of
    their thread, every hundredth deleted and every two hundredth spam on Disqus."""
    rng = random.Random(1)
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for n in range(THREADS):
            closed = "true" if n % 10 == 9 else "false"
            out.write(
                f'<thread dsq:id="t{n}"><id>post-{n}</id>'
                f"<link>https://old.example/post-{n}/index.html</link>"
                f"<title>Post {n} | Old blog</title><isClosed>{closed}</isClosed>"
                "<isDeleted>false</isDeleted></thread>\n"
            )
        by_thread = [[] for _ in range(THREADS)]
        for n in range(comments):
            thread = rng.randrange(THREADS)
            earlier = by_thread[thread]
            parent = ""
            if earlier and rng.random() > 1 / 3:
                parent = f'<parent dsq:id="{rng.choice(earlier[-50:])}" />'
            earlier.append(n)
            created = START + datetime.timedelta(minutes=n)
            name = escape(f"Reader {rng.randrange(NAMES)}")
            out.write(
                f'<post dsq:id="{n}"><id /><message><![CDATA[<p>Comment {n}: a word '
                f'about <a href="https://example.org/{n}">a paper</a>.</p><p>And '
                "<em>another</em> paragraph.</p>]]></message>"
                f"<createdAt>{created:%Y-%m-%dT%H:%M:%SZ}</createdAt>"
                f"<isDeleted>{'true' if n % 100 == 7 else 'false'}</isDeleted>"
                f"<isSpam>{'true' if n % 200 == 3 else 'false'}</isSpam>"
                f"<author><name>{name}</name><isAnonymous>false</isAnonymous></author>"
                f'<thread dsq:id="t{thread}" />{parent}</post>\n'
            )
        out.write("</disqus>\n")


def seed():
    """THREADS published posts, at the addresses the threads name."""
    from django.utils import timezone

    from posts.models import Post

    now = timezone.now()
    Post.objects.bulk_create(
        Post(
            title=f"Post {n}",
            slug=f"post-{n}",
            permalink=f"/post-{n}/",
            body="",
            body_html="",
            status=Post.Status.PUBLISHED,
            published_at=now,
        )
        for n in range(THREADS)
    )


def timed_import(path):
    """(seconds, CPU seconds of this process, seconds waiting for the database, queries,
    the summary's first line) of one ``import_disqus`` of ``path``. The CPU time tells a
    slow import from a busy machine."""
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    queries, waiting = 0, 0.0

    def count(execute, sql, params, many, context):
        nonlocal queries, waiting
        queries += 1
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            waiting += time.perf_counter() - start

    out = StringIO()
    with connection.execute_wrapper(count):
        start, cpu = time.perf_counter(), time.process_time()
        call_command("import_disqus", str(path), stdout=out, stderr=StringIO())
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return seconds, cpu, waiting, queries, out.getvalue().splitlines()[0].split(": ", 1)[1]


def measure(comments):
    """{run: timed_import()} for a first import and a second one."""
    from comments.models import Comment, Discussion

    seed()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.xml"
        write_export(path, comments)
        first = timed_import(path)
        again = timed_import(path)
    stored = sum(Discussion.objects.values_list("public_count", flat=True))
    assert stored == Comment.objects.public().count(), (stored, Comment.objects.public().count())
    return {"first import": first, "imported again": again}


def run_size(comments):
    return queue_scale.in_fresh_database(
        DATABASE_URL,
        environment(),
        f"import disqus_scale as d\nprint(json.dumps(d.measure({comments})))",
    )


def main():
    sizes = [int(size) for size in sys.argv[1:]] or SIZES
    print("| comments | run | seconds | CPU seconds | in queries | queries | summary |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | --- |")
    for comments in sizes:
        for run, (seconds, cpu, waiting, queries, summary) in run_size(comments).items():
            print(
                f"| {comments:,} | {run} | {seconds:.1f} | {cpu:.1f} | {waiting:.1f} |"
                f" {queries:,} | {summary} |"
            )


if __name__ == "__main__":
    main()
