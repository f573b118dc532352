"""`make bench`: the site under load on this machine, measured.

Creates a fresh PostgreSQL database, fills it (bench/seed.py), starts gunicorn with
production settings on 127.0.0.1, drives it with wrk (bounded in time and requests) and
prints one table: requests per second, median and p99 latency and errors per row, each
also as a ratio to the static file measured in the same run. Then it checks that every
tick and comment acknowledged under load is in the database, and weighs the article page.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/advice_bench),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/15; empty for a local cache),
BENCH_ROUNDS (5), BENCH_SECONDS (4, per row and round), BENCH_CONNECTIONS (32),
WEB_CONCURRENCY (two per core, as gunicorn.conf.py), GUNICORN_THREADS (2).

The rows run in rounds, one after the other within each round (first the reads, then
the two writes), and the table gives each row's median over the rounds. Each row is
measured right after a short run of the static file, and its ratio is to that run: a
virtual machine's speed drifts by a factor of two within a minute (other tenants), and
a ratio to the static file measured a minute earlier would measure the drift.

Two reads are measured while readers tick at a steady pace (BENCH_TICKERS connections,
each waiting BENCH_TICK_DELAY_MS between ticks with wrk's delay(), so the pace does not
depend on the server's speed): the rate of a busy checklist, which must not empty the
page cache. Then, in-process, the post page built with every cache stale.
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
from statistics import median
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://{HOST}:{PORT}"
SECONDS = int(os.environ.get("BENCH_SECONDS", "4"))
STATIC_SECONDS = 2
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/advice_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
TICKERS = int(os.environ.get("BENCH_TICKERS", "4"))
# 4 connections 120 ms apart: about 25 ticks a second here (the pace issue 9 sets).
TICK_DELAY_MS = int(os.environ.get("BENCH_TICK_DELAY_MS", "120"))
# Each round's tick phases (ticks beside the anonymous page, beside the logged-in page,
# the tick row) get their own share of the (reader, item) pairs.
TICK_PHASES = 3
# The logged-in rows view the page as these many readers, each with their own cached page.
PAGE_READERS = 50


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
        WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", str(2 * os.cpu_count())),
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
    # A bound on each write row's requests as well as on time: each tick phase of each
    # round gets its own share of the (reader, item) pairs, so every acknowledged tick
    # must be a new row.
    # The readers whose pages the logged-in rows view tick nothing: each of their ticks
    # would rebuild their page, which measures the ticks, not the page under them.
    tickers = len(data["sessions"]) - PAGE_READERS
    per_round = tickers * len(data["items"]) // (ROUNDS * TICK_PHASES)
    common = f"""
local sessions = {sessions}
local items = {items}
local cookie_name = "{data["session_cookie"]}"
-- setup() runs in wrk's main Lua state; each thread has its own, so the thread count
-- is a constant here rather than a counter.
local thread_count = 2
local threads = {{}}
-- Each phase passes its slot number, so its ticks are pairs no other phase touches.
first = 0
function init(args)
  first = (tonumber(args[1]) or 0) * {per_round}
end
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
  h["Accept-Encoding"] = "gzip"
  if json then h["Content-Type"] = "application/json"
  else h["Content-Type"] = "application/x-www-form-urlencoded" end
  return h
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if counter >= {per_round // 2} then wrk.thread:stop() end
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
        + f"""
function request()
  local k = first + id + counter * thread_count
  counter = counter + 1
  local s = sessions[{PAGE_READERS} + (k % {tickers}) + 1]
  local item = items[(math.floor(k / {tickers}) % #items) + 1]
  local path = "/checklists/items/" .. item .. "/"
  return wrk.format("POST", path, headers_for(s, true), '{{"done": true}}')
end
"""
    )
    (directory / "tick_paced.lua").write_text(
        (directory / "tick.lua").read_text()
        + f"""
function delay()
  return {TICK_DELAY_MS}
end
"""
    )
    (directory / "comment.lua").write_text(
        common
        + f"""
function request()
  local k = first + id + counter * thread_count
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
  local s = sessions[(counter % {PAGE_READERS}) + 1]
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
    # Every row asks for gzip, as browsers do: WhiteNoise then sends its precompressed
    # file and the page cache its compressed page.
    (directory / "count.lua").write_text("""
wrk.headers["Accept-Encoding"] = "gzip"
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


def wrk_command(path, script, seconds=SECONDS, slot=0, connections=CONNECTIONS):
    return [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "5s",
        "-s",
        str(script),
        BASE + path,
        "--",
        str(slot),
    ]


def wrk(path, script, seconds=SECONDS, slot=0):
    command = wrk_command(path, script, seconds, slot)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def wrk_while_ticking(path, script, tick_script, slot):
    """``path`` measured as wrk(), while TICKERS connections tick at a steady pace for the
    same time. Returns (the page's result, the ticks' result)."""
    ticks = subprocess.Popen(
        wrk_command("/", tick_script, slot=slot, connections=TICKERS),
        stdout=subprocess.PIPE,
        text=True,
    )
    page = wrk(path, script)
    output, _ = ticks.communicate(timeout=SECONDS + 30)
    return page, parse_wrk(output)


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
    permalink = data["permalink"]
    # (path, script, ticking): ticking rows run beside a steady pace of ticks.
    rows = {
        "static file (WhiteNoise)": (static_path, "count.lua", False),
        "/healthz": ("/healthz", "count.lua", False),
        "post page, anonymous": (permalink, "count.lua", False),
        "post page, logged in": (permalink, "reader.lua", False),
        "anonymous, while ticking": (permalink, "count.lua", True),
        "logged in, while ticking": (permalink, "reader.lua", True),
        "tick (POST, JSON)": ("/", "tick.lua", False),
        "comment (POST)": ("/", "comment.lua", False),
    }
    results = {name: [] for name in rows}
    statics = {name: [] for name in rows}  # the static file's rate just before each
    paced_ticks = {name: [] for name, row in rows.items() if row[2]}
    try:
        # Warm up: workers import and compile.
        for path in (static_path, "/healthz", permalink):
            wrk(path, scripts / "count.lua", seconds=2)
        ticks_before = count_rows("SELECT count(*) FROM checklists_tick")
        comments_before = count_rows("SELECT count(*) FROM comments_comment")
        # The readers' pages are built once first, so the rows measure the steady state;
        # the writes come last, since each comment changes the page.
        wrk(permalink, scripts / "reader.lua", seconds=2)
        # (The static file's own row is every slice measured before the others.)
        reads, writes = list(rows)[1:6], list(rows)[6:]
        # The rows that tick, each with its own share of (reader, item) pairs per round.
        tick_phase = {"anonymous, while ticking": 0, "logged in, while ticking": 1}
        tick_phase["tick (POST, JSON)"] = 2
        for names in (reads, writes):
            for round_number in range(ROUNDS):
                for name in names:
                    path, script, ticking = rows[name]
                    slot = round_number * TICK_PHASES + tick_phase.get(name, 0)
                    # The static file just before each row: the ratio compares two
                    # measurements seconds apart, not minutes (the speed drifts).
                    static = wrk(static_path, scripts / "count.lua", seconds=STATIC_SECONDS)
                    results["static file (WhiteNoise)"].append(static)
                    statics[name].append(static["rps"])
                    if ticking:
                        result, ticks = wrk_while_ticking(
                            path, scripts / script, scripts / "tick_paced.lua", slot
                        )
                        paced_ticks[name].append(ticks)
                    else:
                        result = wrk(path, scripts / script, slot=slot)
                    results[name].append(result)
        ticks_after = count_rows("SELECT count(*) FROM checklists_tick")
        comments_after = count_rows("SELECT count(*) FROM comments_comment")
        weight, script_weight, assets = page_weight(permalink)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    build = subprocess.run(
        [PY, "bench/build_time.py", permalink],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()

    static_rounds = [result["rps"] for result in results["static file (WhiteNoise)"]]
    lines = [
        f"{'row':<26} {'req/s':>8} {'x static':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'worst p99':>10} {'errors':>7}",
    ]
    for name, rounds in results.items():
        if name == "static file (WhiteNoise)":  # every slice of it, measured before each row
            ratios = [1.0]
        else:
            ratios = [r["rps"] / s for r, s in zip(rounds, statics[name], strict=True)]
        lines.append(
            f"{name:<26} {median(r['rps'] for r in rounds):>8.0f} {median(ratios):>9.2f} "
            f"{median(r['p50'] for r in rounds):>8.1f} {median(r['p99'] for r in rounds):>8.1f} "
            f"{max(r['p99'] for r in rounds):>10.1f} {sum(r['errors'] for r in rounds):>7}"
        )
    all_ticks = results["tick (POST, JSON)"] + [t for ts in paced_ticks.values() for t in ts]
    tick_ok = sum(r["ok"] for r in all_ticks)
    tick_errors = sum(r["errors"] for r in all_ticks)
    comment_ok = sum(r["ok"] for r in results["comment (POST)"])
    pace = ", ".join(
        f"{name}: {median(t['rps'] for t in ticks):.0f} ticks/s"
        for name, ticks in paced_ticks.items()
    )
    lines += [
        "",
        f"median of {ROUNDS} rounds of {SECONDS} s a row, each right after {STATIC_SECONDS} s "
        "of the static file, which its ratio is to (worst p99: the slowest round), "
        f"{CONNECTIONS} connections, gunicorn {env['WEB_CONCURRENCY']} workers x "
        f"{env['GUNICORN_THREADS']} threads, PostgreSQL, "
        f"{'Redis' if REDIS_URL else 'local-memory'} cache, {os.cpu_count()} cores",
        f"ticking rows: {TICKERS} connections, {TICK_DELAY_MS} ms between ticks ({pace}; "
        f"{tick_errors} errors)",
        f"ticks acknowledged {tick_ok}, new tick rows {ticks_after - ticks_before}: "
        f"{'nothing lost' if ticks_after - ticks_before >= tick_ok else 'LOST'}",
        f"comments acknowledged {comment_ok}, new comment rows {comments_after - comments_before}: "
        f"{'nothing lost' if comments_after - comments_before >= comment_ok else 'LOST'}",
        f"article page: {weight / 1024:.1f} KB transferred with its {assets} assets "
        f"(JavaScript {script_weight / 1024:.1f} KB, compressed)",
        f"{build} (static file in this run: {median(static_rounds):.0f} req/s)",
    ]
    report = "\n".join(lines)
    print(report)
    (results_dir / "report.txt").write_text(report + "\n")
    # Rows may exceed acknowledgements by the requests still in flight when wrk stopped.
    lost = ticks_after - ticks_before < tick_ok or comments_after - comments_before < comment_ok
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
