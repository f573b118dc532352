"""Table column alignment shows under the site's CSP: classes, not inline styles."""

from importlib import import_module

import pytest
from django.apps import apps

from posts.models import Post
from tests.conftest import make_post
from tests.html import parse

pytestmark = pytest.mark.django_db

TABLE = "| Model | Top-1 |\n|:--|--:|\n| ResNet | 76.1% |\n"


def cells(response):
    table = parse(response.content.decode()).find("table")
    return table.find_all("th") + table.find_all("td")


def test_a_posts_aligned_columns_are_classes_the_stylesheet_aligns(client):
    post = make_post(body=TABLE)
    response = client.get(post.get_absolute_url())
    assert [cell.get("class") for cell in cells(response)] == [
        "align-left",
        "align-right",
        "align-left",
        "align-right",
    ]
    assert not any(cell.get("style") for cell in cells(response))


def test_the_migration_gives_posts_stored_with_inline_styles_the_classes(client):
    post = make_post(body=TABLE)
    stored = post.body_html.replace('class="align-left"', 'style="text-align:left"').replace(
        'class="align-right"', 'style="text-align:right"'
    )
    Post.objects.filter(pk=post.pk).update(body_html=stored)
    migration = import_module("posts.migrations.0009_table_alignment_classes")
    migration.alignment_as_classes(apps, None)
    post.refresh_from_db()
    assert 'style="text-align' not in post.body_html
    assert post.body_html.count('class="align-right"') == 2
    response = client.get(post.get_absolute_url())
    assert [cell.get("class") for cell in cells(response)][:2] == ["align-left", "align-right"]
