from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        from . import counts, screening

        counts.connect_receivers()
        screening.connect_receivers()
