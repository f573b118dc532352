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

    @admin.display(description="Display name", ordering="display_name")
    def name_column(self, user):
        # <bdi>: a right-to-left name cannot reorder the columns' text around it.
        return format_html("<bdi>{}</bdi>", user.display_name)
