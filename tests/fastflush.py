"""Reset the database after a transactional test by restoring a snapshot, not by flushing.

Django ends each transactional test (browser tests on live_server, the real Celery worker,
backups) with `flush`: TRUNCATE of every table, then the post_migrate signal (content types,
permissions); our autouse fixture then had to reload the catalogues and replay every data
migration before the next test. On PostgreSQL that cost 10 to 20 s per transactional test
(measured: teardown 4-11 s, next setup 5-11 s), more than the tests themselves.

Instead, once the test database is migrated and the catalogues loaded, `take()` copies every
non-empty table (the reference data: ARS, départements, catalogues and their history, content
types, permissions) into snapshot tables; `restore()` empties every table and copies the
snapshot back, in one transaction (foreign keys are deferred to the commit, so the order does
not matter). The next test starts from exactly the state a fresh test database has, which is
what flush + reload gave, minus the time. Sequences are not reset, as with flush by default.
"""

from __future__ import annotations

from django.db import connections, transaction

SCHEMA = "kc_snapshot"  # PostgreSQL: the snapshot lives in its own schema
PREFIX = "kcsnap_"  # SQLite: no schemas; short numbered names (PostgreSQL limits names to 63)
# alias -> (database name, every table, [(table, snapshot)]). Kept here rather than on the
# connection object: under Playwright's event loop Django hands out another connection object.
_SNAPSHOTS: dict[str, tuple[str, list[str], list[tuple[str, str]]]] = {}


def _snapshot_name(connection, index: int, table: str) -> str:
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        return f"{SCHEMA}.{qn(table)}"
    return qn(f"{PREFIX}{index}")


def take(alias: str = "default") -> None:
    """Copy every non-empty Django table of the test database into snapshot tables."""
    connection = connections[alias]
    qn = connection.ops.quote_name
    tables = sorted(
        connection.introspection.django_table_names(only_existing=True, include_views=False)
    )
    saved = []
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        for index, table in enumerate(tables):
            cursor.execute(f"SELECT 1 FROM {qn(table)} LIMIT 1")  # noqa: S608 (table names from Django)
            if cursor.fetchone() is None:
                continue
            snapshot = _snapshot_name(connection, index, table)
            cursor.execute(f"DROP TABLE IF EXISTS {snapshot}")
            cursor.execute(f"CREATE TABLE {snapshot} AS SELECT * FROM {qn(table)}")  # noqa: S608
            saved.append((table, snapshot))
    _SNAPSHOTS[alias] = (connection.settings_dict["NAME"], tables, saved)


def _state(alias: str):
    state = _SNAPSHOTS.get(alias)
    if state is None or state[0] != connections[alias].settings_dict["NAME"]:
        return None
    return state


def restore(alias: str = "default") -> bool:
    """Bring the database back to the snapshot; False when no snapshot was taken."""
    connection = connections[alias]
    state = _state(alias)
    if state is None:
        return False
    _name, tables, saved = state
    qn = connection.ops.quote_name
    statements = [f"DELETE FROM {qn(table)}" for table in tables]  # noqa: S608
    statements += [f"INSERT INTO {qn(table)} SELECT * FROM {snapshot}" for table, snapshot in saved]  # noqa: S608
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            # One round trip: a few hundred statements on mostly empty tables.
            cursor.execute(";\n".join(statements))
        else:
            for statement in statements:
                cursor.execute(statement)
    return True


def install() -> None:
    """Make TransactionTestCase (hence pytest-django's transactional_db) restore the snapshot.

    Falls back to Django's flush for a test that restricts `available_apps` or asks for a
    serialized rollback, and for a database without a snapshot.
    """
    from django.test import TransactionTestCase

    original = TransactionTestCase._fixture_teardown
    if getattr(original, "kc_fast", False):
        return

    def _fixture_teardown(self):
        if self.available_apps is not None or self.serialized_rollback:
            return original(self)
        names = list(self._databases_names(include_mirrors=False))
        if not all(_state(name) for name in names):
            return original(self)
        for name in names:
            restore(name)

    _fixture_teardown.kc_fast = True
    TransactionTestCase._fixture_teardown = _fixture_teardown
