"""A per-user request limiter on the shared cache (fixed window), for costly writes.

Used by the document requests (summary PDF, a version's PDF/DOCX, COPIL pack): each one
starts a Celery job, so a user (or a script) repeating the request would fill the queue.
The read API has its own DRF throttle (api/throttling.py); the sign-in has django-axes.

Rates are strings "<count>/<sec|min|hour|day>" (as DRF's), read from settings at each call
so that an environment variable or a test changes them without a restart.
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

# The clock of the windows (one name, so that a test can hold it inside one window).
_clock = time.time

PERIODS = {"sec": 1, "s": 1, "min": 60, "m": 60, "hour": 3600, "h": 3600, "day": 86400, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "10/min" -> (10, 60). ValueError on a malformed rate."""
    count, _, period = rate.partition("/")
    if period not in PERIODS:
        raise ValueError(f"Limite de débit mal écrite : {rate!r} (ex. « 10/min »).")
    return int(count), PERIODS[period]


def _count(cache_key: str, *, timeout: int) -> int:
    """Add one to a counter of the shared cache and return it (add() then incr(): atomic on
    Redis and on the local-memory cache)."""
    if cache.add(cache_key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=timeout)
        return 1


def allow(name: str, *, limit: int, window: int) -> bool:
    """False once `name` was counted more than `limit` times in `window` seconds (e.g.
    password-reset requests per address and per IP). Names may carry e-mail addresses:
    hashed, so that none is kept in clear in the cache."""
    key = "kc:rl:" + hashlib.sha256(name.encode()).hexdigest()
    return _count(key, timeout=window) <= limit


def hit(key: str, rate: str) -> int:
    """Count one request under `key`; answers 0 when allowed, else the seconds to wait."""
    limit, period = parse_rate(rate)
    now = int(_clock())
    window = now - now % period
    count = _count(f"kc:ratelimit:{key}:{window}", timeout=period + 1)
    if count <= limit:
        return 0
    return max(1, window + period - now)


def limited_response(request, retry_after: int, message: str):
    response = render(
        request,
        "core/429.html",
        {"message": message, "retry_after": retry_after},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def document_rate_limit(view):
    """Decorator: at most settings.DOCUMENT_RATE_LIMIT document requests per user (429)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        retry_after = hit(f"documents:{request.user.pk}", settings.DOCUMENT_RATE_LIMIT)
        if retry_after:
            return limited_response(
                request,
                retry_after,
                "Vous avez demandé beaucoup de documents en peu de temps. Patientez "
                f"{retry_after} seconde{'s' if retry_after > 1 else ''} avant d'en demander "
                "un autre : ceux déjà lancés continuent d'être produits.",
            )
        return view(request, *args, **kwargs)

    return wrapper
