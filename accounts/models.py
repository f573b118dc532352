from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from advice_site.signals import ChangeSignallingQuerySet
from advice_site.text import isolate

from .names import DisplayNameField, check_not_posing

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

    objects = UserManager()

    # createsuperuser asks for a display name too: a name is never made from the email.
    REQUIRED_FIELDS = ["email", "display_name"]

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        ordering = ["display_name", "id"]

    def __str__(self):
        # Isolated (U+2068 ... U+2069): the admin and plain text show it among other words.
        return isolate(self.display_name or self.username)

    def clean(self):
        """The admin's check beyond the field's own: no name confusable with a staff
        member's or the site's (accounts.names)."""
        super().clean()
        if self.display_name:
            try:
                check_not_posing(self.display_name, user=self)
            except ValidationError as error:
                raise ValidationError({"display_name": error}) from None

    def get_absolute_url(self):
        return reverse("accounts:account")

    @property
    def public_name(self):
        return self.display_name or ANONYMOUS_READER
