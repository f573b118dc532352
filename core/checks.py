"""System checks that say which setting (environment variable) to change."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.checks.mail import NON_PRODUCTION_EMAIL_BACKENDS
from django.core.mail import DEFAULT_MAILER_ALIAS


@register(Tags.mail, deploy=True)
def check_mail_is_sent(app_configs, **kwargs):
    """`check --deploy`: the default mailer must send email, not print or keep it.

    Replaces Django's mail.E001 (silenced in settings), whose hint cannot know that
    this site switches to SMTP when EMAIL_HOST is set.
    """
    backend = settings.MAILERS.get(DEFAULT_MAILER_ALIAS, {}).get("BACKEND", "")
    if backend not in NON_PRODUCTION_EMAIL_BACKENDS:
        return []
    return [
        Error(
            f"Emails are not sent: the mailer is {backend}, because EMAIL_HOST is not set.",
            hint=(
                "Set EMAIL_HOST to your SMTP server in the environment (with EMAIL_PORT, "
                "EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS as it needs; see "
                "docs/deployment.md, Configuration). Sign-up verification, password resets "
                "and moderators' notices depend on it."
            ),
            id="advice_site.E001",
        )
    ]
