import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advice_site.settings")

django.setup(set_prefix=False)

from core.handler import SiteWSGIHandler  # noqa: E402 (needs the settings)

# Django's get_wsgi_application(), with a request that never fails to build (issue 19).
application = SiteWSGIHandler()
