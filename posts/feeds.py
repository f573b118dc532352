import hashlib
from functools import wraps

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.xmlutils import SimplerXMLGenerator
from django.views.decorators.http import condition

from core.site import absolute_url

from .markdown import display_html
from .models import Post
from .xmltext import xml_safe


class XMLSafeGenerator(SimplerXMLGenerator):
    """Writes any text as well-formed XML 1.0: what XML forbids is left out (see
    xml_safe), where Django's generator would raise and answer 500."""

    def characters(self, content):
        super().characters(xml_safe(content))

    def startElement(self, name, attrs):
        super().startElement(name, {key: xml_safe(value) for key, value in attrs.items()})


class SafeAtom1Feed(Atom1Feed):
    """An Atom feed that stays well-formed whatever the posts hold."""

    def write(self, outfile, encoding):
        handler = XMLSafeGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")


class LatestPostsFeed(Feed):
    feed_type = SafeAtom1Feed
    subtitle = "New and updated advice."

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # Django dates the feed by its newest entry; conditional_feed dates it by the
        # newest change of anything it shows, and answers 304 on that.
        del response.headers["Last-Modified"]
        return response

    def title(self):
        return settings.SITE_NAME

    def link(self):
        return absolute_url(reverse("pages:list"))

    def feed_url(self):
        return absolute_url(reverse("feed"))

    def author_name(self):
        # Atom requires an author for the feed when its entries name none.
        return settings.SITE_NAME

    def items(self):
        return Post.objects.published().prefetch_related("categories")[:20]

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item):
        # An imported post keeps the entry id its old blog's feed gave it (jekyll-feed:
        # the post's id as an absolute URL), so subscribers do not see it as new.
        return item.feed_id or absolute_url(item.get_absolute_url())

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # For display only: checklist headings as plain headings (RFC 4287 4.1.3).
        return display_html(item.body_html)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        # When its author dates the last change (Jekyll's last_modified_at), that date.
        return item.modified_at or item.updated_at

    def item_categories(self, item):
        return [category.name for category in item.categories.all()]


def _published_state():
    """What the feed and the sitemap show, in two small queries: ``(posts, categories)``.

    Published posts (id, last save, publication time) and which categories each is in
    (post id, category id, name, slug): any edit, deletion, newly due scheduled post,
    renamed category or post filed under another category, even without a save of the
    post, changes it.
    """
    published = Post.objects.published()
    posts = list(published.order_by("pk").values_list("pk", "updated_at", "published_at"))
    categories = list(
        Post.categories.through.objects.filter(post__in=published)
        .order_by("post_id", "category_id")
        .values_list("post_id", "category_id", "category__name", "category__slug")
    )
    return posts, categories


def _etag(state):
    posts, categories = state
    state = repr((settings.SITE_URL, settings.SITE_NAME, posts, categories))
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def _last_modified(state):
    posts, _ = state
    return max((max(updated, published) for _, updated, published in posts), default=None)


def conditional_feed(view):
    """``view`` (the feed or the sitemap) with conditional GET (RFC 9110 section 13):
    clients that poll get 304 Not Modified from two small queries, without the document
    being built.

    Django's condition decorator rather than ConditionalGetMiddleware: the middleware
    would build the whole document before comparing, and hash every page of the site.
    The state is read once per request and handed to both of condition's functions.
    """

    @wraps(view)
    def conditional_view(request, *args, **kwargs):
        state = _published_state()
        conditional = condition(
            etag_func=lambda *_args, **_kwargs: _etag(state),
            last_modified_func=lambda *_args, **_kwargs: _last_modified(state),
        )(view)
        return conditional(request, *args, **kwargs)

    return conditional_view
