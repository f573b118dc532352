from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """What every app of the site stands on, and imports nothing of theirs: HTTP helpers,
    the rows-changed signal, text, the client's address, the cache backend, mail, tasks
    and the task worker command, the admin page of queued tasks, error pages, and system
    checks that name the setting to change."""

    name = "core"
    verbose_name = "Site operations"

    def ready(self):
        from . import checks  # noqa: F401 (registers the checks)
        from .site import sync_site_row

        # Heard for the sites app, after its own receiver has made the default row.
        sites = apps.get_app_config("sites")
        post_migrate.connect(sync_site_row, sender=sites, dispatch_uid="core.sync_site_row")
