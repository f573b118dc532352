"""One log line per record, with the request's context when there is one."""

import logging
import traceback

from .clients import client_ip


class OneLineFormatter(logging.Formatter):
    """`time level logger message key=value ... error="Type: message at file:line"`.

    Tracebacks are folded to their last frame so an error is one line a log search
    finds whole; the request (Django's request logger attaches it) adds the method,
    path, status, client address and user id.
    """

    def format(self, record):
        parts = [
            self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            record.levelname,
            record.name,
            " ".join(record.getMessage().split()),
        ]
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "META"):
            parts.append(f"method={request.method}")
            parts.append(f"path={request.get_full_path()!r}")
            parts.append(f"client={client_ip(request)}")
            user = getattr(request, "user", None)
            if user is not None and getattr(user, "is_authenticated", False):
                parts.append(f"user={user.pk}")
        status = getattr(record, "status_code", None)
        if status is not None:
            parts.append(f"status={status}")
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            frames = traceback.extract_tb(record.exc_info[2])
            where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
            message = " ".join(str(error).split())
            parts.append(f'error="{error.__class__.__name__}: {message}{where}"')
        return " ".join(parts)
