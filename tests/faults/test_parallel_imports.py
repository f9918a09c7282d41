"""Two FINESS imports at once on PostgreSQL (issue 14, item 14): the advisory lock is seen
from every connection, so the second import waits or is refused in French (it deadlocked
on the same rows before)."""

import threading
from pathlib import Path

import pytest
from django.db import connection

from core import locks
from territories.importers import IMPORT_LOCK, ImportBusy, import_register_file

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures_data" / "finess_sample.csv"


def _in_another_connection(function):
    """Run `function` in a thread, hence on its own database connection (another process
    as far as PostgreSQL is concerned)."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function()
        except Exception as error:  # noqa: BLE001 - handed back to the test
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive()
    return outcome


def test_a_second_import_on_another_connection_is_refused_then_runs_once_the_first_ends():
    assert connection.vendor == "postgresql"
    with locks.exclusive(IMPORT_LOCK):  # the first import, on this connection
        refused = _in_another_connection(lambda: import_register_file(SAMPLE, lock_wait=0))
        assert isinstance(refused.get("error"), ImportBusy)
        assert refused["error"].message.startswith("Un autre import FINESS est en cours")
        # Waiting a little is not enough while the first one runs.
        waited = _in_another_connection(lambda: import_register_file(SAMPLE, lock_wait=1.0))
        assert isinstance(waited.get("error"), ImportBusy)

    # The first import is over: the lock is free for the other connection.
    def holds_the_lock() -> bool:
        with locks.exclusive(IMPORT_LOCK, wait=5):
            return True

    assert _in_another_connection(holds_the_lock) == {"value": True}
