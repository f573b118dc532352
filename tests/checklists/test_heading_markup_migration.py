"""The migration that renders stored posts again without a <label> around a checklist
heading's text (issue 18): a post saved before it changes too."""

import re
from importlib import import_module

import pytest
from django.apps import apps

from posts.models import Post

from .helpers import parse

pytestmark = pytest.mark.django_db


def as_before_issue_18(post):
    """Store the post's HTML as the renderer wrote it before: the text in a <label>."""
    html = re.sub(r' aria-labelledby="[^"]*"', "", post.body_html)
    html = re.sub(
        r'<span class="checklist-text" id="(check-[^"]*)-text">', r'<label for="\1">', html
    )
    html = re.sub(r"</span>(</h[1-6]>)", r"</label>\1", html)
    Post.objects.filter(pk=post.pk).update(body_html=html)
    return html


def run_the_migration():
    migration = import_module("checklists.migrations.0003_checklist_text_names_the_box")
    migration.render_again(apps, None)


def test_a_post_stored_with_labels_gets_boxes_named_by_their_text(client, a_post):
    old = as_before_issue_18(a_post)
    assert '<label for="check-first-thing">First thing</label>' in old
    client.get(a_post.get_absolute_url())  # now in the page cache

    run_the_migration()

    page = parse(client.get(a_post.get_absolute_url()))
    assert page.find_all("label") == []
    boxes = page.find("div", class_="post-body").find_all("input", type="checkbox")
    assert [page.accessible_name(box) for box in boxes] == ["First thing", "Second thing"]


def test_a_post_already_rendered_is_left_alone(a_post, django_assert_num_queries):
    # One query to read the posts; no write.
    with django_assert_num_queries(1):
        run_the_migration()
