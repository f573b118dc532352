from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import ANONYMOUS_READER
from advice_site.signals import ChangeSignallingQuerySet


class CommentQuerySet(ChangeSignallingQuerySet):
    def approved(self):
        """What everyone may see: approved and not hidden by readers' flags."""
        return self.filter(status=Comment.Status.APPROVED, hidden_by_flags=False)

    def visible_to(self, user):
        """Approved comments, plus the reader's own comments awaiting moderation."""
        if user.is_authenticated:
            return self.filter(
                Q(status=Comment.Status.APPROVED, hidden_by_flags=False)
                | Q(author=user, status=Comment.Status.PENDING)
            )
        return self.approved()

    def awaiting_moderation(self):
        return self.filter(Q(status=Comment.Status.PENDING) | Q(hidden_by_flags=True))


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"

    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="comments")
    # The first comment of the thread (itself for a top-level comment): lets a page
    # fetch whole threads in one query.
    thread = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="thread_comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    # Shown when there is no account behind the comment (imported from Disqus).
    author_name = models.CharField(max_length=100, blank=True)
    body = models.TextField(help_text="Markdown, as the reader wrote it.")
    body_html = models.TextField(editable=False, default="")
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING, db_index=True)
    hidden_by_flags = models.BooleanField(
        default=False,
        help_text="Hidden after enough readers flagged it, until a moderator decides.",
    )
    is_removed = models.BooleanField(
        default=False, help_text="Deleted by its author; kept as '[deleted]' for its replies."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    # When moderators were emailed about this comment awaiting them; empty while they
    # are still to be told (comments.notifications sends them one email for all such).
    moderators_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A keyed hash of the writer's network (IPv4 /24, IPv6 /48): enough to see that
    # comments came from one place, never the address itself; purged after a while.
    ip_hash = models.CharField(max_length=64, blank=True)
    disqus_id = models.CharField(max_length=40, null=True, blank=True, unique=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [("moderate_comment", "Can moderate comments")]
        indexes = [
            models.Index(fields=["post", "status", "created_at"], name="comment_post_status_idx"),
            models.Index(fields=["thread", "created_at"], name="comment_thread_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True, depth=0) | Q(parent__isnull=False, depth__gt=0),
                name="comment_depth_matches_parent",
            ),
        ]

    def __str__(self):
        return f"{self.display_author} on {self.post_id}: {self.body[:40]}"

    def save(self, *args, **kwargs):
        # The thread (its first comment) is an invariant of the row, whoever creates it:
        # a reply's comes from its parent; a first comment is its own thread, known
        # once it has an id.
        if self.thread_id is None and self.parent_id:
            self.thread_id = self.parent.thread_id
        super().save(*args, **kwargs)
        if self.thread_id is None:
            self.thread_id = self.pk
            Comment.objects.filter(pk=self.pk).update(thread_id=self.thread_id)

    def get_absolute_url(self):
        """The comment on the page of threads that holds it (as visitors see the pages)."""
        from django.contrib.auth.models import AnonymousUser

        from .threads import comment_url

        return comment_url(self, AnonymousUser())

    @property
    def anchor(self):
        return f"comment-{self.pk}"

    @property
    def display_author(self):
        display_name = self.author.display_name if self.author_id else None
        return self.author_label(self.author_id, display_name, self.author_name)

    @staticmethod
    def author_label(author_id, display_name, author_name):
        """The name shown for a comment: its reader's public name, else the name it came
        with (imported from Disqus), else "Former reader" (the account was deleted)."""
        if author_id:
            return display_name or ANONYMOUS_READER
        return author_name or "Former reader"

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    @property
    def is_approved(self):
        return self.status == self.Status.APPROVED

    def is_editable_by(self, user, now=None):
        if not user.is_authenticated or user.pk != self.author_id or self.is_removed:
            return False
        now = now or timezone.now()
        return now - self.created_at <= settings.COMMENTS_EDIT_WINDOW


class Flag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        ABUSE = "abuse", "Abusive or harassing"
        OFF_TOPIC = "off_topic", "Off topic"
        OTHER = "other", "Something else"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_flags"
    )
    reason = models.CharField(max_length=10, choices=Reason)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="flag_once_per_reader"),
        ]

    def __str__(self):
        return f"{self.user} flagged {self.comment_id}: {self.get_reason_display()}"


class BlockedCommenter(models.Model):
    """A reader a moderator has stopped from commenting."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_block"
    )
    reason = models.CharField(max_length=300, blank=True)
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ChangeSignallingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} (blocked)"
