"""redis-server stopped under a running site (issue 14, item 12): signed-in pages still
answer (sessions and reference lists from the database), /healthz says 503 with Redis named,
and asking for a document says in French that the service is unavailable."""

import html
import time
import uuid

import pytest
from django.core.cache import cache

from suivi.models import CopilPack
from tests.faults.conftest import web_broker

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_on(settings, redis_server):
    """The site configured as in production on this test's own redis-server."""
    settings.REDIS_URL = redis_server.url
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": redis_server.url}
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    return redis_server


def test_with_redis_stopped_the_site_answers_and_healthz_says_503(
    world, client, site_on, django_capture_on_commit_callbacks
):
    client.force_login(world.referent_a, backend="django.contrib.auth.backends.ModelBackend")
    pages = ["/", f"/cooperations/{world.coop_ara.pk}/", f"/suivi/{world.coop_ara.pk}/copil/"]
    for url in pages:
        assert client.get(url).status_code == 200, url
    cache.set("faults:probe", "ok")
    assert cache.get("faults:probe") == "ok"  # the cache is Redis, for real
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["checks"]["redis"]["ok"]

    site_on.stop()
    assert not site_on.answers()

    for url in pages:  # the same session, read from the database
        assert client.get(url).status_code == 200, url
    health = client.get("/healthz")
    assert health.status_code == 503
    checks = health.json()["checks"]
    assert checks["database"]["ok"] and not checks["redis"]["ok"]
    assert client.get("/healthz/redis").status_code == 503
    assert client.get("/healthz/database").status_code == 200

    # A document asked for while the broker is down: the request answers at once, in French.
    with web_broker(site_on.url), django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        response = client.post(
            f"/suivi/{world.coop_ara.pk}/copil/generer/", {"request_key": str(uuid.uuid4())}
        )
        elapsed = time.monotonic() - started
    assert response.status_code == 302 and elapsed < 15
    pack = CopilPack.objects.get()
    assert pack.status == "failed" and "momentanément indisponible" in pack.error
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "momentanément indisponible" in page and "Relancer la génération" in page
