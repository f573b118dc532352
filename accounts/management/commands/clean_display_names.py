from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from accounts.names import clean_stored_names


class Command(BaseCommand):
    help = (
        "Make stored display names follow the rules (PRECIS Nickname, a visible character, "
        "not confusable with a staff member's name): the data migration's cleaning, to run "
        "again, for example after someone joined the staff."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the changes without making them."
        )

    def handle(self, *args, dry_run, **options):
        changes = clean_stored_names(get_user_model(), dry_run=dry_run)
        for pk, old, new in changes:
            self.stdout.write(f"user {pk}: {old!a} -> {new!a}")
        count = len(changes)
        names = ngettext("%(count)d display name", "%(count)d display names", count)
        verb = "would change" if dry_run else "changed"
        self.stdout.write(f"{names % {'count': count}} {verb}.")
