"""Abuse: honeypot, rate limits, bad input, CSRF, and what is kept of the writer's address."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from core.clients import client_ip, network_hash
from tests.conftest import make_post, make_user
from tests.html import parse

from .conftest import add_comment, post_comment

pytestmark = pytest.mark.django_db


def refusal(response):
    """The message a reader is shown: the alert on the page, or the script's error."""
    if response["Content-Type"].startswith("application/json"):
        data = response.json()
        if "error" in data:
            return data["error"]
        return " ".join(e["message"] for errors in data["errors"].values() for e in errors)
    tree = parse(response.content)
    return " ".join(
        element.text
        for element in tree.iter()
        if element.get("role") == "alert" or "field-error" in (element.get("class") or "")
    )


# Honeypot --------------------------------------------------------------------------------


@pytest.mark.parametrize("json", [False, True])
def test_a_filled_in_honeypot_is_refused_and_nothing_is_stored(client, a_post, a_reader, json):
    client.force_login(a_reader)

    response = post_comment(
        client, a_post, "Great post! Cheap pills", website="http://spam", json=json
    )

    assert response.status_code == 400
    assert "could not be accepted" in refusal(response)
    assert Comment.objects.count() == 0


def test_the_honeypot_is_in_the_form_hidden_from_people(client, a_post, a_reader):
    client.force_login(a_reader)

    tree = parse(client.get(a_post.get_absolute_url()).content)

    field = tree.first("input", name="website")
    assert field.get("tabindex") == "-1"
    assert field.parent.get("aria-hidden") == "true"


# Rate limits -----------------------------------------------------------------------------


@override_settings(COMMENTS_RATE_LIMIT_PER_READER=2, COMMENTS_RATE_LIMIT_PER_IP=100)
@pytest.mark.parametrize("json", [False, True])
def test_a_reader_over_the_rate_limit_gets_429_with_a_clear_message(client, a_post, a_reader, json):
    client.force_login(a_reader)
    post_comment(client, a_post, "One")
    post_comment(client, a_post, "Two")

    response = post_comment(client, a_post, "Three", json=json)

    assert response.status_code == 429
    # Retry-After (RFC 9110): the seconds left in the 10-minute window, said in words.
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 600
    minutes = -(-wait // 60) if wait >= 60 else None
    said = f"{minutes} minute{'s' if minutes != 1 else ''}" if minutes else f"{wait} second"
    assert f"You are commenting too quickly. Please wait {said}" in refusal(response)
    assert list(Comment.objects.values_list("body", flat=True)) == ["One", "Two"]


@override_settings(COMMENTS_RATE_LIMIT_PER_READER=2, COMMENTS_RATE_LIMIT_PER_IP=100)
def test_the_reader_limit_is_per_reader(client, a_post, a_reader, a_replier):
    client.force_login(a_reader)
    post_comment(client, a_post, "One")
    post_comment(client, a_post, "Two")
    client.force_login(a_replier)

    response = post_comment(client, a_post, "Mine")

    assert response.status_code == 302
    assert Comment.objects.count() == 3


@override_settings(COMMENTS_RATE_LIMIT_PER_READER=100, COMMENTS_RATE_LIMIT_PER_IP=2)
def test_readers_from_one_network_share_the_per_address_limit(client, a_post):
    readers = [make_user(email=f"r{n}@example.com") for n in range(3)]
    responses = []
    for number, reader in enumerate(readers):
        client.force_login(reader)
        responses.append(post_comment(client, a_post, f"From {number}"))

    assert [r.status_code for r in responses] == [302, 302, 429]
    assert Comment.objects.count() == 2


def post_from(client, post, address, body, forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(
        reverse("comments:post", args=[post.pk]), {"body": body, "parent": ""}, **extra
    )


@override_settings(COMMENTS_RATE_LIMIT_PER_READER=100, COMMENTS_RATE_LIMIT_PER_IP=2)
def test_the_address_limit_counts_the_network_not_the_reader(client, a_post, a_reader):
    client.force_login(a_reader)
    statuses = [
        post_from(client, a_post, "203.0.113.5", "a").status_code,
        post_from(client, a_post, "203.0.113.77", "b").status_code,  # same /24
        post_from(client, a_post, "203.0.113.9", "c").status_code,
        post_from(client, a_post, "198.51.100.1", "d").status_code,  # another network
    ]

    assert statuses == [302, 302, 429, 302]
    assert sorted(Comment.objects.values_list("body", flat=True)) == ["a", "b", "d"]


@override_settings(
    COMMENTS_RATE_LIMIT_PER_READER=100, COMMENTS_RATE_LIMIT_PER_IP=1, TRUSTED_PROXIES=["10.0.0.1"]
)
def test_behind_a_trusted_proxy_the_address_limit_counts_each_client(client, a_post, a_reader):
    client.force_login(a_reader)

    first = post_from(client, a_post, "10.0.0.1", "a", forwarded="203.0.113.5")
    other_client = post_from(client, a_post, "10.0.0.1", "b", forwarded="198.51.100.1")
    again = post_from(client, a_post, "10.0.0.1", "c", forwarded="203.0.113.5")

    assert [first.status_code, other_client.status_code, again.status_code] == [302, 302, 429]


@override_settings(COMMENTS_RATE_LIMIT_PER_READER=1)
def test_refused_attempts_do_not_use_up_the_limit(client, a_post, a_reader):
    client.force_login(a_reader)
    post_comment(client, a_post, "   ")  # invalid: not counted

    response = post_comment(client, a_post, "Valid")

    assert response.status_code == 302


# Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write something before posting."),
        ("   \n\t  ", "Write something before posting."),
        ("x" * 5001, "Keep it to 5,000 characters at most (it has 5001)."),
        ("Hello\x00world", "Null characters are not allowed."),
    ],
    ids=["empty", "whitespace", "5001-characters", "nul-byte"],
)
@pytest.mark.parametrize("json", [False, True], ids=["form", "json"])
def test_bad_text_gets_a_clear_error_and_nothing_is_stored(
    client, a_post, a_reader, body, message, json
):
    client.force_login(a_reader)

    response = post_comment(client, a_post, body, json=json)

    assert response.status_code == 400
    assert message in refusal(response)
    assert Comment.objects.count() == 0


def test_the_form_page_keeps_the_text_after_an_error(client, a_post, a_reader):
    client.force_login(a_reader)

    response = post_comment(client, a_post, "x" * 5001)

    textarea = parse(response.content).first("textarea", name="body")
    assert textarea.text == "x" * 5001
    assert textarea.get("aria-invalid") == "true"


def test_exactly_the_maximum_length_is_accepted(client, a_post, a_reader):
    client.force_login(a_reader)

    response = post_comment(client, a_post, "x" * 5000)

    assert response.status_code == 302
    assert len(Comment.objects.get().body) == 5000


@override_settings(COMMENTS_MAX_LENGTH=10)
def test_the_maximum_length_is_a_setting(client, a_post, a_reader):
    client.force_login(a_reader)

    response = post_comment(client, a_post, "x" * 11, json=True)

    assert response.status_code == 400
    assert "Keep it to 10 characters at most" in refusal(response)


def test_an_over_long_edit_is_refused(client, a_post, a_reader):
    comment = add_comment(a_post, a_reader, "Short")
    client.force_login(a_reader)

    response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": "x" * 5001})

    assert response.status_code == 400
    assert "Keep it to 5,000 characters at most" in response.text
    comment.refresh_from_db()
    assert comment.body == "Short"


@pytest.fixture
def bad_parents(a_post, a_commenter):
    """Every kind of comment a reply may not hang on."""
    other_post = make_post(title="Other", slug="other", permalink="/other/")
    deleted = add_comment(a_post, None, "", is_removed=True)
    add_comment(a_post, a_commenter, "Keeps the placeholder", parent=deleted)
    return {
        "another post's comment": add_comment(other_post, a_commenter, "Elsewhere").pk,
        "a pending comment": add_comment(a_post, a_commenter, "Wait", status="pending").pk,
        "a rejected comment": add_comment(a_post, a_commenter, "No", status="rejected").pk,
        "a spam comment": add_comment(a_post, a_commenter, "Buy", status="spam").pk,
        "a comment hidden by flags": add_comment(
            a_post, a_commenter, "Hm", hidden_by_flags=True
        ).pk,
        "a deleted comment": deleted.pk,
        "a comment that does not exist": 999_999,
        "not a number": "abc",
    }


@pytest.mark.parametrize(
    "kind",
    [
        "another post's comment",
        "a pending comment",
        "a rejected comment",
        "a spam comment",
        "a comment hidden by flags",
        "a deleted comment",
        "a comment that does not exist",
        "not a number",
    ],
)
@pytest.mark.parametrize("json", [False, True], ids=["form", "json"])
def test_a_reply_to_a_comment_it_may_not_hang_on_gets_a_clear_error(
    client, a_post, a_reader, bad_parents, kind, json
):
    client.force_login(a_reader)
    before = Comment.objects.count()

    response = post_comment(client, a_post, "My reply", parent=bad_parents[kind], json=json)

    assert response.status_code == 400
    message = refusal(response)
    assert (
        "The comment you are replying to is not available." in message
        or "Enter a whole number." in message
    )
    assert Comment.objects.count() == before


def test_a_closed_post_refuses_comments_and_stores_nothing(client, a_reader):
    post = make_post(allow_comments=False)
    client.force_login(a_reader)

    response = post_comment(client, post)

    assert response.status_code == 403
    assert "Comments on this post are closed." in refusal(response)
    assert Comment.objects.count() == 0


def test_a_draft_post_cannot_be_commented_on(client, a_reader):
    draft = make_post(title="Draft", slug="draft", permalink="/draft/", status="draft")
    client.force_login(a_reader)

    response = post_comment(client, draft)

    assert response.status_code == 404
    assert Comment.objects.count() == 0


def test_a_scheduled_post_cannot_be_commented_on_yet(client, a_reader):
    later = make_post(published_at=timezone.now() + timedelta(days=1))
    client.force_login(a_reader)

    assert post_comment(client, later).status_code == 404
    assert Comment.objects.count() == 0


def test_a_post_that_does_not_exist_is_404(client, a_reader):
    client.force_login(a_reader)

    response = client.post(reverse("comments:post", args=[999_999]), {"body": "Hi"})

    assert response.status_code == 404


def test_the_comment_address_accepts_only_post(client, a_post, a_reader):
    client.force_login(a_reader)

    assert client.get(reverse("comments:post", args=[a_post.pk])).status_code == 405


# CSRF ------------------------------------------------------------------------------------


def test_a_comment_without_a_csrf_token_is_refused(csrf_client, a_post, a_reader):
    csrf_client.force_login(a_reader)

    response = post_comment(csrf_client, a_post)

    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_a_comment_with_a_wrong_csrf_token_is_refused(csrf_client, a_post, a_reader):
    csrf_client.force_login(a_reader)
    csrf_client.get(a_post.get_absolute_url())  # sets the CSRF cookie

    response = post_comment(csrf_client, a_post, csrfmiddlewaretoken="x" * 64)

    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_a_comment_with_the_pages_csrf_token_is_accepted(csrf_client, a_post, a_reader):
    csrf_client.force_login(a_reader)
    tree = parse(csrf_client.get(a_post.get_absolute_url()).content)
    form = tree.by_id("comments").first("form", class_="comment-form")
    token = form.first("input", name="csrfmiddlewaretoken").get("value")

    response = post_comment(csrf_client, a_post, csrfmiddlewaretoken=token)

    assert response.status_code == 302
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("name", ["edit", "delete", "flag"])
def test_changing_a_comment_without_a_csrf_token_is_refused(
    csrf_client, a_post, a_reader, a_commenter, name
):
    comment = add_comment(a_post, a_reader if name != "flag" else a_commenter, "Original")
    csrf_client.force_login(a_reader)

    response = csrf_client.post(
        reverse(f"comments:{name}", args=[comment.pk]), {"body": "Changed", "reason": "spam"}
    )

    assert response.status_code == 403
    comment.refresh_from_db()
    assert (comment.body, comment.is_removed, comment.flags.count()) == ("Original", False, 0)


# What is kept of the address -------------------------------------------------------------


def test_the_stored_address_is_a_keyed_hash_of_the_network_not_the_address(
    client, a_post, a_reader
):
    client.force_login(a_reader)

    post_from(client, a_post, "203.0.113.42", "Hello")

    stored = Comment.objects.get().ip_hash
    assert re.fullmatch(r"[0-9a-f]{64}", stored)
    assert "203.0.113" not in stored
    assert stored == network_hash("203.0.113.42")


def test_addresses_in_one_slash_24_give_one_hash_and_others_differ():
    same = {network_hash(f"203.0.113.{n}") for n in (1, 42, 255)}
    assert len(same) == 1
    assert network_hash("203.0.114.1") not in same


def test_ipv6_addresses_in_one_slash_48_give_one_hash():
    assert network_hash("2001:db8:1:1::1") == network_hash("2001:db8:1:ffff::2")
    assert network_hash("2001:db8:1::1") != network_hash("2001:db8:2::1")


def test_the_hash_is_keyed_with_the_secret_key():
    before = network_hash("203.0.113.1")
    with override_settings(SECRET_KEY="another-secret-key-for-this-test"):
        assert network_hash("203.0.113.1") != before


def test_an_unreadable_address_hashes_to_nothing():
    assert network_hash("not an address") == ""


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_x_forwarded_for_is_ignored_without_trusted_proxies():
    assert client_ip(request_from("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_x_forwarded_for_is_ignored_when_the_peer_is_not_a_trusted_proxy():
    assert client_ip(request_from("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8", "192.0.2.1"])
@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.1", "203.0.113.1"),
        # The client can put anything on the left; the right-most untrusted one counts.
        ("1.1.1.1, 203.0.113.1", "203.0.113.1"),
        ("1.1.1.1, 203.0.113.1, 10.0.0.9", "203.0.113.1"),
        ("1.1.1.1,203.0.113.1 , 192.0.2.1,10.1.2.3", "203.0.113.1"),
        ("", "10.0.0.2"),
        ("10.0.0.7, 192.0.2.1", "10.0.0.2"),
    ],
)
def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client(forwarded, expected):
    assert client_ip(request_from("10.0.0.2", forwarded)) == expected


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_forged_unreadable_forwarded_address_falls_back_to_the_peer():
    assert client_ip(request_from("10.0.0.2", "203.0.113.1, <script>")) == "10.0.0.2"


@override_settings(COMMENTS_IP_RETENTION_DAYS=30)
def test_purge_comment_ips_forgets_the_network_of_old_comments(a_post, a_reader):
    now = timezone.now()
    old = add_comment(
        a_post, a_reader, "Old", ip_hash="a" * 64, created_at=now - timedelta(days=31)
    )
    recent = add_comment(
        a_post, a_reader, "Recent", ip_hash="b" * 64, created_at=now - timedelta(days=29)
    )
    out = StringIO()

    call_command("purge_comment_ips", stdout=out)

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.ip_hash, recent.ip_hash) == ("", "b" * 64)
    assert "Forgot the network of 1 comment older than" in out.getvalue()
    assert (old.body, recent.body) == ("Old", "Recent")


@override_settings(COMMENTS_IP_RETENTION_DAYS=7)
def test_the_retention_period_is_a_setting(a_post, a_reader):
    comment = add_comment(
        a_post,
        a_reader,
        "Week old",
        ip_hash="a" * 64,
        created_at=timezone.now() - timedelta(days=8),
    )

    call_command("purge_comment_ips", stdout=StringIO())

    comment.refresh_from_db()
    assert comment.ip_hash == ""
