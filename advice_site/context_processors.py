from django.conf import settings


def site(request):
    """Site-wide names every page's layout and meta tags need."""
    return {"SITE_NAME": settings.SITE_NAME}
