from django.conf import settings


def site(request):
    """Site-wide names every page's layout and meta tags need: the site's name and its
    public address (SITE_URL), from which canonical links are built."""
    return {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL}
