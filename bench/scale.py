"""The size ladder (issue 23): the site's operations with 10,000 readers and 1,000
comments, and with 1,000,000 readers and 100,000 comments, 200 posts each time, on
PostgreSQL. Prints, for each operation, the time, the queries and the rows read at both
sizes, and the ratio of the large time to the small; writes the same table to
bench-results/scale.md.

Usage: python bench/scale.py [--sizes 10000:1000,1000000:100000] [--views 5]
       (make bench-scale; about ten minutes with the default sizes)
Environment: BENCH_SCALE_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/advice_bench_scale): a database this script drops and
creates again at each size. BENCH_SCALE_REDIS_URL (default redis://127.0.0.1:6379/13):
the page cache, sessions and rate limits, as in production; a Redis database of its own,
since the generations it holds would move under another run's feet.

Each size is seeded and measured in a subprocess of its own (the settings are read once
per process). The data, written with ``INSERT ... SELECT generate_series`` (a million
readers in about a minute): readers with a verified address each and one tick each;
comments in threads of 10 (a first comment, 4 replies, 5 replies to those; every tenth
waits for a moderator), three fifths of the threads on one post (the article,
content/dl_advice.md, whose pages are measured) and the rest over the other 199; and, on
top of the ladder's comments, one reader with 1,000 comments over all 200 posts (the
export and the deletion), one with ticks on 5 items of every post (My progress), a
commenter whose comments skip moderation, a staff member and a superuser.

Each operation runs once to warm up, then ``--views`` times (the median is shown; once
when warming up took more than 3 s), once more under CaptureQueriesContext (the queries;
savepoints not counted), and once more inside one transaction for the rows read.
Operations that delete run in a transaction rolled back each time, so the data stays for
the others. Pages go through Django's test
Client, in-process: no gunicorn and no network, so the times are Django's and the
database's. The test settings are used, as by bench/queue_scale.py: MD5 passwords (a
sign-up measures the database, not the hasher), emails sent at once to memory.

"Rows read" is exact, from PostgreSQL's own counters for the current transaction: the
table rows read by sequential scans (``seq_tup_read`` of pg_stat_xact_user_tables) plus
the index entries returned by every index scan, plain, bitmap or index-only
(``pg_stat_get_xact_tuples_returned`` of each index of those tables), read before and
after the operation inside one transaction. That run alone has PostgreSQL's parallel
workers turned off (each worker counts what it reads in its own statistics, which the
transaction never sees); the timed runs keep them. Index entries rather than the table rows
fetched through them (``idx_tup_fetch``), so that a count answered from an index alone,
which fetches no table row, is counted too. The counters' own query reads only the
system catalogs, which are not counted.

After the table: how many of the 200 post pages, all warm in the page cache, are built
again after one comment is approved (the rest are served from the cache), found by
counting the calls of the function that builds a post page.
"""

import argparse
import json
import os
import secrets
import sys
import time
from contextlib import nullcontext
from datetime import date
from statistics import median

import psycopg
from queue_scale import ROOT, environment, in_fresh_database

DATABASE_URL = os.environ.get(
    "BENCH_SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/advice_bench_scale"
)
REDIS_URL = os.environ.get("BENCH_SCALE_REDIS_URL", "redis://127.0.0.1:6379/13")
SIZES = [(10_000, 1_000), (1_000_000, 100_000)]  # (readers, comments)
POSTS = 200
VIEWS = 5
SLOW_MS = 3_000  # an operation slower than this, warming up, is timed once, not VIEWS times
OWN_COMMENTS = 1_000  # the comments of the reader whose data is exported and deleted
PROGRESS_ITEMS = 5  # the items of each post that the My progress reader ticked
SEARCHED = 777  # "Reader 777" and "number777": a reader and a comment at every size
RESULTS = ROOT / "bench-results" / "scale.md"

ROWS_READ = """
SELECT (SELECT coalesce(sum(seq_tup_read), 0) FROM pg_stat_xact_user_tables)
     + (SELECT coalesce(sum(pg_stat_get_xact_tuples_returned(i.indexrelid)), 0)
        FROM pg_index i JOIN pg_stat_xact_user_tables t ON t.relid = i.indrelid)
"""


# Seeding ---------------------------------------------------------------------------


def _sql(statement, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _without_secondary_indexes(tables, write):
    """Call ``write()`` with the indexes of ``tables`` (list of str) that back no
    constraint dropped, then create them again: one sort each instead of a million
    insertions into every B-tree and trigram index."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
               FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
               WHERE t.relname = ANY(%s)
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    write()
    with connection.cursor() as cursor:
        # The foreign keys' checks (deferred, as Django makes them) first: PostgreSQL
        # builds no index on a table with checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            cursor.execute(definition)


def _posts():
    """The article (its threads are the ones measured) and 199 small posts, each with 10
    checkbox headings, over four categories: [Post], the article first."""
    from django.utils import timezone

    from posts.importing import import_post
    from posts.models import Category, Post

    article = import_post(ROOT / "content" / "dl_advice.md").post
    categories = [Category.objects.create(name=f"Topic {n}", slug=f"topic-{n}") for n in range(4)]
    now = timezone.now()
    posts = [article]
    for n in range(1, POSTS):
        headings = "".join(
            f'## <input type="checkbox"> Step {k} of post {n}\n\nWhat to do, and why.\n\n'
            for k in range(10)
        )
        post = Post.objects.create(
            title=f"Post {n}",
            slug=f"post-{n}",
            permalink=f"/post-{n}/",
            description=f"The {n}th post of the ladder.",
            body=f"An introduction to post {n}.\n\n{headings}",
            status=Post.Status.PUBLISHED,
            published_at=now - timezone.timedelta(days=n),
        )
        post.categories.set([categories[n % 4]])
        posts.append(post)
    return posts


def _person(username, **fields):
    """A user made as the site makes one, with a verified address."""
    from allauth.account.models import EmailAddress

    from accounts.models import User

    user = User.objects.create_user(
        username=username, email=f"{username}@example.com", password="x" * 20, **fields
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def seed(readers, comments):
    """The data described in the module's docstring; returns {name: pk} of the people and
    posts the operations use."""
    from django.db import transaction

    from checklists.models import ChecklistItem
    from pages import page_cache

    started = time.perf_counter()
    posts = _posts()
    article, others = posts[0], [post.pk for post in posts[1:]]

    def readers_and_addresses():
        _sql(
            """INSERT INTO accounts_user (id, password, is_superuser, username, first_name,
                   last_name, email, is_staff, is_active, date_joined, display_name,
                   notify_replies, skeleton_folded_first, skeleton_mapped_first)
               SELECT n, '!', false, 'reader' || n, '', '', 'reader' || n || '@example.com',
                   false, true, now() - interval '1 year', 'Reader ' || n, true, s, s
               FROM generate_series(1, %(readers)s) n,
                   -- accounts.names.skeleton("Reader 123") is "reader lze": digits as letters.
                   LATERAL (SELECT 'reader ' || translate(n::text, '0123456789', 'olzeasbtbg')) k(s)
            """,
            {"readers": readers},
        )
        _sql("SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), %s)", [readers])
        _sql(
            """INSERT INTO account_emailaddress (user_id, email, verified, "primary")
               SELECT id, email, true, true FROM accounts_user"""
        )

    with transaction.atomic():
        _without_secondary_indexes(["accounts_user", "account_emailaddress"], readers_and_addresses)
    from accounts.models import User
    from accounts.names import skeleton_columns

    last = User.objects.get(pk=readers)  # the translation above, checked on one reader
    assert skeleton_columns(last.display_name) == {
        "skeleton_folded_first": last.skeleton_folded_first,
        "skeleton_mapped_first": last.skeleton_mapped_first,
    }, last.skeleton_folded_first

    people = {
        "editor": _person("editor", is_staff=True, is_superuser=True, display_name="Editor"),
        "staff": _person("staffer", is_staff=True, display_name="Staff member"),
        "exporter": _person("exporter", display_name="Prolific reader"),
        "progress": _person("progress", display_name="Diligent reader"),
        "commenter": _person("commenter", display_name="Trusted commenter"),
    }

    def threads():
        # Comment i: thread i // 10, place i % 10 in it (0 first, 1-4 replies to it, 5-9
        # replies to those). Three threads in five on the article.
        _sql(
            """INSERT INTO comments_comment (id, post_id, thread_id, parent_id, depth,
                   author_id, author_name, body, body_html, pending_body, pending_body_html,
                   status, hidden_by_flags, is_removed, created_at, moderators_notified_at,
                   ip_hash, thread_is_public)
               SELECT i + 1,
                   CASE WHEN (i / 10) %% 5 < 3 THEN %(article)s
                        ELSE (%(others)s::bigint[])[1 + (i / 10) %% 199] END,
                   (i / 10) * 10 + 1,
                   CASE WHEN i %% 10 = 0 THEN NULL
                        WHEN i %% 10 < 5 THEN (i / 10) * 10 + 1
                        ELSE (i / 10) * 10 + 1 + (i %% 10 - 5) %% 4 + 1 END,
                   CASE WHEN i %% 10 = 0 THEN 0 WHEN i %% 10 < 5 THEN 1 ELSE 2 END,
                   1 + (i::bigint * 7919) %% %(readers)s,
                   '', body, '<p>' || body || '</p>', '', '',
                   CASE WHEN i %% 10 = 9 THEN 'pending' ELSE 'approved' END,
                   false, false, now() - (%(comments)s - i) * interval '1 minute', now(), '',
                   i %% 10 = 0  -- a first comment is approved, so its thread is public
               FROM generate_series(0, %(comments)s - 1) i,
                   LATERAL (SELECT array_to_string(ARRAY(
                       SELECT (ARRAY['learn', 'framework', 'model', 'gradient', 'paper',
                                     'course', 'project', 'notebook', 'dataset', 'tensor'])
                              [1 + (i * 31 + k * 17 + k * k) %% 10]
                       FROM generate_series(1, 40) k), ' ') || ' number' || i) b(body)
            """,
            {"article": article.pk, "others": others, "readers": readers, "comments": comments},
        )
        # The exporter's 1,000 first comments, five on every post, between the others;
        # the commenter's three, approved, which make them trusted.
        _sql(
            """INSERT INTO comments_comment (id, post_id, thread_id, parent_id, depth,
                   author_id, author_name, body, body_html, pending_body, pending_body_html,
                   status, hidden_by_flags, is_removed, created_at, moderators_notified_at,
                   ip_hash, thread_is_public)
               SELECT %(first)s + j, (%(posts)s::bigint[])[1 + j %% 200], %(first)s + j, NULL,
                   0, CASE WHEN j < %(own)s THEN %(exporter)s ELSE %(commenter)s END, '',
                   'My own thought number ' || j, '<p>My own thought number ' || j || '</p>',
                   '', '', 'approved', false, false,
                   now() - (%(own)s + 3 - j) * %(spacing)s * interval '1 minute', now(), '',
                   true
               FROM generate_series(0, %(own)s + 2) j""",
            {
                "first": comments + 1,
                "posts": [post.pk for post in posts],
                "own": OWN_COMMENTS,
                "exporter": people["exporter"].pk,
                "commenter": people["commenter"].pk,
                "spacing": max(1, comments // OWN_COMMENTS),
            },
        )
        _sql(
            "SELECT setval(pg_get_serial_sequence('comments_comment', 'id'), %s)",
            [comments + OWN_COMMENTS + 3],
        )

    items = list(ChecklistItem.objects.order_by("post_id", "position").values_list("pk", "post_id"))

    def ticks():
        _sql(
            """INSERT INTO checklists_tick (user_id, item_id, ticked_at)
               SELECT n, (%(items)s::bigint[])[1 + (n * 31) %% %(count)s],
                   now() - n * interval '1 second'
               FROM generate_series(1, %(readers)s) n""",
            {"items": [pk for pk, _ in items], "count": len(items), "readers": readers},
        )
        first_of_each = {}
        for pk, post_id in items:
            first_of_each.setdefault(post_id, [])
            if len(first_of_each[post_id]) < PROGRESS_ITEMS:
                first_of_each[post_id].append(pk)
        _sql(
            """INSERT INTO checklists_tick (user_id, item_id, ticked_at)
               SELECT %s, item, now() FROM unnest(%s::bigint[]) item""",
            [people["progress"].pk, [pk for chosen in first_of_each.values() for pk in chosen]],
        )
        _sql(
            """UPDATE checklists_checklistitem item SET reader_count = counted.n
               FROM (SELECT item_id, count(*) n FROM checklists_tick GROUP BY item_id) counted
               WHERE counted.item_id = item.id"""
        )

    with transaction.atomic():
        _without_secondary_indexes(["comments_comment"], threads)
        _without_secondary_indexes(["checklists_tick"], ticks)
        _sql(
            """INSERT INTO comments_discussion (post_id, public_count)
               SELECT p.id, count(c.id) FILTER (WHERE c.status = 'approved'
                   AND NOT c.hidden_by_flags AND NOT c.is_removed)
               FROM posts_post p LEFT JOIN comments_comment c ON c.post_id = p.id
               GROUP BY p.id
               ON CONFLICT (post_id) DO UPDATE SET public_count = EXCLUDED.public_count"""
        )
    with psycopg.connect(DATABASE_URL, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")
    # Raw SQL sends no signal: every page made before (another size's) is stale.
    page_cache.changed(page_cache.CONTENT)
    page_cache.changed(page_cache.LISTS)
    print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return {
        **{name: person.pk for name, person in people.items()},
        "article": article.pk,
        "reader": 1 + 7919 % readers,  # the author of the first comment
    }


# Measuring -------------------------------------------------------------------------


def rows_read():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(ROWS_READ)
        return int(cursor.fetchone()[0])


def serial():
    """No parallel workers for the rest of this transaction: a worker counts the rows it
    reads in its own statistics, not in this transaction's."""
    _sql("SET LOCAL max_parallel_workers_per_gather = 0")


def _queries(captured):
    """Statements run, not counting savepoints (only the rolled-back runs make them)."""
    return sum(
        1
        for query in captured
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO"))
    )


def measure_one(run, *, prepare=None, rollback=False, views=VIEWS):
    """{"ms", "queries", "rows"} of ``run()``: the median milliseconds of ``views`` runs
    after one to warm up, the queries of one more run, the rows read by another.
    ``prepare()``, called before each run, is neither timed nor counted; with
    ``rollback``, every run is undone."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    def once(*, timed=False, counted=False):
        if prepare is not None:
            prepare()
        with transaction.atomic() if rollback or counted else nullcontext():
            if counted:
                serial()
            before = rows_read() if counted else 0
            start = time.perf_counter()
            run()
            elapsed = (time.perf_counter() - start) * 1000
            read = rows_read() - before if counted else None
            if rollback:
                transaction.set_rollback(True)
        return elapsed if timed else read

    warm_up = once(timed=True)
    # An operation that takes seconds is timed once: eight runs of a 40 s search would
    # hold the run for minutes and say no more.
    times = [once(timed=True) for _ in range(views if warm_up < SLOW_MS else 1)]
    if prepare is not None:
        prepare()
    with CaptureQueriesContext(connection) as captured:
        if rollback:
            with transaction.atomic():
                run()
                transaction.set_rollback(True)
        else:
            run()
    queries = _queries(captured)  # before a request empties the log it is a slice of
    return {"ms": median(times), "queries": queries, "rows": once(counted=True)}


def _expect(status, response):
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response


def _ip():
    """Another client address each time: allauth's sign-up limit is per address."""
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{1 + secrets.randbelow(250)}"


def operations(ids):
    """[(name, run, options)] in the order they run: reads first, then writes."""
    from django.test import Client
    from django.urls import reverse

    from accounts.data import delete_account
    from accounts.models import User
    from checklists.models import ChecklistItem
    from comments.models import Comment
    from pages import page_cache
    from posts.models import Category, Post

    article = Post.objects.get(pk=ids["article"])
    last = last_page(ids)
    gzip = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}

    def client_of(name):
        client = Client()
        client.force_login(User.objects.get(pk=ids[name]))
        return client

    visitor = Client()
    reader = client_of("reader")
    editor = client_of("editor")
    staff = client_of("staff")
    exporter = client_of("exporter")
    progress = client_of("progress")
    commenter = client_of("commenter")

    def get(client, url, data=None, status=200):
        return lambda: _expect(status, client.get(url, data, **gzip))

    def stale():
        page_cache.changed(page_cache.CONTENT)

    comments_admin = reverse("admin:comments_comment_changelist")
    admin_pages = -(-Comment.objects.count() // 50)  # CommentAdmin.list_per_page
    ticks_admin = reverse("admin:checklists_tick_changelist")
    category = Category.objects.get(slug="topic-0")

    def delete_exporter():
        delete_account(User.objects.get(pk=ids["exporter"]))

    names = iter(range(1_000_000))

    def sign_up():
        token = secrets.token_hex(6)
        password = secrets.token_urlsafe(16)
        _expect(
            302,
            Client().post(
                reverse("account_signup"),
                {
                    "email": f"new-{token}@example.com",
                    "display_name": f"Newcomer {token}",
                    "password1": password,
                    "password2": password,
                },
                REMOTE_ADDR=_ip(),
            ),
        )

    def rename_staff():
        name = f"Staff member {'abcdefghij'[next(names) % 10]}{secrets.token_hex(3)}"
        _expect(302, staff.post(reverse("accounts:display_name"), {"display_name": name}))

    def comment():
        _expect(
            302,
            commenter.post(
                reverse("comments:post", args=[article.pk]),
                {"body": f"A new thread, {secrets.token_hex(4)}: *what* do you think?"},
            ),
        )

    item = ChecklistItem.objects.filter(post=article).order_by("position").first()
    ticking = iter(range(1_000_000))

    def tick():
        done = next(ticking) % 2 == 0
        response = _expect(
            200,
            reader.post(
                reverse("checklists:set", args=[item.pk]),
                json.dumps({"done": done}),
                content_type="application/json",
            ),
        )
        assert response.json()["done"] is done

    return [
        ("post page built, visitor, page 1", get(visitor, article.permalink), {"prepare": stale}),
        (
            # The same name at both sizes; the page's number is in the notes below the table.
            "post page built, visitor, last page",
            get(visitor, article.permalink, {"comments": last}),
            {"prepare": stale},
        ),
        ("post page from the cache, visitor", get(visitor, article.permalink), {}),
        ("post page from the cache, reader", get(reader, article.permalink), {}),
        (
            "admin comments, first page",
            get(editor, comments_admin, {"status__exact": "all"}),
            {},
        ),
        (
            "admin comments, last page",
            get(editor, comments_admin, {"status__exact": "all", "p": admin_pages}),
            {},
        ),
        ("admin comment search, text", get(editor, comments_admin, {"q": f"number{SEARCHED}"}), {}),
        (
            "admin comment search, reader's name",
            get(editor, comments_admin, {"q": f"Reader {SEARCHED}"}),
            {},
        ),
        ("admin ticks, first page", get(editor, ticks_admin), {}),
        (
            "admin tick search, reader's name",
            get(editor, ticks_admin, {"q": f"Reader {SEARCHED}"}),
            {},
        ),
        (
            f"export, a reader with {OWN_COMMENTS:,} comments",
            get(exporter, reverse("accounts:export")),
            {},
        ),
        ("My progress, ticks on 200 posts", get(progress, reverse("checklists:my_progress")), {}),
        ("Articles page, built", get(visitor, reverse("pages:list")), {"prepare": stale}),
        (
            "category page (50 posts), built",
            get(visitor, category.get_absolute_url()),
            {"prepare": stale},
        ),
        ("comment posted (a new thread)", comment, {}),
        ("tick (JSON)", tick, {}),
        ("sign-up", sign_up, {}),
        ("staff member's display name changed", rename_staff, {}),
        (
            f"account deleted, {OWN_COMMENTS:,} comments (rolled back)",
            delete_exporter,
            {"rollback": True},
        ),
    ]


def approval_rebuilds(ids):
    """How many of the 200 post pages, all warm in the page cache for visitors, are
    built again after one comment on the article is approved; and the approval itself
    ({"ms", "queries", "rows"}, one run, inside a transaction)."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from comments.models import Comment
    from comments.moderation import moderate
    from pages import views
    from posts.models import Post

    visitor = Client()
    permalinks = list(Post.objects.published().values_list("permalink", flat=True))
    for permalink in permalinks:
        _expect(200, visitor.get(permalink))
    builds = []
    build = views._post_page

    def counted(request, permalink, page_number):
        builds.append(permalink)
        return build(request, permalink, page_number)

    views._post_page = counted
    try:
        for permalink in permalinks:  # all served from the cache now
            _expect(200, visitor.get(permalink))
        warm = len(builds)
        pending = Comment.objects.filter(post_id=ids["article"], status="pending").first()
        editor = User.objects.get(pk=ids["editor"])
        with transaction.atomic():
            serial()
            before = rows_read()
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                moderate(
                    source="admin",
                    comments=Comment.objects.filter(pk=pending.pk),
                    status=Comment.Status.APPROVED,
                    moderator=editor,
                )
            ms = (time.perf_counter() - start) * 1000
            read = rows_read() - before
        # Now: the captured queries are a slice of a log that the next request empties.
        queries = _queries(captured)
        builds.clear()
        for permalink in permalinks:
            _expect(200, visitor.get(permalink))
    finally:
        views._post_page = build
    return {
        "pages": len(permalinks),
        "rebuilt_while_warm": warm,
        "rebuilt": len(builds),
        "approval": {"ms": ms, "queries": queries, "rows": read},
    }


def measure(ids, views=VIEWS):
    """{"operations": {name: {"ms", "queries", "rows"} or {"error"}}, "approval": ...}."""
    results = {}
    for name, run, options in operations(ids):
        try:
            results[name] = measure_one(run, views=views, **options)
        except Exception as error:  # one failing operation leaves the others measured
            results[name] = {"error": f"{type(error).__name__}: {error}"[:200]}
        print(f"{name}: {results[name]}", file=sys.stderr)
    approval = approval_rebuilds(ids)
    print(f"approval: {approval}", file=sys.stderr)
    return {"operations": results, "approval": approval, "last_page": last_page(ids)}


def last_page(ids):
    """The number (int) of the article's last page of comments, as visitors see it."""
    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser

    from comments.models import Comment

    shown = Comment.objects.threads_on([ids["article"]], AnonymousUser()).count()
    return max(1, -(-shown // settings.COMMENTS_THREADS_PER_PAGE))


# Running ---------------------------------------------------------------------------


def run_size(readers, comments, views):
    env = {
        **environment(DATABASE_URL),
        "REDIS_URL": REDIS_URL,
        # Many comments from one reader and one address, on purpose.
        "COMMENTS_RATE_LIMIT_PER_READER": "1000000",
        "COMMENTS_RATE_LIMIT_PER_IP": "1000000",
        # The site's 3 s would stop a slow operation instead of timing it.
        "DATABASE_STATEMENT_TIMEOUT": "600",
    }
    started = time.perf_counter()
    result = in_fresh_database(
        DATABASE_URL,
        env,
        f"import scale\nids = scale.seed({readers}, {comments})\n"
        f"print(json.dumps(scale.measure(ids, {views})))",
    )
    print(f"{readers:,} readers: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.with_name(f"scale-{readers}-{comments}.json").write_text(json.dumps(result))
    return result


def _ms(result):
    if "error" in result:
        return "failed"
    return f"{result['ms']:,.1f} ms" if result["ms"] < 100 else f"{result['ms']:,.0f} ms"


def table(sizes, small, large):
    """The results as Markdown lines."""
    names = [f"{r:,} readers / {c:,} comments" for r, c in sizes]
    lines = [
        f"| operation | time, {names[0]} | time, {names[1]} | ratio | queries | rows read |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    rows = {**small["operations"], "comment approved (moderate())": small["approval"]["approval"]}
    big = {**large["operations"], "comment approved (moderate())": large["approval"]["approval"]}
    for name, a in rows.items():
        b = big[name]
        if "error" in a or "error" in b:
            lines.append(f"| {name} | {_ms(a)} | {_ms(b)} | | | |")
            continue
        queries = (
            str(a["queries"])
            if a["queries"] == b["queries"]
            else f"{a['queries']} → {b['queries']}"
        )
        lines.append(
            f"| {name} | {_ms(a)} | {_ms(b)} | {b['ms'] / a['ms']:.1f}× | {queries} |"
            f" {a['rows']:,} → {b['rows']:,} |"
        )
    lines.append("")
    lines.append(
        "The last page of the article's comments: "
        + " and ".join(f"?comments={result.get('last_page', '?')}" for result in (small, large))
        + "."
    )
    for label, result in zip(names, (small, large), strict=True):
        approval = result["approval"]
        lines.append(
            f"After one approval, {label}: {approval['rebuilt']} of {approval['pages']} post "
            f"pages built again, the others served from the cache "
            f"({approval['rebuilt_while_warm']} built while they were warm)."
        )
    return lines


def parse_sizes(text):
    sizes = []
    for pair in text.split(","):
        readers, comments = pair.split(":")
        sizes.append((int(readers), int(comments)))
    if len(sizes) != 2:
        raise argparse.ArgumentTypeError("two sizes: READERS:COMMENTS,READERS:COMMENTS")
    return sizes


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="The site's operations at two sizes (issue 23's size ladder).",
        epilog="Environment: BENCH_SCALE_DATABASE_URL, BENCH_SCALE_REDIS_URL.",
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=SIZES,
        help="two READERS:COMMENTS pairs (default 10000:1000,1000000:100000)",
    )
    parser.add_argument("--views", type=int, default=VIEWS, help="timed runs per operation (5)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    small, large = (run_size(readers, comments, args.views) for readers, comments in args.sizes)
    lines = table(args.sizes, small, large)
    minutes = (time.perf_counter() - started) / 60
    header = [
        f"Measured {date.today().isoformat()} by bench/scale.py in {minutes:.0f} minutes; "
        f"median of {args.views} runs.",
        "",
    ]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(header + lines) + "\n")
    print("\n".join(lines))
    print(f"\n(written to {RESULTS.relative_to(ROOT)}; {minutes:.1f} minutes)")


if __name__ == "__main__":
    main()
