from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.sites.models import Site
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import slugify
from markdownx.admin import MarkdownxModelAdmin
from markdownx.widgets import AdminMarkdownxWidget
from reversion.admin import VersionAdmin
from reversion.errors import RevertError

from .history import (
    describe,
    field_changes,
    restore_version,
    restored_post,
    text_changes,
    versions_of,
)
from .models import Category, Post, normalize_permalink
from .xmltext import forbidden_characters

# The site's address and name come from SITE_URL and SITE_NAME at every start (see
# core.site): a Sites page in admin would only be overwritten.
admin.site.unregister(Site)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


# The Body's help in admin. Admin prints help text as HTML, so the model's (plain text)
# showed a live, unlabelled checkbox where the syntax should be (issue 22).
BODY_HELP = format_html(
    "Markdown, as on the page: tables, footnotes and kramdown attribute lists (end a "
    "heading with <code>{{#some-id}}</code> to pin its anchor). <code>{}</code> makes a "
    "checklist heading. <code>$…$</code> and <code>$$…$$</code> are mathematics when "
    "“Use math” is ticked. “Add image”, or a file dropped on the text, adds an image "
    "with its description.",
    '## <input type="checkbox"> Text',
)
PERMALINK_HELP = (
    "The post's address on the site, such as /your-first-90-days/. Filled from the title "
    "until you change it; left empty, it is made from the title when you save."
)


class BodyEditor(AdminMarkdownxWidget):
    """The Body's editor: markdownx's textarea and its endpoints (data-markdownx-*
    attributes), with the site's own script (static/js/editor.js) instead of
    markdownx's: a preview that looks like the page beside the text or in a tab, math as
    "Use math" says, and images added with a description, refused with a reason."""

    template_name = "admin/posts/post/body_editor.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # The script refuses a larger file before sending it (the server checks too).
        context["widget"]["upload_max_bytes"] = settings.MARKDOWNX_UPLOAD_MAX_SIZE
        return context

    class Media:
        extend = False
        css = {"all": ["css/editor.css"]}
        js = ["js/editor.js"]


class PostAdminForm(forms.ModelForm):
    """The post form in admin: one address to fill, the permalink; the slug, which only
    the database uses, is derived from it (see PostAdmin.save_model)."""

    class Meta:
        model = Post
        # Admin asks for the fields of PostAdmin.fieldsets; these are the ones that are
        # not derived, so the form stands alone too.
        fields = [
            "title",
            "permalink",
            "description",
            "body",
            "status",
            "published_at",
            "publication_date",
            "categories",
            "allow_comments",
            "use_math",
        ]
        widgets = {"body": BodyEditor}
        help_texts = {"body": BODY_HELP, "permalink": PERMALINK_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "permalink" in self.fields:
            self.fields["permalink"].required = False

    def clean_permalink(self):
        """The permalink as typed, or made from the title ("Your first 90 days" gives
        /your-first-90-days/) when left empty."""
        permalink = normalize_permalink(self.cleaned_data.get("permalink"))
        if permalink:
            return permalink
        from_title = normalize_permalink(slugify(self.cleaned_data.get("title") or ""))
        if not from_title:
            raise forms.ValidationError(
                "Give the post an address: its title has no letter or digit a permalink "
                "can use (a-z, 0-9)."
            )
        return from_title


@admin.register(Post)
class PostAdmin(VersionAdmin, MarkdownxModelAdmin):
    form = PostAdminForm
    list_display = ["title", "permalink", "state", "published_at", "updated_at"]
    list_filter = ["status", "categories", "allow_comments"]
    search_fields = ["title", "description", "body", "permalink"]
    date_hierarchy = "published_at"
    filter_horizontal = ["categories"]
    readonly_fields = [
        "state",
        "updated_at",
        "content_updated_at",
        "reading_minutes",
        "import_source",
    ]
    fieldsets = [
        (None, {"fields": ["title", "permalink", "description", "body"]}),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "state",
                    "published_at",
                    "publication_date",
                    "categories",
                    "allow_comments",
                    "use_math",
                ]
            },
        ),
        (
            "Computed",
            {"fields": ["reading_minutes", "updated_at", "content_updated_at", "import_source"]},
        ),
    ]
    object_history_template = "admin/posts/post/object_history.html"
    history_latest_first = True

    class Media:
        js = ["js/post_form.js"]

    @admin.display(description="On the site", ordering="status")
    def state(self, post):
        """ "Draft", "Published" or "Scheduled for 15 January 2027, 09:00"."""
        if post.pk is None:
            return "Not saved yet."
        return post.state_label

    @admin.display(description="Imported from")
    def import_source(self, post):
        record = getattr(post, "import_record", None) if post.pk else None
        if record is None:
            return "Not imported from a file."
        return (
            f"{record.source_path}, last imported {record.imported_at:%Y-%m-%d %H:%M} UTC. "
            "The importer leaves this post alone while it differs from that import."
        )

    def save_model(self, request, obj, form, change):
        for name in ("title", "description", "body"):
            dropped = forbidden_characters(getattr(obj, name))
            if dropped:
                messages.warning(
                    request,
                    f"The {name} had characters XML 1.0 forbids ({', '.join(dropped)}): "
                    "form feeds and other separators became spaces, the rest were dropped.",
                )
        if not obj.slug:
            obj.slug = Post.unique_slug(slugify(obj.permalink.strip("/").replace("/", "-")))
        super().save_model(request, obj, form, change)
        for warning in obj.render_warnings:
            messages.warning(request, f"Body: {warning}.")

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """A revision: what restoring it changes (its fields, and the article's text as
        readers see it, word by word: posts.history.text_changes), and a "Restore this
        version" button that restores it through Post.save() (reversion's own view
        would write the row raw first)."""
        post = self.get_object(request, unquote(object_id))
        if post is None:
            raise Http404("No such post.")
        if not self.has_change_permission(request, post):
            raise PermissionDenied
        version = get_object_or_404(versions_of(post), pk=version_id)
        history_url = reverse("admin:posts_post_history", args=[post.pk])
        if request.method == "POST":
            try:
                restored = restore_version(version=version, user=request.user)
            except (ValidationError, RevertError) as error:
                problem = "; ".join(getattr(error, "messages", None) or [str(error)])
                messages.error(request, f"This version cannot be restored: {problem}")
                return redirect(history_url)
            self.log_change(request, restored, f"Restored the version of {describe(version)}.")
            messages.success(request, f"Restored the version of {describe(version)}.")
            return redirect(reverse("admin:posts_post_change", args=[post.pk]))
        try:
            restored = restored_post(post=post, version=version)
        except RevertError as error:
            messages.error(request, f"This version cannot be read: {error}")
            return redirect(history_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Restore the version of {describe(version)}",
            "opts": self.model._meta,
            "object": post,
            "version": version,
            "when": describe(version),
            "field_changes": field_changes(before=post, after=restored),
            "body_changes": text_changes(post.body_html, restored.body_html),
            "body_source_changed": restored.body.strip() != post.body.strip(),
            "history_url": history_url,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/posts/post/restore.html", context)
