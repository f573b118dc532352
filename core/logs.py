"""One log line per record, with the request's context when there is one."""

import logging
import re
import traceback
import unicodedata

from django.contrib.auth import SESSION_KEY
from django.utils.functional import SimpleLazyObject, empty

from .clients import client_ip

# Characters a log line shows escaped: controls (terminal escapes, NUL), format characters
# (bidirectional overrides, zero-width) and line or paragraph separators.
_ESCAPED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs"}
_BARE = re.compile(r"[A-Za-z0-9_.:\[\]-]+")


def quoted(text):
    """str: ``text`` as one double-quoted log field. Runs of whitespace become one space;
    backslash, the double quote and every control, format or separator character are
    escaped (``\\x1b``, ``\\u202e``), so that nothing a client sent (an Origin header in
    a CSRF message, a path) can end its field and forge another on the line (issue 19)."""
    escaped = []
    for character in " ".join(str(text).split()):
        if character in '\\"':
            escaped.append("\\" + character)
        elif unicodedata.category(character) in _ESCAPED_CATEGORIES:
            escaped.append(character.encode("unicode_escape", "backslashreplace").decode())
        else:
            escaped.append(character)
    return '"' + "".join(escaped) + '"'


def bare(text):
    """str: ``text`` as it is when it is a plain token (a method, an address), else
    quoted()."""
    text = str(text)
    return text if _BARE.fullmatch(text) else quoted(text)


class OneLineFormatter(logging.Formatter):
    """`time level logger "message" key=value ... error="Type: message at file:line"`.

    Tracebacks are folded to their last frame so an error is one line a log search
    finds whole; the request (Django's request logger attaches it) adds the method,
    path, status, client address and user id. Every value is escaped in one place
    (quoted(), bare()), so no field can forge another.
    """

    def format(self, record):
        parts = [
            self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            record.levelname,
            bare(record.name),
            quoted(record.getMessage()),
        ]
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "META"):
            parts.append(f"method={bare(request.method)}")
            parts.append(f"path={quoted(request.get_full_path())}")
            parts.append(f"client={bare(client_ip(request))}")
            user_id = loaded_user_id(request)
            if user_id is not None:
                parts.append(f"user={user_id}")
        status = getattr(record, "status_code", None)
        if status is not None:
            parts.append(f"status={bare(status)}")
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            frames = traceback.extract_tb(record.exc_info[2])
            where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
            parts.append(f"error={quoted(f'{error.__class__.__name__}: {error}{where}')}")
        return " ".join(parts)


def loaded_user_id(request):
    """The id of the request's logged-in user, only if the request has already loaded its
    user or session; never loaded here.

    A log line must not query the database or the cache: the error being logged may be
    that the database is down, and request.user would query it again inside the
    logging handler (logging then prints "--- Logging error ---" and a traceback).

    Django has no public way to ask whether a lazy object or a session was loaded, so
    this is the one place that reads their private state (issue 20):
    ``SimpleLazyObject._wrapped`` (``empty`` until evaluated) and
    ``SessionBase._session_cache`` (absent until the session is read).
    tests/test_upstream_pins.py fails when either changes in Django.
    """
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        session = getattr(request, "session", None)
        # SessionBase keeps what it loaded in _session_cache; absent, it was never read.
        loaded = getattr(session, "_session_cache", None)
        return loaded.get(SESSION_KEY) if isinstance(loaded, dict) else None
    if user is not None and getattr(user, "is_authenticated", False):
        return user.pk
    return None
