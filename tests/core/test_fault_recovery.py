"""What survives a fault (issue 14, items 11–13), without real outages: the stalled-document
reaper and the "Relancer" button, a broker that refuses tasks, a Redis cache that does not
answer, /healthz. The real outages (kill -9 of a worker, redis-server stopped, PostgreSQL
backends terminated) are in tests/faults/."""

import contextvars
import html
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from core import documents
from suivi.models import CopilPack
from suivi.tasks import generate_copil_pack
from territories.models import ImportRun
from tests.core.jobs import silent_for

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: connections are refused at once, as with Redis stopped.
DEAD_REDIS = "redis://127.0.0.1:1/0"


def _files(cooperation) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "suivi" / "copil" / str(cooperation.pk)
    return sorted(folder.glob("*.pdf")) if folder.exists() else []


def _page(client, url: str) -> str:
    return html.unescape(client.get(url).content.decode())


# --- item 11: stalled documents ---------------------------------------------------------


def test_a_pack_whose_worker_died_is_requeued_by_the_reaper_and_produced_once(
    world, login, django_capture_on_commit_callbacks
):
    # The worker was killed while rendering: the pack is "running", its heartbeat stopped.
    pack = CopilPack.objects.create(
        cooperation=world.coop_ara, status=CopilPack.Status.RUNNING, progress=40, attempts=1
    )
    CopilPack.objects.filter(pk=pack.pk).update(
        updated_at=timezone.now() - CopilPack.STALLED_AFTER * 2
    )
    client = login(world.referent_a)
    page = _page(client, f"/suivi/copil/{pack.pk}/")
    # The page no longer polls for ever: it says the job stopped and offers to start it again.
    assert 'hx-trigger="every 1s"' not in page
    assert "ne progresse plus" in page and "Relancer la génération" in page

    with django_capture_on_commit_callbacks(execute=True):
        counts = documents.reap()
    assert counts == {"requeued": 1, "failed": 0}
    pack.refresh_from_db()
    assert pack.is_ready and pack.generation == 2 and pack.attempts == 2
    assert [f.name for f in _files(world.coop_ara)] == [Path(pack.file.name).name]
    # A late delivery of the lost message changes nothing; the reaper has nothing left to do.
    generate_copil_pack.run(pack.pk)
    assert documents.reap() == {"requeued": 0, "failed": 0}
    assert len(_files(world.coop_ara)) == 1


def test_the_reaper_leaves_live_jobs_alone_and_gives_up_in_french_after_max_attempts(world):
    live = CopilPack.objects.create(cooperation=world.coop_ara, status=CopilPack.Status.RUNNING)
    waiting = CopilPack.objects.create(cooperation=world.coop_ara)
    dead = CopilPack.objects.create(
        cooperation=world.coop_ara,
        status=CopilPack.Status.RUNNING,
        attempts=CopilPack.MAX_ATTEMPTS,
    )
    CopilPack.objects.filter(pk=dead.pk).update(
        updated_at=timezone.now() - CopilPack.STALLED_AFTER * 2
    )
    assert documents.reap() == {"requeued": 0, "failed": 1}
    live.refresh_from_db(), waiting.refresh_from_db(), dead.refresh_from_db()
    assert live.status == "running" and waiting.status == "pending"
    assert dead.status == "failed" and "interrompue à plusieurs reprises" in dead.error


def test_relancer_starts_a_failed_pack_again_and_only_the_team_may(
    world, login, django_capture_on_commit_callbacks
):
    pack = CopilPack.objects.create(
        cooperation=world.coop_ara, status=CopilPack.Status.FAILED, error="Échec simulé"
    )
    guest = login(world.copil)
    assert "Relancer la génération" not in _page(guest, f"/suivi/copil/{pack.pk}/")
    assert guest.post(f"/suivi/copil/{pack.pk}/relancer/").status_code == 403
    team = login(world.referent_a)
    assert "Relancer la génération" in _page(team, f"/suivi/copil/{pack.pk}/")
    with django_capture_on_commit_callbacks(execute=True):
        response = team.post(f"/suivi/copil/{pack.pk}/relancer/")
    assert response["Location"] == f"/suivi/copil/{pack.pk}/"
    pack.refresh_from_db()
    assert pack.is_ready and pack.generation == 2
    assert "Télécharger le dossier COPIL" in _page(team, response["Location"])
    # A second click (double submit) on a pack already produced does not start it again.
    team.post(f"/suivi/copil/{pack.pk}/relancer/")
    pack.refresh_from_db()
    assert pack.generation == 2 and len(_files(world.coop_ara)) == 1


def test_broker_down_when_asking_for_a_pack_gives_a_french_message_not_a_500(
    world, login, broker_down, django_capture_on_commit_callbacks
):
    broker_down(generate_copil_pack)
    client = login(world.referent_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/suivi/{world.coop_ara.pk}/copil/generer/", {"request_key": str(uuid.uuid4())}
        )
    assert response.status_code == 302
    page = _page(client, response["Location"])
    assert "momentanément indisponible" in page and "111" not in page
    assert "Relancer la génération" in page


class _EagerTask:
    """What run_in_task reads of a bound Celery task: eager, so a failure fails at once."""

    class request:  # noqa: N801 - Celery's attribute name
        is_eager = True
        retries = 0

    max_retries = 2


def _another_worker_starts(pack, how: str, capture) -> None:
    """The first worker went silent; "Relancer", the reaper or a duplicate delivery lets a
    second worker (its own task context) start the job again."""
    CopilPack.objects.filter(pk=pack.pk).update(
        updated_at=timezone.now() - CopilPack.STALLED_AFTER * 2
    )
    with capture(execute=False):
        if how == "relancer":
            assert documents.restart(pack)
        elif how == "reaper":
            assert documents.reap() == {"requeued": 1, "failed": 0}
    second = contextvars.Context().run(documents.start, CopilPack, pack.pk)
    assert second is not None and second.status == "running"


@pytest.mark.parametrize("how", ["relancer", "reaper", "duplicate"])
def test_a_stale_worker_failing_late_leaves_the_new_attempt_running(
    world, how, django_capture_on_commit_callbacks
):
    pack = CopilPack.objects.create(cooperation=world.coop_ara)

    def generate():
        first = documents.start(CopilPack, pack.pk)
        assert first.attempts == 1 and first.generation == 1
        _another_worker_starts(first, how, django_capture_on_commit_callbacks)
        raise RuntimeError("the first worker's render ends in an error, late")

    documents.run_in_task(_EagerTask, CopilPack, pack.pk, generate)
    pack.refresh_from_db()
    # The new run is untouched: still running, no error shown, nothing to "Relancer".
    assert (pack.status, pack.error) == ("running", "")
    assert not pack.can_retry

    # The worker that owns the current attempt still fails it.
    def own_failure():
        documents.start(CopilPack, pack.pk)
        raise RuntimeError("the current attempt fails")

    CopilPack.objects.filter(pk=pack.pk).update(status="pending")
    documents.run_in_task(_EagerTask, CopilPack, pack.pk, own_failure)
    pack.refresh_from_db()
    assert pack.status == "failed" and pack.error == documents.FAILED_MESSAGE


@pytest.mark.parametrize("how", ["relancer", "reaper"])
def test_a_stale_worker_finishing_late_leaves_the_new_attempt_running(
    world, how, django_capture_on_commit_callbacks
):
    pack = CopilPack.objects.create(cooperation=world.coop_ara)
    first = documents.start(CopilPack, pack.pk)
    _another_worker_starts(first, how, django_capture_on_commit_callbacks)
    name = documents.store(first, "file", f"suivi/copil/{world.coop_ara.pk}/late.pdf", b"%PDF-")
    kept = documents.finish(first, {"file": name})
    pack.refresh_from_db()
    assert kept.status == pack.status == "running" and not pack.file
    assert _files(world.coop_ara) == []  # the late file is dropped


def test_worker_settings_redeliver_a_killed_workers_job_only_after_the_longest_job():
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility > settings.CELERY_TASK_TIME_LIMIT
    beat = settings.CELERY_BEAT_SCHEDULE["reap-stalled-documents"]
    assert beat["task"] == "core.tasks.reap_stalled_documents"
    for model in documents.job_models():
        assert model.TASK_NAME, model  # the reaper can re-queue every kind of document
    assert CopilPack in documents.job_models()


def test_every_job_table_has_the_reapers_index():
    """The index comes from BackgroundJob.Meta: a job whose Meta lists indexes of its own
    must keep it (`indexes = [*RequestedDocument.Meta.indexes, ...]`)."""
    assert len(documents.job_models()) >= 5
    for model in documents.job_models():
        sweeps = [i.name for i in model._meta.indexes if i.fields == ["status", "updated_at"]]
        assert sweeps == [f"{model._meta.model_name}_status_updated"], model


# --- item 12: Redis down ------------------------------------------------------------------


@pytest.fixture
def dead_redis_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": DEAD_REDIS}
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield cache


def test_with_the_redis_cache_down_signed_in_pages_and_reference_lists_still_answer(
    world, login, dead_redis_cache
):
    from territories.choices import ARS_NAMES

    assert cache.get("any") is None and cache.set("any", 1) is None  # misses, no error
    assert cache.incr("counter") == 1
    assert len(ARS_NAMES.choices()) >= 18  # read from the database
    client = login(world.agent_ara)
    assert client.get("/").status_code == 200
    assert client.get(f"/cooperations/{world.coop_ara.pk}/").status_code == 200


def test_healthz_reports_each_component_and_answers_503_when_redis_is_down(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert data["status"] == "ok" and data["checks"]["database"]["ok"]
    assert set(data["checks"]) == {"database", "redis", "worker"}

    settings.REDIS_URL = DEAD_REDIS
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] and not checks["redis"]["ok"]
    assert checks["redis"]["detail"] == "Redis injoignable"
    assert client.get("/healthz/database").status_code == 200
    assert client.get("/healthz/redis").status_code == 503
    assert client.get("/healthz/inconnu").status_code == 404


# --- item 13: database connections --------------------------------------------------------


def test_a_dropped_database_connection_is_checked_before_each_request():
    from config.settings import base

    assert base.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_a_task_the_broker_refuses_is_logged_with_its_traceback_not_raised(broker_down, caplog):
    from core import taskqueue
    from notifications.tasks import send_notification_emails

    broker_down(send_notification_emails)
    with caplog.at_level("ERROR", logger="core.taskqueue"):
        assert taskqueue.submit(send_notification_emails, [1, 2]) is False
    record = next(r for r in caplog.records if r.name == "core.taskqueue")
    assert record.exc_info and "Connection refused" in str(record.exc_info[1])


@pytest.mark.parametrize(
    ("status", "stalled", "left_alone"),
    [
        ("pending", False, False),
        ("pending", True, False),
        ("running", False, True),  # a live worker on it: a duplicate delivery
        ("running", True, False),  # its worker died: started again
        ("done", False, True),
        ("failed", False, True),
    ],
)
def test_nothing_to_do_is_the_rule_start_applies(status, stalled, left_alone):
    """The one rule of "a task leaves this job alone" (a FINESS refresh asks it before
    downloading): what documents.start does with the job."""
    run = ImportRun.objects.create(original_name="finess.csv", status=status)
    if stalled:
        silent_for(run, ImportRun.QUEUED_AFTER * 2)
    run.refresh_from_db()
    assert documents.nothing_to_do(run) is left_alone
    assert (documents.start(ImportRun, run.pk) is None) is left_alone


@pytest.mark.django_db(transaction=True)  # the heartbeat writes from its own thread
def test_a_stale_attempts_heartbeat_leaves_the_attempt_relancer_started_alone(monkeypatch):
    monkeypatch.setattr(documents, "enqueue_on_commit", lambda model, pk: None)  # no worker
    run = ImportRun.objects.create(original_name="finess.csv")
    with documents.attempt_scope():
        stale = documents.start(ImportRun, run.pk)
        assert (stale.generation, stale.attempts) == (1, 1)
        # The first worker went silent; "Relancer" starts the job again in another worker
        # (its own task context): a new generation, running.
        silent_for(run, ImportRun.STALLED_AFTER * 2)
        assert documents.restart(stale)
        newer = contextvars.Context().run(documents.start, ImportRun, run.pk)
        assert (newer.generation, newer.attempts) == (2, 1)
        long_ago = timezone.now() - ImportRun.STALLED_AFTER * 2
        ImportRun.objects.filter(pk=run.pk).update(updated_at=long_ago)
        # The first worker wakes up and beats: the new attempt's clock does not move.
        with documents.heartbeat(ImportRun, run.pk, every=0.02):
            time.sleep(0.2)
        run.refresh_from_db()
        assert run.updated_at == long_ago and run.is_stalled
        assert (run.status, run.generation, run.attempts) == ("running", 2, 1)

    # The worker of the new attempt does keep it alive.
    def own_beat():
        with documents.attempt_scope():
            documents.start(ImportRun, run.pk)  # (stalled: started again, attempt 2)
            ImportRun.objects.filter(pk=run.pk).update(updated_at=long_ago)
            with documents.heartbeat(ImportRun, run.pk, every=0.02):
                time.sleep(0.2)

    contextvars.Context().run(own_beat)
    run.refresh_from_db()
    assert run.updated_at > long_ago and not run.is_stalled
