"""Every email leaves through a task (advice_site.tasks): a slow or failing mail server
never slows or breaks a page, and a message waiting to be sent survives a restart."""

from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task

from .tasks import enqueue

# The parts of a message a task carries, as JSON (attachments are not sent by the site).
MESSAGE_FIELDS = ("subject", "body", "from_email", "to", "cc", "bcc", "reply_to")


def message_id(local_part=None):
    """A Message-ID (RFC 5322 section 3.6.4) on the site's own domain.

    A message sent twice, because a worker stopped after the mail server took it but
    before it recorded the fact, carries the same Message-ID both times, so mail
    systems that drop duplicates (Gmail does) show it once. `local_part` makes the id
    reproducible for a message that is built again on each attempt.
    """
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    if local_part is None:
        return make_msgid(domain=domain)
    return f"<{local_part}@{domain}>"


def as_task_argument(message):
    """An EmailMessage (or EmailMultiAlternatives) as a JSON-serializable dict.

    Raises ValueError for a message with attachments, which a task cannot carry.
    """
    if message.attachments:
        raise ValueError("Messages with attachments cannot be queued.")
    data = {field: getattr(message, field) for field in MESSAGE_FIELDS}
    data["headers"] = {"Message-ID": message_id(), **message.extra_headers}
    data["alternatives"] = [
        [alternative.content, alternative.mimetype]
        for alternative in getattr(message, "alternatives", [])
    ]
    return data


@task
def send_email(message):
    """Send one message, given as `as_task_argument` made it, through the default mailer.

    Raises what the mailer raises (smtplib.SMTPException, OSError) so the worker records
    the failure and tries again later.
    """
    EmailMultiAlternatives(**message).send()


def queue_email(message):
    """Send an EmailMessage through the task queue, once the caller's transaction commits
    (see advice_site.tasks.enqueue)."""
    return enqueue(send_email, as_task_argument(message))
