"""The file cache used without Redis (issue 19): start-up refuses a folder other users
can write or that is not the site's user's, and a disk that refuses writes (full) makes
pages uncached, never a 500."""

import errno
import logging
import os
import subprocess
import sys
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured

from advice_site.settings import DATABASES, cache_directory
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722, 0o1777], ids=lambda mode: f"{mode:o}")
def test_a_folder_others_may_write_is_refused_naming_it(tmp_path, mode):
    folder = tmp_path / "cache"
    folder.mkdir()
    folder.chmod(mode)

    with pytest.raises(ImproperlyConfigured, match="can be written by other users") as refused:
        cache_directory(str(folder), DATABASES)

    assert str(folder) in str(refused.value)


def test_a_folder_of_another_user_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(os, "geteuid", lambda: folder.stat().st_uid + 1)

    with pytest.raises(ImproperlyConfigured, match="belongs to user id"):
        cache_directory(str(folder), DATABASES)


def test_the_users_own_private_folder_is_accepted(tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)

    assert cache_directory(str(folder), DATABASES) == str(folder)


def test_start_up_stops_with_a_world_writable_cache_folder(tmp_path):
    folder = tmp_path / "shared-by-all"
    folder.mkdir()
    folder.chmod(0o777)
    env = {
        **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
        "DJANGO_SETTINGS_MODULE": "advice_site.settings",
        "DJANGO_SECRET_KEY": "a-start-up-test-secret-" + "x" * 40,
        "DJANGO_CACHE_DIR": str(folder),
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.returncode != 0
    assert f"{folder} can be written by other users" in result.stderr


def test_a_full_disk_under_the_file_cache_serves_pages_uncached(
    client, the_article, caplog, settings, tmp_path
):
    # The cache used without Redis, whatever this run's REDIS_URL (one of CI's runs).
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "core.cache.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        },
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    client.raise_request_exception = False
    full = OSError(errno.ENOSPC, "No space left on device")

    with (
        mock.patch("django.core.cache.backends.filebased.tempfile.mkstemp", side_effect=full),
        caplog.at_level(logging.WARNING),
    ):
        statuses = [client.get(the_article.get_absolute_url()).status_code for _ in range(3)]
        reader_view = client.get("/").status_code

    assert statuses == [200, 200, 200] and reader_view == 200
    warnings = [record for record in caplog.records if "cannot be written" in record.getMessage()]
    assert len(warnings) == 1
    assert "No space left on device" in warnings[0].getMessage()
