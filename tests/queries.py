"""Counting the SQL queries of a page, the way the constant-count tests need it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str) -> int:
    """Queries of a warm GET of `url` (asserted 200).

    The first request of a client fills caches meant to be warm in production (session,
    reference lists of core.refcache, radars): counting it would compare a cold page with
    a warm one instead of a small dataset with a large one.
    """
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)
