from django.core.management.base import BaseCommand

from pages import page_cache


class Command(BaseCommand):
    help = (
        "Make every cached post page stale, for visitors and readers alike: after a data "
        "migration or raw SQL that changed what pages show, or in an emergency. HTTP caches "
        f"in front follow within {page_cache.SHARED_SECONDS} seconds."
    )

    def handle(self, *args, **options):
        page_cache.changed(page_cache.CONTENT)
        self.stdout.write("Every cached post page is stale; each is built afresh on its next view.")
