from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils.encoding import iri_to_uri

from core import site

from .models import Category, Post


class SiteSitemap(Sitemap):
    """A sitemap on the site's public address (SITE_URL), whatever the request's Host
    and whatever the sites row says; every location percent-encoded, so no stored
    character can make the XML invalid."""

    def get_protocol(self, protocol=None):
        return site.scheme()

    def get_domain(self, site_object=None):
        return site.domain()

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            url["location"] = iri_to_uri(url["location"])
        return urls


class PostSitemap(SiteSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Post.objects.published()

    def lastmod(self, item):
        # When its author dates the last change (Jekyll's last_modified_at), that date.
        return item.modified_at or item.updated_at


class CategorySitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return Category.objects.filter(posts__in=Post.objects.published()).distinct()


class StaticSitemap(SiteSitemap):
    priority = 1.0

    def items(self):
        return ["pages:list"]

    def location(self, item):
        return reverse(item)
