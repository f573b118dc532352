import unicodedata

import reversion
from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import get_resolver, reverse
from django.utils import formats, timezone
from django.utils.text import slugify
from markdownx.models import MarkdownxField

from core.signals import ChangeSignallingQuerySet

from . import markdown
from .images import with_image_sizes
from .xmltext import xml_safe


def reserved_prefixes():
    """The first segments of every address the site itself answers (frozenset of str:
    "admin", "feed", "healthz", "static", ...), which no post's permalink may start with.

    Read from the URLconf, so a route added there is reserved at once (issue 20): each
    pattern's literal first segment, looking into includes mounted at the root; a route
    that begins with a converter (the post's own catch-all) reserves nothing. STATIC_URL
    is served before the URLconf (WhiteNoise), so its first segment is added.
    """
    found = set()

    def walk(patterns):
        for pattern in patterns:
            first = str(pattern.pattern).lstrip("^").split("/")[0]
            if "<" in first or "(" in first:
                continue
            if first:
                found.add(first.rstrip("$"))
            elif hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns)

    walk(get_resolver().url_patterns)
    static = settings.STATIC_URL.strip("/").split("/")[0]
    return frozenset(found | ({static} if static else set()))


# The rule for addresses written here (in admin): lowercase ASCII words between slashes.
permalink_validator = RegexValidator(
    r"^/([a-z0-9][a-z0-9_-]*/)+$",
    "A permalink is a path such as /dl_advice/: lowercase letters, digits, '-' and '_' "
    "between slashes, starting and ending with '/'.",
)

# What a segment of an address a post imported from Jekyll may keep (issue 21), besides
# letters, marks and digits of any script (Jekyll's slugs keep \p{L}, \p{M}, \p{Nd}):
# the characters Jekyll's "pretty" slugs keep. No space, control character, '%', '?',
# '#', '/' or '\\' can be part of one, and none starts with '.'.
ADDRESS_PUNCTUATION = frozenset("_-.~!$&'()+,;=@")
PAGE_SUFFIXES = (".html", ".htm")
PERMALINK_MAX_LENGTH = 200


def is_permalink(value):
    """Whether ``value`` (str) has the form of any post's address: a post written here
    (permalink_validator) or one imported from Jekyll that kept its old address, capitals,
    any script's letters and marks, ADDRESS_PUNCTUATION and ``.html`` included. Never
    holds ``..``, ``//``, whitespace, control characters, ``%``, ``?`` or ``#``; at most
    200 characters (the length Django's redirects keep)."""
    if not isinstance(value, str) or len(value) > PERMALINK_MAX_LENGTH or ".." in value:
        return False
    if not value.startswith("/") or not value.endswith(("/", *PAGE_SUFFIXES)):
        return False
    segments = value[1:].split("/")
    if value.endswith("/"):
        segments.pop()  # the "" after the last slash
    return bool(segments) and all(_address_segment(segment) for segment in segments)


def _address_segment(segment):
    """Whether ``segment`` (str) may be one segment of an address (ADDRESS_PUNCTUATION)."""
    return (
        segment != ""
        and not segment.startswith(".")
        and all(
            char.isalnum()
            or char in ADDRESS_PUNCTUATION
            or unicodedata.category(char).startswith("M")
            for char in segment
        )
    )


def validate_address(value):
    """The permalink field's validator: ``value`` (str) is a post's address (is_permalink).

    Raises ValidationError otherwise. Posts written here are held to the stricter
    permalink_validator as well (Post.clean_fields)."""
    if not is_permalink(value):
        raise ValidationError(
            "A permalink is a path such as /dl_advice/ or /2018/02/19/a-long-peek.html: "
            "letters, digits, '-', '_' and '.' between slashes, starting with '/' and "
            "ending with '/' or '.html', without spaces or '..'.",
            code="invalid",
        )


def normalize_permalink(value):
    """'dl_advice' and '/dl_advice' both mean '/dl_advice/'; a page's name stays one:
    'a-long-peek.html' and '/a-long-peek.html/' mean '/a-long-peek.html' (str)."""
    value = (value or "").strip()
    if not value:
        return value
    path = value.strip("/")
    if path.endswith(PAGE_SUFFIXES):
        return "/" + path
    return "/" + path + "/"


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    # Letters of any script, like heading ids: a Russian post's categories are Russian.
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)

    objects = ChangeSignallingQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Category names go into the feed: characters XML 1.0 forbids are never stored.
        self.name = xml_safe(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("pages:category", kwargs={"slug": self.slug})

    @staticmethod
    def slug_for(name):
        """The slug (str) of a category called ``name`` (str): Django's slugify with
        letters of any script kept; "" when the name has no letter or digit."""
        return slugify(name, allow_unicode=True)


class PostQuerySet(ChangeSignallingQuerySet):
    def published(self):
        return self.filter(status=Post.Status.PUBLISHED, published_at__lte=timezone.now())

    def visible_to(self, user):
        """Published posts for everyone; drafts and scheduled posts too for staff."""
        if user.is_staff:
            return self.all()
        return self.published()


# Fields a revision keeps: what an editor or an import writes. What Post.save()
# derives from them (HTML, headings, reading time, dates of change) is rebuilt on restore.
DERIVED_FIELDS = (
    "body_html",
    "headings",
    "heading_aliases",
    "reading_minutes",
    "updated_at",
    "content_updated_at",
)

# The columns that grow with the article: what a list of posts leaves unread
# (``.defer(*BODY_FIELDS)``), so that listing 200 posts does not read 200 articles.
BODY_FIELDS = ("body", "body_html", "headings", "heading_aliases")


@reversion.register(exclude=DERIVED_FIELDS)
class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    permalink = models.CharField(
        max_length=200,
        unique=True,
        validators=[validate_address],
        help_text="The post's address on the site, such as /dl_advice/.",
    )
    description = models.CharField(max_length=300, blank=True)
    body = MarkdownxField(
        help_text="Markdown. '## <input type=\"checkbox\"> Text' makes a checklist heading; "
        "end a heading with {#some-id} to pin its anchor."
    )
    body_html = models.TextField(editable=False, default="")
    # The headings of the rendered body ([{id, text, level, checklist}]), for the table
    # of contents and the checklist items, kept with the HTML so no page parses Markdown.
    headings = models.JSONField(editable=False, default=list)
    reading_minutes = models.PositiveSmallIntegerField(editable=False, default=1)
    categories = models.ManyToManyField(Category, blank=True, related_name="posts")
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        default=timezone.now,
        help_text="Orders posts and the feed; a future time schedules the post. "
        "Not shown on the article (see Date shown).",
    )
    publication_date = models.DateTimeField(
        "date shown",
        null=True,
        blank=True,
        help_text="The article's date as readers see it (Jekyll's front matter date, or "
        "the date in its file name). Blank: no date is shown.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    # When the title or body last changed after the post was first saved: readers see
    # "Updated" when that was after its publication.
    content_updated_at = models.DateTimeField(null=True, editable=False)
    # Ids headings used to have, so shared links still land: {old id: current id}.
    heading_aliases = models.JSONField(editable=False, default=dict)
    allow_comments = models.BooleanField(default=True)
    use_math = models.BooleanField(
        default=False, help_text="Render $...$ and $$...$$ as mathematics."
    )

    class Dialect(models.TextChoices):
        # Posts written here are CommonMark; posts imported from Jekyll keep the Markdown
        # kramdown read (issue 21), so they render as they did on the old blog.
        COMMONMARK = "commonmark", "CommonMark (written here)"
        KRAMDOWN = "kramdown", "kramdown (imported from Jekyll)"

    dialect = models.CharField(
        max_length=20,
        choices=Dialect,
        default=Dialect.COMMONMARK,
        help_text="The Markdown the body is written in.",
    )
    author = models.CharField(
        max_length=200, blank=True, help_text="The author's name, when the post names one."
    )
    image = models.CharField(
        "preview image",
        max_length=500,
        blank=True,
        help_text="The image link previews show (og:image): a path under /media/ or an "
        "absolute URL. Blank: none.",
    )
    modified_at = models.DateTimeField(
        "last modified",
        null=True,
        blank=True,
        help_text="When the article was last changed, as its author dates it (Jekyll's "
        "last_modified_at). Blank: the time of the last save.",
    )
    feed_id = models.CharField(
        "feed entry id",
        max_length=500,
        blank=True,
        help_text="The id of the post's entry in the Atom feed, kept from the blog it was "
        "imported from so subscribers do not see it as new. Blank: its address here.",
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at"], name="post_status_date_idx")]
        constraints = [
            models.CheckConstraint(
                # A directory ("/dl_advice/") or, for posts imported from Jekyll, the
                # page Jekyll wrote ("/2018/02/19/a-long-peek.html").
                condition=Q(permalink__startswith="/")
                & (
                    Q(permalink__endswith="/")
                    | Q(permalink__endswith=".html")
                    | Q(permalink__endswith=".htm")
                ),
                name="post_permalink_is_a_path",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Rendering here keeps the stored HTML in step with the body whichever way a
        # post is saved (admin, import, restore, shell), so pages never parse Markdown.
        self.permalink = normalize_permalink(self.permalink)
        # Feeds and sitemaps are XML 1.0: characters it forbids are never stored.
        # A title is one line: it heads emails, whose headers may not break (issue 19).
        self.title, self.description, self.body = (
            " ".join(xml_safe(self.title).split()),
            xml_safe(self.description),
            xml_safe(self.body),
        )
        self.render()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *DERIVED_FIELDS} - {"updated_at"}
        # Every save is a revision (issue 10): one made in admin or by the importer joins
        # their revision, which names who and why; any other gets one of its own.
        with reversion.create_revision(), transaction.atomic():
            previous = None
            if self.pk:
                previous = (
                    Post.objects.filter(pk=self.pk).values("permalink", "title", "body").first()
                )
            if previous and (previous["title"], previous["body"]) != (self.title, self.body):
                self.content_updated_at = timezone.now()
            super().save(*args, **kwargs)
            if previous and previous["permalink"] != self.permalink:
                redirect_old_permalink(old=previous["permalink"], new=self.permalink)
            # Its checklist items follow in the same transaction, by post_save
            # (checklists.receivers.follow_headings).

    def get_absolute_url(self):
        return self.permalink

    @classmethod
    def unique_slug(cls, base):
        """``base`` (str, cut to 190 characters; "post" when empty), or ``base-2``,
        ``base-3``...: the first slug no post has yet (the admin and the importers)."""
        base = base[:190] or "post"
        slug, number = base, 2
        while cls.objects.filter(slug=slug).exists():
            slug, number = f"{base}-{number}", number + 1
        return slug

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def is_scheduled(self):
        """Published, but at a time still to come: hidden from readers until then."""
        return self.status == self.Status.PUBLISHED and self.published_at > timezone.now()

    @property
    def state_label(self):
        """What the post is for its readers now (str), as the admin and the staff banner
        say it: "Draft", "Published", or "Scheduled for 15 January 2027, 09:00" (the
        time in the site's time zone, TIME_ZONE)."""
        if self.is_scheduled:
            when = formats.date_format(timezone.localtime(self.published_at), "j F Y, H:i")
            return f"Scheduled for {when}"
        return self.get_status_display()

    @property
    def checklist_headings(self):
        return [heading for heading in self.headings if heading["checklist"]]

    @property
    def toc_headings(self):
        """The contents list: second-level headings, and every checklist heading whatever
        its level (a "###" item is ticked like the others, so it is listed too)."""
        return [
            heading for heading in self.headings if heading["level"] == 2 or heading["checklist"]
        ]

    def clean_fields(self, exclude=None):
        # Normalise before the field's validator sees it, so "dl_advice" is accepted as
        # "/dl_advice/" in admin forms as well as on save.
        self.permalink = normalize_permalink(self.permalink)
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # A post written here keeps the plain rule (lowercase ASCII words, ending in '/');
        # only an imported post may keep the address its old blog gave it (issue 21).
        if (
            "permalink" not in errors
            and "permalink" not in (exclude or ())
            and self.dialect == self.Dialect.COMMONMARK
        ):
            try:
                permalink_validator(self.permalink)
            except ValidationError as error:
                errors.setdefault("permalink", []).extend(error.error_list)
        if errors:
            raise ValidationError(errors)

    def clean(self):
        self.permalink = normalize_permalink(self.permalink)
        first_segment = self.permalink.strip("/").split("/")[0]
        if first_segment in reserved_prefixes():
            raise ValidationError(
                {"permalink": f"/{first_segment}/ is used by the site itself; choose another."}
            )

    @property
    def shown_updated_date(self):
        """The "Updated" date readers see (datetime or None): when the title or body
        changed on a later day than the post's shown date (or, with none, its
        publication)."""
        if self.content_updated_at is None:
            return None
        published = self.publication_date or self.published_at
        day = timezone.localdate
        if day(self.content_updated_at) > day(published):
            return self.content_updated_at
        return None

    def render(self):
        """Render the Markdown body into the stored HTML, headings and reading time.

        ``render_warnings`` (list of str) then names what the author wrote that could
        not be used, such as an unusable ``{#id}``.
        """
        rendered = markdown.render(
            self.body, math=self.use_math, aliases=self.heading_aliases, dialect=self.dialect
        )
        self.body_html = with_image_sizes(rendered.html)
        self.headings = [
            {"id": h.id, "text": h.text, "level": h.level, "checklist": h.checklist}
            for h in rendered.headings
        ]
        self.reading_minutes = markdown.reading_minutes(self.body)
        self.render_warnings = rendered.warnings


class ImportRecord(models.Model):
    """What the last import of a file wrote to a post (issue 10).

    The next import compares the file with ``source_sha256`` (did the file change?)
    and the post with ``fields`` (did an editor change it since?), so it never
    overwrites work done in admin unless told to with ``--force``.
    """

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="import_record")
    # The address the file asks for (its permalink, or its file name's slug): the
    # post's identity for the importer even after an editor moves the post.
    source_permalink = models.CharField(max_length=200, unique=True)
    source_path = models.CharField(max_length=500)
    source_sha256 = models.CharField(max_length=64)
    # The post's fields as the import wrote them, body included ({name: value}).
    fields = models.JSONField()
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["source_permalink"]

    def __str__(self):
        return f"{self.source_path} → {self.post}"

    def get_absolute_url(self):
        return self.post.get_absolute_url()


def redirect_old_permalink(*, old, new):
    """Make an old permalink (and anything that already redirected to it) point to new."""
    site_id = settings.SITE_ID
    Redirect.objects.filter(site_id=site_id, old_path=new).delete()
    Redirect.objects.filter(site_id=site_id, new_path=old).update(new_path=new)
    Redirect.objects.update_or_create(site_id=site_id, old_path=old, defaults={"new_path": new})


@receiver(post_delete, sender=Post)
def a_deleted_posts_addresses_are_gone(sender, instance, **kwargs):
    """Every address of a deleted post answers 410 Gone, "Article removed", instead of a
    redirect to a 404 or a 404: its former ones and its last one, which is what bookmarks
    hold (issue 18). Django's redirects answer 410 for an empty new_path.

    post_delete is the one place every way of deleting a post passes (delete(), a
    QuerySet's delete(), the admin's delete page and its "Delete selected" action); a
    post later created or moved at the address is shown there, as the 410 only answers
    an address where nothing else is found.
    """
    site_id = settings.SITE_ID
    Redirect.objects.filter(site_id=site_id, new_path=instance.permalink).update(new_path="")
    Redirect.objects.update_or_create(
        site_id=site_id, old_path=instance.permalink, defaults={"new_path": ""}
    )
