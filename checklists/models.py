from django.conf import settings
from django.db import models
from django.utils import timezone

from core.signals import ChangeSignallingQuerySet


class ChecklistItemQuerySet(ChangeSignallingQuerySet):
    def current(self):
        """Items whose heading is in the post now (archived ones are kept for their ticks)."""
        return self.filter(archived_at__isnull=True)


class ChecklistItem(models.Model):
    """One checkbox heading of a post, kept in step with the post by checklists.sync."""

    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="checklist_items")
    anchor = models.CharField(max_length=200, help_text="The heading's id in the page.")
    text = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)
    archived_at = models.DateTimeField(
        null=True, blank=True, help_text="Set while the heading is not in the post."
    )
    # How many readers ticked this item: kept by set_tick() and friends in the same
    # transaction as the tick, so pages show counts without counting rows.
    reader_count = models.PositiveIntegerField(default=0)
    # What "new since your last visit" compares with a reader's previous visit (issue 10).
    revised_at = models.DateTimeField(
        default=timezone.now,
        help_text="When the heading was added to the post, reworded or put back (checklists.sync).",
    )

    objects = ChecklistItemQuerySet.as_manager()

    class Meta:
        ordering = ["post", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "anchor"], name="checklist_item_unique_anchor"),
        ]
        indexes = [models.Index(fields=["post", "archived_at", "position"], name="item_post_idx")]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return f"{self.post.get_absolute_url()}#{self.anchor}"

    @property
    def is_archived(self):
        return self.archived_at is not None


class Tick(models.Model):
    """A reader has done one item. No row means not done."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checklist_ticks"
    )
    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="ticks")
    ticked_at = models.DateTimeField(default=timezone.now)

    objects = ChangeSignallingQuerySet.as_manager()

    class Meta:
        ordering = ["ticked_at", "id"]
        # The ticks admin, newest first, without sorting every tick (issue 23).
        indexes = [models.Index(fields=["ticked_at", "id"], name="tick_ticked_idx")]
        constraints = [
            models.UniqueConstraint(fields=["user", "item"], name="tick_one_per_reader_and_item"),
        ]

    def __str__(self):
        return f"{self.user} did {self.item}"


class Visit(models.Model):
    """A logged-in reader's views of a post page: the latest one recorded and the one
    before it, which "new since your last visit" compares items with (issue 10).

    One row per reader and post, moved on at most once every VISIT_INTERVAL by
    checklists.visits.record_visit; no row means the reader has not been here since
    visits were first recorded.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post_visits"
    )
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="visits")
    visited_at = models.DateTimeField(help_text="The latest visit recorded.")
    previous_visited_at = models.DateTimeField(
        null=True, blank=True, help_text="The visit recorded before the latest one."
    )

    objects = ChangeSignallingQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "post"], name="visit_one_per_reader_and_post"),
        ]

    def __str__(self):
        return f"{self.user} visited {self.post}"

    def get_absolute_url(self):
        return self.post.get_absolute_url()
