"""Moderation: who is trusted, who sees what, the admin queue, flags and blocks."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.admin import CommentAdmin
from comments.models import BlockedCommenter, Comment, Flag
from comments.moderation import create_comment
from tests.conftest import make_post, make_user, session_queries
from tests.html import parse

from .conftest import (
    add_comment,
    body_text,
    comment_element,
    make_moderator,
    page_tree,
    post_comment,
    shown_comment_ids,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:comments_comment_changelist")


def post_as(client, user, post, body="Hello", **kwargs):
    client.force_login(user)
    response = post_comment(client, post, body, json=True, **kwargs)
    assert response.status_code == 201, response.content
    return Comment.objects.get(pk=response.json()["id"])


def history(post, author, *statuses):
    for number, status in enumerate(statuses):
        add_comment(post, author, f"Earlier {number}", status=status)


# Trust -----------------------------------------------------------------------------------


def test_a_new_readers_comment_awaits_moderation(client, a_post, a_reader):
    assert post_as(client, a_reader, a_post).status == Comment.Status.PENDING


def test_a_staff_members_comment_is_approved_at_once(client, a_post, a_staff_member):
    assert post_as(client, a_staff_member, a_post).status == Comment.Status.APPROVED


def test_a_reader_with_enough_approved_comments_and_none_refused_is_trusted(
    client, a_post, a_reader
):
    history(a_post, a_reader, "approved", "approved", "approved")

    assert post_as(client, a_reader, a_post).status == Comment.Status.APPROVED


def test_a_reader_one_approved_comment_short_is_not_yet_trusted(client, a_post, a_reader):
    history(a_post, a_reader, "approved", "approved", "pending")

    assert post_as(client, a_reader, a_post).status == Comment.Status.PENDING


@pytest.mark.parametrize("refused", ["rejected", "spam"])
def test_one_refused_comment_spoils_trust(client, a_post, a_reader, refused):
    history(a_post, a_reader, "approved", "approved", "approved", "approved", refused)

    assert post_as(client, a_reader, a_post).status == Comment.Status.PENDING


@override_settings(COMMENTS_TRUSTED_AFTER=1)
def test_the_number_of_approved_comments_for_trust_is_a_setting(client, a_post, a_reader):
    history(a_post, a_reader, "approved")

    assert post_as(client, a_reader, a_post).status == Comment.Status.APPROVED


# Who sees pending comments ---------------------------------------------------------------


def test_the_author_sees_their_own_pending_comment_marked_awaiting_moderation(
    client, a_post, a_reader
):
    comment = post_as(client, a_reader, a_post, "Is this on?")

    element = comment_element(page_tree(client, a_post), comment)

    assert element.first("strong", class_="badge").text == "Awaiting moderation"
    assert element.first("div", class_="comment-body").text == "Is this on?"


def test_other_readers_and_visitors_do_not_see_a_pending_comment(
    client, a_post, a_reader, a_replier
):
    comment = post_as(client, a_reader, a_post, "Is this on?")

    client.force_login(a_replier)
    as_reader = page_tree(client, a_post)
    client.logout()
    as_visitor = page_tree(client, a_post)

    for tree in (as_reader, as_visitor):
        assert comment_element(tree, comment) is None
        assert "Is this on?" not in tree.text


@pytest.mark.parametrize("status", ["rejected", "spam"])
def test_rejected_and_spam_comments_show_to_nobody_on_the_site_not_even_the_author(
    client, a_post, a_reader, status
):
    comment = add_comment(a_post, a_reader, "Refused", status=status)
    client.force_login(a_reader)

    tree = page_tree(client, a_post)

    assert comment_element(tree, comment) is None


def test_an_approved_comment_shows_without_the_badge(client, a_post, a_reader):
    comment = add_comment(a_post, a_reader, "Fine")
    client.force_login(a_reader)

    element = comment_element(page_tree(client, a_post), comment)

    assert "Awaiting moderation" not in element.text


# The moderation queue in admin -----------------------------------------------------------


@pytest.fixture
def queue(a_post, a_reader, a_commenter):
    """A pending, an approved, a rejected and a spam comment on two posts."""
    other_post = make_post(title="Other post", slug="other", permalink="/other/")
    return {
        "pending": add_comment(a_post, a_reader, "Pending about llamas", status="pending"),
        "approved": add_comment(a_post, a_commenter, "Approved about alpacas"),
        "rejected": add_comment(other_post, a_reader, "Rejected rant", status="rejected"),
        "spam": add_comment(other_post, a_commenter, "Buy pills", status="spam"),
    }


def listed(client, **query):
    """The comments the changelist shows (by their change links)."""
    response = client.get(CHANGELIST, query)
    assert response.status_code == 200
    rows = parse(response.content).by_id("result_list").first("tbody").find_all("tr")
    return {int(row.first("th").first("a").get("href").split("/")[-3]) for row in rows}


def ids(*comments):
    return {comment.pk for comment in comments}


@pytest.fixture(params=["superuser", "moderator"])
def moderator(request, db, an_editor):
    return an_editor if request.param == "superuser" else make_moderator()


def test_a_superuser_and_a_moderator_list_every_comment_whatever_its_status(
    client, moderator, queue
):
    client.force_login(moderator)

    assert listed(client, status__exact="all") == ids(*queue.values())


def test_the_queue_filters_by_status(client, moderator, queue):
    client.force_login(moderator)

    assert listed(client, status__exact="pending") == ids(queue["pending"])
    assert listed(client, status__exact="spam") == ids(queue["spam"])


def test_the_queue_filters_by_post(client, moderator, queue, a_post):
    client.force_login(moderator)

    assert listed(client, post__id__exact=a_post.pk) == ids(queue["pending"], queue["approved"])


def test_the_queue_filters_by_date(client, moderator, queue):
    old = queue["spam"]
    Comment.objects.filter(pk=old.pk).update(created_at="2019-06-01T12:00:00Z")
    client.force_login(moderator)

    assert listed(client, created_at__year=2019) == ids(old)
    assert listed(
        client,
        created_at__gte="2019-01-01 00:00:00+00:00",
        created_at__lt="2020-01-01 00:00:00+00:00",
    ) == ids(old)


def test_the_queue_searches_comment_text(client, moderator, queue):
    client.force_login(moderator)

    assert listed(client, q="llamas") == ids(queue["pending"])


def test_the_queue_searches_the_authors_display_name(client, moderator, queue, a_commenter):
    client.force_login(moderator)

    assert listed(client, q="Carla") == ids(queue["approved"], queue["spam"])


def run_action(client, action, comments):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [c.pk for c in comments], "index": 0},
    )


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve", "approved"), ("reject", "rejected"), ("mark_spam", "spam")],
)
def test_the_bulk_actions_set_the_status_and_record_who_and_when(
    client, moderator, a_post, a_reader, action, status
):
    comments = [add_comment(a_post, a_reader, f"Comment {n}", status="pending") for n in range(3)]
    untouched = add_comment(a_post, a_reader, "Not selected", status="pending")
    client.force_login(moderator)

    response = run_action(client, action, comments[:2])

    assert response.status_code == 302
    for comment in comments[:2]:
        comment.refresh_from_db()
        assert comment.status == status
        assert comment.moderated_by == moderator
        assert comment.moderated_at is not None
    for comment in (comments[2], untouched):
        comment.refresh_from_db()
        assert (comment.status, comment.moderated_by) == ("pending", None)


def test_approving_in_admin_shows_the_comment_on_the_site(client, moderator, a_post, a_reader):
    comment = add_comment(a_post, a_reader, "Now you see me", status="pending")
    assert comment_element(page_tree(client, a_post), comment) is None
    client.force_login(moderator)

    run_action(client, "approve", [comment])

    client.logout()
    assert body_text(page_tree(client, a_post), comment) == "Now you see me"


@pytest.fixture
def a_viewer(db):
    """Staff who may view comments in admin but not moderate them."""
    user = make_user(email="viewer@example.com", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_comment"))
    return user


def action_names(client):
    tree = parse(client.get(CHANGELIST, follow=True).content)
    select = tree.first("select", name="action")
    return {option.get("value") for option in select.find_all("option")} if select else set()


def test_a_moderator_is_offered_the_moderation_actions(client, a_moderator, queue):
    client.force_login(a_moderator)

    assert {"approve", "reject", "mark_spam", "block_authors"} <= action_names(client)


def test_staff_without_the_moderate_permission_cannot_open_the_queue_or_a_comment(
    client, a_viewer, queue
):
    """Issue 18: "Can moderate comments" is the one permission of moderating; Django's
    "Can view comment" alone opens nothing."""
    client.force_login(a_viewer)

    assert client.get(CHANGELIST, {"status__exact": "all"}).status_code == 403
    change = reverse("admin:comments_comment_change", args=[queue["pending"].pk])
    assert client.get(change).status_code == 403


@pytest.mark.parametrize("action", ["approve", "reject", "mark_spam", "block_authors"])
def test_staff_without_the_moderate_permission_cannot_post_a_moderation_action(
    client, a_viewer, a_post, a_reader, action
):
    comment = add_comment(a_post, a_reader, "Waiting", status="pending")
    client.force_login(a_viewer)

    run_action(client, action, [comment])

    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == ("pending", None)
    assert not BlockedCommenter.objects.exists()


def test_a_reader_cannot_reach_the_moderation_queue(client, a_reader, queue):
    client.force_login(a_reader)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_status_is_read_only_in_the_change_form(client, moderator, a_post, a_reader):
    comment = add_comment(a_post, a_reader, "Waiting", status="pending")
    client.force_login(moderator)
    url = reverse("admin:comments_comment_change", args=[comment.pk])

    tree = parse(client.get(url).content)
    client.post(url, {"status": "approved", "body": "Changed", "_save": "Save"})

    assert tree.first(name="status") is None
    assert "Awaiting moderation" in tree.first("div", class_="field-status").text
    comment.refresh_from_db()
    assert (comment.status, comment.body) == ("pending", "Waiting")


def test_comments_cannot_be_added_in_admin(client, an_editor):
    client.force_login(an_editor)

    assert client.get(reverse("admin:comments_comment_add")).status_code == 403


def view_link_target(client, **query):
    """Where the list's "View" link of the one comment listed leads."""
    tree = parse(client.get(CHANGELIST, query).content)
    link = next(a for a in tree.find_all("a") if a.text == "View")
    response = client.get(link.get("href"))
    assert response.status_code == 302
    site_url = settings.SITE_URL
    assert response["Location"].startswith(site_url)
    return response["Location"].removeprefix(site_url)


def test_the_view_link_points_to_the_comment_on_the_site(client, moderator, a_post, a_reader):
    comment = add_comment(a_post, a_reader, "Look here")
    client.force_login(moderator)

    target = view_link_target(client, status__exact="all")

    assert target == f"{a_post.get_absolute_url()}#comment-{comment.pk}"
    client.logout()
    assert comment_element(page_tree(client, a_post), comment) is not None


@override_settings(COMMENTS_THREADS_PER_PAGE=1)
def test_the_view_link_of_a_comment_on_a_later_page_opens_that_page(
    client, a_moderator, a_post, a_reader
):
    add_comment(a_post, a_reader, "First thread")
    later = add_comment(a_post, a_reader, "Second thread")
    client.force_login(a_moderator)

    target = view_link_target(client, q="Second")

    assert target == f"{a_post.get_absolute_url()}?comments=2#comment-{later.pk}"


# Only moderators change status -----------------------------------------------------------


def test_posting_a_status_with_a_comment_does_not_approve_it(client, a_post, a_reader):
    client.force_login(a_reader)

    post_comment(client, a_post, "Approve me", status="approved", hidden_by_flags="")

    assert Comment.objects.get().status == Comment.Status.PENDING


def test_editing_with_a_status_does_not_change_it(client, a_post, a_reader):
    comment = add_comment(a_post, a_reader, "Waiting", status="pending")
    client.force_login(a_reader)

    client.post(
        reverse("comments:edit", args=[comment.pk]), {"body": "Edited", "status": "approved"}
    )

    comment.refresh_from_db()
    assert (comment.body, comment.status) == ("Edited", "pending")


def test_no_site_address_changes_a_comments_status(client, a_post, a_reader):
    """Every comments URL, as the author, with status fields: the status stays pending."""
    comment = add_comment(a_post, a_reader, "Waiting", status="pending")
    client.force_login(a_reader)
    data = {"body": "x", "status": "approved", "reason": "spam", "action": "approve"}
    for name in ["edit", "flag", "reply"]:
        client.post(reverse(f"comments:{name}", args=[comment.pk]), data)
    client.post(reverse("comments:preview"), data)
    client.post(reverse("comments:post", args=[a_post.pk]), data)

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert set(Comment.objects.values_list("status", flat=True)) == {"pending"}


# Flags -----------------------------------------------------------------------------------


def flag(client, comment, reason="spam", note=""):
    return client.post(
        reverse("comments:flag", args=[comment.pk]), {"reason": reason, "note": note}
    )


def test_a_reader_flags_a_comment_with_a_reason(client, a_post, a_commenter, a_reader):
    comment = add_comment(a_post, a_commenter, "Dubious")
    client.force_login(a_reader)

    form = client.get(reverse("comments:flag", args=[comment.pk]))
    response = flag(client, comment, "abuse", "Rude to others")

    assert form.status_code == 200
    assert response.status_code == 200
    assert "a moderator will look at this comment" in response.text
    stored = Flag.objects.get()
    assert (stored.comment, stored.user, stored.reason, stored.note) == (
        comment,
        a_reader,
        "abuse",
        "Rude to others",
    )


def test_a_reader_can_flag_a_comment_only_once(client, a_post, a_commenter, a_reader):
    comment = add_comment(a_post, a_commenter, "Dubious")
    client.force_login(a_reader)
    flag(client, comment)

    again = flag(client, comment, "other")

    assert again.status_code == 409
    assert "You have already flagged this comment" in again.text
    assert Flag.objects.count() == 1
    assert Flag.objects.get().reason == "spam"


def test_the_flag_form_is_not_offered_again_once_flagged(client, a_post, a_commenter, a_reader):
    comment = add_comment(a_post, a_commenter, "Dubious")
    client.force_login(a_reader)
    flag(client, comment)

    page = client.get(reverse("comments:flag", args=[comment.pk]))

    assert page.status_code == 200
    assert "You have already flagged this comment" in page.text
    assert parse(page.content).first("form", class_="stacked-form") is None


def test_the_post_page_says_flagged_after_flagging_even_from_the_page_cache(
    client, a_post, a_commenter, a_reader
):
    flagged = add_comment(a_post, a_commenter, "Dubious")
    other = add_comment(a_post, a_commenter, "Fine")
    client.force_login(a_reader)
    before = page_tree(client, a_post)  # now in the page cache
    flag_links = [a for a in comment_element(before, flagged).find_all("a") if a.text[:4] == "Flag"]
    assert flag_links

    flag(client, flagged)
    after = page_tree(client, a_post)

    actions = comment_element(after, flagged).first("p", class_="comment-actions")
    assert "Flagged" in actions.text
    assert not [a for a in actions.find_all("a") if a.text.startswith("Flag")]
    other_actions = comment_element(after, other).first("p", class_="comment-actions")
    assert [a for a in other_actions.find_all("a") if a.text.startswith("Flag")]


def test_a_flag_needs_a_reason(client, a_post, a_commenter, a_reader):
    comment = add_comment(a_post, a_commenter, "Dubious")
    client.force_login(a_reader)

    response = client.post(reverse("comments:flag", args=[comment.pk]), {"note": "no reason"})

    assert response.status_code == 400
    assert Flag.objects.count() == 0


def test_a_visitor_must_log_in_to_flag(client, a_post, a_commenter):
    comment = add_comment(a_post, a_commenter, "Dubious")

    response = flag(client, comment)

    assert response.status_code == 302
    assert Flag.objects.count() == 0


def test_flagged_comments_show_in_the_flagged_by_readers_filter(
    client, a_moderator, a_post, a_commenter, a_reader
):
    flagged = add_comment(a_post, a_commenter, "Dubious")
    add_comment(a_post, a_commenter, "Fine")
    client.force_login(a_reader)
    flag(client, flagged)
    client.force_login(a_moderator)

    tree = parse(client.get(CHANGELIST, {"status__exact": "all"}).content)

    link = next(a for a in tree.find_all("a") if a.text == "Flagged by readers")
    assert listed(client, flagged="yes") == ids(flagged)
    assert "flagged=yes" in link.get("href")


@pytest.fixture
def flaggers(db):
    return [make_user(email=f"flagger{n}@example.com") for n in range(3)]


@override_settings(COMMENTS_FLAGS_TO_HIDE=2)
def test_enough_flags_hide_a_comment_from_everyone(client, a_post, a_commenter, a_reader, flaggers):
    comment = add_comment(a_post, a_commenter, "Dubious")
    client.force_login(flaggers[0])
    flag(client, comment)
    assert comment_element(page_tree(client, a_post), comment) is not None  # one is not enough
    client.force_login(flaggers[1])

    flag(client, comment)

    for viewer in (a_reader, flaggers[0]):
        client.force_login(viewer)
        assert comment_element(page_tree(client, a_post), comment) is None
    # Its author still reads it, told why others do not.
    client.force_login(a_commenter)
    own = comment_element(page_tree(client, a_post), comment)
    assert "Hidden after readers' flags" in own.first("header").text
    client.logout()
    tree = page_tree(client, a_post)
    assert comment_element(tree, comment) is None
    assert tree.first("p", class_="post-comments").text == "0 comments"


@override_settings(COMMENTS_FLAGS_TO_HIDE=2)
def test_a_comment_hidden_by_flags_is_visible_again_once_a_moderator_approves_it(
    client, a_moderator, a_post, a_commenter, flaggers
):
    comment = add_comment(a_post, a_commenter, "Actually fine")
    for user in flaggers[:2]:
        client.force_login(user)
        flag(client, comment)
    client.force_login(a_moderator)
    assert listed(client, flagged="hidden") == ids(comment)

    run_action(client, "approve", [comment])

    client.logout()
    assert body_text(page_tree(client, a_post), comment) == "Actually fine"
    comment.refresh_from_db()
    assert (comment.status, comment.hidden_by_flags) == ("approved", False)


@override_settings(COMMENTS_FLAGS_TO_HIDE=2)
def test_a_comment_hidden_by_flags_stays_hidden_once_a_moderator_rejects_it(
    client, a_moderator, a_post, a_commenter, flaggers
):
    comment = add_comment(a_post, a_commenter, "Really bad")
    for user in flaggers[:2]:
        client.force_login(user)
        flag(client, comment)
    client.force_login(a_moderator)

    run_action(client, "reject", [comment])

    client.logout()
    assert comment_element(page_tree(client, a_post), comment) is None
    comment.refresh_from_db()
    assert comment.status == "rejected"


@override_settings(COMMENTS_FLAGS_TO_HIDE=2)
def test_flags_from_before_a_moderator_approved_do_not_hide_it_again(
    client, a_moderator, a_post, a_commenter, flaggers
):
    comment = add_comment(a_post, a_commenter, "Actually fine")
    for user in flaggers[:2]:
        client.force_login(user)
        flag(client, comment)
    client.force_login(a_moderator)
    run_action(client, "approve", [comment])
    client.force_login(flaggers[2])

    flag(client, comment)

    comment.refresh_from_db()
    assert not comment.hidden_by_flags


def test_a_pending_comment_cannot_be_flagged(client, a_post, a_commenter, a_reader):
    comment = add_comment(a_post, a_commenter, "Waiting", status="pending")
    client.force_login(a_reader)

    assert flag(client, comment).status_code == 404
    assert Flag.objects.count() == 0


# Blocking --------------------------------------------------------------------------------


def test_a_moderator_blocks_a_reader_who_then_cannot_comment(client, a_moderator, a_post, a_reader):
    comment = add_comment(a_post, a_reader, "Trolling", status="pending")
    client.force_login(a_moderator)
    run_action(client, "block_authors", [comment])
    assert BlockedCommenter.objects.get().user == a_reader
    client.force_login(a_reader)

    response = post_comment(client, a_post, "More trolling")
    as_json = post_comment(client, a_post, "More trolling", json=True)

    assert response.status_code == 403
    assert "stopped from commenting" in response.text
    assert as_json.status_code == 403
    assert "stopped from commenting" in as_json.json()["error"]
    assert Comment.objects.count() == 1


def test_a_reader_blocked_in_admin_cannot_reply_and_sees_why_instead_of_the_form(
    client, a_post, a_reader, a_commenter, a_moderator
):
    BlockedCommenter.objects.create(user=a_reader, blocked_by=a_moderator, reason="Spam")
    other = add_comment(a_post, a_commenter, "Hello")
    client.force_login(a_reader)

    reply = post_comment(client, a_post, "Buy now", parent=other)
    reply_page = client.get(reverse("comments:reply", args=[other.pk]))
    tree = page_tree(client, a_post)

    assert reply.status_code == 403
    assert reply_page.status_code == 403
    assert Comment.objects.count() == 1
    section = tree.by_id("comments")
    assert section.first("form", class_="comment-form") is None
    assert "stopped from commenting" in section.first("p", class_="comment-refusal").text


def test_blocking_from_the_queue_spares_staff(client, a_moderator, a_post, a_staff_member):
    comment = add_comment(a_post, a_staff_member, "Staff comment")
    client.force_login(a_moderator)

    run_action(client, "block_authors", [comment])

    assert not BlockedCommenter.objects.exists()


def test_a_moderator_adds_a_block_in_admin_and_it_records_who_blocked(
    client, a_moderator, a_reader
):
    client.force_login(a_moderator)

    client.post(
        reverse("admin:comments_blockedcommenter_add"),
        {"user": a_reader.pk, "reason": "Abuse", "_save": "Save"},
    )

    block = BlockedCommenter.objects.get()
    assert (block.user, block.blocked_by, block.reason) == (a_reader, a_moderator, "Abuse")


def test_staff_without_the_moderate_permission_cannot_block(client, a_viewer, a_reader):
    client.force_login(a_viewer)

    response = client.post(
        reverse("admin:comments_blockedcommenter_add"), {"user": a_reader.pk, "_save": "Save"}
    )

    assert response.status_code == 403
    assert not BlockedCommenter.objects.exists()


def test_unblocking_lets_the_reader_comment_again(client, a_post, a_reader, a_moderator):
    block = BlockedCommenter.objects.create(user=a_reader, blocked_by=a_moderator)
    block.delete()
    client.force_login(a_reader)

    assert post_comment(client, a_post).status_code == 302
    assert shown_comment_ids(page_tree(client, a_post)) == [Comment.objects.get().pk]


def test_rejecting_the_only_reply_under_a_deleted_placeholder_hides_the_placeholder(
    client, a_moderator, a_post, a_reader, a_commenter
):
    deleted = add_comment(a_post, None, "", is_removed=True)
    reply = add_comment(a_post, a_commenter, "Offensive", parent=deleted)
    client.force_login(a_moderator)

    run_action(client, "reject", [reply])

    client.logout()
    tree = page_tree(client, a_post)
    assert shown_comment_ids(tree) == []
    assert "[deleted]" not in tree.by_id("comments").text


# A moderator set up as the README says (issue 18) ----------------------------------------


def make_readme_moderator(email="readme-moderator@example.com"):
    """README, "Comments and moderation": a group with only "Can moderate comments", and
    a user with "Staff status" in it. No view, change or flag permission besides."""
    group, _ = Group.objects.get_or_create(name="Moderators")
    group.permissions.set([Permission.objects.get(codename="moderate_comment")])
    user = make_user(email=email, is_staff=True, display_name="Mo Derator")
    user.groups.add(group)
    return user


@pytest.fixture
def readme_moderator(db):
    return make_readme_moderator()


def change_url(comment):
    return reverse("admin:comments_comment_change", args=[comment.pk])


def moderate_url(comment):
    return reverse("admin:comments_comment_moderate", args=[comment.pk])


def test_a_readme_moderator_sees_comments_and_blocked_commenters_as_links_in_the_admin_index(
    client, readme_moderator
):
    client.force_login(readme_moderator)

    tree = parse(client.get(reverse("admin:index")).content)

    links = {a.text: a.get("href") for a in tree.by_id("content-main").find_all("a")}
    assert links["Comments"] == CHANGELIST
    assert links["Blocked commenters"] == reverse("admin:comments_blockedcommenter_changelist")


def test_a_readme_moderator_opens_the_queue_and_a_comments_page_with_its_flags(
    client, readme_moderator, a_post, a_commenter, a_reader
):
    comment = add_comment(a_post, a_commenter, "Dubious", status="pending")
    Flag.objects.create(comment=comment, user=a_reader, reason="abuse", note="Insults a reader")
    client.force_login(readme_moderator)

    assert listed(client, status__exact="awaiting") == ids(comment)
    response = client.get(change_url(comment))

    assert response.status_code == 200
    flags = parse(response.content).by_id("flags-group")
    assert "Abusive or harassing" in flags.text
    assert "Insults a reader" in flags.text


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve", "approved"), ("reject", "rejected"), ("mark_spam", "spam")],
)
def test_a_readme_moderator_runs_the_status_actions_of_the_list(
    client, readme_moderator, a_post, a_reader, action, status
):
    comment = add_comment(a_post, a_reader, "Waiting", status="pending")
    client.force_login(readme_moderator)

    assert action in action_names(client)
    run_action(client, action, [comment])

    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == (status, readme_moderator)


def test_a_readme_moderator_discards_an_edit_and_blocks_an_author_from_the_list(
    client, readme_moderator, a_post, a_reader
):
    comment = add_comment(a_post, a_reader, "Approved text")
    Comment.objects.filter(pk=comment.pk).update(
        pending_body="Edited text", pending_edited_at="2026-01-01T00:00:00Z"
    )
    client.force_login(readme_moderator)

    run_action(client, "discard_edits", [comment])
    run_action(client, "block_authors", [comment])

    comment.refresh_from_db()
    assert (comment.body, comment.pending_body) == ("Approved text", "")
    assert BlockedCommenter.objects.get().user == a_reader


def test_a_readme_moderator_lists_and_lifts_blocks(client, readme_moderator, a_reader):
    block = BlockedCommenter.objects.create(user=a_reader, reason="Spam")
    client.force_login(readme_moderator)
    changelist = reverse("admin:comments_blockedcommenter_changelist")
    delete = reverse("admin:comments_blockedcommenter_delete", args=[block.pk])

    assert client.get(changelist).status_code == 200
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not BlockedCommenter.objects.exists()


@pytest.mark.usefixtures("requests_commit")
def test_the_moderation_emails_link_opens_for_a_readme_moderator(
    client, readme_moderator, a_post, a_reader
):
    client.force_login(a_reader)
    post_comment(client, a_post, "Please review me")
    [message] = mail.outbox
    link = next(
        line.removeprefix("Moderate it: ")
        for line in message.body.splitlines()
        if line.startswith("Moderate it: ")
    )
    client.force_login(readme_moderator)

    response = client.get(link.removeprefix(settings.SITE_URL))

    assert response.status_code == 200
    assert "Please review me" in parse(response.content).by_id("content").text


# The comment's page: read it as readers do, and act on it (issue 18) ----------------------


def test_the_comments_page_shows_the_markdown_rendered_and_names_the_post_by_its_title(
    client, readme_moderator, a_post, a_commenter
):
    comment = add_comment(
        a_post, a_commenter, "**Strong** words\n\n- first\n- second\n\n<script>x()</script>"
    )
    client.force_login(readme_moderator)

    response = client.get(change_url(comment))

    tree = parse(response.content)
    heading = "Comment by \u2068Carla Commenter\u2069 on “A test post”"
    assert tree.first("h1").text == heading
    assert tree.first("title").text.startswith(heading)
    body = tree.first("div", class_="comment-body")
    assert body.first("strong").text == "Strong"
    assert [li.text for li in body.find_all("li")] == ["first", "second"]
    assert body.first("script") is None
    assert "Post object" not in response.content.decode()


def test_the_comments_page_shows_an_edit_awaiting_moderation_rendered(
    client, readme_moderator, a_post, a_commenter
):
    comment = add_comment(a_post, a_commenter, "Old text")
    Comment.objects.filter(pk=comment.pk).update(
        pending_body="*New* text", pending_edited_at="2026-01-01T00:00:00Z"
    )
    client.force_login(readme_moderator)

    tree = parse(client.get(change_url(comment)).content)

    old, new = tree.find_all("div", class_="comment-body")
    assert old.text == "Old text"
    assert new.first("em").text == "New"
    buttons = [button.text for button in tree.find_all("button", name="action")]
    assert buttons == ["Approve", "Reject", "Mark as spam", "Discard edit", "Block author"]


def press(client, comment, action):
    """A button of the comment's page, as the browser sends it."""
    return client.post(moderate_url(comment), {"action": action}, follow=True)


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("approve", "approved", "Approved the comment."),
        ("reject", "rejected", "Rejected the comment."),
        ("spam", "spam", "Marked the comment as spam."),
    ],
)
def test_the_status_buttons_of_the_comments_page_moderate_it_and_come_back(
    client, readme_moderator, a_post, a_reader, action, status, message
):
    comment = add_comment(a_post, a_reader, "Waiting", status="pending")
    client.force_login(readme_moderator)

    response = press(client, comment, action)

    assert response.redirect_chain == [(change_url(comment), 302)]
    assert message in [str(m) for m in response.context["messages"]]
    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == (status, readme_moderator)


@pytest.mark.usefixtures("requests_commit")
def test_approving_on_the_comments_page_shows_it_on_the_site_and_emails_the_replied_to(
    client, readme_moderator, a_post, a_commenter, a_reader
):
    parent = add_comment(a_post, a_commenter, "Question")
    reply = add_comment(a_post, a_reader, "Answer", parent=parent, status="pending")
    client.force_login(readme_moderator)

    press(client, reply, "approve")

    assert [message.to for message in mail.outbox] == [[a_commenter.email]]
    client.logout()
    assert body_text(page_tree(client, a_post), reply) == "Answer"


def test_discard_edit_on_the_comments_page_keeps_the_approved_text(
    client, readme_moderator, a_post, a_reader
):
    comment = add_comment(a_post, a_reader, "Approved text")
    Comment.objects.filter(pk=comment.pk).update(
        pending_body="Edited", pending_edited_at="2026-01-01T00:00:00Z"
    )
    client.force_login(readme_moderator)

    response = press(client, comment, "discard_edit")

    comment.refresh_from_db()
    assert (comment.body, comment.pending_body, comment.status) == ("Approved text", "", "approved")
    assert "Discarded the edit; the approved text stays." in response.content.decode()


def test_block_author_on_the_comments_page_blocks_the_reader(
    client, readme_moderator, a_post, a_commenter
):
    comment = add_comment(a_post, a_commenter, "Spammy")
    client.force_login(readme_moderator)

    response = press(client, comment, "block_author")

    assert BlockedCommenter.objects.get().user == a_commenter
    assert "Blocked \u2068Carla Commenter\u2069 from commenting." in response.content.decode()
    tree = parse(response.content)
    assert "Block author" not in [b.text for b in tree.find_all("button", name="action")]


def test_block_author_spares_staff(client, readme_moderator, a_post, a_staff_member):
    comment = add_comment(a_post, a_staff_member, "Staff words")
    client.force_login(readme_moderator)

    response = press(client, comment, "block_author")

    assert not BlockedCommenter.objects.exists()
    assert "cannot be blocked" in response.content.decode()


def test_staff_without_the_moderate_permission_cannot_use_the_comments_page_buttons(
    client, a_viewer, a_post, a_reader
):
    comment = add_comment(a_post, a_reader, "Waiting", status="pending")
    client.force_login(a_viewer)

    response = client.post(moderate_url(comment), {"action": "approve"})

    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_the_comments_page_buttons_refuse_bad_requests_with_the_right_status(
    client, csrf_client, readme_moderator, a_post, a_reader
):
    comment = add_comment(a_post, a_reader, "Waiting", status="pending")
    client.force_login(readme_moderator)
    csrf_client.force_login(readme_moderator)

    assert client.get(moderate_url(comment)).status_code == 405
    unknown = client.post(moderate_url(comment), {"action": "explode"})
    assert unknown.status_code == 400
    assert "<h1>Bad request</h1>" in unknown.content.decode()  # the site's page, not text
    assert client.post(moderate_url(comment), {}).status_code == 400
    missing = reverse("admin:comments_comment_moderate", args=[comment.pk + 100])
    assert client.post(missing, {"action": "approve"}).status_code == 404
    assert csrf_client.post(moderate_url(comment), {"action": "approve"}).status_code == 403
    comment.refresh_from_db()
    assert comment.status == "pending"


# The queue: what awaits a moderator first, and a constant number of queries --------------


def test_the_queue_opens_on_the_comments_awaiting_a_moderator(
    client, readme_moderator, queue, a_post, a_commenter
):
    hidden = add_comment(a_post, a_commenter, "Hidden", hidden_by_flags=True)
    edited = add_comment(a_post, a_commenter, "Edited")
    Comment.objects.filter(pk=edited.pk).update(
        pending_body="New", pending_edited_at="2026-01-01T00:00:00Z"
    )
    client.force_login(readme_moderator)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}?status__exact=awaiting"
    response = client.get(response["Location"])
    status = parse(response.content).first("details", **{"data-filter-title": "status"})
    selected = [li.text for li in status.find_all("li", class_="selected")]
    assert selected == ["Awaiting moderation (new, edited or hidden by flags)"]
    assert listed(client, status__exact="awaiting") == ids(queue["pending"], hidden, edited)


def test_the_queue_lists_the_newest_comment_first(client, readme_moderator, a_post, a_commenter):
    older = add_comment(a_post, a_commenter, "Older", status="pending")
    newer = add_comment(a_post, a_commenter, "Newer", status="pending")
    Comment.objects.filter(pk=older.pk).update(created_at=newer.created_at - timedelta(hours=1))
    client.force_login(readme_moderator)

    response = client.get(CHANGELIST, {"status__exact": "awaiting"})

    rows = parse(response.content).by_id("result_list").first("tbody").find_all("tr")
    assert [row.first("th").text for row in rows] == ["Newer", "Older"]


def test_the_queues_all_link_lists_every_comment_and_stays_there(client, readme_moderator, queue):
    client.force_login(readme_moderator)
    tree = parse(client.get(CHANGELIST, follow=True).content)
    filters = tree.by_id("changelist-filter")

    all_link = next(a for a in filters.find_all("a") if a.text == "All")
    response = client.get(CHANGELIST + all_link.get("href"))

    assert response.status_code == 200  # not sent back to the comments awaiting a moderator
    rows = parse(response.content).by_id("result_list").first("tbody").find_all("tr")
    assert len(rows) == len(queue)


def test_an_unknown_status_in_the_queues_address_is_no_error(client, readme_moderator, queue):
    client.force_login(readme_moderator)

    response = client.get(CHANGELIST, {"status__exact": "nonsense"}, follow=True)

    assert response.status_code == 200


def add_to_the_queue(post, readers, rows):
    """``rows`` comments awaiting moderation on ``post``, each in its own thread, by
    ``readers`` in turn."""
    for number in range(rows):
        add_comment(post, readers[number % len(readers)], f"Comment {number}", status="pending")


def queue_queries(client):
    """The queries of the queue's first page, which shows every comment up to a page."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST, {"status__exact": "awaiting"})
    assert response.status_code == 200
    shown = parse(response.content).by_id("result_list").first("tbody").find_all("tr")
    assert len(shown) == min(Comment.objects.count(), CommentAdmin.list_per_page)
    return len(queries)


@pytest.mark.parametrize("who", ["superuser", "README moderator"])
def test_the_queue_takes_as_many_queries_for_a_hundred_comments_as_for_one(
    client, a_post, an_editor, who
):
    """Issue 18: with about 60 comments the list made 67 queries, one per row. For a
    superuser and for a moderator with just "Can moderate comments" and "Staff status"."""
    user = an_editor if who == "superuser" else make_readme_moderator()
    client.force_login(user)
    readers = [make_user(email=f"r{n}@example.com", display_name=f"R{n}") for n in range(3)]
    add_to_the_queue(a_post, readers, 1)
    # Once first, as a moderator's browser does: the session, and Django's cache of the
    # comments' content type ("View" links), which a list with a row reads once.
    client.get(CHANGELIST, {"status__exact": "awaiting"})

    one = queue_queries(client)
    add_to_the_queue(a_post, readers, 99)
    hundred = queue_queries(client)

    assert hundred == one, f"{one} queries for 1 comment, {hundred} for 100"
    if who != "superuser":
        assert one == QUEUE_QUERIES - 1 + session_queries()


# The session (none where sessions are cached), the user with their groups' permissions,
# the count of what the filter left (not of every comment: show_full_result_count), the
# page of rows with their authors and posts, the post filter's choices, the rule filter's
# choices (issue 27), the actions' permission; the same for one row or fifty.
QUEUE_QUERIES = 8


def test_a_readme_moderator_finds_the_reader_to_block_in_the_blocked_commenters_form(
    client, readme_moderator, a_commenter
):
    client.force_login(readme_moderator)
    form = parse(client.get(reverse("admin:comments_blockedcommenter_add")).content)
    search_url = form.first("select", name="user").get("data-ajax--url")

    response = client.get(
        search_url,
        {
            "app_label": "comments",
            "model_name": "blockedcommenter",
            "field_name": "user",
            "term": "Carla",
        },
    )

    assert response.status_code == 200
    assert [result["id"] for result in response.json()["results"]] == [str(a_commenter.pk)]


def test_staff_without_the_moderate_permission_cannot_search_readers_to_block(
    client, a_viewer, a_commenter
):
    client.force_login(a_viewer)
    url = reverse("admin:comments_blockedcommenter_reader_autocomplete")
    query = {"app_label": "comments", "model_name": "blockedcommenter", "field_name": "user"}

    assert client.get(url, {**query, "term": "Carla"}).status_code == 403


def test_the_queue_search_matches_every_word_in_the_text_or_either_name(
    client, readme_moderator, a_post, a_commenter, monkeypatch
):
    many = [make_user(email=f"n{n}@example.com", display_name=f"Namesake {n}") for n in range(3)]
    found = {
        "text": add_comment(a_post, a_commenter, "Which FRAMEWORK did you pick?"),
        "name": add_comment(a_post, many[1], "Hello"),
        "imported": add_comment(a_post, None, "Hi", author_name="Disqus Dana"),
        "phrase": add_comment(a_post, a_commenter, "learn a framework well"),
    }
    client.force_login(readme_moderator)

    def search(term):
        return listed(client, status__exact="all", q=term)

    assert search("framework") == ids(found["text"], found["phrase"])
    assert search("framework pick") == ids(found["text"])  # every word
    assert search('"a framework"') == ids(found["phrase"])  # a quoted phrase is one word
    assert search("namesake 1") == ids(found["name"])
    assert search("dana") == ids(found["imported"])
    assert search("namesake hello") == ids(found["name"])  # a name word and a text word
    # More readers with the word in their name than a list of ids holds: a subquery.
    monkeypatch.setattr("core.admin_lists.NAME_MATCHES", 1)
    assert search("namesake") == ids(found["name"])


def test_a_search_of_many_words_lists_at_most_name_matches_readers_in_all(
    client, readme_moderator, a_post, monkeypatch
):
    """The ids of readers named by the words are sent in one statement: SQLite refuses
    more than 32,766 parameters, so the lists of all the words share NAME_MATCHES; a
    word past what is left is matched by a subquery, with the same results."""
    from core import admin_lists

    many = [make_user(email=f"w{n}@example.com", display_name=f"Alpha Beta {n}") for n in range(3)]
    wanted = [add_comment(a_post, reader, "Hello") for reader in many]
    add_comment(a_post, make_user(email="x@example.com", display_name="Alpha Only"), "Hello")
    monkeypatch.setattr("core.admin_lists.NAME_MATCHES", 4)
    listed_ids = []
    plain = admin_lists.readers_named

    def counting(*args, **kwargs):
        condition, listed = plain(*args, **kwargs)
        listed_ids.append(listed)
        return condition, listed

    monkeypatch.setattr("core.admin_lists.readers_named", counting)
    client.force_login(readme_moderator)

    assert listed(client, status__exact="all", q="alpha beta") == ids(*wanted)
    assert listed_ids[0] == 3 and sum(listed_ids) <= 4  # "alpha" alone names 4: a subquery


def test_the_comment_list_reads_its_posts_titles_not_their_text(
    client, readme_moderator, a_post, a_commenter
):
    """Issue 23: each row's post came with its whole text and HTML (the article's, 100
    times on a page of its comments)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    add_comment(a_post, a_commenter, "Hello")
    client.force_login(readme_moderator)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST, {"status__exact": "all"})

    assert a_post.title in response.content.decode()
    listing = [q["sql"] for q in queries if 'FROM "comments_comment"' in q["sql"]]
    assert listing and not [sql for sql in listing if '"posts_post"."body_html"' in sql]


def test_moderators_find_readers_by_display_name_never_by_email_address(
    client, readme_moderator, a_commenter, a_post
):
    """Issue 19: a moderator could look readers up by email address in the comment
    search (and in the search for a reader to block), though they see only names."""
    create_comment(post=a_post, author=a_commenter, body="Something to moderate")
    client.force_login(readme_moderator)
    autocomplete = reverse("admin:comments_blockedcommenter_reader_autocomplete")
    query = {"app_label": "comments", "model_name": "blockedcommenter", "field_name": "user"}

    def queue(term):
        response = client.get(CHANGELIST, {"status__exact": "all", "q": term})
        return "Something to moderate" in response.content.decode()

    def readers(term):
        response = client.get(autocomplete, {**query, "term": term})
        return [result["id"] for result in response.json()["results"]]

    assert queue("Carla")
    assert readers("carla commenter") == [str(a_commenter.pk)]
    for part_of_the_address in ("commenter@example.com", "@example.com", "commenter@"):
        assert not queue(part_of_the_address)
        assert readers(part_of_the_address) == []
    blocks = client.get(reverse("admin:comments_blockedcommenter_changelist"), {"q": "example"})
    assert blocks.status_code == 200
