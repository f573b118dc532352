from django.apps import AppConfig


class ChecklistsConfig(AppConfig):
    name = "checklists"
    verbose_name = "Checklists"

    def ready(self):
        from . import receivers  # noqa: F401  (merges a visitor's ticks on log-in)
