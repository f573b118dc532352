"""Issue 27: the moderators' digest carries, for each comment, signed Approve, Reject and
Spam links. Following one shows the comment and a button and changes nothing; the
button decides, for a logged-in moderator only; a link altered, made for another comment
or decision, or older than seven days decides nothing; a comment already decided says
by whom instead of being decided again."""

import re
import time
from email import message_from_string

import pytest
from django.core import mail, signing
from django.urls import reverse

from comments.decisions import decision_url
from comments.models import Comment, ModerationDecision
from comments.moderation import create_comment, moderate
from tests.conftest import make_user
from tests.html import parse

from .conftest import make_moderator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]


@pytest.fixture
def waiting(a_post, a_reader, settings, django_capture_on_commit_callbacks):
    """A reader's comment awaiting a moderator, and the moderator's digest about it."""
    settings.COMMENTS_MODERATOR_DIGEST_MINUTES = 0
    moderator = make_moderator()
    with django_capture_on_commit_callbacks(execute=True):
        comment = create_comment(post=a_post, author=a_reader, body="Is *PyTorch* enough?")
    [message] = [m for m in mail.outbox if m.to == [moderator.email]]
    return {"comment": comment, "moderator": moderator, "message": message}


def links_in(text):
    """{label: path} of the decision links in a digest's plain text."""
    found = re.findall(r"^(Approve|Reject|Mark as spam): (\S+)$", text, re.MULTILINE)
    return {label: url.split("://", 1)[1].split("/", 1)[1] for label, url in found}


def status_of(comment):
    comment.refresh_from_db()
    return comment.status


def test_the_digest_has_each_decision_as_a_link_in_its_text_and_its_html(waiting):
    message = waiting["message"]
    text_links = links_in(message.body)
    [(html, mimetype)] = message.alternatives
    html_links = {
        a.text: a.get("href").split("://", 1)[1].split("/", 1)[1]
        for a in parse(html).find_all("a")
        if "/decide/" in a.get("href")
    }

    assert mimetype == "text/html"
    assert set(text_links) == {"Approve", "Reject", "Mark as spam"}
    assert html_links == text_links
    assert "Is <em>PyTorch</em> enough?" in html
    parsed = message_from_string(message.message().as_string())
    assert parsed.is_multipart()


def test_following_a_link_shows_the_comment_and_changes_nothing_until_the_button(client, waiting):
    comment, moderator = waiting["comment"], waiting["moderator"]
    path = "/" + links_in(waiting["message"].body)["Approve"]
    client.force_login(moderator)

    page = client.get(path)
    client.head(path)

    assert page.status_code == 200
    tree = parse(page.content)
    assert tree.find("h1").text == "Approve this comment?"
    assert "Is PyTorch enough?" in tree.text
    assert [b.text for b in tree.find_all("button")][-1] == "Approve"
    assert status_of(comment) == Comment.Status.PENDING  # a GET or HEAD decides nothing

    done = client.post(path)

    assert done.status_code == 200
    assert parse(done.content).find("h1").text == "Approved"
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderated_by == moderator


@pytest.mark.parametrize(
    ("label", "status"),
    [("Reject", Comment.Status.REJECTED), ("Mark as spam", Comment.Status.SPAM)],
)
def test_the_other_links_reject_or_mark_as_spam(client, waiting, label, status):
    client.force_login(waiting["moderator"])
    client.post("/" + links_in(waiting["message"].body)[label])

    assert status_of(waiting["comment"]) == status


def test_a_moderator_who_is_not_logged_in_logs_in_then_comes_back(client, waiting):
    path = "/" + links_in(waiting["message"].body)["Approve"]

    response = client.get(path)

    assert response.status_code == 302
    login, _, query = response["Location"].partition("?")
    assert login == reverse("account_login")
    assert f"next={path}".replace(":", "%3A") in query
    assert client.post(path).status_code == 302  # nor does a POST decide
    assert status_of(waiting["comment"]) == Comment.Status.PENDING


@pytest.mark.parametrize("who", ["reader", "staff without the permission"])
def test_only_a_moderator_may_decide(client, waiting, who):
    user = (
        make_user(email="r@example.com")
        if who == "reader"
        else make_user(email="s@example.com", is_staff=True)
    )
    client.force_login(user)
    path = "/" + links_in(waiting["message"].body)["Approve"]

    assert client.get(path).status_code == 403
    response = client.post(path)

    assert response.status_code == 403
    assert "may not moderate" in parse(response.content).text
    assert status_of(waiting["comment"]) == Comment.Status.PENDING


def swapped(path, position, value):
    parts = path.strip("/").split("/")
    parts[position] = value
    return "/" + "/".join(parts) + "/"


def test_a_link_for_another_comment_or_decision_or_altered_decides_nothing(client, waiting, a_post):
    other = create_comment(post=a_post, author=waiting["comment"].author, body="Another")
    approve = "/" + links_in(waiting["message"].body)["Approve"]
    client.force_login(waiting["moderator"])
    # /comments/<id>/decide/<decision>/<token>/
    tried = {
        "another comment": swapped(approve, 1, str(other.pk)),
        "another decision": swapped(approve, 3, "spam"),
        "an unknown decision": swapped(approve, 3, "delete"),
        "an altered token": approve[:-3] + "xx/",
    }
    for what, path in tried.items():
        response = client.post(path)
        assert response.status_code == 400, what
        assert "not valid" in parse(response.content).text, what
    assert status_of(waiting["comment"]) == status_of(other) == Comment.Status.PENDING


def test_a_link_older_than_seven_days_has_expired(client, waiting, monkeypatch):
    eight_days_ago = int(time.time()) - 8 * 24 * 3600
    monkeypatch.setattr(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(eight_days_ago)
    )
    old = decision_url(waiting["comment"], "approve").split("://", 1)[1].split("/", 1)[1]
    monkeypatch.undo()
    client.force_login(waiting["moderator"])

    response = client.post("/" + old)

    assert response.status_code == 410
    assert "expired" in parse(response.content).text
    assert status_of(waiting["comment"]) == Comment.Status.PENDING


def test_a_comment_already_decided_says_by_whom_and_is_not_decided_again(client, waiting):
    comment = waiting["comment"]
    first = make_moderator(email="first@example.com")
    first.display_name = "First Mover"
    first.save()
    moderate(
        source="admin",
        comments=Comment.objects.filter(pk=comment.pk),
        status="rejected",
        moderator=first,
    )
    client.force_login(waiting["moderator"])
    path = "/" + links_in(waiting["message"].body)["Approve"]

    for response in (client.get(path), client.post(path)):
        tree = parse(response.content)
        assert tree.find("h1").text == "Already decided"
        assert "already rejected by First Mover" in tree.text
        assert not [b for b in tree.find_all("button") if b.text == "Approve"]
    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == (Comment.Status.REJECTED, first)


def test_a_deleted_comment_is_gone(client, waiting):
    path = "/" + links_in(waiting["message"].body)["Approve"]
    waiting["comment"].delete()
    client.force_login(waiting["moderator"])

    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404


def test_a_comment_its_author_deleted_is_not_offered_for_a_decision(
    client, waiting, a_post, settings
):
    """Flagged until hidden, then deleted by its author under a reply: a placeholder."""
    from comments.moderation import delete_comment, flag_comment

    comment = waiting["comment"]
    moderate(
        comments=Comment.objects.filter(pk=comment.pk),
        status="approved",
        moderator=waiting["moderator"],
        source="admin",
    )
    settings.COMMENTS_FLAGS_TO_HIDE = 1
    flag_comment(comment=comment, user=make_user(email="f@example.com"), reason="spam")
    create_comment(post=a_post, author=make_user(email="r2@example.com"), body="Re", parent=comment)
    comment.refresh_from_db()
    delete_comment(comment=comment)
    client.force_login(waiting["moderator"])
    path = "/" + links_in(waiting["message"].body)["Approve"]

    for response in (client.get(path), client.post(path)):
        tree = parse(response.content)
        assert tree.find("h1").text == "Already decided"
        assert "Its author deleted this comment." in tree.text
    assert ModerationDecision.objects.filter(source="digest").count() == 0
