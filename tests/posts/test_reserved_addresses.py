"""No post may take an address the site itself answers: the reserved first segments come
from the URLconf (posts.models.reserved_prefixes, issue 20)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import path

from posts.models import Post, reserved_prefixes
from tests.conftest import make_post


@pytest.mark.django_db
@pytest.mark.parametrize("permalink", ["/admin/", "/admin/posts/", "/feed/", "/healthz/x/"])
def test_the_sites_own_addresses_can_never_be_a_permalink(permalink):
    post = Post(title="Shadow", body="Text.", permalink=permalink)

    with pytest.raises(ValidationError) as error:
        post.full_clean()

    assert "is used by the site itself" in str(error.value.message_dict["permalink"])


@pytest.mark.django_db
def test_an_ordinary_permalink_is_taken():
    make_post(permalink="/admin-tips/").full_clean()


def test_every_top_level_route_and_the_static_files_are_reserved():
    assert {"admin", "accounts", "account", "feed", "healthz", "media", "static"} <= (
        reserved_prefixes()
    )
    assert {"categories", "checklists", "comments", "progress", "editor"} <= reserved_prefixes()


def noop(request):
    return None


urlpatterns = [path("newsletter/", noop), path("<path:permalink>", noop)]


def test_a_route_added_to_the_urlconf_is_reserved_at_once(settings):
    settings.ROOT_URLCONF = __name__

    assert "newsletter" in reserved_prefixes()
