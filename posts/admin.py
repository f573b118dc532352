from django.contrib import admin
from markdownx.admin import MarkdownxModelAdmin

from checklists.admin import readers_chart

from .models import Category, Post


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Post)
class PostAdmin(MarkdownxModelAdmin):
    list_display = ["title", "permalink", "status", "published_at", "updated_at"]
    list_filter = ["status", "categories", "allow_comments"]
    search_fields = ["title", "description", "body", "permalink"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    filter_horizontal = ["categories"]
    readonly_fields = ["updated_at", "reading_minutes", "readers_chart"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "permalink", "description", "body"]}),
        (
            "Publishing",
            {"fields": ["status", "published_at", "categories", "allow_comments", "use_math"]},
        ),
        ("Computed", {"fields": ["reading_minutes", "updated_at"]}),
        ("Checklist", {"fields": ["readers_chart"]}),
    ]

    @admin.display(description="Readers who ticked each item")
    def readers_chart(self, post):
        if post.pk is None:
            return "Save the post to see its checklist."
        return readers_chart(post)
