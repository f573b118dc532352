"""What an operator runs (issue 19): the settings the environment gives, the compose
file, gunicorn's configuration and the image's build context."""

import json
import os
import subprocess
import sys

import yaml

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
