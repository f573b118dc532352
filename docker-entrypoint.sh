#!/bin/sh
# Migrate and load the bundled articles when asked, then hand over to the command.
set -e
if [ "${DJANGO_MIGRATE:-true}" = "true" ]; then
  python manage.py migrate --no-input
fi
if [ "${DJANGO_LOAD_CONTENT:-true}" = "true" ]; then
  python manage.py import_post content/*.md
fi
exec "$@"
