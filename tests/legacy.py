"""Store rows as they were before a database rule existed (legacy data in production)."""

from contextlib import contextmanager

from django.db import connection


@contextmanager
def without_check_constraints(*names: tuple[str, str]):
    """Let the block write values that check constraints refuse today.

    names: (table, constraint) pairs, dropped on PostgreSQL for the test's transaction
    (rolled back with it); SQLite ignores every check constraint inside the block.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses a table with pending deferred foreign-key checks.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, constraint in names:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"')
            yield
        else:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
            try:
                yield
            finally:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
