"""A reader's own data: what the export contains and what deleting an account removes.

Each app that keeps something of a reader offers its part in a module with two functions,
``reader_data(user) -> dict`` and ``delete_reader_data(user) -> None``, and
``settings.READER_DATA`` (the project's settings, above every app) names those modules in
the export's order. So accounts/ composes them without importing the apps that stand on
it, as the post page composes each app's part (issue 20).
"""

import sys

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_module


def parts():
    """The modules of settings.READER_DATA (this module first when it is named)."""
    return [
        sys.modules[__name__] if name == __name__ else import_module(name)
        for name in settings.READER_DATA
    ]


def reader_data(user):
    """{"account": {...}}: the account's own part of the export."""
    return {
        "account": {
            "display_name": user.display_name,
            "emails": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in user.emailaddress_set.all()
            ]
            or [{"email": user.email, "verified": False, "primary": True}],
            "date_joined": user.date_joined.isoformat(),
            "notify_replies": user.notify_replies,
            "last_login": user.last_login.isoformat() if user.last_login else None,
        }
    }


def delete_reader_data(user):
    """Last: the account itself (and, by cascade, what still hangs on it)."""
    user.delete()


def export_data(user):
    """Everything the site keeps about a reader (dict, JSON-ready): each part of
    settings.READER_DATA in turn."""
    data = {}
    for part in parts():
        data.update(part.reader_data(user))
    return data


@transaction.atomic
def delete_account(user):
    """Delete a reader and everything each app keeps of them, in the reverse order of
    settings.READER_DATA (the account last), all or nothing."""
    for part in reversed(parts()):
        part.delete_reader_data(user)
