import csv
from datetime import UTC

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import linebreaksbr
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import ngettext

from core.admin_lists import LargeTablePaginator, search_by_words

from .models import BlockedCommenter, Comment, Flag, Hidden, ModerationDecision, ModerationRule
from .moderation import (
    block_authors as block_authors_of,
)
from .moderation import (
    delete_as_moderator,
    discard_pending_edits,
    is_blocked,
    moderate,
)
from .rendering import render_comment
from .rules import can_moderate

ADMIN = ModerationDecision.Source.ADMIN


class FlagInline(admin.TabularInline):
    """Who flagged the comment, why, and their note: read-only, shown to moderators."""

    model = Flag
    template = "admin/comments/comment/flags.html"
    extra = 0
    fields = ["user", "reason", "note", "created_at"]
    readonly_fields = fields
    can_delete = False

    # Issue 18: a moderator reads why readers flagged a comment without "Can view flag".
    def has_view_permission(self, request, obj=None):
        return can_moderate(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StatusFilter(admin.SimpleListFilter):
    """The comment's status, plus what awaits a moderator (issue 18): new comments, edits
    awaiting moderation and comments hidden by readers' flags, as the moderators' emails
    count them (CommentQuerySet.awaiting_moderation). The list opens on that (see
    CommentAdmin.changelist_view). "All" is an explicit value of its own, so its link
    never falls back on the bare list's default."""

    title = "status"
    parameter_name = "status__exact"  # Django's own name for a status filter
    AWAITING = "awaiting"
    ALL = "all"

    def lookups(self, request, model_admin):
        statuses = dict(Comment.Status.choices, pending="Pending (new comments)")
        return [
            (self.ALL, "All"),
            (self.AWAITING, "Awaiting moderation (new, edited or hidden by flags)"),
            *statuses.items(),
        ]

    def choices(self, changelist):
        value = self.value() or self.ALL
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value in (None, self.ALL):
            return queryset
        if value == self.AWAITING:
            return queryset.awaiting_moderation()
        if value in Comment.Status.values:
            return queryset.filter(status=value)
        raise IncorrectLookupParameters(f"Unknown status {value!r}.")


class FlaggedFilter(admin.SimpleListFilter):
    title = "flags"
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", "Flagged by readers"), ("hidden", "Hidden by flags")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(flag_count__gt=0)
        if self.value() == "hidden":
            return queryset.filter(hidden_by_flags=True)
        return queryset


class PendingEditFilter(admin.SimpleListFilter):
    title = "edits"
    parameter_name = "edit"

    def lookups(self, request, model_admin):
        return [("pending", "Edit awaiting moderation")]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.exclude(pending_body="")
        return queryset


User = get_user_model()

# The flags of the comment in the row: one count per row shown.
flag_counts = (
    Flag.objects.filter(comment=OuterRef("pk"))
    .order_by()
    .values("comment")
    .annotate(count=Count("pk"))
    .values("count")
)


def comments_count(count):
    return ngettext("%(count)d comment", "%(count)d comments", count) % {"count": count}


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """The moderation queue: filter, search, and approve / reject / mark as spam in bulk."""

    list_display = [
        "excerpt",
        "author_column",
        "post",
        "status",
        "flag_count",
        "hidden_by_flags",
        "created_at",
        "on_site",
    ]
    list_filter = [
        StatusFilter, FlaggedFilter, PendingEditFilter, "held_by_rule", "post", "created_at",
    ]  # fmt: skip
    # By name, never by email address: moderators see readers' public names only (issue 19).
    search_fields = ["body", "author__display_name", "author_name"]  # get_search_results
    # No date hierarchy: its years and months were two more reads of every comment on
    # each view. The "created at" filter stays.
    list_select_related = ["author", "post"]
    list_per_page = 50
    # Newest first, so what just arrived is on the first page at any size, and no second
    # count of every comment beside the filtered one (issue 23).
    ordering = ["-created_at", "-id"]
    show_full_result_count = False
    paginator = LargeTablePaginator  # an estimated count, and a page's keys first
    inlines = [FlagInline]
    actions = ["approve", "reject", "mark_spam", "discard_edits", "block_authors"]
    fields = [
        "post",
        "author",
        "author_name",
        "parent",
        "markdown_source",
        "pending_markdown_source",
        "pending_edited_at",
        "status",
        "hidden_by_flags",
        "is_removed",
        "created_at",
        "edited_at",
        "moderated_by",
        "moderated_at",
        "moderators_notified_at",
        "held_by_rule",
        "ip_hash",
    ]
    # Everything is read-only: comments are written on the site, and their status
    # changes only through the moderation actions, which record who and when.
    readonly_fields = fields

    def changelist_view(self, request, extra_context=None):
        """The bare list opens on the comments awaiting a moderator; any query (a filter,
        a search, "All") is left as it is (issue 18)."""
        if request.method == "GET" and not request.GET:
            query = f"{StatusFilter.parameter_name}={StatusFilter.AWAITING}"
            return redirect(f"{request.path}?{query}")
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("author", "post")
            # A comment's post is shown by its title and address: its text, 100 times
            # on a page of the article's comments, was 10 MB read for every page.
            .defer("post__body", "post__body_html", "post__headings")
            # A count per row shown, not a GROUP BY over every comment and its flags,
            # which the list's count and each page paid for at any size (issue 23).
            .annotate(flag_count=Coalesce(Subquery(flag_counts), 0))
        )

    def get_search_results(self, request, queryset, search_term):
        """Django's search (every word in the text, the reader's public name or the
        imported name), written so that each part can use an index: the readers whose
        name has the word are looked up first, and the comments matched by author id
        (core.admin_lists.search_by_words). On PostgreSQL the text, the imported name and
        readers' names have trigram indexes (core.postgres). Returns (QuerySet,
        may_have_duplicates)."""
        return search_by_words(
            queryset,
            search_term,
            reader="author",
            reader_fields=["display_name"],
            text_fields=["body", "author_name"],
        )

    # Deleting, on the delete page or with "Delete selected", keeps the thread: a comment
    # others replied to loses its text and stays as a placeholder over the replies
    # (comments.moderation.delete_as_moderator), instead of Django's cascade through
    # `parent`, which deleted every reply with it.

    def delete_model(self, request, obj):
        delete_as_moderator(comment=obj, moderator=request.user, source=ADMIN)

    def delete_queryset(self, request, queryset):
        # Deepest first: a reply deleted before its parent leaves the parent free to go.
        for pk in queryset.order_by("-depth").values_list("pk", flat=True):
            comment = Comment.objects.filter(pk=pk).first()  # may have gone already
            if comment is not None:
                delete_as_moderator(comment=comment, moderator=request.user, source=ADMIN)

    def get_deleted_objects(self, objs, request):
        """The confirmation page lists only the chosen comments, since their replies
        stay; permissions are Django's."""
        _, _, perms_needed, protected = super().get_deleted_objects(objs, request)
        listed = [
            format_html(
                "{} (its replies stay, under “{}”)",
                comment,
                Hidden.REMOVED.label,
            )
            if comment.replies.exists()
            else format_html("{}", comment)
            for comment in objs
        ]
        return listed, {Comment._meta.verbose_name_plural: len(listed)}, perms_needed, protected

    # Issue 18: "Can moderate comments" (comments.rules.can_moderate) alone opens the
    # list, each comment's page and every action; Django's per-model permissions do not.

    def has_module_permission(self, request):
        return can_moderate(request.user)

    def has_view_permission(self, request, obj=None):
        return can_moderate(request.user)

    def has_change_permission(self, request, obj=None):
        return False  # nothing is edited here: status changes only through the actions

    def has_delete_permission(self, request, obj=None):
        # Deleting also needs Django's "Can delete comment" (README).
        return can_moderate(request.user) and super().has_delete_permission(request, obj)

    def has_add_permission(self, request):
        return False  # comments are written on the site

    def has_moderate_permission(self, request):
        """Only moderators are offered (and may run) the moderation actions."""
        return can_moderate(request.user)

    # The comment's page, which the moderators' emails link to (issue 18): the comment as
    # readers see it, and buttons for the moderation actions.

    def get_urls(self):
        moderate_url = path(
            "<path:object_id>/moderate/",
            self.admin_site.admin_view(self.moderate_view),
            name="comments_comment_moderate",
        )
        return [moderate_url, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        comment = self.get_object(request, unquote(object_id))
        if comment is not None:
            extra_context = {
                **(extra_context or {}),
                **self.review_context(request, comment),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def review_context(self, request, comment):
        """The change page's title, the comment (and an edit awaiting moderation) rendered
        as the post page renders it, and the actions a moderator may take on it now."""
        # The name isolated (U+2068 … U+2069), as in every plain-text place: <title> too.
        heading = f"Comment by {comment.plain_author} on “{comment.post.title}”"
        return {
            "title": heading,
            "subtitle": None,
            # render_comment is the site's renderer: Markdown's safe subset, cleaned by nh3.
            "comment_html": mark_safe(render_comment(comment.body)) if comment.body else "",
            "pending_html": (
                mark_safe(render_comment(comment.pending_body)) if comment.pending_body else ""
            ),
            "moderation_actions": (
                self.moderation_actions(comment) if self.has_moderate_permission(request) else []
            ),
            "decisions": list(comment.decisions.order_by("decided_at", "id")),
        }

    MODERATION_BUTTONS = {
        "approve": "Approve",
        "reject": "Reject",
        "spam": "Mark as spam",
        "discard_edit": "Discard edit",
        "block_author": "Block author",
    }

    def moderation_actions(self, comment):
        """[(action, label)]: the buttons that would change something for ``comment``."""
        offered = {
            "approve": not comment.is_approved or comment.hidden_by_flags or comment.pending_body,
            "reject": comment.status != Comment.Status.REJECTED,
            "spam": comment.status != Comment.Status.SPAM,
            "discard_edit": bool(comment.pending_body),
            "block_author": comment.author is not None
            and not comment.author.is_staff
            and not is_blocked(comment.author),
        }
        return [
            (action, label) for action, label in self.MODERATION_BUTTONS.items() if offered[action]
        ]

    def moderate_view(self, request, object_id):
        """POST ``action`` (approve, reject, spam, discard_edit, block_author) from the
        comment's page: the same functions as the list's actions, then back to the page
        with a message. 405 for another method, 403 without "Can moderate comments", 404
        for an unknown comment, 400 for an unknown action."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        comment = self.get_object(request, unquote(object_id))
        if comment is None:
            raise Http404("No such comment.")
        action = request.POST.get("action", "")
        if action not in self.MODERATION_BUTTONS:
            raise BadRequest("Unknown moderation action.")  # the site's 400 page
        comments = Comment.objects.filter(pk=comment.pk)
        moderator = request.user
        # The trail's optional reason (issue 27), as typed beside the buttons.
        decided = {
            "moderator": moderator,
            "source": ADMIN,
            "reason": request.POST.get("reason", ""),
        }
        statuses = {
            "approve": (Comment.Status.APPROVED, "Approved the comment."),
            "reject": (Comment.Status.REJECTED, "Rejected the comment."),
            "spam": (Comment.Status.SPAM, "Marked the comment as spam."),
        }
        if action in statuses:
            status, done = statuses[action]
            moderate(comments=comments, status=status, **decided)
            messages.success(request, done)
        elif action == "discard_edit":
            if discard_pending_edits(comments=comments, **decided):
                messages.success(request, "Discarded the edit; the approved text stays.")
            else:
                messages.warning(request, "This comment has no edit awaiting moderation.")
        elif block_authors_of(
            comments=comments,
            **{**decided, "reason": decided["reason"] or "Blocked from a comment"},
        ):
            messages.success(request, f"Blocked {comment.plain_author} from commenting.")
        else:
            messages.error(
                request, "This comment's author cannot be blocked: staff, or no account."
            )
        return redirect("admin:comments_comment_change", comment.pk)

    # The page shows the comment rendered above its details; the details keep the text
    # as its author wrote it, line by line (linebreaksbr escapes it first).

    @admin.display(description="Markdown, as written")
    def markdown_source(self, comment):
        return format_html('<div dir="auto">{}</div>', linebreaksbr(comment.body))

    @admin.display(description="Edit awaiting moderation, as written")
    def pending_markdown_source(self, comment):
        return format_html('<div dir="auto">{}</div>', linebreaksbr(comment.pending_body))

    @admin.display(description="Comment")
    def excerpt(self, comment):
        """The start of the text, its paragraphs on separate lines; an edit awaiting
        moderation is shown after the approved text it would replace."""
        text = Truncator(comment.body or "[deleted]").chars(80)
        if not comment.pending_body:
            return linebreaksbr(text)
        edit = Truncator(comment.pending_body).chars(80)
        return format_html(
            "{}<br><strong>Edit awaiting moderation:</strong><br>{}",
            linebreaksbr(text),
            linebreaksbr(edit),
        )

    @admin.display(description="Author", ordering="author__display_name")
    def author_column(self, comment):
        return format_html("<bdi>{}</bdi>", comment.display_author)

    @admin.display(description="Flags", ordering="flag_count")
    def flag_count(self, comment):
        return comment.flag_count

    @admin.display(description="On the site")
    def on_site(self, comment):
        """A link through the admin's "view on site" redirect, which finds the comment's
        page of threads when followed: the list itself makes no query per row (issue 18;
        Comment.get_absolute_url counts the threads before it)."""
        url = reverse(
            "admin:view_on_site",
            args=[ContentType.objects.get_for_model(Comment).pk, comment.pk],
        )
        return format_html('<a href="{}">View</a>', url)

    def _moderate(self, request, queryset, status, verb):
        changed = moderate(comments=queryset, status=status, moderator=request.user, source=ADMIN)
        messages.success(request, f"{verb} {comments_count(len(changed))}.")

    @admin.action(description="Approve selected comments", permissions=["moderate"])
    def approve(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.APPROVED, "Approved")

    @admin.action(description="Reject selected comments", permissions=["moderate"])
    def reject(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.REJECTED, "Rejected")

    @admin.action(description="Mark selected comments as spam", permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.SPAM, "Marked as spam")

    @admin.action(
        description="Discard the edits awaiting moderation (keep the approved text)",
        permissions=["moderate"],
    )
    def discard_edits(self, request, queryset):
        changed = discard_pending_edits(comments=queryset, moderator=request.user, source=ADMIN)
        count = len(changed)
        messages.success(
            request,
            ngettext(
                "Discarded the edit of %(count)d comment.",
                "Discarded the edits of %(count)d comments.",
                count,
            )
            % {"count": count},
        )

    @admin.action(
        description="Block the authors of selected comments from commenting",
        permissions=["moderate"],
    )
    def block_authors(self, request, queryset):
        authors = block_authors_of(
            comments=queryset, moderator=request.user, source=ADMIN, reason="Blocked from the queue"
        )
        count = len(authors)
        messages.success(
            request,
            ngettext(
                "Blocked %(count)d reader from commenting.",
                "Blocked %(count)d readers from commenting.",
                count,
            )
            % {"count": count},
        )


class ReaderAutocomplete(AutocompleteJsonView):
    """The search for the reader to block: Django's autocomplete asks for "Can view
    user", which a moderator does not have (issue 18); moderating is enough here."""

    def has_perm(self, request, obj=None):
        return can_moderate(request.user)

    def get_queryset(self):
        """Readers whose display name holds the words typed; never matched by email
        address or username, which moderators do not see (issue 19)."""
        queryset = self.model_admin.get_queryset(self.request).filter(is_staff=False)
        for word in self.term.split():
            queryset = queryset.filter(display_name__icontains=word)
        return queryset.order_by("display_name", "pk")


class ReaderAutocompleteSelect(AutocompleteSelect):
    url_name = "%s:comments_blockedcommenter_reader_autocomplete"


class ModeratorsOnly:
    """Every admin permission of a model that is part of moderating (blocked commenters,
    rules, the trail) is "Can moderate comments" (rules.can_moderate, issue 18)."""

    def has_module_permission(self, request):
        return can_moderate(request.user)

    def has_view_permission(self, request, obj=None):
        return can_moderate(request.user)

    def has_add_permission(self, request):
        return can_moderate(request.user)

    def has_change_permission(self, request, obj=None):
        return can_moderate(request.user)

    def has_delete_permission(self, request, obj=None):
        return can_moderate(request.user)


@admin.register(BlockedCommenter)
class BlockedCommenterAdmin(ModeratorsOnly, admin.ModelAdmin):
    list_display = ["user", "reason", "blocked_by", "created_at"]
    search_fields = ["user__display_name"]  # never by email address (issue 19)
    autocomplete_fields = ["user"]
    readonly_fields = ["blocked_by", "created_at"]

    def get_urls(self):
        view = ReaderAutocomplete.as_view(admin_site=self.admin_site)
        autocomplete = path(
            "reader-autocomplete/",
            self.admin_site.admin_view(view),
            name="comments_blockedcommenter_reader_autocomplete",
        )
        return [autocomplete, *super().get_urls()]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["widget"] = ReaderAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.blocked_by = request.user
        super().save_model(request, obj, form, change)


class _Echo:
    """A file-like object whose write() returns what it is given: csv.writer then hands
    back each line for a StreamingHttpResponse (Django's documented pattern)."""

    def write(self, value):
        return value


def _csv_cell(value):
    """A value for a spreadsheet: text that a spreadsheet would read as a formula (it
    starts with = + - @, a tab or a carriage return; OWASP's "CSV injection") is kept as
    text with a leading apostrophe. Commenters write the excerpts."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(ModeratorsOnly, admin.ModelAdmin):
    """The moderation trail (issue 27): every decision, newest first, with who, when,
    from where and why; read-only, for staff who may moderate, and exported as CSV."""

    list_display = ["decided_at", "action", "comment_column", "moderator_name", "source", "reason"]
    list_display_links = None  # a row has nothing more to show; its comment is linked
    list_filter = ["source", "action", "decided_at"]
    search_fields = ["moderator_name", "reason", "excerpt"]
    ordering = ["-decided_at", "-id"]
    list_per_page = 100
    show_full_result_count = False
    paginator = LargeTablePaginator
    actions = ["export_csv"]
    CSV_COLUMNS = [
        "decided at (UTC)", "decision", "from", "moderator", "comment", "reason", "comment text",
    ]  # fmt: skip

    @admin.display(description="Comment", ordering="comment_number")
    def comment_column(self, decision):
        label = f"#{decision.comment_number}: {Truncator(decision.excerpt).chars(60)}"
        if decision.comment_id is None:
            return format_html("{} (deleted)", label)
        url = reverse("admin:comments_comment_change", args=[decision.comment_id])
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.action(description="Export selected decisions as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        """The chosen decisions (all of the list with "Select all"), oldest first, as a
        CSV file streamed row by row."""
        writer = csv.writer(_Echo())
        rows = queryset.order_by("decided_at", "id").iterator(chunk_size=2000)

        def lines():
            yield writer.writerow(self.CSV_COLUMNS)
            for decision in rows:
                values = [
                    decision.decided_at.astimezone(UTC).isoformat(timespec="seconds"),
                    decision.get_action_display(),
                    decision.get_source_display(),
                    decision.moderator_name,
                    decision.comment_number,
                    decision.reason,
                    decision.excerpt,
                ]
                yield writer.writerow([_csv_cell(value) for value in values])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="moderation-trail.csv"'
        return response

    # Read-only: the trail is written by comments.moderation alone.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ModerationRule)
class ModerationRuleAdmin(ModeratorsOnly, admin.ModelAdmin):
    """The moderation rules (comments.screening, issue 27), for staff who may moderate:
    each matches words, link domains or a number of links, and holds, marks as spam or
    refuses. Off until turned on."""

    list_display = ["name", "enabled", "kind", "outcome", "below_approved"]
    list_editable = ["enabled"]
    list_filter = ["enabled", "kind", "outcome"]
    search_fields = ["name", "words", "domains"]
    fieldsets = [
        (None, {"fields": ["name", "enabled", "kind"]}),
        (
            "What it matches (the field its kind reads)",
            {"fields": ["words", "domains", "max_links"]},
        ),
        ("Whom and what it does", {"fields": ["below_approved", "outcome", "message"]}),
    ]
