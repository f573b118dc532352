from django.contrib import admin, messages
from django.db.models import Count
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import ngettext

from .models import BlockedCommenter, Comment, Flag, Hidden
from .moderation import (
    block_commenter,
    can_moderate,
    delete_as_moderator,
    discard_pending_edits,
    moderate,
)


class FlagInline(admin.TabularInline):
    model = Flag
    extra = 0
    fields = ["user", "reason", "note", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


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
    list_filter = ["status", FlaggedFilter, PendingEditFilter, "post", "created_at"]
    search_fields = ["body", "author__display_name", "author__email", "author_name"]
    date_hierarchy = "created_at"
    list_select_related = ["author", "post"]
    list_per_page = 50
    inlines = [FlagInline]
    actions = ["approve", "reject", "mark_spam", "discard_edits", "block_authors"]
    fields = [
        "post",
        "author",
        "author_name",
        "parent",
        "body",
        "pending_body",
        "pending_edited_at",
        "status",
        "hidden_by_flags",
        "is_removed",
        "created_at",
        "edited_at",
        "moderated_by",
        "moderated_at",
        "moderators_notified_at",
        "ip_hash",
    ]
    # Everything is read-only: comments are written on the site, and their status
    # changes only through the moderation actions, which record who and when.
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(flag_count=Count("flags"))

    # Deleting, on the delete page or with "Delete selected", keeps the thread: a comment
    # others replied to loses its text and stays as a placeholder over the replies
    # (comments.moderation.delete_as_moderator), instead of Django's cascade through
    # `parent`, which deleted every reply with it.

    def delete_model(self, request, obj):
        delete_as_moderator(comment=obj, moderator=request.user)

    def delete_queryset(self, request, queryset):
        # Deepest first: a reply deleted before its parent leaves the parent free to go.
        for pk in queryset.order_by("-depth").values_list("pk", flat=True):
            comment = Comment.objects.filter(pk=pk).first()  # may have gone already
            if comment is not None:
                delete_as_moderator(comment=comment, moderator=request.user)

    def get_deleted_objects(self, objs, request):
        """The confirmation page lists only the chosen comments, since their replies
        stay; permissions are Django's."""
        _, _, perms_needed, protected = super().get_deleted_objects(objs, request)
        listed = [
            format_html(
                "Comment: {} (its replies stay, under “{}”)",
                comment,
                Hidden.REMOVED.label,
            )
            if comment.replies.exists()
            else format_html("Comment: {}", comment)
            for comment in objs
        ]
        return listed, {Comment._meta.verbose_name_plural: len(listed)}, perms_needed, protected

    def has_add_permission(self, request):
        return False  # comments are written on the site

    def has_moderate_permission(self, request):
        """Only moderators are offered (and may run) the moderation actions."""
        return can_moderate(request.user)

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
        return format_html('<a href="{}">View</a>', comment.get_absolute_url())

    def _moderate(self, request, queryset, status, verb):
        changed = moderate(comments=queryset, status=status, moderator=request.user)
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
        changed = discard_pending_edits(comments=queryset, moderator=request.user)
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
        authors = {
            comment.author for comment in queryset if comment.author and not comment.author.is_staff
        }
        for author in authors:
            block_commenter(user=author, moderator=request.user, reason="Blocked from the queue")
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


@admin.register(BlockedCommenter)
class BlockedCommenterAdmin(admin.ModelAdmin):
    list_display = ["user", "reason", "blocked_by", "created_at"]
    search_fields = ["user__email", "user__display_name"]
    autocomplete_fields = ["user"]
    readonly_fields = ["blocked_by", "created_at"]

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

    def save_model(self, request, obj, form, change):
        if not change:
            obj.blocked_by = request.user
        super().save_model(request, obj, form, change)
