from django.apps import AppConfig


class AdviceSiteConfig(AppConfig):
    """The project itself as an app: the task worker command, the admin page of queued
    tasks, and system checks that name the setting to change."""

    name = "advice_site"
    verbose_name = "Site operations"

    def ready(self):
        from . import checks  # noqa: F401 (registers the checks)
