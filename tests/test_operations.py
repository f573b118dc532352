"""What an operator runs (issue 19): the settings the environment gives, the compose
file, gunicorn's configuration and the image's build context."""

import json
import os
import re
import subprocess
import sys

import yaml

from pages.page_cache import source_folders
from tests.conftest import ROOT


def production_settings(code, **environ):
    """The JSON that ``code`` (Python printing from ``settings``) prints, with the
    production settings read from ``environ`` in a fresh process."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}},
        "DJANGO_SETTINGS_MODULE": "advice_site.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "an-operations-test-secret-" + "x" * 40,
        **environ,
    }
    script = f"import json\nfrom advice_site import settings\nprint(json.dumps({code}))"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_rate_limits_live_on_their_own_redis_when_one_is_named():
    locations = production_settings(
        "{alias: c['LOCATION'] for alias, c in settings.CACHES.items()}",
        REDIS_URL="redis://pages.internal:6379/0",
        REDIS_RATE_LIMIT_URL="redis://limits.internal:6379/0",
    )

    assert locations == {
        "default": "redis://limits.internal:6379/0",  # allauth's and the site's rate limits
        "shared": "redis://pages.internal:6379/0",
    }


def test_compose_keeps_rate_limits_on_a_redis_that_never_evicts():
    services = compose()["services"]
    limits_url = services["web"]["environment"]["REDIS_RATE_LIMIT_URL"]
    host = limits_url.removeprefix("redis://").split(":")[0]

    assert host != "redis" and host in services
    command = services[host]["command"]
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"
    assert services["worker"]["environment"]["REDIS_RATE_LIMIT_URL"] == limits_url


def gunicorn_settings(**environ):
    """gunicorn.conf.py's settings, read with ``environ`` as the whole environment."""
    script = (
        "import json, runpy\nsettings = runpy.run_path('gunicorn.conf.py')\n"
        "print(json.dumps({k: v for k, v in settings.items() if k[0] != '_' "
        "and isinstance(v, (str, int, bool, type(None)))}))"
    )
    env = {"PATH": os.environ["PATH"], **environ}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_gunicorn_listens_on_the_loopback_unless_told_otherwise():
    assert gunicorn_settings()["bind"] == "127.0.0.1:8000"
    assert gunicorn_settings(PORT="9000")["bind"] == "127.0.0.1:9000"
    assert gunicorn_settings(GUNICORN_HOST="0.0.0.0")["bind"] == "0.0.0.0:8000"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "ENV GUNICORN_HOST=0.0.0.0" in dockerfile  # the container's own namespace


def test_gunicorn_bounds_idle_connections_and_request_heads():
    settings = gunicorn_settings()

    assert 0 < settings["keepalive"] <= 10
    assert settings["timeout"] <= 60
    assert settings["limit_request_line"] <= 8190
    assert settings["limit_request_fields"] <= 100
    assert settings["limit_request_field_size"] <= 8190


def test_gunicorns_control_socket_is_off_or_this_instances_own():
    assert gunicorn_settings()["control_socket_disable"] is True
    own = gunicorn_settings(GUNICORN_CONTROL_SOCKET="/run/advice/gunicorn.ctl")
    assert own["control_socket"] == "/run/advice/gunicorn.ctl"
    assert "control_socket_disable" not in own


def test_compose_publishes_nginx_alone_in_front_of_gunicorn():
    services = compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}

    assert published == {"nginx"}
    nginx = services["nginx"]
    assert "./nginx/advice_site.conf:/srv/advice_site.conf:ro" in nginx["volumes"]
    assert "server web:8000;" in " ".join(nginx["command"])
    assert nginx["depends_on"]["web"]["condition"] == "service_healthy"
    # The proxy whose X-Forwarded-For counts is nginx, at its fixed address.
    address = nginx["networks"]["default"]["ipv4_address"]
    environment = services["web"]["environment"]
    assert environment["DJANGO_TRUSTED_PROXIES"] == address
    assert environment["GUNICORN_FORWARDED_ALLOW_IPS"] == address


def test_every_compose_service_restarts_after_a_crash_or_reboot():
    services = compose()["services"]

    assert {name: service.get("restart") for name, service in services.items()} == dict.fromkeys(
        services, "unless-stopped"
    )


def test_postgresql_connections_give_up_on_a_hung_database_within_3_seconds():
    options = production_settings(
        "settings.DATABASES['default']['OPTIONS']",
        DATABASE_URL="postgres://advice:secret@db.internal:5432/advice_site",
    )

    assert options["connect_timeout"] == 3
    assert "-c statement_timeout=3s" in options["options"]


def test_the_statement_timeout_is_configurable_and_keeps_options_from_the_url():
    options = production_settings(
        "settings.DATABASES['default']['OPTIONS']",
        DATABASE_URL="postgres://a:b@db/c?options=-c%20search_path%3Dsite",
        DATABASE_STATEMENT_TIMEOUT="0",
    )

    assert options["options"] == "-c search_path=site -c statement_timeout=0s"


def docker_ignored(path, patterns):
    """Whether Docker leaves ``path`` (relative, "/"-separated) out of the build context
    under ``patterns`` (the lines of .dockerignore): the last pattern matching the path or
    one of its parent folders decides; "!" lets it back in (moby/patternmatcher)."""
    ignored = False
    parts = path.split("/")
    prefixes = ["/".join(parts[: length + 1]) for length in range(len(parts))]
    for pattern in patterns:
        include = pattern.startswith("!")
        pattern = pattern.removeprefix("!").strip("/")
        regex = "".join(
            ".*"
            if token == "**"
            else "[^/]*"
            if token == "*"
            else "[^/]"
            if token == "?"
            else re.escape(token)
            for token in re.split(r"(\*\*|\*|\?)", pattern)
        )
        if any(re.fullmatch(regex, prefix) for prefix in prefixes):
            ignored = not include
    return ignored


def test_the_image_gets_the_sites_files_and_no_secret_a_checkout_may_hold():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    # What the running site is made of (a release's folders, pages.page_cache) and the
    # files that start it.
    needed_roots = {
        "pyproject.toml", "README.md", "manage.py", "gunicorn.conf.py", "docker-entrypoint.sh",
        "content", *(folder.name for folder in source_folders()),
    }  # fmt: skip
    needed = [path for path in tracked if path.split("/")[0] in needed_roots]
    secrets = [
        ".env", ".env.production", "deploy/.env.staging", "server.pem", "tls/site.key",
        "advice_site/.env.local", "content/leaked.pem", "db.sqlite3", "posts/cache.sqlite3",
        "advice_site/__pycache__/settings.cpython-313.pyc", "node_modules/x/index.js",
        ".git/config", "tests/conftest.py", "bench/run.py", "backup.sql",
    ]  # fmt: skip

    assert [path for path in needed if docker_ignored(path, patterns)] == []
    assert [path for path in secrets if not docker_ignored(path, patterns)] == []
