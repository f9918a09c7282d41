"""Sending Celery tasks without letting a broker outage turn a page into a 500.

`submit(task, *args)` is `task.delay(*args)` that, when Redis (the broker) cannot be
reached, logs the error with its traceback and returns False: the caller records a French
message (a document or an import marked failed, to be started again) instead of failing
the request after its write has been committed. Eager mode (no REDIS_URL) runs the task
inline, and its own errors propagate as before.
"""

import logging

from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What publishing raises when the broker is down or unreachable.
BROKER_ERRORS = (KombuOperationalError, RedisError, ConnectionError, TimeoutError, OSError)


def submit(task, *args, **kwargs) -> bool:
    """Send `task` with these arguments; False (logged) when the broker is unreachable."""
    if task.app.conf.task_always_eager:
        task.delay(*args, **kwargs)
        return True
    try:
        task.delay(*args, **kwargs)
    except BROKER_ERRORS:
        logger.exception("Tâche %s non transmise (courtier injoignable)", task.name)
        return False
    return True


def submit_on_commit(task, *args, **kwargs) -> None:
    """`submit` once the current transaction commits (the worker must see the rows)."""
    from django.db import transaction

    transaction.on_commit(lambda: submit(task, *args, **kwargs))
