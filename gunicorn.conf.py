"""gunicorn settings, read from the environment (see README, "Deployment")."""

import multiprocessing
import os

# Where only the proxy in front reaches it (issue 19: clients that went round nginx could
# hold every thread with slow requests): the loopback by default. The image sets
# GUNICORN_HOST=0.0.0.0, its own network namespace, where compose's nginx reaches it and
# nothing is published.
_port = os.environ.get("PORT", "8000")
bind = os.environ.get("GUNICORN_BIND") or f"{os.environ.get('GUNICORN_HOST', '127.0.0.1')}:{_port}"
# Workers are processes, two per core by default (4 on the benchmark machine); each runs
# GUNICORN_THREADS threads, so slow clients and database waits overlap. Two per core, not
# one: a kept-alive connection stays with the worker that accepted it, and with one
# worker per core an uneven share of connections left a core idle (the same page
# measured anywhere from 0.25 to 0.6 of the static file's rate from run to run).
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# A kept-alive or idle connection, or one whose request has not started, is closed after
# this many seconds (gthread waits for its data in the poller, not in a thread).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = 10000
# Logs on standard output/error; the access log is off unless asked for, since Django
# logs every request error with its context already.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Only these proxies may set X-Forwarded-* (matches DJANGO_TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Reject absurd requests before Django sees them.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# gunicornc's control socket is shared by every gunicorn one user runs, at the same path
# (issue 19): off, unless GUNICORN_CONTROL_SOCKET names a path for this instance alone.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
