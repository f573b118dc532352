"""Old addresses keep working (issue 18): a moved post's former addresses redirect
whatever their query string, and keep it; a deleted post's addresses, its last one
included, answer 410 "Article removed" however it was deleted."""

import pytest
from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.urls import reverse

from posts.models import Post
from tests.conftest import make_post

pytestmark = pytest.mark.django_db

RUSSIAN_PATH = "/статья/"
RUSSIAN_PATH_ENCODED = "/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F/"


def move(post, permalink):
    post.permalink = permalink
    post.save()


@pytest.fixture
def a_moved_post(a_post):
    """A post that moved from /a-test-post/ to /new-home/."""
    move(a_post, "/new-home/")
    return a_post


# Queries as links carry them: social sites' tracking, the site's own emails, odd ones.
QUERIES = [
    "utm_source=twitter",
    "utm_source=twitter&utm_medium=social&fbclid=IwAR0abc-_",
    "comments=2",
    "a=1&a=2&a=",
    "empty=&=value&flag",
    "q=%C3%A9t%C3%A9+%26+more%2F%3F",
    "next=//evil.example/&url=https://evil.example",
    "comments=abc",
    "comments=0",
    "a=%ff%fe&%zz=%",
    "x=1;y=2&z=[3]&w=a:b@c!$'()*,~",
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("old", ["/a-test-post/", "/a-test-post", "/a-test-post//"])
def test_an_old_address_redirects_whatever_its_query_string_and_keeps_it(
    client, a_moved_post, old, query
):
    response = client.get(f"{old}?{query}")
    assert response.status_code == 301
    assert response["Location"] == f"/new-home/?{query}"


def test_a_query_string_in_another_script_is_kept_percent_encoded(client, a_moved_post):
    # The test client sends "ü" as its UTF-8 bytes, as a browser does before encoding.
    response = client.get("/a-test-post/?q=über&tag=статья")
    assert response.status_code == 301
    assert response["Location"] == "/new-home/?q=%C3%BCber&tag=%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F"


def test_bytes_that_are_not_utf8_are_kept_percent_encoded(client, a_moved_post):
    # Under WSGI the query string is the bytes sent, read as Latin-1 (PEP 3333).
    response = client.get("/a-test-post/", QUERY_STRING='q=\xff\xfe&quote="<x>"')
    assert response.status_code == 301
    assert response["Location"] == "/new-home/?q=%FF%FE&quote=%22%3Cx%3E%22"


def test_a_redirect_never_leaves_the_site_whatever_the_query(client, a_moved_post):
    for query in ["//evil.example", "@evil.example", "\\\\evil.example", "x#@evil.example"]:
        response = client.get(f"/a-test-post/?{query}")
        assert response.status_code == 301, query
        assert response["Location"].startswith("/new-home/?"), query


def test_following_an_old_address_from_an_email_lands_on_the_comments_page(client, a_moved_post):
    response = client.get("/a-test-post/?comments=1", follow=True)
    assert response.redirect_chain == [("/new-home/?comments=1", 301)]
    assert response.status_code == 200
    assert "A test post" in response.text


def test_an_address_moved_twice_redirects_straight_to_the_newest_with_the_query(client, a_post):
    move(a_post, "/b/")
    move(a_post, "/c/")
    for old in ("/a-test-post/", "/b/"):
        response = client.get(f"{old}?utm_source=feed")
        assert (response.status_code, response["Location"]) == (301, "/c/?utm_source=feed")


@pytest.mark.parametrize("stored", [RUSSIAN_PATH, RUSSIAN_PATH_ENCODED])
@pytest.mark.parametrize("asked", [RUSSIAN_PATH_ENCODED, RUSSIAN_PATH_ENCODED.rstrip("/")])
def test_a_redirect_from_an_address_in_another_script_works_with_a_query(
    client, a_post, stored, asked
):
    # Written in the redirects admin, decoded or percent-encoded: both are the address.
    Redirect.objects.create(site_id=settings.SITE_ID, old_path=stored, new_path=a_post.permalink)
    response = client.get(f"{asked}?utm_source=vk")
    assert response.status_code == 301
    assert response["Location"] == "/a-test-post/?utm_source=vk"


def test_a_redirect_with_its_own_query_string_adds_the_visitors(client, a_post):
    Redirect.objects.create(
        site_id=settings.SITE_ID, old_path="/old/", new_path="/a-test-post/?ref=old"
    )
    response = client.get("/old/?utm_source=x")
    assert response["Location"] == "/a-test-post/?ref=old&utm_source=x"


def test_a_redirect_written_for_one_query_string_still_wins_for_it(client, a_post):
    # Such a redirect names its whole target: the query was part of the old address.
    make_post(title="Other", slug="other", permalink="/other/")
    Redirect.objects.create(site_id=settings.SITE_ID, old_path="/old/?page=2", new_path="/other/")
    Redirect.objects.create(site_id=settings.SITE_ID, old_path="/old/", new_path="/a-test-post/")
    assert client.get("/old/?page=2")["Location"] == "/other/"
    assert client.get("/old/?page=3")["Location"] == "/a-test-post/?page=3"


def test_an_old_address_answers_a_head_request_with_the_redirect(client, a_moved_post):
    response = client.head("/a-test-post/?utm_source=x")
    assert (response.status_code, response["Location"]) == (301, "/new-home/?utm_source=x")


def test_an_unknown_address_with_a_query_is_still_not_found(client, a_post):
    assert client.get("/no-such-post/?utm_source=x").status_code == 404
    assert client.get("/no-such-post/?comments=abc").status_code == 404


def test_a_bad_page_number_on_a_current_address_is_still_a_bad_request(client, a_post):
    assert client.get("/a-test-post/?comments=abc").status_code == 400


# A deleted post is gone at every address it had, the last one included


def delete_with_delete(client, post):
    post.delete()


def delete_with_a_queryset(client, post):
    Post.objects.filter(pk=post.pk).delete()


def delete_on_the_admin_delete_page(client, post):
    response = client.post(reverse("admin:posts_post_delete", args=[post.pk]), {"post": "yes"})
    assert response.status_code == 302


def delete_with_the_admin_delete_selected_action(client, post):
    response = client.post(
        reverse("admin:posts_post_changelist"),
        {"action": "delete_selected", "_selected_action": [post.pk], "post": "yes"},
    )
    assert response.status_code == 302


DELETIONS = [
    delete_with_delete,
    delete_with_a_queryset,
    delete_on_the_admin_delete_page,
    delete_with_the_admin_delete_selected_action,
]


@pytest.mark.parametrize("delete", DELETIONS, ids=lambda delete: delete.__name__)
def test_a_deleted_posts_last_address_is_gone_like_its_former_ones(
    client, editor_client, a_post, delete
):
    move(a_post, "/b/")
    move(a_post, "/c/")

    delete(editor_client, a_post)
    assert not Post.objects.filter(pk=a_post.pk).exists()

    for address in ("/a-test-post/", "/b/", "/c/", "/c", "/c/?utm_source=x", "/b/?comments=2"):
        response = client.get(address)
        assert response.status_code == 410, address
        assert "Article removed" in response.text, address


def test_a_deleted_post_that_never_moved_is_gone_at_its_address(client, a_post):
    a_post.delete()
    response = client.get("/a-test-post/?utm_source=twitter")
    assert response.status_code == 410
    assert "Article removed" in response.text


def test_a_new_post_at_a_deleted_posts_address_is_shown(client, a_post):
    a_post.delete()
    make_post(title="Newcomer", slug="newcomer", permalink="/a-test-post/")
    response = client.get("/a-test-post/")
    assert response.status_code == 200
    assert "Newcomer" in response.text


def test_a_post_moved_onto_a_deleted_posts_address_is_gone_there_again_once_deleted(client, a_post):
    a_post.delete()
    other = make_post(title="Other", slug="other", permalink="/other/")
    move(other, "/a-test-post/")
    assert client.get("/other/")["Location"] == "/a-test-post/"
    other.delete()
    assert client.get("/a-test-post/").status_code == 410
    assert client.get("/other/").status_code == 410
