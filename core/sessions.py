"""Sessions kept in the database and cached in Redis, whose log-out holds (issue 19).

Django's cached_db store reads a session from the cache first. A log-out while Redis
hung deleted the database row, but the cache's delete was dropped (the site's cache
answers "miss" while Redis is down), so when Redis answered again its copy of the session
was read, and the old cookie was logged in once more. Here a log-out (``flush``) deletes
the cached copy, the row, and the cached copy again (a request of the same session may
have cached it in between), and each cache delete must reach Redis: if it cannot, the
log-out fails with SessionStoreUnavailable, shown as the 503 page, instead of pretending.
"""

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import caches

from .cache import CacheUnavailable


class SessionStoreUnavailable(Exception):
    """The session's cached copy could not be deleted: a log-out did not happen."""


class SessionStore(cached_db.SessionStore):
    def flush(self):
        """Log out: forget the session everywhere, or raise SessionStoreUnavailable.

        Raises SessionStoreUnavailable when Redis cannot be reached; if it fails before
        the row is deleted, nothing has changed and the reader is still logged in.
        """
        if self.session_key is not None:
            self._delete_cached(self.cache_key)
            cache_key = self.cache_key
            super().flush()
            self._delete_cached(cache_key)
        else:
            super().flush()

    def _delete_cached(self, key):
        cache = caches[settings.SESSION_CACHE_ALIAS]  # the cache cached_db reads and writes
        delete = getattr(cache, "delete_or_raise", None)
        if delete is None:  # a cache that is never "down" (locmem, file): its delete holds
            cache.delete(key)
            return
        try:
            delete(key)
        except CacheUnavailable as error:
            raise SessionStoreUnavailable(
                "The session store (Redis) cannot be reached, so the log-out did not happen."
            ) from error
