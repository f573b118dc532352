"""Which threads a viewer is shown comes from a stored flag on each thread's first
comment (Comment.thread_is_public, issue 23), kept by comments.counts. These tests drive
random sequences of everything that changes a comment (posting, moderating, flags,
deletions by authors, moderators and account deletion, bulk updates) and check, after
each step, that every viewer is shown exactly the threads the rule of issue 11 gives,
computed here from the rows in Python.
"""

import random

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.data import delete_account
from comments.models import Comment, hidden_reason
from comments.moderation import (
    create_comment,
    delete_as_moderator,
    delete_comment,
    flag_comment,
    moderate,
)
from tests.conftest import make_user

from .conftest import make_moderator

pytestmark = pytest.mark.django_db


def expected_threads(post, viewer):
    """The rule, row by row: a thread is shown when one of its comments is readable by
    the viewer (comments.models.hidden_reason)."""
    viewer_id = viewer.pk if viewer.is_authenticated else None
    shown = set()
    for comment in Comment.objects.filter(post=post):
        own = viewer_id is not None and comment.author_id == viewer_id
        reason = hidden_reason(
            status=comment.status,
            hidden_by_flags=comment.hidden_by_flags,
            is_removed=comment.is_removed,
            own=own,
        )
        if reason is None:
            shown.add(comment.thread_id)
    return shown


# Posting and replying twice as often as the rest, so that threads grow.
STEPS = ["new_thread", "new_thread", "reply", "reply", "moderate", "flag", "delete",
         "moderator_delete", "bulk", "forget_reader"]  # fmt: skip


class Story:
    """One post, three readers and a moderator, and the steps that change comments."""

    def __init__(self, post, seed):
        self.post = post
        self.random = random.Random(seed)
        self.readers = [
            make_user(email=f"r{seed}-{n}@example.com", display_name=f"Reader {seed} {n}")
            for n in range(3)
        ]
        self.moderator = make_moderator(email=f"m{seed}@example.com")

    def comments(self):
        return list(Comment.objects.filter(post=self.post).order_by("pk"))

    def any_comment(self):
        comments = self.comments()
        return self.random.choice(comments) if comments else None

    def step(self):
        name = self.random.choice(STEPS)
        getattr(self, name)()
        return name

    def post_comment(self, parent=None):
        author = self.random.choice([r for r in self.readers if r.is_active] or [None])
        if author is None:
            return
        comment = create_comment(post=self.post, author=author, body="Text.", parent=parent)
        if self.random.random() < 0.5:
            moderate(
                source="admin",
                comments=Comment.objects.filter(pk=comment.pk),
                status=Comment.Status.APPROVED,
                moderator=self.moderator,
            )

    def new_thread(self):
        self.post_comment()

    def reply(self):
        self.post_comment(parent=self.any_comment())

    def moderate(self):
        comment = self.any_comment()
        if comment:
            status = self.random.choice(list(Comment.Status))
            moderate(
                comments=Comment.objects.filter(pk=comment.pk),
                status=status,
                moderator=self.moderator,
                source="admin",
            )

    def flag(self):
        comment = self.any_comment()
        if comment:
            for reader in self.readers:
                flag_comment(comment=comment, user=reader, reason="spam")

    def delete(self):
        comment = self.any_comment()
        if comment:
            delete_comment(comment=comment)

    def moderator_delete(self):
        comment = self.any_comment()
        if comment:
            delete_as_moderator(source="admin", comment=comment, moderator=self.moderator)

    def bulk(self):
        """A QuerySet.update() over several comments (as the Disqus import does)."""
        pks = [c.pk for c in self.comments() if self.random.random() < 0.3]
        status = self.random.choice([Comment.Status.APPROVED, Comment.Status.REJECTED])
        Comment.objects.filter(pk__in=pks).update(status=status)

    def forget_reader(self):
        reader = self.random.choice(self.readers)
        if reader.is_active and self.random.random() < 0.3:
            self.readers.remove(reader)
            delete_account(reader)

    def viewers(self):
        return [AnonymousUser(), *self.readers, self.moderator]


@pytest.mark.parametrize("seed", range(12))
def test_every_viewer_is_shown_the_threads_the_rule_gives(a_post, settings, seed):
    settings.COMMENTS_FLAGS_TO_HIDE = 2
    story = Story(a_post, seed)
    for number in range(30):
        step = story.step()
        for viewer in story.viewers():
            shown = set(Comment.objects.threads_for(a_post, viewer).values_list("pk", flat=True))
            assert shown == expected_threads(a_post, viewer), (number, step, viewer)


def test_a_thread_is_public_once_a_reply_under_a_pending_first_comment_is_approved(
    a_post, a_reader
):
    other = make_user(email="other@example.com", display_name="Other")
    first = create_comment(post=a_post, author=a_reader, body="Pending first.")
    reply = create_comment(post=a_post, author=other, body="Pending reply.", parent=first)
    assert not Comment.objects.threads_for(a_post, AnonymousUser()).exists()

    moderate(
        comments=Comment.objects.filter(pk=reply.pk),
        status="approved",
        moderator=make_moderator(),
        source="admin",
    )

    assert list(Comment.objects.threads_for(a_post, AnonymousUser())) == [first]
    first.refresh_from_db()
    assert first.thread_is_public
