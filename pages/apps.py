from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The reader's pages, on top of every other app: the list of articles, a category, a
    post page composed of each app's part, a reader's data (export and deletion), and the
    post page cache with everything that makes a cached page stale."""

    name = "pages"
    verbose_name = "Pages"

    def ready(self):
        from .receivers import connect_receivers

        connect_receivers()  # every change to what a post page shows makes it stale
