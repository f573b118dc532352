"""Fixtures and helpers for the discussion under posts."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.urls import reverse

from comments.models import Comment
from comments.rendering import render_comment
from tests.conftest import make_user
from tests.html import parse

PASSWORD = "a-long-enough-password"


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate limits count in the cache: every test starts with none spent."""
    cache.clear()
    yield
    cache.clear()


def add_comment(post, author=None, body="A comment.", *, parent=None, status="approved", **fields):
    """A comment stored the way the site stores one (HTML rendered, thread and depth set),
    without going through the view; status approved unless told."""
    comment = Comment.objects.create(
        post=post,
        author=author,
        body=body,
        body_html=render_comment(body),
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        thread=parent.thread if parent else None,
        status=status,
        **fields,
    )
    if parent is None:
        comment.thread = comment
        comment.save(update_fields=["thread"])
    return comment


def make_moderator(email="moderator@example.com", **extra):
    """Staff with the moderate_comment and view_comment permissions, not a superuser."""
    user = make_user(email=email, is_staff=True, display_name="The Moderator", **extra)
    user.user_permissions.add(
        Permission.objects.get(codename="moderate_comment"),
        Permission.objects.get(codename="view_comment"),
    )
    return user


@pytest.fixture
def a_moderator(db):
    return make_moderator()


@pytest.fixture
def a_replier(db):
    """A second reader, who answers the first."""
    return make_user(email="replier@example.com", display_name="Rita Replier")


@pytest.fixture
def a_commenter(db):
    """A reader with a display name, to recognise on the page."""
    return make_user(email="commenter@example.com", display_name="Carla Commenter")


def comment_url_for(post):
    return reverse("comments:post", args=[post.pk])


def post_comment(client, post, body="A thoughtful comment.", *, parent=None, json=False, **data):
    """Send the comment form as the browser does (or as the script does, with json=True)."""
    fields = {"body": body, "parent": parent.pk if hasattr(parent, "pk") else (parent or "")}
    fields.update(data)
    headers = {"Accept": "application/json"} if json else {}
    return client.post(comment_url_for(post), fields, headers=headers)


def get_page(client, post, **query):
    response = client.get(post.get_absolute_url(), query)
    assert response.status_code == 200
    return response


def page_tree(client, post, **query):
    return parse(get_page(client, post, **query).content)


def comment_element(tree, comment):
    return tree.by_id(f"comment-{comment.pk}")


def shown_comment_ids(tree):
    """The ids of the comments a reader sees on the page, in page order."""
    return [
        int(element.get("data-comment-id"))
        for element in tree.find_all("article", class_="comment")
    ]


def body_text(tree, comment):
    element = comment_element(tree, comment)
    body = element.first("div", class_="comment-body")
    return body.text if body else None
