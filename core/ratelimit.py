"""Fixed-window counters in the shared cache: `allow("reset:ip:1.2.3.4", limit=10,
window=3600)` is False once the key was hit more than `limit` times in the window."""

import hashlib

from django.core.cache import cache


def _key(name: str) -> str:
    # Keys may carry e-mail addresses: hashed, so that none is kept in clear in the cache.
    return "kc:rl:" + hashlib.sha256(name.encode()).hexdigest()


def allow(name: str, *, limit: int, window: int) -> bool:
    key = _key(name)
    if cache.add(key, 1, timeout=window):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= limit
