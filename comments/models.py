"""Comments, readers' flags and blocked commenters, and the queries every page of the
discussion shares: which comments a viewer may read (one definition, PUBLIC), the threads
they see, a comment's page of threads and its address, and the posts' comment counts.

The lowest layer of the app: it imports no other module of comments/ (tests/comments/
test_layers.py holds the order).
"""

import re
from bisect import bisect_left
from collections import defaultdict

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import ANONYMOUS_READER
from core.signals import ChangeSignallingQuerySet
from core.text import isolate

from .matching import normalized_domain, words_of

# The one definition of a public comment: the comments whose text everyone may read.
# Comment.objects.public() is these, readable_by() adds what only their author may read,
# and every count of a post's comments is built on readable_by() (with_comment_counts()).
# hidden_reason() below is the same rule for one row, in Python (tested to agree).
PUBLIC = Q(status="approved", hidden_by_flags=False, is_removed=False)


# What awaits a moderator: new comments, comments hidden by flags, and edits. The
# moderation queue's filter, and the condition of its partial index (issue 23).
AWAITING = (
    Q(status="pending") | Q(hidden_by_flags=True) | (Q(status="approved") & ~Q(pending_body=""))
)


def readable_by(user):
    """The condition (a Q) of CommentQuerySet.readable_by()."""
    if not user.is_authenticated:
        return PUBLIC
    return PUBLIC | Q(author=user, is_removed=False, status__in=["approved", "pending"])


class CommentQuerySet(ChangeSignallingQuerySet):
    def public(self):
        """The comments whose text everyone may read (PUBLIC): approved, not hidden by
        readers' flags, not deleted by their author."""
        return self.filter(PUBLIC)

    def readable_by(self, user):
        """The comments whose text ``user`` may read: the public ones, and the reader's own
        that wait for a moderator (new, or hidden by readers' flags). Issue 11: the count
        in a discussion's header is the count of these."""
        return self.filter(readable_by(user))

    def threads_for(self, post, viewer):
        """The first comments of the threads ``viewer`` (a User or AnonymousUser) sees on
        ``post`` (a Post): those with at least one comment in the thread whose text the
        viewer may read (itself, or a reply under its placeholder)."""
        return self.threads_on([post.pk], viewer)

    def threads_on(self, post_ids, viewer):
        """threads_for() on every post whose pk is in ``post_ids`` (a list of int) at once.

        A thread is shown when one of its comments is readable by the viewer: a PUBLIC
        one, which its first comment's stored ``thread_is_public`` says (comments.counts
        keeps it), or one of the viewer's own, looked up among the viewer's comments on
        these posts. So a post's threads are counted from its first comments' index
        alone, with no probe into each thread; before, every first comment awaiting a
        moderator cost one, and a post with 1,600 of them took 8 ms to count (issue 23).
        """
        shown = Q(thread_is_public=True)
        if viewer.is_authenticated:
            own = Comment.objects.filter(
                readable_by(viewer), post__in=post_ids, author=viewer
            ).values("thread_id")
            shown |= Q(pk__in=own)
        return self.filter(shown, post__in=post_ids, parent__isnull=True)

    def awaiting_moderation(self):
        """New comments, comments hidden by flags, and edits awaiting a moderator
        (AWAITING, which a partial index holds)."""
        return self.filter(AWAITING)


class Hidden(models.TextChoices):
    """Why a comment's text is not shown to a viewer: its placeholder's label and sentence.
    The placeholder keeps the replies under it in place (issue 11)."""

    DELETED = "deleted", "This comment was deleted."
    REMOVED = "removed", "This comment was removed by a moderator."
    AWAITING = "awaiting moderation", "This comment is awaiting moderation."
    FLAGGED = "hidden", "This comment is hidden after readers flagged it, until a moderator looks."


def hidden_reason(*, status, hidden_by_flags, is_removed, own):
    """Why a comment's text is hidden from a viewer (a Hidden), or None when they may read
    it; ``own`` (bool): the viewer wrote it. The rule of CommentQuerySet.readable_by()."""
    if is_removed:
        return Hidden.DELETED
    if status in (Comment.Status.REJECTED, Comment.Status.SPAM):
        return Hidden.REMOVED
    if own:
        return None
    if status == Comment.Status.PENDING:
        return Hidden.AWAITING
    if hidden_by_flags:
        return Hidden.FLAGGED
    return None


# Between the words of a phrase, these are read as spaces ("e-mail", "don't", "U.S.").
WORD_SEPARATORS = set("-'’.,&/")


def _readable_words(line):
    """Whether a line of a rule's words matches as written (bool): blank, or words with
    nothing but spaces and WORD_SEPARATORS between them. "C++" or "$$$" would match
    "c" or nothing (comments.matching.words_of)."""
    if not line.strip():
        return True
    rest = {char for char in line if not char.isspace() and not re.match(r"\w", char)}
    return bool(words_of(line)) and rest <= WORD_SEPARATORS


class ModerationRule(models.Model):
    """A rule that screens every new comment and edit before anyone reads it (issue 27),
    edited in the admin by staff who may moderate: it matches words or phrases, link
    domains, or a number of links, for every reader or only those with fewer than
    ``below_approved`` approved comments, and holds the comment for a moderator, marks
    it as spam, or refuses it with ``message``. comments.screening applies them; trust
    skips the queue, not the rules. No pattern is a regular expression: word lists and
    domains only, matched in linear time.
    """

    class Kind(models.TextChoices):
        WORDS = "words", "Words or phrases"
        DOMAINS = "domains", "Link domains"
        LINKS = "links", "Number of links"

    class Outcome(models.TextChoices):
        # In the order of precedence when several rules match: the strongest wins.
        REFUSE = "refuse", "Refuse, with a message to the writer"
        SPAM = "spam", "Mark as spam"
        HOLD = "hold", "Hold for a moderator"

    name = models.CharField(max_length=100, unique=True)
    enabled = models.BooleanField(default=False, help_text="Off until turned on.")
    kind = models.CharField(max_length=10, choices=Kind)
    words = models.TextField(
        blank=True,
        help_text="One word or phrase per line: matched as whole words, ignoring case and accents.",
    )
    domains = models.TextField(
        blank=True,
        help_text="One domain per line, such as bit.ly: links to it or to its subdomains match.",
    )
    max_links = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Matches a comment with more links than this."
    )
    below_approved = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Only for readers with fewer approved comments than this; empty for "
        "every reader.",
    )
    outcome = models.CharField(max_length=10, choices=Outcome, default=Outcome.HOLD)
    message = models.CharField(
        max_length=300, blank=True, help_text="What the writer is told when refused."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        """The field that the rule's kind reads is filled in, and a refusal has its
        message. Raises ValidationError."""

        needed = {
            self.Kind.WORDS: ("words", bool(self.words.strip())),
            self.Kind.DOMAINS: ("domains", bool(self.domains.strip())),
            self.Kind.LINKS: ("max_links", self.max_links is not None),
        }
        errors = {}
        if self.kind in needed and not needed[self.kind][1]:
            errors[needed[self.kind][0]] = "A rule of this kind needs this field."
        unread = [line.strip() for line in self.words.splitlines() if not _readable_words(line)]
        if unread:
            errors["words"] = (
                "Rules match whole words, so these lines would match only their letters, "
                f"or nothing: {', '.join(unread)}. Write them as words."
            )
        hostless = [line.strip() for line in self.domains.splitlines() if line.strip()]
        hostless = [line for line in hostless if not normalized_domain(line)]
        if hostless:
            errors["domains"] = f"These lines name no domain: {', '.join(hostless)}."
        if self.outcome == self.Outcome.REFUSE and not self.message.strip():
            errors["message"] = "Say what the writer is told when their comment is refused."
        if errors:
            raise ValidationError(errors)


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
    # An edit of an approved comment by an author not yet trusted waits here for a
    # moderator, while body and body_html keep the approved text that others read.
    pending_body = models.TextField(
        blank=True, help_text="An edit awaiting moderation; the approved text stays shown."
    )
    pending_body_html = models.TextField(editable=False, default="")
    pending_edited_at = models.DateTimeField(null=True, blank=True)
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
    # The rule that held it for a moderator or marked it as spam (comments.screening).
    held_by_rule = models.ForeignKey(
        ModerationRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # On a thread's first comment: whether any comment of the thread is PUBLIC, so that
    # everyone is shown the thread (its first comment, or a placeholder over a reply).
    # Kept by comments.counts on every change, under the post's lock; False on replies.
    thread_is_public = models.BooleanField(default=False, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [("moderate_comment", "Can moderate comments")]
        indexes = [
            models.Index(fields=["post", "status", "created_at"], name="comment_post_status_idx"),
            models.Index(fields=["thread", "created_at"], name="comment_thread_idx"),
            # The moderation queue, newest first: every comment, and what awaits.
            models.Index(fields=["created_at", "id"], name="comment_created_idx"),
            models.Index(
                fields=["created_at", "id"], condition=AWAITING, name="comment_awaiting_idx"
            ),
            # A post's public comments, which its stored count recounts on every change
            # (comments.counts): from the index alone on PostgreSQL, not the rows.
            models.Index(fields=["post"], condition=PUBLIC, name="comment_public_idx"),
            # A post's threads in page order, with whether each is public: the thread
            # count and a page's threads read only the post's own first comments, from
            # the index alone on PostgreSQL (issue 23).
            models.Index(
                fields=["post", "created_at", "id"],
                include=["thread_is_public"],
                condition=Q(parent__isnull=True),
                name="comment_thread_start_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True, depth=0) | Q(parent__isnull=False, depth__gt=0),
                name="comment_depth_matches_parent",
            ),
            models.CheckConstraint(
                condition=Q(pending_body="", pending_edited_at__isnull=True)
                | (~Q(pending_body="") & Q(pending_edited_at__isnull=False)),
                name="comment_pending_edit_has_its_time",
            ),
        ]

    def __str__(self):
        # Issue 18: the post by its title (the admin's titles, history and messages).
        return f"Comment by {self.plain_author} on “{self.post.title}”: {self.body[:40]}"

    def save(self, *args, **kwargs):
        # The thread (its first comment) is an invariant of the row, whoever creates it:
        # a reply's comes from its parent; a first comment is its own thread, known
        # once it has an id.
        if self.thread_id is None and self.parent_id:
            self.thread_id = self.parent.thread_id
        if self._state.adding and self.parent_id is None:
            # A new thread is public with its first comment; later changes to it or its
            # replies are counted again by comments.counts.
            self.thread_is_public = self.is_public
        super().save(*args, **kwargs)
        if self.thread_id is None:
            self.thread_id = self.pk
            # Through the base manager: this save's post_save has just told everyone
            # listening about the row, so the update need not send rows_changed again.
            Comment._base_manager.filter(pk=self.pk).update(thread_id=self.thread_id)

    def get_absolute_url(self):
        """The comment on the page of threads that holds it (as visitors see the pages)."""
        return self.page_url(AnonymousUser())

    def page_number(self, viewer=None):
        """The page of threads (int, from 1) that holds this comment, as its author (or
        ``viewer``, a User or AnonymousUser) sees the discussion: one count query."""
        viewer = viewer or self.author or AnonymousUser()
        root = self if self.thread_id in (None, self.pk) else self.thread
        earlier = Q(created_at__lt=root.created_at) | Q(created_at=root.created_at, pk__lt=root.pk)
        earlier_threads = Comment.objects.threads_for(self.post, viewer).filter(earlier).count()
        return earlier_threads // settings.COMMENTS_THREADS_PER_PAGE + 1

    def page_url(self, viewer=None):
        """The comment's address (str) on the page of its thread, as its author (or
        ``viewer``) sees the discussion."""
        return discussion_url(self.post, self.page_number(viewer), self.anchor)

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
    def plain_author(self):
        """The author's name for plain text (emails), isolated so that right-to-left
        letters or marks in it cannot reorder the sentence around it."""
        return isolate(self.display_author)

    @property
    def latest_body(self):
        """The text as its author last wrote it: a pending edit, else the body."""
        return self.pending_body or self.body

    @property
    def is_public(self):
        """Whether everyone may read this comment's text (bool): PUBLIC, for one row."""
        fields = ("status", "hidden_by_flags", "is_removed")
        return hidden_reason(**{name: getattr(self, name) for name in fields}, own=False) is None

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    @property
    def is_approved(self):
        return self.status == self.Status.APPROVED


def page_numbers(comments, viewer=None):
    """{comment pk: page number (int, from 1)} for ``comments`` (a list of Comments), as
    ``viewer`` (a User or AnonymousUser; a visitor when None) sees the discussions:
    Comment.page_number() for many comments in one query, whatever their number (the
    reader's data export, issue 23). The comments' threads are read once if not loaded.
    """
    viewer = viewer or AnonymousUser()
    post_ids = sorted({comment.post_id for comment in comments})
    firsts = defaultdict(list)  # post pk: [(created_at, pk)] of the threads shown, in order
    shown = Comment.objects.threads_on(post_ids, viewer).order_by("post_id", "created_at", "pk")
    for post_id, created_at, pk in shown.values_list("post_id", "created_at", "pk"):
        firsts[post_id].append((created_at, pk))
    per_page = settings.COMMENTS_THREADS_PER_PAGE
    pages = {}
    for comment in comments:
        root = comment if comment.thread_id in (None, comment.pk) else comment.thread
        earlier = bisect_left(firsts[comment.post_id], (root.created_at, root.pk))
        pages[comment.pk] = earlier // per_page + 1
    return pages


def discussion_url(post, page_number, anchor="comments"):
    """The address (str) of ``post``'s page ``page_number`` (int, from 1) of threads, at
    ``anchor`` (an element id)."""
    query = f"?comments={page_number}" if page_number > 1 else ""
    return f"{post.get_absolute_url()}{query}#{anchor}"


def with_comment_counts(posts, viewer):
    """``posts`` (a QuerySet of posts.Post) annotated with ``comment_count`` (int): the
    comments of each post whose text ``viewer`` (a User or AnonymousUser) may read,
    CommentQuerySet.readable_by(), in the same query.

    The one count of a post's comments: the Articles and category pages show it, and the
    post page's discussion (comments.page) takes its count from here too, so a reader
    whose comments await moderation sees the same number everywhere (issue 18). A visitor
    reads only public comments, so a page shared by every visitor (pages.page_cache)
    shows the same count to all of them. It lives here, not on Post's QuerySet, because
    posts is below comments: it never imports this app.

    The public comments are counted once, when they change (Discussion.public_count),
    not on every view (issue 23); a reader's own that only they may read (awaiting a
    moderator, or hidden by flags) are added from their own rows.
    """
    counts = posts.annotate(comment_count=Coalesce(F("discussion__public_count"), 0))
    if not viewer.is_authenticated:
        return counts
    own = (
        Comment.objects.readable_by(viewer)
        .exclude(PUBLIC)
        .filter(author=viewer, post=OuterRef("pk"))
        .order_by()
        .values("post")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return counts.annotate(comment_count=F("comment_count") + Coalesce(Subquery(own), 0))


class Discussion(models.Model):
    """A post's discussion as the pages count it: ``public_count``, its comments whose
    text everyone may read (PUBLIC), for "N comments" on the Articles and category pages
    and in the discussion's header, without counting them on every view (issue 23).

    Kept by comments.counts in the transaction of every change of a comment. Its rows
    change only with a comment's, whose own receivers make the post's cached pages stale
    (pages.receivers), so the page cache needs no receiver of its own for them.
    """

    post = models.OneToOneField(
        "posts.Post", on_delete=models.CASCADE, primary_key=True, related_name="discussion"
    )
    public_count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.public_count} public comments on {self.post_id}"


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

    objects = ChangeSignallingQuerySet.as_manager()

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


class ModerationDecision(models.Model):
    """One decision on a comment, for the moderation trail (issue 27): what was decided,
    by whom, when, from where, and why when they said.

    Written by comments.moderation, the one place every decision goes through (the admin,
    the digest's links). Django's LogEntry was not used: it records admin changes only,
    has no field for where a decision came from, and its object_repr loses the comment
    once it is deleted. Here the comment's number and the start of its text, and the
    moderator's name, stay when the comment or the account goes.
    """

    class Action(models.TextChoices):
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Marked as spam"
        PENDING = "pending", "Sent back to await moderation"
        EDIT_DISCARDED = "edit discarded", "Discarded the edit"
        DELETED = "deleted", "Deleted"
        AUTHOR_BLOCKED = "author blocked", "Blocked the author"

    class Source(models.TextChoices):
        ADMIN = "admin", "Admin"
        DIGEST = "digest", "Link in the moderators' email"
        RULE = "rule", "Rule"

    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    comment_number = models.PositiveBigIntegerField(
        help_text="The comment's id, kept after it goes."
    )
    excerpt = models.CharField(max_length=200, blank=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderator_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action)
    source = models.CharField(max_length=10, choices=Source)
    reason = models.CharField(max_length=500, blank=True)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [
            models.Index(fields=["decided_at", "id"], name="decision_decided_idx"),
            models.Index(fields=["comment", "decided_at"], name="decision_comment_idx"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} comment {self.comment_number} ({self.moderator_name})"
