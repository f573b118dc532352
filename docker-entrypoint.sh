#!/bin/sh
# Migrate and load the bundled articles when asked, then hand over to the command.
set -e
if [ "${DJANGO_MIGRATE:-true}" = "true" ]; then
  python manage.py migrate --no-input
fi
if [ "${DJANGO_LOAD_CONTENT:-true}" = "true" ]; then
  # A file that cannot be imported is named on stderr and skipped: the site starts with
  # the others, rather than stopping at every start (a restart loop).
  python manage.py import_post content/*.md ||
    echo "Some files in content/ were not imported (named above); starting without them." >&2
fi
exec "$@"
