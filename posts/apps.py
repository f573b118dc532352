from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = "Posts"

    def ready(self):
        from .page_cache import connect_receivers

        connect_receivers()  # every change to what a post page shows makes it stale
