from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.utils.html import format_html

from .models import User


class UserCreationForm(AdminUserCreationForm):
    """Django's form for a new account, with the email and display name: an account made
    in the admin is never shown as "Anonymous reader"."""

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "email", "display_name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    list_display = ["email", "name_column", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "display_name", "username"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("Public profile", {"fields": ["display_name"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "email",
                    "display_name",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]

    # Issue 19: staff with "Can change user" could make themselves superuser, or take a
    # superuser's account by changing its address or password. Only a superuser grants
    # privileges or changes (or deletes) a superuser's or another staff member's account.
    PRIVILEGE_FIELDS = ("is_superuser", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [field for field in self.PRIVILEGE_FIELDS if field not in fields]
        return fields

    @staticmethod
    def is_out_of_reach(request, obj):
        """Whether ``obj`` (a User or None) is an account only a superuser may change or
        delete: a superuser's, or another staff member's (a moderator, an editor), whose
        privileges a user manager would take by changing its address and asking for a
        reset. Returns a bool."""
        if obj is None or request.user.is_superuser:
            return False
        return obj.is_superuser or (obj.is_staff and obj.pk != request.user.pk)

    def has_change_permission(self, request, obj=None):
        if self.is_out_of_reach(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self.is_out_of_reach(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="Display name", ordering="display_name")
    def name_column(self, user):
        # <bdi>: a right-to-left name cannot reorder the columns' text around it.
        return format_html("<bdi>{}</bdi>", user.display_name)
