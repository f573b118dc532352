"""`make resilience`: scripted checks of how the site behaves under faults.

Against gunicorn with production settings on 127.0.0.1, PostgreSQL and Redis:

1. PostgreSQL stopped and started while the site runs: requests during the outage fail
   fast with the styled 503 page (no stack trace) and the site recovers by itself.
2. A gunicorn worker killed mid-load: the others keep serving and every tick that was
   acknowledged is in the database.
3. Two app servers on different ports sharing PostgreSQL and Redis act as one site: a
   rate limit counts requests to both, an approval through one shows at once on the
   other's cached page, a log-in through one is a log-in on the other.

It stops and starts the local PostgreSQL cluster: run it on a machine of your own.
Each check prints PASS or FAIL; the exit status is non-zero if any failed.
"""

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
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


def main():
    (ROOT / "bench-results").mkdir(exist_ok=True)
    env = bench.server_env()
    env["COMMENTS_RATE_LIMIT_PER_READER"] = "1000000"
    print("Preparing a fresh benchmark database…", flush=True)
    bench.reset_database()
    bench.manage(env, "migrate", "--no-input")
    bench.manage(env, "collectstatic", "--no-input")
    data_file = ROOT / "bench-results" / "seed.json"
    subprocess.run([bench.PY, "bench/seed.py", str(data_file)], cwd=ROOT, env=env, check=True)
    data = json.loads(data_file.read_text())
    scripts = Path(bench.tempfile.mkdtemp())
    bench.write_scripts(data, scripts)

    database_outage(env, data)
    worker_killed(env, data, scripts)
    two_servers(env, data)
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
