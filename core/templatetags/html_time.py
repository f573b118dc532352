from datetime import UTC, datetime

from django import template

register = template.Library()


@register.filter(expects_localtime=False)
def html_datetime(value):
    """A datetime as HTML's "valid global date and time string", for <time datetime>:
    UTC, to the whole second ("2026-11-29T23:40:47+00:00", as comments.threads writes a
    comment's). HTML allows at most three digits of a second's fraction; Django's "c"
    format prints six. '' for anything else."""
    if not isinstance(value, datetime):
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.isoformat(timespec="seconds")
