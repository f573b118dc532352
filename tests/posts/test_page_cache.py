"""The visitor's cached post page: served compressed, with a fresh CSRF token each time."""

import gzip

import pytest
from django.test import Client

from posts.page_cache import CachedPage

pytestmark = pytest.mark.django_db

PLACEHOLDER = "\x00csrf-token\x00"


def test_a_cached_page_unzips_to_the_page_with_the_visitors_token():
    html = "<p>start</p>" + PLACEHOLDER + "<p>middle</p>" * 500 + PLACEHOLDER + "<p>end</p>"
    page = CachedPage(html)

    body = gzip.decompress(page.gzipped("TOKEN-1"))

    assert body.decode() == html.replace(PLACEHOLDER, "TOKEN-1")
    assert page.text("TOKEN-2").decode() == html.replace(PLACEHOLDER, "TOKEN-2")
    assert len(page.gzipped("TOKEN-1")) < len(html) / 10


def test_a_page_without_tokens_is_one_piece():
    assert gzip.decompress(CachedPage("<p>plain</p>").gzipped("x")) == b"<p>plain</p>"


def test_repeat_visitors_get_the_same_page_compressed_or_not(the_article):
    first = Client().get("/dl_advice/", HTTP_ACCEPT_ENCODING="gzip")  # builds and caches
    cached = Client().get("/dl_advice/", HTTP_ACCEPT_ENCODING="gzip")
    plain = Client().get("/dl_advice/")

    assert cached["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in cached["Vary"]
    cached_html = gzip.decompress(cached.content).decode()
    first_html = gzip.decompress(first.content).decode()
    token = cached_html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert len(token) == 64
    assert cached_html.split(token)[0] in first_html
    assert "Advice for those who want to learn Deep Learning" in plain.content.decode()
    assert "\x00" not in cached_html and "\x00" not in plain.content.decode()


# A reader's own cached page ------------------------------------------------------------


@pytest.fixture
def reader_page(client, a_post, a_reader):
    """Log the reader in and have their page cached; returns a function to view it."""
    client.force_login(a_reader)

    def view():
        return client.get(a_post.get_absolute_url()).content.decode()

    view()
    return view


def test_a_readers_tick_shows_on_their_cached_page(client, a_post, a_reader, reader_page):
    item = a_post.checklist_items.first()

    client.post(f"/checklists/items/{item.pk}/", {"done": "true"})

    assert "1 of 2 done" in reader_page()


def test_a_new_display_name_shows_on_the_readers_cached_page(client, a_reader, reader_page):
    client.post("/account/name/", {"display_name": "Renamed Reader"})

    assert "Renamed Reader" in reader_page()


def test_a_blocked_reader_stops_seeing_the_comment_form_at_once(a_reader, an_editor, reader_page):
    from comments.moderation import block_commenter

    assert 'class="comment-form"' in reader_page()
    block_commenter(user=a_reader, moderator=an_editor)

    html = reader_page()
    assert 'class="comment-form"' not in html
    assert "stopped from commenting" in html


def test_an_unblocked_reader_gets_the_comment_form_back(client, a_reader, an_editor, reader_page):
    from comments.models import BlockedCommenter
    from comments.moderation import block_commenter

    block = block_commenter(user=a_reader, moderator=an_editor)
    reader_page()
    moderator = Client()
    moderator.force_login(an_editor)
    moderator.post(
        "/admin/comments/blockedcommenter/",
        {"action": "delete_selected", "_selected_action": [block.pk], "post": "yes"},
    )

    assert not BlockedCommenter.objects.exists()
    assert 'class="comment-form"' in reader_page()


def test_confirming_an_email_opens_the_comment_form_when_verification_is_mandatory(
    client, a_post, a_reader, settings
):
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    address = EmailAddress.objects.create(user=a_reader, email=a_reader.email, primary=True)
    client.force_login(a_reader)
    assert "Confirm your email address" in client.get(a_post.get_absolute_url()).text

    key = EmailConfirmationHMAC(address).key
    client.post(f"/accounts/confirm-email/{key}/")
    address.refresh_from_db()
    assert address.verified
    client.get(a_post.get_absolute_url())  # shows (and so clears) the "confirmed" message

    assert 'class="comment-form"' in client.get(a_post.get_absolute_url()).text


def test_readers_never_see_each_others_cached_pages(a_post, a_reader, another_reader):
    from checklists.progress import set_tick

    set_tick(user=a_reader, item=a_post.checklist_items.first(), done=True)
    first, second = Client(), Client()
    first.force_login(a_reader)
    second.force_login(another_reader)

    assert "1 of 2 done" in first.get(a_post.get_absolute_url()).content.decode()
    other = second.get(a_post.get_absolute_url()).content.decode()
    assert "0 of 2 done" in other
    assert a_reader.public_name not in other


# Served before authentication runs: the login checks must still hold -----------------


def test_a_changed_password_stops_the_old_sessions_cached_page(client, a_post, a_reader):
    client.force_login(a_reader)
    assert a_reader.public_name in client.get(a_post.get_absolute_url()).text  # cached

    a_reader.set_password("a brand new secret")  # changed elsewhere: this session is stale
    a_reader.save()

    html = client.get(a_post.get_absolute_url()).text
    assert a_reader.public_name not in html
    assert "Log in" in html


def test_a_deactivated_reader_stops_getting_their_cached_page(client, a_post, a_reader):
    client.force_login(a_reader)
    client.get(a_post.get_absolute_url())

    a_reader.is_active = False
    a_reader.save()

    assert a_reader.public_name not in client.get(a_post.get_absolute_url()).text


def test_a_logged_out_session_never_gets_the_readers_page(a_post, a_reader):
    reader = Client()
    reader.force_login(a_reader)
    reader.get(a_post.get_absolute_url())
    stolen_cookie = reader.cookies["sessionid"].value
    reader.post("/accounts/logout/")

    thief = Client()
    thief.cookies["sessionid"] = stolen_cookie
    assert a_reader.public_name not in thief.get(a_post.get_absolute_url()).text


def test_an_emptied_cache_never_brings_back_an_old_page(a_post):
    """Each process keeps its own copy of the visitor page under the content version;
    Redis forgets the version when it restarts, and the next must not match the old."""
    from django.core.cache import cache

    Client().get(a_post.get_absolute_url())
    Client().get(a_post.get_absolute_url())  # served from this process's copy
    cache.clear()  # as a Redis restart does
    a_post.title = "Retitled after the restart"
    a_post.save()

    assert "Retitled after the restart" in Client().get(a_post.get_absolute_url()).text


def test_each_process_keeps_a_bounded_number_of_visitor_pages():
    from posts import page_cache

    page_cache._visitor_pages.clear()
    for number in range(page_cache.LOCAL_PAGES + 10):
        page_cache._keep_locally(f"testserver:/post-{number}/:1", 5, CachedPage("<p>x</p>"))

    assert len(page_cache._visitor_pages) == page_cache.LOCAL_PAGES
    assert "testserver:/post-0/:1" not in page_cache._visitor_pages  # the oldest went first
    assert f"testserver:/post-{page_cache.LOCAL_PAGES + 9}/:1" in page_cache._visitor_pages
    page_cache._visitor_pages.clear()
