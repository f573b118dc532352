"""Posts and categories: permalinks, stored rendering, and redirects from old addresses."""

import pytest
from django.contrib.redirects.models import Redirect
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from posts.models import Category, Post, normalize_permalink
from tests.conftest import make_post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("dl_advice", "/dl_advice/"),
        ("/dl_advice", "/dl_advice/"),
        ("dl_advice/", "/dl_advice/"),
        (" /dl_advice/ ", "/dl_advice/"),
        ("/2020/dl_advice/", "/2020/dl_advice/"),
    ],
)
def test_a_permalink_is_stored_as_a_path_with_slashes(given, stored):
    assert normalize_permalink(given) == stored
    assert make_post(permalink=given).permalink == stored


def test_the_posts_address_is_its_permalink():
    post = make_post(permalink="dl_advice")
    assert post.get_absolute_url() == "/dl_advice/"
    assert str(post) == "A test post"


def test_two_posts_cannot_share_a_permalink():
    make_post(permalink="/same/")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_post(slug="other", permalink="same")


def test_full_clean_rejects_a_permalink_another_post_has():
    make_post(permalink="/same/")
    post = Post(title="Other", slug="other", permalink="/same/", body="x")
    with pytest.raises(ValidationError) as error:
        post.full_clean()
    assert "permalink" in error.value.message_dict


@pytest.mark.parametrize(
    "permalink",
    ["/admin/", "/admin/posts/", "/feed/", "/media/x/", "/categories/", "/accounts/x/", "editor"],
)
def test_full_clean_rejects_permalinks_the_site_uses_itself(permalink):
    post = Post(title="T", slug="t", permalink=permalink, body="x")
    with pytest.raises(ValidationError) as error:
        post.full_clean()
    assert "is used by the site itself" in error.value.message_dict["permalink"][0]


@pytest.mark.parametrize("permalink", ["/Has Capitals/", "/with space/", "/ümlaut/", "/a//b/"])
def test_full_clean_rejects_permalinks_that_are_not_plain_paths(permalink):
    post = Post(title="T", slug="t", permalink=permalink, body="x")
    with pytest.raises(ValidationError) as error:
        post.full_clean()
    assert "permalink" in error.value.message_dict


def test_full_clean_accepts_and_normalises_a_permalink_without_slashes():
    post = Post(title="T", slug="t", permalink="administration-tips", body="x")
    post.full_clean()
    assert post.permalink == "/administration-tips/"


def test_saving_renders_the_body_headings_and_reading_time():
    post = make_post(body="## Hello\n\n" + "word " * 600)
    assert post.body_html.startswith('<h2 id="hello">Hello</h2>')
    assert post.headings == [{"id": "hello", "text": "Hello", "level": 2, "checklist": False}]
    assert post.reading_minutes == 3


def test_changing_the_body_rerenders_on_save():
    post = make_post()
    post.body = '## <input type="checkbox"> Only item\n\nShort.'
    post.save()
    post.refresh_from_db()
    assert [heading["id"] for heading in post.checklist_headings] == ["only-item"]
    assert "Second thing" not in post.body_html
    assert post.reading_minutes == 1


def test_turning_math_on_rerenders_the_dollars_as_mathml():
    post = make_post(body="$x^2$")
    assert "<math" not in post.body_html
    post.use_math = True
    post.save()
    assert "<math" in post.body_html


def test_toc_headings_are_the_second_level_headings_and_every_checklist_heading():
    post = make_post(
        body='# Top\n\n## One\n\n### Deeper\n\n### <input type="checkbox"> A small step\n\n## Two\n'
    )
    assert [heading["text"] for heading in post.toc_headings] == ["One", "A small step", "Two"]


def test_a_draft_or_a_future_post_is_not_published(a_post):
    from datetime import timedelta

    from django.utils import timezone

    assert a_post.is_published
    draft = make_post(slug="d", permalink="/d/", status=Post.Status.DRAFT)
    future = make_post(slug="f", permalink="/f/", published_at=timezone.now() + timedelta(days=1))
    assert not draft.is_published
    assert not future.is_published
    assert list(Post.objects.published()) == [a_post]


def test_a_category_lives_under_categories():
    category = Category.objects.create(name="Deep Learning", slug="deep-learning")
    assert category.get_absolute_url() == "/categories/deep-learning/"
    assert str(category) == "Deep Learning"


# Old addresses keep working


def move(post, permalink):
    post.permalink = permalink
    post.save()


def test_a_moved_post_answers_at_its_old_address_with_a_permanent_redirect(client, a_post):
    move(a_post, "/new-home/")
    response = client.get("/a-test-post/")
    assert response.status_code == 301
    assert response["Location"] == "/new-home/"
    assert client.get("/new-home/").status_code == 200


def test_following_the_old_address_lands_on_the_post(client, a_post):
    move(a_post, "new-home")
    response = client.get("/a-test-post/", follow=True)
    assert response.redirect_chain == [("/new-home/", 301)]
    assert response.status_code == 200
    assert "A test post" in response.text


def test_moving_twice_sends_both_old_addresses_to_the_newest(client, a_post):
    move(a_post, "/b/")
    move(a_post, "/c/")
    for old in ("/a-test-post/", "/b/"):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, "/c/"), old
    assert client.get("/c/").status_code == 200


def test_moving_back_leaves_no_redirect_loop(client, a_post):
    move(a_post, "/b/")
    move(a_post, "/a-test-post/")
    assert client.get("/a-test-post/").status_code == 200
    response = client.get("/b/", follow=True)
    assert response.redirect_chain == [("/a-test-post/", 301)]
    assert response.status_code == 200
    assert not Redirect.objects.filter(old_path="/a-test-post/").exists()


# A deleted post's addresses: tests/posts/test_old_addresses.py.


def test_saving_without_moving_makes_no_redirect(a_post):
    a_post.title = "Retitled"
    a_post.save()
    assert Redirect.objects.count() == 0


def test_an_old_address_given_to_a_new_post_shows_the_new_post(client, a_post):
    move(a_post, "/moved/")
    make_post(title="Newcomer", slug="newcomer", permalink="/a-test-post/")
    response = client.get("/a-test-post/")
    assert response.status_code == 200
    assert "Newcomer" in response.text
