# advice_site in production: gunicorn on a slim official Python image.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --system --create-home --home-dir /home/app --uid 10001 app

# Dependencies in their own layer: rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .
# Static files are collected (hashed and compressed by WhiteNoise) at build time.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input \
    && mkdir -p /app/media && chown app:app /app/media

USER app
# The container's own network namespace: compose's nginx reaches it, nothing else does
# unless a port is published (gunicorn.conf.py binds the loopback elsewhere).
ENV GUNICORN_HOST=0.0.0.0
EXPOSE 8000
VOLUME ["/app/media"]

# Asks gunicorn on the port it binds (PORT, as gunicorn.conf.py reads it).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os, sys, urllib.request; url = 'http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'); sys.exit(0 if urllib.request.urlopen(url, timeout=4).status == 200 else 1)"

ENTRYPOINT ["/app/docker-entrypoint.sh"]
CMD ["gunicorn", "--config", "gunicorn.conf.py", "advice_site.wsgi"]
