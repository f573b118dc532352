from django.apps import AppConfig


class ChecklistsConfig(AppConfig):
    name = "checklists"
    verbose_name = "Checklists"

    def ready(self):
        from . import receivers  # noqa: F401  (items follow posts' headings; ticks join on log-in)
