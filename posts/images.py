"""Width and height on the uploaded images a post shows, so nothing jumps as they load.

The editor's uploads (posts.editor_views.upload_image) are stored under
MARKDOWNX_MEDIA_PATH with random names that are never reused or rewritten, so the size of
each can be read once from storage and kept for the life of the process. Post.render()
and the editor's preview pass their HTML through ``with_image_sizes``: an ``<img>`` of an
uploaded file that has no width or height gets both, in pixels (issue 22). Images
elsewhere, and any the editor sized by hand, are left as written.
"""

import html
import re
from functools import lru_cache
from urllib.parse import unquote

from django.conf import settings
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
SRC = re.compile(r"""\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
SIZED = re.compile(r"\s(?:width|height)\s*=", re.IGNORECASE)


def uploaded_name(src):
    """The storage name (str) of an uploaded image from its address (str, as written in
    HTML, entities and %-escapes allowed): "/media/posts/images/x.png" gives
    "posts/images/x.png"; None for any other address."""
    prefix = settings.MEDIA_URL + settings.MARKDOWNX_MEDIA_PATH
    path = unquote(html.unescape(src))
    if not path.startswith(prefix):
        return None
    name = path.removeprefix(settings.MEDIA_URL)
    if ".." in name.split("/") or "\\" in name:
        return None
    return name


@lru_cache(maxsize=4096)
def _stored_size(name):
    # Raises OSError (and Pillow's errors) for a missing or unreadable file: those are
    # not cached, so a file restored later is sized then.
    with default_storage.open(name, "rb") as handle, Image.open(handle) as image:
        return image.size


def image_size(src):
    """(width, height) in pixels of the uploaded image at ``src`` (str), or None when the
    address is not an upload or its file cannot be read."""
    name = uploaded_name(src)
    if name is None:
        return None
    try:
        return _stored_size(name)
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        return None


def with_image_sizes(body_html):
    """``body_html`` (str) with width and height added to each ``<img>`` of an uploaded
    image that has neither."""

    def add_size(match):
        tag = match.group(0)
        if SIZED.search(tag):
            return tag
        src = SRC.search(tag)
        if src is None:
            return tag
        size = image_size(next(group for group in src.groups() if group is not None))
        if size is None:
            return tag
        return f'<img width="{size[0]}" height="{size[1]}"{tag[4:]}'

    if "<img" not in body_html.lower():
        return body_html
    return IMG_TAG.sub(add_size, body_html)
