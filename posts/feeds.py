from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from .models import Post


class LatestPostsFeed(Feed):
    feed_type = Atom1Feed
    link = reverse_lazy("posts:list")
    subtitle = "New and updated advice."

    def title(self):
        return settings.SITE_NAME

    def author_name(self):
        # Atom requires an author for the feed when its entries name none.
        return settings.SITE_NAME

    def items(self):
        return Post.objects.published().prefetch_related("categories")[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body_html

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [category.name for category in item.categories.all()]
