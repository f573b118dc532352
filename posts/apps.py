from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = "Posts"

    def ready(self):
        from core.site import sync_site_row

        from .page_cache import connect_receivers

        connect_receivers()  # every change to what a post page shows makes it stale
        # After the sites app has made its default row (it comes first in INSTALLED_APPS).
        post_migrate.connect(sync_site_row, sender=self, dispatch_uid="posts.sync_site_row")
