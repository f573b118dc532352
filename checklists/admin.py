from django.contrib import admin, messages
from django.db.models import Max
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from core.admin_lists import LargeTablePaginator, search_by_words
from posts.models import Post

from .models import ChecklistItem, Tick
from .progress import recount_readers

BAR_WIDTH = 240  # pixels for the item with the most readers


class DeletedOnlyWithOwnerMixin:
    """For a ModelAdmin whose rows are never deleted on their own pages (no delete page,
    no "Delete selected"), yet go, with Django's usual permission check, when staff
    delete what they belong to: a post takes its checklist items and their ticks, an
    account takes its ticks. Without this, the admin refuses to delete any post with
    checklist headings or any reader who ticked, since it asks each related model's admin
    for delete permission (django.contrib.admin.utils.get_deleted_objects)."""

    def has_delete_permission(self, request, obj=None):
        """bool: False on this model's own admin views; elsewhere, Django's permission
        ("<app>.delete_<model>"; superusers have it)."""
        match = getattr(request, "resolver_match", None)
        own_view = f"{self.opts.app_label}_{self.opts.model_name}_"
        if match is None or (match.url_name or "").startswith(own_view):
            return False
        return super().has_delete_permission(request, obj)


def readers_chart(post):
    """A horizontal SVG bar chart of how many readers ticked each of a post's items."""
    items = list(ChecklistItem.objects.current().filter(post=post))
    if not items:
        return "This post has no checklist headings."
    most = max(item.reader_count for item in items) or 1
    row_height, label_width = 26, 360
    rows = format_html_join(
        "",
        '<g transform="translate(0,{})"><text x="0" y="17" font-size="13" fill="currentColor">{}'
        '</text><rect x="{}" y="4" height="18" width="{}" fill="#2f7d4a"></rect>'
        '<text x="{}" y="17" font-size="13" fill="currentColor">{}</text></g>',
        (
            (
                index * row_height,
                item.text if len(item.text) <= 48 else item.text[:47] + "…",
                label_width,
                round(BAR_WIDTH * item.reader_count / most),
                label_width + round(BAR_WIDTH * item.reader_count / most) + 6,
                item.reader_count,
            )
            for index, item in enumerate(items)
        ),
    )
    description = "; ".join(f"{item.text}: {item.reader_count}" for item in items)
    return format_html(
        '<svg role="img" aria-label="Readers who ticked each item: {}" width="{}" height="{}" '
        'class="readers-chart">{}</svg>',
        description,
        label_width + BAR_WIDTH + 60,
        row_height * len(items) + 4,
        rows,
    )


@admin.register(ChecklistItem)
class ChecklistItemAdmin(DeletedOnlyWithOwnerMixin, admin.ModelAdmin):
    list_display = ["text", "post", "position", "reader_count", "readers_bar", "is_current"]
    list_filter = ["post", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["text", "anchor"]
    list_select_related = ["post"]
    ordering = ["post", "archived_at", "position"]
    actions = ["recount"]
    # Items follow the post's headings (checklists.sync); editing them here would
    # be undone at the next save of the post, so they are read-only.
    readonly_fields = ["post", "anchor", "text", "position", "archived_at", "reader_count"]

    def has_add_permission(self, request):
        return False

    # Deleting an item on its own would delete readers' ticks: items are archived when
    # their heading goes, and deleted only with their post (DeletedOnlyWithOwnerMixin).

    def get_queryset(self, request):
        # Each row shows its post's title: not the post's text, once per row.
        queryset = (
            super()
            .get_queryset(request)
            .select_related("post")
            .defer("post__body", "post__body_html", "post__headings")
        )
        self._most = queryset.aggregate(most=Max("reader_count"))["most"] or 1
        return queryset

    @admin.display(description="Readers", ordering="reader_count")
    def readers_bar(self, item):
        width = round(160 * item.reader_count / getattr(self, "_most", 1) or 0)
        return format_html(
            '<svg width="160" height="12" role="img" aria-label="{} readers">'
            '<rect width="{}" height="12" fill="#2f7d4a"></rect></svg>',
            item.reader_count,
            width,
        )

    @admin.display(description="In the post now", boolean=True)
    def is_current(self, item):
        return item.archived_at is None

    @admin.action(description="Recount readers from their ticks")
    def recount(self, request, queryset):
        recount_readers(queryset)
        count = queryset.count()
        items = ngettext("%(count)d item", "%(count)d items", count) % {"count": count}
        messages.success(request, f"Recounted {items}.")


@admin.register(Tick)
class TickAdmin(DeletedOnlyWithOwnerMixin, admin.ModelAdmin):
    """Readers' ticks, for looking only: readers set them, nobody edits them here. They
    go with their post or their reader's account (DeletedOnlyWithOwnerMixin)."""

    list_display = ["user", "item", "ticked_at"]
    list_filter = ["item__post"]
    search_fields = ["user__email", "user__display_name", "item__text"]  # get_search_results
    list_select_related = ["user", "item"]
    # Newest first, from the ticks' own index; no date_hierarchy, whose years and months
    # read every tick (issue 23: 5,000,000 rows for a first page).
    ordering = ["-ticked_at", "-id"]
    # One count (of what the filters or search left), not a second of every tick, and
    # for the whole list PostgreSQL's estimate (core.admin_lists).
    show_full_result_count = False
    paginator = LargeTablePaginator

    def get_search_results(self, request, queryset, search_term):
        """Every word in the reader's email address or name, or the item's text: the
        readers and items are looked up first, the ticks matched by their ids
        (core.admin_lists.search_by_words)."""
        return search_by_words(
            queryset,
            search_term,
            reader="user",
            reader_fields=["email", "display_name"],
            related=[("item", ChecklistItem, ["text"])],
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ChartFormSet(BaseInlineFormSet):
    """A formset that takes no input: never bound, always valid, saves nothing, so the
    post's form is saved whether or not a client sent the chart's management form."""

    def __init__(self, data=None, files=None, *args, **kwargs):
        super().__init__(None, None, *args, **kwargs)

    def is_valid(self):
        return True

    def save(self, commit=True):
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        return []


class ReadersChartInline(admin.StackedInline):
    """The post change page's "Readers who ticked each item": the checklists app's part of
    a post's admin page, as an inline, so posts/ never imports checklists (issue 20).

    It edits nothing: its formset is always empty (the post form saves as before) and
    its template draws readers_chart() for the post."""

    model = ChecklistItem
    formset = ChartFormSet
    template = "admin/checklists/readers_chart_inline.html"
    verbose_name_plural = "Readers who ticked each item"
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["text"]

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.readers_chart = (
            readers_chart(obj) if obj is not None else "Save the post to see its checklist."
        )
        return formset

    def has_view_permission(self, request, obj=None):
        return True  # whoever may see the post may see how many ticked its items

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The chart joins the post's admin page (posts.admin.PostAdmin, registered before this
# module: autodiscover follows INSTALLED_APPS, where posts comes first).
post_admin = admin.site.get_model_admin(Post)
post_admin.inlines = [*post_admin.inlines, ReadersChartInline]
