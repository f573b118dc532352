"""Files a Jekyll post links to, copied into the site's media (issue 21).

A stand-in with the signature helper I1's site import uses; its own version, if it
differs, replaces this one.
"""

import hashlib
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def copy_asset(path):
    """Copy the file at ``path`` (pathlib.Path) into media storage; its URL (str).

    Stored under "imported/<first 12 hex digits of its SHA-256>/<file name>", so a
    second import of the same file writes nothing and two different files with one name
    never overwrite each other. Raises OSError when the file cannot be read.
    """
    content = Path(path).read_bytes()
    digest = hashlib.sha256(content).hexdigest()[:12]
    name = f"imported/{digest}/{Path(path).name}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(content))
    return default_storage.url(name)
