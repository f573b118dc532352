"""`make resilience`: scripted checks of how the site behaves under faults.

Against gunicorn with production settings on 127.0.0.1, PostgreSQL and Redis:

1. PostgreSQL stopped and started while the site runs: requests during the outage fail
   fast with the styled 503 page (no stack trace) and the site recovers by itself.
2. A gunicorn worker killed mid-load: the others keep serving and every tick that was
   acknowledged is in the database.
3. Two app servers on different ports sharing PostgreSQL and Redis act as one site: a
   rate limit counts requests to both, an approval through one shows at once on the
   other's cached page, a log-in through one is a log-in on the other.
4. A mail worker killed (SIGKILL) while it works through a queue that keeps growing:
   every queued email is sent once another worker runs, and only the one it was
   sending when it died can be sent twice (at-least-once delivery).

5. Redis hung (SIGSTOP) across a log-out (issue 19): the log-out answers the 503 page
   within seconds instead of pretending, the reader is still logged in, and once Redis
   answers the log-out holds: the old session cookie opens nothing.
6. A full disk under the file cache (no Redis; DJANGO_CACHE_DIR on a 64 KiB tmpfs):
   every article view answers 200, uncached.
7. 50 slow clients (headers sent a byte every few seconds) held open against nginx with
   the repository's configuration (nginx/advice_site.conf, as docker-compose.yml runs it)
   in front of gunicorn: a normal request's time is measured with and without them.

It stops and starts the local PostgreSQL cluster (case 1) and mounts a tmpfs (case 6,
as root): run it on a machine of your own. RESILIENCE_CASES (comma-separated:
database_outage, worker_killed, two_servers, mail_worker_killed, redis_hang_logout,
full_disk_cache, slow_clients) runs only those; the last four stop neither PostgreSQL
nor the shared Redis. Each check prints PASS or FAIL; the exit status is non-zero if any failed.
"""

import contextlib
import http.cookiejar
import json
import os
import re
import signal
import socketserver
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (the benchmark's database, server and seed helpers)

ROOT = bench.ROOT
PORTS = (8771, 8772)
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'}  {name}{': ' + detail if detail else ''}", flush=True)


def start(env, port, workers="2"):
    env = dict(env, GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=workers)
    log = open(ROOT / "bench-results" / f"server-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            str(Path(bench.PY).parent / "gunicorn"),
            "--config",
            "gunicorn.conf.py",
            "advice_site.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    for _ in range(100):
        if status(f"http://127.0.0.1:{port}/healthz")[0] == 200:
            return process
        time.sleep(0.2)
    raise SystemExit(f"gunicorn on {port} did not start")


def stop(process):
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def status(url, opener=None, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError as error:
        return 0, str(error)


def children(pid):
    """Process ids whose parent is pid (gunicorn's workers), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def postgres(action):
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=True,
        capture_output=True,
    )


def database_outage(env, data):
    server = start(env, PORTS[0])
    base = f"http://127.0.0.1:{PORTS[0]}"
    try:
        check("site answers before the outage", status(base + data["permalink"])[0] == 200)
        postgres("stop")
        try:
            started = time.monotonic()
            code, body = status(base + "/")
            took = time.monotonic() - started
            check(
                "during the outage a page answers 503 fast with the styled page",
                code == 503
                and "briefly unavailable" in body
                and "Traceback" not in body
                and took < 5,
                f"status {code} in {took * 1000:.0f} ms",
            )
            check("/healthz says the database is down", status(base + "/healthz")[0] == 503)
        finally:
            postgres("start")
        recovered = None
        for attempt in range(60):
            if status(base + "/")[0] == 200:
                recovered = attempt
                break
            time.sleep(0.5)
        check(
            "the site recovers by itself after PostgreSQL starts",
            recovered is not None,
            f"after {recovered * 0.5 if recovered is not None else '—'} s",
        )
    finally:
        stop(server)


def worker_killed(env, data, scripts):
    server = start(env, PORTS[0])
    base = f"http://127.0.0.1:{PORTS[0]}"
    try:
        workers = children(server.pid)
        before = bench.count_rows("SELECT count(*) FROM checklists_tick")
        load = subprocess.Popen(
            [
                "wrk",
                "-t2",
                "-c16",
                "-d6s",
                "--latency",
                "--timeout",
                "5s",
                "-s",
                str(scripts / "tick.lua"),
                base + "/",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(2)
        os.kill(workers[0], signal.SIGKILL)
        output, _ = load.communicate(timeout=60)
        result = bench.parse_wrk(output)
        after = bench.count_rows("SELECT count(*) FROM checklists_tick")
        check(
            "other workers keep serving after one is killed",
            status(base + data["permalink"])[0] == 200 and result["ok"] > 0,
            f"{result['ok']} ticks acknowledged, {result['errors']} failed while it died",
        )
        check(
            "every acknowledged tick is in the database",
            after - before >= result["ok"],
            f"{after - before} new rows for {result['ok']} acknowledged",
        )
    finally:
        stop(server)


def login(base, email, password):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"login": email, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    opener.open(
        urllib.request.Request(
            base + "/accounts/login/", data=form, headers={"Referer": base + "/accounts/login/"}
        ),
        timeout=10,
    )
    return opener, jar


def two_servers(env, data):
    env = dict(env, COMMENTS_RATE_LIMIT_PER_READER="3", COMMENTS_RATE_LIMIT_SECONDS="600")
    subprocess.run(
        [
            bench.PY,
            "manage.py",
            "shell",
            "-c",
            "from accounts.models import User\n"
            "from allauth.account.models import EmailAddress\n"
            "User.objects.create_superuser(username='mod', email='mod@bench.invalid', "
            "password='moderator-password', display_name='Moderator')\n"
            "rita = User.objects.create_user(username='rita', email='rita@bench.invalid', "
            "password='reader-password', display_name='Rita')\n"
            # Verification is mandatory: a reader without a verified address cannot comment.
            "EmailAddress.objects.create(user=rita, email=rita.email, verified=True, primary=True)",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    servers = [start(env, port) for port in PORTS]
    a, b = (f"http://127.0.0.1:{port}" for port in PORTS)
    try:
        opener, jar = login(a, "rita@bench.invalid", "reader-password")
        page = opener.open(b + data["permalink"], timeout=10).read().decode()
        check("logged in through one server is logged in on the other", "Log out" in page)

        token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
        codes = []
        for number in range(4):
            base = (a, b)[number % 2]
            code, body = status(
                f"{base}/comments/posts/{data['post_id']}/",
                opener=opener,
                data=urllib.parse.urlencode(
                    {"body": f"Shared limit {number}", "csrfmiddlewaretoken": token}
                ).encode(),
                headers={"Accept": "application/json", "Referer": base + "/"},
            )
            codes.append(code)
        check(
            "a rate limit counts requests made to both servers",
            codes == [201, 201, 201, 429],
            f"statuses {codes}",
        )

        # New threads are on the discussion's last page (?comments=999 is clamped to it).
        visitor_before = status(b + data["permalink"] + "?comments=999")[
            1
        ]  # fills b's anonymous page cache
        check("a pending comment is not on the public page", "Shared limit 0" not in visitor_before)
        moderator, _ = login(a, "mod@bench.invalid", "moderator-password")
        with psycopg.connect(bench.DATABASE_URL) as connection:
            pk = connection.execute(
                "SELECT id FROM comments_comment WHERE body = 'Shared limit 0'"
            ).fetchone()[0]
        admin_page = moderator.open(f"{a}/admin/comments/comment/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', admin_page).group(1)
        moderator.open(
            urllib.request.Request(
                f"{a}/admin/comments/comment/",
                data=urllib.parse.urlencode(
                    {"action": "approve", "_selected_action": pk, "csrfmiddlewaretoken": token}
                ).encode(),
                headers={"Referer": f"{a}/admin/comments/comment/"},
            ),
            timeout=10,
        ).read()
        visitor_after = status(b + data["permalink"] + "?comments=999")[1]
        check(
            "a comment approved through one server shows at once on the other's cached page",
            "Shared limit 0" in visitor_after,
        )
    finally:
        for server in servers:
            stop(server)


MAIL_TASKS = "django_tasks_database_dbtaskresult"


def start_mail_worker(env, name):
    log = open(ROOT / "bench-results" / f"{name}.log", "w")  # noqa: SIM115
    return subprocess.Popen(
        [bench.PY, "manage.py", "task_worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def task_counts():
    with psycopg.connect(bench.DATABASE_URL) as connection:
        rows = connection.execute(f"SELECT status, count(*) FROM {MAIL_TASKS} GROUP BY status")
        return dict(rows.fetchall())


class SlowMailServer(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) to take Django's messages, 30 ms each, and keep their
    subjects in `received`: what a reader would get."""

    received = []

    def reply(self, text):
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self):
        # A worker killed mid-conversation resets the connection: its message was not taken.
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):
            self.converse()

    def converse(self):
        self.reply("220 sink.bench.invalid ESMTP")
        while line := self.rfile.readline():
            command = line[:4].upper()
            if command == b"DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                message = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    message.append(data.decode(errors="replace"))
                time.sleep(0.03)
                subject = re.search(r"^Subject: (.*?)\r?$", "".join(message), re.MULTILINE)
                self.received.append(subject.group(1) if subject else "")
                self.reply("250 2.0.0 Queued")
            elif command == b"QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:  # EHLO, MAIL, RCPT, RSET, NOOP
                self.reply("250 OK")


def mail_worker_killed(env):
    """Case 4: emails queued in PostgreSQL survive a worker killed mid-queue."""
    total = 600
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SlowMailServer)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # A short lease so the killed worker's task comes back within seconds.
    env = dict(
        env,
        TASKS_BACKEND="database",
        TASKS_LEASE_SECONDS="5",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(server.server_address[1]),
        EMAIL_USE_TLS="false",
        DJANGO_LOG_LEVEL="INFO",
    )
    enqueue = (
        "import time\n"
        "from django.core.mail import EmailMessage\n"
        "from django.db import transaction\n"
        "from core.mail import queue_email\n"
        f"for batch in range({total // 20}):\n"
        "    with transaction.atomic():\n"
        "        for number in range(batch * 20, batch * 20 + 20):\n"
        "            queue_email(EmailMessage(f'resilience mail {number}', 'x', "
        "to=['reader@bench.invalid']))\n"
        "    time.sleep(0.05)\n"
    )
    first = start_mail_worker(env, "mail-worker-1")
    producer = subprocess.Popen(
        [bench.PY, "manage.py", "shell", "--no-imports", "-c", enqueue], cwd=ROOT, env=env
    )
    # Kill the worker once it has sent a quarter, while the queue still grows.
    deadline = time.monotonic() + 120
    while task_counts().get("SUCCESSFUL", 0) < total // 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    killed_at = time.monotonic()
    at_kill = task_counts()
    producer.wait(timeout=120)
    second = start_mail_worker(env, "mail-worker-2")
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            counts = task_counts()
            if counts.get("SUCCESSFUL", 0) == total:
                break
            time.sleep(0.2)
        drained_after = time.monotonic() - killed_at
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
        server.shutdown()
    sent = [subject for subject in SlowMailServer.received if subject.startswith("resilience")]
    delivered = len(set(sent))
    twice = len(sent) - delivered
    check(
        "a killed mail worker loses no queued email: the next worker sends them all",
        delivered == total and counts.get("SUCCESSFUL", 0) == total,
        f"{total} queued, {delivered} delivered, {total - delivered} lost, all sent "
        f"{drained_after:.0f} s after the kill; {at_kill.get('SUCCESSFUL', 0)} sent and "
        f"{at_kill.get('RUNNING', 0)} left running when it was killed",
    )
    check(
        "only the email being sent when the worker died may be sent twice",
        twice <= at_kill.get("RUNNING", 0),
        f"{twice} sent twice",
    )


def make_reader(env, email, password):
    """A reader with a verified address (verification is mandatory), through the shell."""
    subprocess.run(
        [
            bench.PY,
            "manage.py",
            "shell",
            "-c",
            "from accounts.models import User\n"
            "from allauth.account.models import EmailAddress\n"
            f"user = User.objects.create_user(username={email!r}, email={email!r}, "
            f"password={password!r}, display_name='Resilient Reader')\n"
            "EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def csrf_post(opener, jar, url):
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode(),
        headers={"Referer": url, "X-CSRFToken": token},
    )
    started = time.monotonic()
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), time.monotonic() - started


def redis_hang_logout(env):
    port = 6391
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    env = dict(env, REDIS_URL=f"redis://127.0.0.1:{port}/0", REDIS_RATE_LIMIT_URL="")
    time.sleep(0.5)
    make_reader(env, "hang@bench.invalid", "reader-password")
    server = start(env, PORTS[0])
    base = f"http://127.0.0.1:{PORTS[0]}"
    try:
        opener, jar = login(base, "hang@bench.invalid", "reader-password")
        session = next(cookie.value for cookie in jar if cookie.name == "sessionid")
        check("logged in with Redis up", status(base + "/account/", opener)[0] == 200)
        os.kill(redis.pid, signal.SIGSTOP)
        code, body, seconds = csrf_post(opener, jar, base + "/accounts/logout/")
        check(
            "a log-out while Redis hangs answers 503, saying so",
            code == 503 and "still logged in" in body,
            f"{code} in {seconds:.1f} s",
        )
        os.kill(redis.pid, signal.SIGCONT)
        time.sleep(6)  # the cache leaves Redis alone for RETRY_SECONDS after a failure
        check("still logged in once Redis answers", status(base + "/account/", opener)[0] == 200)
        code, _, _ = csrf_post(opener, jar, base + "/accounts/logout/")
        replay = urllib.request.build_opener(NoRedirect())
        replayed = status(base + "/account/", replay, headers={"Cookie": f"sessionid={session}"})
        check(
            "the log-out then holds: the old session cookie opens nothing",
            code in (200, 302) and replayed[0] == 302,
            f"log-out {code}, old cookie {replayed[0]}",
        )
    finally:
        stop(server)
        with contextlib.suppress(ProcessLookupError):
            os.kill(redis.pid, signal.SIGCONT)
        redis.terminate()
        redis.wait(timeout=10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def full_disk_cache(env, data):
    folder = Path(bench.tempfile.mkdtemp())
    folder.chmod(0o700)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(folder)], check=True
    )
    env = dict(env, REDIS_URL="", DJANGO_CACHE_DIR=str(folder))
    server = start(env, PORTS[0])
    base = f"http://127.0.0.1:{PORTS[0]}"
    try:
        # Fill the disk: a file as large as the filesystem, written until it refuses.
        with contextlib.suppress(OSError), open(folder / "filler", "wb") as filler:
            while True:
                filler.write(b"x" * 4096)
                filler.flush()
        codes = [status(base + data["permalink"])[0] for _ in range(20)]
        codes += [status(f"{base}/")[0] for _ in range(5)]
        check(
            "with the cache's disk full, every article view answers 200",
            set(codes) == {200},
            f"{codes.count(200)} of {len(codes)} answered 200",
        )
    finally:
        stop(server)
        subprocess.run(["umount", str(folder)], check=False)


def slow_clients(env, data, count=50, samples=20):
    import shutil
    import socket

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    folder = Path(bench.tempfile.mkdtemp())
    nginx_port = 8779
    site = (
        (ROOT / "nginx" / "advice_site.conf")
        .read_text()
        .replace("/var/cache/nginx/advice", str(folder / "cache"))
        .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{PORTS[0]};")
        .replace("listen 80;", f"listen 127.0.0.1:{nginx_port};")
    )
    user = "user root root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(
        f"{user}pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        f"events {{ worker_connections 1024; }}\nhttp {{\naccess_log off;\n{site}\n}}\n"
    )
    env = dict(env, DJANGO_TRUSTED_PROXIES="127.0.0.1", WEB_CONCURRENCY="1")
    server = start(env, PORTS[0])
    proxy = subprocess.Popen(
        [nginx, "-c", str(folder / "nginx.conf"), "-p", str(folder), "-g", "daemon off;"]
    )
    front = f"http://127.0.0.1:{nginx_port}"
    held = []

    def timed(url):
        # Reader pages and the tick cannot come from nginx's cache: a logged-out
        # visitor's article with a query that changes each time stands for them.
        times = []
        for number in range(samples):
            started = time.monotonic()
            code = status(f"{url}?slow={number}-{time.monotonic_ns()}")[0]
            times.append((time.monotonic() - started, code))
        codes = {code for _, code in times}
        return sorted(seconds for seconds, _ in times)[samples // 2], codes

    try:
        time.sleep(1)
        quiet, quiet_codes = timed(front + data["permalink"])
        for _ in range(count):
            connection = socket.create_connection(("127.0.0.1", nginx_port), timeout=5)
            connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            held.append(connection)
        time.sleep(1)
        loaded, loaded_codes = timed(front + data["permalink"])
        check(
            f"with {count} slow clients connected, the site answers through nginx",
            loaded_codes == {200} and quiet_codes == {200},
            f"median {quiet * 1000:.1f} ms without them, {loaded * 1000:.1f} ms with them",
        )
        direct = status(f"http://127.0.0.1:{PORTS[0]}/healthz")[0]
        check("gunicorn answers /healthz meanwhile", direct == 200)
    finally:
        for connection in held:
            connection.close()
        proxy.terminate()
        proxy.wait(timeout=10)
        stop(server)


CASES = [
    "database_outage",
    "worker_killed",
    "two_servers",
    "mail_worker_killed",
    "redis_hang_logout",
    "full_disk_cache",
    "slow_clients",
]


def main():
    (ROOT / "bench-results").mkdir(exist_ok=True)
    selected = [case for case in os.environ.get("RESILIENCE_CASES", "").split(",") if case]
    unknown = set(selected) - set(CASES)
    if unknown:
        raise SystemExit(f"Unknown RESILIENCE_CASES {sorted(unknown)}; choose from {CASES}")
    selected = selected or CASES
    env = bench.server_env()
    env["COMMENTS_RATE_LIMIT_PER_READER"] = "1000000"
    print("Preparing a fresh benchmark database…", flush=True)
    bench.reset_database()
    bench.manage(env, "migrate", "--no-input")
    bench.manage(env, "collectstatic", "--no-input")
    if set(selected) & {
        "database_outage",
        "worker_killed",
        "two_servers",
        "full_disk_cache",
        "slow_clients",
    }:
        data_file = ROOT / "bench-results" / "seed.json"
        subprocess.run([bench.PY, "bench/seed.py", str(data_file)], cwd=ROOT, env=env, check=True)
        data = json.loads(data_file.read_text())
        scripts = Path(bench.tempfile.mkdtemp())
        bench.write_scripts(data, scripts)

    if "database_outage" in selected:
        database_outage(env, data)
    if "worker_killed" in selected:
        worker_killed(env, data, scripts)
    if "two_servers" in selected:
        two_servers(env, data)
    if "mail_worker_killed" in selected:
        mail_worker_killed(env)
    if "redis_hang_logout" in selected:
        redis_hang_logout(env)
    if "full_disk_cache" in selected:
        full_disk_cache(env, data)
    if "slow_clients" in selected:
        slow_clients(env, data)
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
