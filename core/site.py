"""The site's public address and name: SITE_URL and SITE_NAME, one setting each.

robots.txt, the sitemap, the feed, emails and canonical links all build absolute
addresses here, from the settings read at this start, never from the request's Host
or a database row. The sites framework's row (which the redirects app and allauth
read) is rewritten from the same settings at every ``migrate``, which `make run` and
the Docker entrypoint run at every start.
"""

from urllib.parse import urlsplit

from django.conf import settings


def absolute_url(path):
    """``path`` ("/dl_advice/") on the site's public address ("https://host/dl_advice/")."""
    return settings.SITE_URL + path


def scheme():
    """ "https" or "http", from SITE_URL."""
    return urlsplit(settings.SITE_URL).scheme


def domain():
    """The host (and port, if any) of SITE_URL, as the sites framework names a domain."""
    return urlsplit(settings.SITE_URL).netloc


def sync_site_row(**kwargs):
    """post_migrate receiver: the sites framework's row takes SITE_URL and SITE_NAME."""
    from django.contrib.sites.models import Site

    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain(), "name": settings.SITE_NAME}
    )
