"""PostgreSQL restarts (issue 14, item 13): every backend of the test database is terminated
between two requests; the next requests reconnect (CONN_HEALTH_CHECKS) instead of failing.

The requests go through Django's WSGI handler itself, as under gunicorn: the test client
skips the connection checks done at the start of each request."""

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test.client import RequestFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _get(path: str, cookie: str = "") -> tuple[int, str]:
    environ = RequestFactory()._base_environ(
        PATH_INFO=path, REQUEST_METHOD="GET", HTTP_COOKIE=cookie
    )
    statuses = []
    response = WSGIHandler()(
        environ, lambda status, headers, exc_info=None: statuses.append(status)
    )
    try:
        body = b"".join(response).decode()
    finally:
        response.close()  # request_finished, as a WSGI server does
    return int(statuses[0].split()[0]), body


def _terminate_backends_of_the_test_database() -> int:
    data = connection.settings_dict
    with psycopg.connect(
        host=data["HOST"] or "127.0.0.1",
        port=data["PORT"] or 5432,
        user=data["USER"],
        password=data["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [data["NAME"]],
        ).fetchall()
    return len(rows)


def test_after_the_database_backends_are_terminated_the_next_requests_succeed(world, client):
    assert connection.settings_dict["CONN_MAX_AGE"] > 0  # persistent, as in production
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    client.force_login(world.agent_ara, backend="django.contrib.auth.backends.ModelBackend")
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    assert _get("/", cookie)[0] == 200
    assert _get("/healthz/database")[0] == 200

    assert _terminate_backends_of_the_test_database() >= 1  # our persistent connection

    status, body = _get("/", cookie)
    assert status == 200 and "Accueil" in body
    assert _get(f"/cooperations/{world.coop_ara.pk}/", cookie)[0] == 200
    assert _get("/healthz/database")[0] == 200
