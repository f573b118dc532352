"""Files an imported post links to (images, PDFs, ...), copied into the site's media
storage and served at /media/ (posts.media_views) — issue 21.

A copy is named by its content ("imported/<first 16 hex digits of its SHA-256>/<file
name>"), so importing the same file twice stores it once, a changed file gets a new name
(media is served as immutable for a year), and nothing already stored is overwritten.

During a whole site's import the copies are only planned (deferred_copies), then written
once every post has been read, so a site that cannot be imported leaves nothing behind.
"""

import contextlib
import contextvars
import hashlib
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

FOLDER = "imported"
_PLAN = contextvars.ContextVar("asset_copy_plan", default=None)


class AssetPlan:
    """The copies planned inside deferred_copies(): {storage name: source Path}."""

    def __init__(self):
        self.pending = {}
        self.stored = []  # the names this plan wrote, to take back if the import fails

    def write(self):
        """Store every planned copy not in storage yet; the number of files written (int).
        Raises OSError when a source cannot be read or storage refuses."""
        for name, source in self.pending.items():
            if not default_storage.exists(name):
                stored = default_storage.save(name, ContentFile(source.read_bytes()))
                self.stored.append(stored)
        return len(self.stored)

    def count_new(self):
        """How many planned copies are not in storage yet (int); nothing is written."""
        return sum(1 for name in self.pending if not default_storage.exists(name))

    def take_back(self):
        """Delete what write() stored (the import that planned it failed)."""
        for name in self.stored:
            default_storage.delete(name)
        self.stored = []


@contextlib.contextmanager
def deferred_copies():
    """Inside the block, copy_asset() only plans its copies; yields the AssetPlan, whose
    write() stores them."""
    plan = AssetPlan()
    token = _PLAN.set(plan)
    try:
        yield plan
    finally:
        _PLAN.reset(token)


def storage_name(path):
    """The name (str) the file at ``path`` (pathlib.Path) is stored under: its content's
    hash and its own name made safe for storage. Raises OSError if it cannot be read."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    return f"{FOLDER}/{digest}/{default_storage.get_valid_name(Path(path).name)}"


def media_url(name):
    """The address (str, "/media/...") of the stored file ``name``."""
    return settings.MEDIA_URL + quote(name)


def copy_asset(path):
    """Copy the file at ``path`` (pathlib.Path) into media storage; return its address
    (str, such as "/media/imported/3f2a…/diagram.png").

    Idempotent: a file with the same content and name is stored once. Inside
    deferred_copies() the copy is only planned. Raises OSError when the file cannot be
    read, or is not a file.
    """
    path = Path(path)
    if not path.is_file():
        raise IsADirectoryError(f"{path} is not a file")
    name = storage_name(path)
    plan = _PLAN.get()
    if plan is not None:
        plan.pending[name] = path
    elif not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(path.read_bytes()))
    return media_url(name)
