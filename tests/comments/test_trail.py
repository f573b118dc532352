"""Issue 27: the moderation trail. Every decision on a comment is recorded with who,
when, from where (the admin or a digest's link) and the optional reason; the comment's
admin page shows its trail, the trail outlives the comment and the moderator's account,
and staff who may moderate export it as CSV."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from accounts.data import delete_account
from comments.models import Comment, ModerationDecision
from comments.moderation import create_comment
from tests.conftest import make_user
from tests.html import parse

from .conftest import add_comment
from .test_moderation import make_readme_moderator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]

CHANGELIST = reverse("admin:comments_comment_changelist")
TRAIL = reverse("admin:comments_moderationdecision_changelist")
Action = ModerationDecision.Action


@pytest.fixture
def moderator(db):
    return make_readme_moderator()


def trail(comment=None):
    """[(action, source, moderator name, reason)] of the trail, oldest first."""
    decisions = ModerationDecision.objects.order_by("decided_at", "id")
    if comment is not None:
        decisions = decisions.filter(comment_number=comment.pk)
    return list(decisions.values_list("action", "source", "moderator_name", "reason"))


def press(client, comment, action, reason=""):
    """A button of the comment's admin page, with the reason typed beside it."""
    url = reverse("admin:comments_comment_moderate", args=[comment.pk])
    return client.post(url, {"action": action, "reason": reason})


def test_each_decision_on_the_comments_page_is_recorded_with_its_reason(
    client, moderator, a_post, a_reader
):
    comment = add_comment(a_post, a_reader, "Buy cheap watches", status="pending")
    client.force_login(moderator)

    press(client, comment, "spam", reason="  an   advert ")
    press(client, comment, "approve")
    press(client, comment, "block_author", reason="Adverts again")

    assert trail(comment) == [
        (Action.SPAM, "admin", "Mo Derator", "an advert"),
        (Action.APPROVED, "admin", "Mo Derator", ""),
        (Action.AUTHOR_BLOCKED, "admin", "Mo Derator", "Adverts again"),
    ]


def test_the_lists_actions_record_one_decision_per_comment(client, moderator, a_post, a_reader):
    comments = [add_comment(a_post, a_reader, f"Text {n}", status="pending") for n in range(3)]
    client.force_login(moderator)

    client.post(
        CHANGELIST,
        {"action": "reject", "_selected_action": [c.pk for c in comments], "index": 0},
    )

    assert trail() == [(Action.REJECTED, "admin", "Mo Derator", "")] * 3


def test_a_discarded_edit_and_a_deletion_are_recorded(client, moderator, a_post, a_reader):
    edited = add_comment(
        a_post, a_reader, "Old", pending_body="New", pending_edited_at="2026-12-01T10:00Z"
    )
    deleted = add_comment(a_post, a_reader, "Goes")
    # Deleting takes Django's "Can delete comment" too (docs/readers.md).
    moderator.user_permissions.add(Permission.objects.get(codename="delete_comment"))
    client.force_login(moderator)

    press(client, edited, "discard_edit")
    client.post(reverse("admin:comments_comment_delete", args=[deleted.pk]), {"post": "yes"})

    assert trail(edited) == [(Action.EDIT_DISCARDED, "admin", "Mo Derator", "")]
    assert trail(deleted) == [(Action.DELETED, "admin", "Mo Derator", "")]
    [gone] = ModerationDecision.objects.filter(comment_number=deleted.pk)
    assert gone.comment is None and gone.excerpt == "Goes"  # outlives the comment


def test_a_decision_from_the_digest_is_recorded_as_such(
    client, moderator, a_post, a_reader, settings, django_capture_on_commit_callbacks
):
    settings.COMMENTS_MODERATOR_DIGEST_MINUTES = 0
    with django_capture_on_commit_callbacks(execute=True):
        comment = create_comment(post=a_post, author=a_reader, body="From the digest")
    [message] = [m for m in mail.outbox if m.to == [moderator.email]]
    link = next(
        line.split(": ", 1)[1] for line in message.body.splitlines() if line.startswith("Approve: ")
    )
    client.force_login(moderator)

    client.post("/" + link.split("://", 1)[1].split("/", 1)[1], {"reason": "Fine"})

    assert trail(comment) == [(Action.APPROVED, "digest", "Mo Derator", "Fine")]


def test_the_comments_page_shows_its_trail(client, moderator, a_post, a_reader):
    comment = add_comment(a_post, a_reader, "Hello", status="pending")
    client.force_login(moderator)
    page = parse(client.get(reverse("admin:comments_comment_change", args=[comment.pk])).content)
    assert "No moderator has decided on this comment yet." in page.text

    press(client, comment, "approve", reason="On topic")
    page = parse(client.get(reverse("admin:comments_comment_change", args=[comment.pk])).content)

    section = next(s for s in page.find_all("section") if "Moderation trail" in s.text)
    [row] = [r for r in section.find_all("tr") if r.find_all("td")]
    assert [cell.text for cell in row.find_all("td")][1:] == [
        "Approved", "Mo Derator", "Admin", "On topic",
    ]  # fmt: skip


def test_the_trail_keeps_the_moderators_name_after_their_account_goes(client, a_post, a_reader):
    leaving = make_readme_moderator(email="leaving@example.com")
    comment = add_comment(a_post, a_reader, "Hello", status="pending")
    client.force_login(leaving)
    press(client, comment, "approve")
    client.logout()

    delete_account(leaving)

    [decision] = ModerationDecision.objects.all()
    assert decision.moderator is None and decision.moderator_name == "Mo Derator"


def test_moderators_export_the_trail_as_csv_that_a_spreadsheet_reads_as_text(
    client, moderator, a_post, a_reader
):
    harmless = add_comment(a_post, a_reader, "Hello", status="pending")
    formula = add_comment(a_post, a_reader, '=HYPERLINK("http://evil.example")', status="pending")
    client.force_login(moderator)
    press(client, harmless, "approve", reason="ok")
    press(client, formula, "spam", reason="+1 link farm")

    listed = parse(client.get(TRAIL).content)
    assert [a.text for a in listed.find_all("a") if "/change/" in a.get("href", "")] == [
        f'#{formula.pk}: =HYPERLINK("http://evil.example")',
        f"#{harmless.pk}: Hello",
    ]  # newest first, each linked to its comment

    response = client.post(
        TRAIL,
        {"action": "export_csv", "select_across": 1, "index": 0, "_selected_action": [0]},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["decided at (UTC)", "decision", "from", "moderator", "comment"]
    assert [row[1:] for row in rows[1:]] == [
        ["Approved", "Admin", "Mo Derator", str(harmless.pk), "ok", "Hello"],
        ["Marked as spam", "Admin", "Mo Derator", str(formula.pk), "'+1 link farm",
         "'=HYPERLINK(\"http://evil.example\")"],
    ]  # fmt: skip


def test_staff_who_may_not_moderate_cannot_read_the_trail(client, a_post):
    staff = make_user(email="staff@example.com", is_staff=True)
    client.force_login(staff)

    assert client.get(TRAIL).status_code == 403
    assert Comment.objects.count() == 0  # nothing else happened


def test_the_trail_forgets_the_text_its_author_took_back(client, moderator, a_post, a_reader):
    """The author's deletion, or their account's, erases the text; the decisions stay."""
    own = add_comment(a_post, a_reader, "My own words", status="pending")
    other = make_user(email="other@example.com", display_name="Other")
    theirs = add_comment(a_post, other, "Their words", status="pending")
    client.force_login(moderator)
    press(client, own, "approve")
    press(client, theirs, "approve")
    client.force_login(a_reader)

    client.post(reverse("comments:delete", args=[own.pk]))
    delete_account(other)

    assert list(ModerationDecision.objects.values_list("excerpt", flat=True)) == ["", ""]
    assert len(trail()) == 2


def test_a_reason_keeps_no_control_or_format_characters(client, moderator, a_post, a_reader):
    """A NUL made PostgreSQL refuse the row (a 500); escapes and bidirectional overrides
    would reach the admin and the CSV."""
    comment = add_comment(a_post, a_reader, "Hello", status="pending")
    client.force_login(moderator)

    response = press(client, comment, "approve", reason="spam\x00bot \x1b[31mred\u202eevil\x07\n x")

    assert response.status_code == 302
    assert trail(comment) == [(Action.APPROVED, "admin", "Mo Derator", "spambot [31mredevil x")]


def test_a_moderators_data_export_lists_the_decisions_they_made(
    client, moderator, a_post, a_reader
):
    comment = add_comment(a_post, a_reader, "Hello", status="pending")
    client.force_login(moderator)
    press(client, comment, "approve", reason="Kind words")

    exported = client.get(reverse("accounts:export")).json()

    [decision] = exported["moderation_decisions"]
    assert (decision["comment"], decision["decision"], decision["from"], decision["reason"]) == (
        comment.pk, "Approved", "Admin", "Kind words",
    )  # fmt: skip
    client.force_login(a_reader)
    assert client.get(reverse("accounts:export")).json()["moderation_decisions"] == []
