"""The shared cache (Redis) that a Redis outage degrades instead of breaking every page.

`ResilientRedisCache` is Django's RedisCache whose operations answer as a cache *miss* while
Redis cannot be reached: `get` returns the default, `set`/`add`/`delete` do nothing, `incr`
starts again from `delta`. Every user of the cache already falls back to the database on a
miss: sessions (cached_db: read from the database, written through to it), the reference
lists (core.refcache reads the tables), charts and radars (rendered again). A miss, rather
than a per-process memory, so that no worker keeps a logged-out session or an old reference
list that the others have dropped. After an error, Redis is left alone for
`RETRY_AFTER` seconds (one warning in the log, not one connection attempt per call).
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_OUTAGE_ERRORS = (RedisError, ConnectionError, TimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    RETRY_AFTER = 5.0  # seconds

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.RETRY_AFTER = float(options.pop("RETRY_AFTER", self.RETRY_AFTER))
        # Fail fast: a page must not hang on a Redis that does not answer.
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 2)
        super().__init__(server, {**params, "OPTIONS": options})
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _guard(self, operation, miss, *args, **kwargs):
        if self.is_down:
            return miss
        try:
            return operation(*args, **kwargs)
        except _OUTAGE_ERRORS as error:
            with self._lock:
                first = not self.is_down
                self._down_until = time.monotonic() + self.RETRY_AFTER
            if first:
                logger.warning(
                    "Cache Redis injoignable (%s) : lecture en base pendant %s s",
                    error,
                    self.RETRY_AFTER,
                )
            return miss

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guard(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._guard(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._guard(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        return self._guard(super().incr, delta, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._guard(super().delete_many, None, keys, version)

    def clear(self):
        return self._guard(super().clear, False)
