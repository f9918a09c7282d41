"""One process at a time for work that must not run twice in parallel (a FINESS import).

On PostgreSQL, a session-level advisory lock: every web and Celery process of every host
sees it, and PostgreSQL releases it when the holder's connection ends (a killed worker never
leaves it behind). On SQLite (`make run`, one process), a lock per name in this process.
"""

import contextlib
import hashlib
import logging
import threading
import time

from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

_local_locks: dict[str, threading.Lock] = {}
_local_guard = threading.Lock()
# PostgreSQL's advisory locks are re-entrant within one session: a holder asking again on
# the same connection would be let in. Names held by this process are kept here so that a
# nested attempt (same thread, same connection) is refused like any other.
_held: set[tuple[str, str]] = set()


class LockBusy(Exception):  # noqa: N818 - reads as a state, like "Busy"
    """Another process holds the lock (still held after `wait` seconds)."""


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock, from the lock's name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def exclusive(name: str, *, wait: float = 0.0, poll: float = 0.5, using: str = "default"):
    """Hold the lock `name` for the block; wait up to `wait` seconds, then raise LockBusy."""
    connection = connections[using]
    deadline = time.monotonic() + wait
    if connection.vendor != "postgresql":
        with _local_guard:
            lock = _local_locks.setdefault(name, threading.Lock())
        acquired = lock.acquire(timeout=wait) if wait > 0 else lock.acquire(blocking=False)
        if not acquired:
            raise LockBusy(name)
        try:
            yield
        finally:
            lock.release()
        return
    key = lock_key(name)
    while True:
        with _local_guard:
            mine = (using, name) not in _held
            if mine:
                _held.add((using, name))
        if mine:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
                if cursor.fetchone()[0]:
                    break
            with _local_guard:
                _held.discard((using, name))
        if time.monotonic() >= deadline:
            raise LockBusy(name)
        time.sleep(poll)
    try:
        yield
    finally:
        with _local_guard:
            _held.discard((using, name))
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        except DatabaseError:  # connection gone: PostgreSQL released the lock with it
            logger.warning("Verrou %s non libéré explicitement (connexion perdue)", name)
