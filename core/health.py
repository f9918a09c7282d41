"""What /healthz reports: the database, Redis and the Celery worker, each on its own.

Each check answers {"ok": bool, "required": bool, "detail": French text} within about a
second. `required` components make /healthz answer 503 (a load balancer takes the node out):
the database, and Redis when configured (REDIS_URL). The worker is reported; it is required
only with HEALTHZ_REQUIRE_WORKER (a web node serves pages without it: documents wait and
the reaper re-queues them). /healthz/<component> answers 200/503 for one component.
"""

import logging

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

TIMEOUT = 1.0  # seconds per check


def check_database() -> dict:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Santé : base de données injoignable (%s)", error)
        # Drop the broken connection: the next request opens a new one.
        connections["default"].close_if_unusable_or_obsolete()
        return {"ok": False, "required": True, "detail": "base de données injoignable"}
    return {"ok": True, "required": True, "detail": "base de données disponible"}


def _redis_client():
    import redis

    return redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT
    )


def check_redis() -> dict:
    if not settings.REDIS_URL:
        return {
            "ok": True,
            "required": False,
            "detail": "non configuré : tâches exécutées dans le processus web",
        }
    from redis.exceptions import RedisError

    try:
        client = _redis_client()
        try:
            client.ping()
        finally:
            client.close()
    except (RedisError, OSError) as error:
        logger.warning("Santé : Redis injoignable (%s)", error)
        return {"ok": False, "required": True, "detail": "Redis injoignable"}
    return {"ok": True, "required": True, "detail": "Redis disponible"}


def check_worker(redis_ok: bool | None = None) -> dict:
    required = getattr(settings, "HEALTHZ_REQUIRE_WORKER", False)
    # The project's app, made current by config/__init__.py (core imports nothing above it).
    from celery import current_app as app

    if app.conf.task_always_eager:
        return {
            "ok": True,
            "required": False,
            "detail": "mode intégré : tâches exécutées dans le processus web",
        }
    if redis_ok is None:
        redis_ok = check_redis()["ok"]
    if not redis_ok:
        return {"ok": False, "required": required, "detail": "injoignable (Redis indisponible)"}
    try:
        replies = app.control.ping(timeout=TIMEOUT, limit=1)
    except Exception as error:  # noqa: BLE001 - any broker error means "cannot tell"
        logger.warning("Santé : worker Celery non interrogé (%s)", error)
        replies = []
    if not replies:
        return {"ok": False, "required": required, "detail": "aucun worker Celery ne répond"}
    return {"ok": True, "required": required, "detail": "worker Celery disponible"}


def report() -> dict:
    database = check_database()
    redis = check_redis()
    worker = check_worker(redis_ok=redis["ok"])
    checks = {"database": database, "redis": redis, "worker": worker}
    healthy = all(check["ok"] for check in checks.values() if check["required"])
    degraded = healthy and not all(check["ok"] for check in checks.values())
    return {
        "status": "degraded" if degraded else ("ok" if healthy else "error"),
        "checks": checks,
    }


CHECKS = {"database": check_database, "redis": check_redis, "worker": check_worker}
