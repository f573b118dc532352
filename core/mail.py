"""Every email leaves through a task (core.tasks): a slow or failing mail server
never slows or breaks a page, and a message waiting to be sent survives a restart.

A queued message is sealed (encrypted and authenticated) before it is stored: the task
table, its backups and replicas, and admin's "Task results" hold no subject, body or
address, so no password-reset link or log-in code can be read there (issue 19). The key
is derived from SECRET_KEY, which lives outside the database.
"""

import base64
import json
from email.utils import make_msgid
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.utils.crypto import salted_hmac

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


# Bumped if the sealing scheme changes, so an old key never opens a new format.
SEAL_SALT = "core.mail.sealed-message.v1"


def _sealing_keys():
    """Fernet keys from SECRET_KEY, then each of SECRET_KEY_FALLBACKS: a message queued
    before the key was rotated is still opened (Django's own rotation rule)."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    salted_hmac(SEAL_SALT, "", secret=secret, algorithm="sha256").digest()
                )
            )
            for secret in secrets
        ]
    )


def seal(message_data):
    """`message_data` (a JSON-serializable dict, as `as_task_argument` makes it) as an
    opaque str: Fernet (AES-128-CBC with HMAC-SHA256) under a key derived from
    SECRET_KEY."""
    return _sealing_keys().encrypt(json.dumps(message_data).encode()).decode("ascii")


def unseal(token):
    """The dict that `seal` sealed. Raises ValueError if the token was altered or was
    sealed under a key that is neither SECRET_KEY nor one of SECRET_KEY_FALLBACKS."""
    try:
        return json.loads(_sealing_keys().decrypt(token.encode("ascii")))
    except (InvalidToken, UnicodeEncodeError) as error:
        raise ValueError(
            "This queued email cannot be opened: it was sealed under another SECRET_KEY "
            "(add the old key to DJANGO_SECRET_KEY_FALLBACKS) or altered."
        ) from error


@task
def send_email(message):
    """Send one queued message through the default mailer.

    `message` is what `seal(as_task_argument(...))` made (a str), or the plain dict that
    tasks queued before messages were sealed carry, still sent once after an upgrade.
    Raises ValueError for a message that cannot be unsealed, and what the mailer raises
    (smtplib.SMTPException, OSError), so the worker records the failure and tries again.
    """
    data = message if isinstance(message, dict) else unseal(message)
    EmailMultiAlternatives(**data).send()


def queue_email(message):
    """Send an EmailMessage through the task queue, sealed, once the caller's transaction
    commits (see core.tasks.enqueue)."""
    return enqueue(send_email, seal(as_task_argument(message)))
