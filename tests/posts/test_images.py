"""Uploaded images get their width and height on the page (issue 22): posts/images.py."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from posts.images import uploaded_name, with_image_sizes
from tests.conftest import image_bytes, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stored_image(settings):
    settings.STORAGES = {**settings.STORAGES}  # a new, empty in-memory storage
    default_storage.save("posts/images/0b1c.png", ContentFile(image_bytes("PNG", (40, 30))))


def test_a_saved_post_shows_its_uploaded_image_with_width_and_height():
    post = make_post(body="Look:\n\n![A red box](/media/posts/images/0b1c.png)\n")
    assert '<img width="40" height="30" src="/media/posts/images/0b1c.png" alt="A red box"' in (
        post.body_html
    )


@pytest.mark.parametrize(
    "html",
    [
        '<img src="/media/posts/images/0b1c.png" width="20">',  # sized by the editor
        '<img height="9" src="/media/posts/images/0b1c.png">',
        '<img src="https://example.com/media/posts/images/0b1c.png">',  # not ours
        '<img src="/static/favicon.svg">',
        '<img src="/media/posts/images/missing.png">',  # not stored: left as written
        '<img alt="no address">',
    ],
)
def test_other_images_are_left_as_written(html):
    assert with_image_sizes(html) == html


def test_sizes_are_added_to_every_uploaded_image_however_quoted():
    html = "<p><img src='/media/posts/images/0b1c.png'> <IMG SRC=/media/posts/images/0b1c.png></p>"
    assert with_image_sizes(html) == (
        '<p><img width="40" height="30" src=\'/media/posts/images/0b1c.png\'> '
        '<img width="40" height="30" SRC=/media/posts/images/0b1c.png></p>'
    )


@pytest.mark.parametrize(
    ("src", "name"),
    [
        ("/media/posts/images/0b1c.png", "posts/images/0b1c.png"),
        ("/media/posts/images/a%20b.png", "posts/images/a b.png"),
        ("/media/posts/images/../../settings.py", None),
        ("/media/posts/images/..%2f..%2fsettings.py", None),
        ("/media/other/x.png", None),
        ("/static/x.png", None),
    ],
)
def test_only_addresses_of_uploads_name_a_stored_file(src, name):
    assert uploaded_name(src) == name
