from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse

from core.signals import ChangeSignallingQuerySet
from core.text import isolate

from .names import DisplayNameField, skeleton_columns

# How a reader without a display name is shown to others.
ANONYMOUS_READER = "Anonymous reader"


class UserManager(DjangoUserManager.from_queryset(ChangeSignallingQuerySet)):
    """Django's, with bulk writes signalled (readers' names are shown on post pages)."""

    @classmethod
    def normalize_email(cls, email):
        """The whole address lower-cased, as allauth stores and looks up addresses (issue
        14); Django lowers only the domain. `create_user`, `createsuperuser` and the
        admin's user form (through `AbstractUser.clean`) all come here. Returns a str."""
        return super().normalize_email(email).lower()


class User(AbstractUser):
    """A reader. Others see only the display name; the email address stays private."""

    display_name = DisplayNameField(help_text="Shown to other readers next to your comments.")
    notify_replies = models.BooleanField(
        "Email me when someone replies to my comments", default=True
    )
    # The display name's two skeletons (accounts.names.skeletons), kept by save(): a new
    # name is compared with every staff member's and commenter's in one indexed query.
    skeleton_folded_first = models.CharField(max_length=255, blank=True, editable=False)
    skeleton_mapped_first = models.CharField(max_length=255, blank=True, editable=False)

    objects = UserManager()

    # createsuperuser asks for a display name too: a name is never made from the email.
    REQUIRED_FIELDS = ["email", "display_name"]

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        ordering = ["display_name", "id"]
        indexes = [
            models.Index(fields=["skeleton_folded_first"], name="user_skeleton_folded_idx"),
            models.Index(fields=["skeleton_mapped_first"], name="user_skeleton_mapped_idx"),
            # allauth makes a sign-up's username from its email and asks which
            # candidates are taken, case-insensitively (generate_unique_username): at
            # 1M readers that scanned the table, 1.5 s per sign-up (issue 23).
            models.Index(Upper("username"), name="user_username_upper_idx"),
        ]

    def __str__(self):
        # Isolated (U+2068 ... U+2069): the admin and plain text show it among other words.
        return isolate(self.display_name or self.username)

    def save(self, *args, **kwargs):
        """Django's save, keeping the skeleton columns in step with the display name
        (also when ``update_fields`` names only ``display_name``)."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "display_name" in update_fields:
            for column, value in skeleton_columns(self.display_name).items():
                setattr(self, column, value)
            if update_fields is not None:
                kwargs["update_fields"] = {
                    *update_fields,
                    "skeleton_folded_first",
                    "skeleton_mapped_first",
                }
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("accounts:account")

    @property
    def public_name(self):
        return self.display_name or ANONYMOUS_READER
