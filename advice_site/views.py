import sys

from django.db import InterfaceError, OperationalError
from django.shortcuts import render
from django.views.defaults import server_error as django_server_error

# What a database that is down or restarting raises (not bugs such as IntegrityError).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def server_error(request):
    """The 500 handler; a database outage answers 503 with a page that needs no database."""
    if isinstance(sys.exception(), DATABASE_UNAVAILABLE):
        response = django_server_error(request, template_name="503.html")
        response.status_code = 503
        response["Retry-After"] = "30"
        return response
    return django_server_error(request)


def too_many_requests(request):
    """allauth's answer when one of its rate limits is spent (it calls ROOT_URLCONF's
    handler429): the site's page, with the site's headers, instead of a bare one."""
    return render(request, "429.html", status=429)
