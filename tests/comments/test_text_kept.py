"""Without JavaScript, a comment that is not posted comes back with its text and the
reason (issue 18: a rate-limited comment was lost although the page said "your text is
still in the form"); a posted one is found where it lives; a deleted one is confirmed."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from comments.models import BlockedCommenter, Comment
from tests.conftest import make_post
from tests.html import parse

from .conftest import add_comment, post_comment

pytestmark = pytest.mark.django_db

TEXT = "My carefully written answer, with *Markdown*,\nand a second line."


def alert_text(tree):
    return " ".join(element.text for element in tree.find_all(role="alert"))


def text_given_back(tree):
    """The text of the one text area on the page (the form's, or the copy to keep)."""
    (area,) = tree.find_all("textarea")
    return area.raw_text.removeprefix("\n")


@override_settings(COMMENTS_RATE_LIMIT_PER_READER=1, COMMENTS_RATE_LIMIT_PER_IP=100)
def test_a_rate_limited_comment_comes_back_in_the_form_with_the_reason(client, a_post, a_reader):
    client.force_login(a_reader)
    post_comment(client, a_post, "First")

    response = post_comment(client, a_post, TEXT)

    assert response.status_code == 429
    assert response["Retry-After"]
    tree = parse(response.content)
    assert "You are commenting too quickly" in alert_text(tree)
    form = tree.find("form", class_="comment-form")
    assert form["action"] == reverse("comments:post", args=[a_post.pk])
    assert text_given_back(form) == TEXT
    assert form.first("button", type="submit").text == "Post comment"
    assert Comment.objects.count() == 1


@override_settings(COMMENTS_RATE_LIMIT_PER_READER=1, COMMENTS_RATE_LIMIT_PER_IP=100)
def test_a_rate_limited_reply_comes_back_as_a_reply_form(client, a_post, a_reader, a_commenter):
    parent = add_comment(a_post, a_commenter, "A question")
    client.force_login(a_reader)
    post_comment(client, a_post, "First")

    response = post_comment(client, a_post, TEXT, parent=parent)

    assert response.status_code == 429
    tree = parse(response.content)
    assert tree.find("h1").text == "Reply to Carla Commenter"
    form = tree.find("form", class_="comment-form")
    assert text_given_back(form) == TEXT
    assert form.find("input", name="parent")["value"] == str(parent.pk)
    assert form.first("button", type="submit").text == "Post reply"


def test_an_invalid_comment_comes_back_in_the_form(client, a_post, a_reader, settings):
    settings.COMMENTS_MAX_LENGTH = 20
    client.force_login(a_reader)

    response = post_comment(client, a_post, TEXT)

    assert response.status_code == 400
    assert text_given_back(parse(response.content)) == TEXT


def refused_page(response):
    tree = parse(response.content)
    area = tree.find("textarea")
    assert "readonly" in area.attrs
    assert tree.find("label", for_=area["id"]).text == "Your text, to copy and keep"
    return tree


def test_a_blocked_readers_comment_comes_back_to_copy(client, a_post, a_reader, an_editor):
    BlockedCommenter.objects.create(user=a_reader, blocked_by=an_editor)
    client.force_login(a_reader)

    response = post_comment(client, a_post, TEXT)

    assert response.status_code == 403
    tree = refused_page(response)
    assert "stopped from commenting" in alert_text(tree)
    assert text_given_back(tree) == TEXT


def test_a_comment_on_a_post_closed_meanwhile_comes_back_to_copy(client, a_reader):
    post = make_post(allow_comments=False)
    client.force_login(a_reader)

    response = post_comment(client, post, TEXT)

    assert response.status_code == 403
    tree = refused_page(response)
    assert "Comments on this post are closed." in alert_text(tree)
    assert text_given_back(tree) == TEXT


def test_a_comment_caught_by_the_hidden_field_comes_back_to_copy(client, a_post, a_reader):
    client.force_login(a_reader)

    response = post_comment(client, a_post, TEXT, website="autofilled")

    assert response.status_code == 400
    assert text_given_back(refused_page(response)) == TEXT


def test_a_comment_sent_after_the_session_ended_comes_back_with_a_log_in_link(client, a_post):
    response = post_comment(client, a_post, TEXT)

    assert response.status_code == 403
    tree = refused_page(response)
    assert "no longer logged in" in alert_text(tree)
    assert text_given_back(tree) == TEXT
    log_in = next(a for a in tree.find("main").find_all("a") if a.text == "Log in")
    back_here = f"{a_post.get_absolute_url()}%23comments"
    assert log_in["href"] == f"{reverse('account_login')}?next={back_here}"
    assert Comment.objects.count() == 0


def test_a_flags_note_refused_to_a_blocked_reader_comes_back_to_copy(
    client, a_post, a_reader, a_commenter, an_editor
):
    comment = add_comment(a_post, a_commenter, "Dubious")
    BlockedCommenter.objects.create(user=a_reader, blocked_by=an_editor)
    client.force_login(a_reader)

    response = client.post(
        reverse("comments:flag", args=[comment.pk]), {"reason": "other", "note": TEXT}
    )

    assert response.status_code == 403
    assert text_given_back(refused_page(response)) == TEXT


def test_an_edit_sent_after_the_edit_window_comes_back_to_copy(client, a_post, a_reader):
    comment = add_comment(a_post, a_reader, "Old", created_at=timezone.now() - timedelta(days=1))
    client.force_login(a_reader)

    response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": TEXT})

    assert response.status_code == 403
    assert text_given_back(refused_page(response)) == TEXT


def test_an_edit_of_a_comment_a_moderator_removed_meanwhile_comes_back_to_copy(
    client, a_post, a_reader
):
    comment = add_comment(a_post, a_reader, "Soon rejected", status="rejected")
    client.force_login(a_reader)

    edit = client.post(reverse("comments:edit", args=[comment.pk]), {"body": TEXT})

    assert edit.status_code == 403
    assert text_given_back(refused_page(edit)) == TEXT


def test_a_reply_to_a_comment_gone_meanwhile_comes_back_in_the_form(
    client, a_post, a_reader, a_commenter
):
    parent = add_comment(a_post, a_commenter, "Soon deleted")
    client.force_login(a_reader)
    parent_id = parent.pk
    parent.delete()

    response = post_comment(client, a_post, TEXT, parent=parent_id)

    assert response.status_code == 400
    assert "not available" in alert_text(parse(response.content))
    assert text_given_back(parse(response.content)) == TEXT


# Where a posted comment lives -------------------------------------------------------------


@pytest.mark.parametrize("status", ["approved", "pending"])
def test_a_comment_posted_from_page_one_leads_to_the_page_it_lives_on(
    client, a_post, a_reader, a_commenter, settings, status
):
    # One way of changing settings only: override_settings under pytest-django's
    # ``settings`` leaks the override into later tests.
    settings.COMMENTS_THREADS_PER_PAGE = 2
    for body in ("One", "Two"):
        add_comment(a_post, a_commenter, body)
    if status == "approved":
        settings.COMMENTS_TRUSTED_AFTER = 0
    client.force_login(a_reader)

    response = post_comment(client, a_post, TEXT)
    as_json = post_comment(client, a_post, "And from the script", json=True)

    mine = Comment.objects.get(body=TEXT)
    assert response.status_code == 302
    assert response["Location"] == f"{a_post.get_absolute_url()}?comments=2#comment-{mine.pk}"
    page_two = parse(client.get(response["Location"]).content)
    assert page_two.by_id(f"comment-{mine.pk}") is not None
    script = Comment.objects.get(body="And from the script")
    assert as_json.status_code == 201
    assert as_json.json()["page"] == 2
    assert as_json.json()["url"] == (f"{a_post.get_absolute_url()}?comments=2#comment-{script.pk}")


@override_settings(COMMENTS_THREADS_PER_PAGE=2)
def test_a_reply_is_found_on_the_page_of_its_thread(client, a_post, a_reader, a_commenter):
    first = add_comment(a_post, a_commenter, "One")
    for body in ("Two", "Three"):
        add_comment(a_post, a_commenter, body)
    client.force_login(a_reader)

    response = post_comment(client, a_post, TEXT, parent=first, json=True)

    assert response.json()["page"] == 1
    assert response.json()["url"].endswith(f"/#comment-{response.json()['id']}")


# Deleting one's comment --------------------------------------------------------------------


@override_settings(COMMENTS_THREADS_PER_PAGE=1)
def test_deleting_a_comment_says_so_on_the_page_it_was_on(client, a_post, a_reader, a_commenter):
    add_comment(a_post, a_commenter, "Earlier")
    mine = add_comment(a_post, a_reader, "Regrettable")
    client.force_login(a_reader)

    response = client.post(reverse("comments:delete", args=[mine.pk]), follow=True)

    assert response.redirect_chain[-1][0].startswith(f"{a_post.get_absolute_url()}?comments=2")
    tree = parse(response.content)
    statuses = [element.text for element in tree.find_all(role="status")]
    assert "Your comment is deleted." in statuses
    assert not Comment.objects.filter(pk=mine.pk).exists()
    # Said once: the next page the reader opens does not repeat it.
    again = parse(client.get(a_post.get_absolute_url()).content)
    assert "Your comment is deleted." not in again.text


@pytest.mark.parametrize("second_name", ["Carol Ng", "Car0l Ng", "CaroI Ng", "carol ng"])
def test_of_two_readers_with_look_alike_names_the_first_to_comment_keeps_the_name(
    client, a_post, second_name
):
    """Issue 18: a name is checked against readers who have commented when it is
    chosen, so two readers who had not commented yet could pick look-alikes; both then
    commented side by side. The second is now asked to choose another name, text kept."""
    from tests.conftest import make_user

    first = make_user(email="carol@example.com", display_name="Carol Ng")
    second = make_user(email="other@example.com", display_name=second_name)
    client.force_login(first)
    assert post_comment(client, a_post, "First words").status_code == 302

    client.force_login(second)
    refused = post_comment(client, a_post, TEXT)
    as_script = post_comment(client, a_post, TEXT, json=True)

    assert refused.status_code == 409
    tree = parse(refused.content)
    assert "Another reader already comments as “Carol Ng”" in alert_text(tree)
    assert "other@example.com" not in refused.content.decode()
    assert text_given_back(tree.find("form", class_="comment-form")) == TEXT
    assert as_script.status_code == 409
    assert Comment.objects.filter(author=second).count() == 0
    second.display_name = "Bea Other"
    second.save()
    assert post_comment(client, a_post, TEXT).status_code == 302


def test_a_reader_who_has_commented_is_not_asked_about_names_again(client, a_post):
    from tests.conftest import make_user

    first = make_user(email="carol@example.com", display_name="Carol Ng")
    client.force_login(first)
    post_comment(client, a_post, "First words")
    assert post_comment(client, a_post, "Second words").status_code == 302
    assert Comment.objects.filter(author=first).count() == 2
