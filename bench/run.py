"""`make bench`: the site under load on this machine, measured.

Creates a fresh PostgreSQL database, fills it (bench/seed.py), starts gunicorn with
production settings on 127.0.0.1, drives it with wrk (bounded in time and requests) and
prints one table: requests per second, median and p99 latency and errors per row, each
also as a ratio to the static file measured in the same run. Then it checks that every
tick and comment acknowledged under load is in the database, and weighs the article page.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/advice_bench),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/15; empty for a local cache),
BENCH_SECONDS (10), BENCH_CONNECTIONS (32), WEB_CONCURRENCY (2), GUNICORN_THREADS (4).
"""

import gzip
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://{HOST}:{PORT}"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
MAX_POSTS = 20_000  # per write row: a bound on requests as well as on time
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/advice_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")


def server_env():
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="advice_site.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=f"{HOST},localhost",
        # Plain HTTP on loopback: no HTTPS redirect, cookies not marked Secure.
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        GUNICORN_BIND=f"{HOST}:{PORT}",
        WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "2"),
        GUNICORN_THREADS=os.environ.get("GUNICORN_THREADS", "2"),
        # The load generator posts as fast as it can; lift the per-reader limits.
        COMMENTS_RATE_LIMIT_PER_READER="1000000",
        COMMENTS_RATE_LIMIT_PER_IP="1000000",
        DJANGO_LOG_LEVEL="WARNING",
    )
    return env


def reset_database():
    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    if REDIS_URL:
        subprocess.run(["redis-cli", "-u", REDIS_URL, "flushdb"], check=False, capture_output=True)


def settle_database():
    """Vacuum, analyze and checkpoint after seeding, so autovacuum and a checkpoint of the
    fresh rows do not run in the middle of a measured row."""
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
        connection.execute("CHECKPOINT")


def manage(env, *args):
    subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def start_server(env):
    with open(ROOT / "bench-results" / "server.log", "w") as log:
        process = subprocess.Popen(
            [str(Path(PY).parent / "gunicorn"), "--config", "gunicorn.conf.py", "advice_site.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{BASE}/healthz", timeout=1) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not become healthy; see bench-results/server.log")


def lua_table(values):
    return "{" + ",".join(values) + "}"


def write_scripts(data, directory):
    sessions = lua_table(f'{{"{s["session"]}","{s["csrf"]}"}}' for s in data["sessions"])
    items = lua_table(str(item) for item in data["items"])
    common = f"""
local sessions = {sessions}
local items = {items}
local cookie_name = "{data["session_cookie"]}"
-- setup() runs in wrk's main Lua state; each thread has its own, so the thread count
-- is a constant here rather than a counter.
local thread_count = 2
local threads = {{}}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
counter = 0
statuses = {{}}
local function headers_for(s, json)
  local h = {{}}
  h["Cookie"] = cookie_name .. "=" .. s[1] .. "; csrftoken=" .. s[2]
  h["X-CSRFToken"] = s[2]
  h["Accept"] = "application/json"
  if json then h["Content-Type"] = "application/json"
  else h["Content-Type"] = "application/x-www-form-urlencoded" end
  return h
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if counter >= {MAX_POSTS // 2} then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local line = "STATUSES"
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do line = line .. " " .. code .. "=" .. n end
  end
  io.write(line .. "\\n")
end
"""
    # Each request ticks a (reader, item) pair no earlier request touched, so afterwards
    # the new Tick rows must equal the acknowledged requests.
    (directory / "tick.lua").write_text(
        common
        + """
function request()
  local k = id + counter * thread_count
  counter = counter + 1
  local s = sessions[(k % #sessions) + 1]
  local item = items[(math.floor(k / #sessions) % #items) + 1]
  local path = "/checklists/items/" .. item .. "/"
  return wrk.format("POST", path, headers_for(s, true), '{"done": true}')
end
"""
    )
    (directory / "comment.lua").write_text(
        common
        + f"""
function request()
  local k = id + counter * thread_count
  counter = counter + 1
  local s = sessions[(k % #sessions) + 1]
  return wrk.format("POST", "/comments/posts/{data["post_id"]}/", headers_for(s, false),
                    "body=Load+test+comment+" .. k)
end
"""
    )
    (directory / "reader.lua").write_text(
        common
        + f"""
function request()
  counter = counter + 1
  local s = sessions[(counter % 50) + 1]
  local h = headers_for(s, false)
  h["Content-Type"] = nil
  h["Accept"] = "text/html"
  return wrk.format("GET", "{data["permalink"]}", h)
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
"""
    )
    (directory / "count.lua").write_text("""
local threads = {}
function setup(thread) table.insert(threads, thread) end
statuses = {}
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local line = "STATUSES"
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do line = line .. " " .. code .. "=" .. n end
  end
  io.write(line .. "\\n")
end
""")


def wrk(path, script, seconds=SECONDS):
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "5s",
        "-s",
        str(script),
        BASE + path,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def _ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def parse_wrk(output):
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))
    statuses = {}
    line = re.search(r"STATUSES(.*)", output)
    for pair in line.group(1).split() if line else []:
        code, count = pair.split("=")
        statuses[int(code)] = statuses.get(int(code), 0) + int(count)
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    bad = sum(n for code, n in statuses.items() if code >= 400)
    ok = sum(n for code, n in statuses.items() if code < 400)
    return {
        "rps": rps,
        "p50": p50,
        "p99": p99,
        "errors": bad + socket_errors,
        "ok": ok,
        "statuses": statuses,
    }


class AssetFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.assets = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.assets.append(attrs["src"])
        if tag == "link" and attrs.get("rel") in {"stylesheet", "icon"}:
            self.assets.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.assets.append(attrs["src"])


def fetch(path):
    request = urllib.request.Request(BASE + path, headers={"Accept-Encoding": "gzip, br"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read(), response.headers


def page_weight(permalink):
    body, headers = fetch(permalink)
    body_text = (
        gzip.decompress(body).decode()
        if headers.get("Content-Encoding") == "gzip"
        else body.decode()
    )
    finder = AssetFinder()
    finder.feed(body_text)
    total, script_bytes = len(body), 0
    for asset in finder.assets:
        data, _ = fetch(asset)
        total += len(data)
        if asset.endswith(".js"):
            script_bytes += len(data)
    return total, script_bytes, len(finder.assets)


def count_rows(sql):
    with psycopg.connect(DATABASE_URL) as connection:
        return connection.execute(sql).fetchone()[0]


def main():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    results_dir = ROOT / "bench-results"
    results_dir.mkdir(exist_ok=True)
    env = server_env()
    print("Preparing: fresh database, migrations, static files, seed data…", flush=True)
    reset_database()
    manage(env, "migrate", "--no-input")
    manage(env, "collectstatic", "--no-input")
    data_file = results_dir / "seed.json"
    subprocess.run([PY, "bench/seed.py", str(data_file)], cwd=ROOT, env=env, check=True)
    data = json.loads(data_file.read_text())
    settle_database()
    manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())
    static_path = "/static/" + manifest["paths"]["css/site.css"]

    scripts = Path(tempfile.mkdtemp())
    write_scripts(data, scripts)
    server = start_server(env)
    try:
        # Warm up: workers import and compile, and the readers' pages are built once, so
        # the rows measure the steady state.
        for path in (static_path, "/healthz", data["permalink"]):
            wrk(path, scripts / "count.lua", seconds=2)
        wrk(data["permalink"], scripts / "reader.lua", seconds=2)
        rows = [
            ("static file (WhiteNoise)", wrk(static_path, scripts / "count.lua")),
            ("/healthz", wrk("/healthz", scripts / "count.lua")),
            ("post page, anonymous", wrk(data["permalink"], scripts / "count.lua")),
            ("post page, logged in", wrk(data["permalink"], scripts / "reader.lua")),
        ]
        ticks_before = count_rows("SELECT count(*) FROM checklists_tick")
        rows.append(("tick (POST, JSON)", wrk("/", scripts / "tick.lua")))
        ticks_after = count_rows("SELECT count(*) FROM checklists_tick")
        comments_before = count_rows("SELECT count(*) FROM comments_comment")
        rows.append(("comment (POST)", wrk("/", scripts / "comment.lua")))
        comments_after = count_rows("SELECT count(*) FROM comments_comment")
        weight, script_weight, assets = page_weight(data["permalink"])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    static_rps = rows[0][1]["rps"]
    lines = [
        f"{'row':<26} {'req/s':>8} {'x static':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}",
    ]
    for name, row in rows:
        lines.append(
            f"{name:<26} {row['rps']:>8.0f} {row['rps'] / static_rps:>9.2f} "
            f"{row['p50']:>8.1f} {row['p99']:>8.1f} {row['errors']:>7}"
        )
    tick_ok, comment_ok = rows[4][1]["ok"], rows[5][1]["ok"]
    lines += [
        "",
        f"{CONNECTIONS} connections, {SECONDS} s a row, gunicorn "
        f"{env['WEB_CONCURRENCY']} workers x {env['GUNICORN_THREADS']} threads, PostgreSQL, "
        f"{'Redis' if REDIS_URL else 'local-memory'} cache, {os.cpu_count()} cores",
        f"ticks acknowledged {tick_ok}, new tick rows {ticks_after - ticks_before}: "
        f"{'nothing lost' if ticks_after - ticks_before >= tick_ok else 'LOST'}",
        f"comments acknowledged {comment_ok}, new comment rows {comments_after - comments_before}: "
        f"{'nothing lost' if comments_after - comments_before >= comment_ok else 'LOST'}",
        f"article page: {weight / 1024:.1f} KB transferred with its {assets} assets "
        f"(JavaScript {script_weight / 1024:.1f} KB, compressed)",
    ]
    report = "\n".join(lines)
    print(report)
    (results_dir / "report.txt").write_text(report + "\n")
    # Rows may exceed acknowledgements by the requests still in flight when wrk stopped.
    lost = ticks_after - ticks_before < tick_ok or comments_after - comments_before < comment_ok
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
