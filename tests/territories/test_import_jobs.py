"""FINESS imports on the life cycle of core.documents, without real workers: the heartbeat is
time-travelled (`updated_at` moved back) as a killed worker would leave it. The real kill -9
is in tests/faults/."""

import html
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import documents
from territories import services
from territories.models import Establishment, ImportRun
from territories.refresh import refresh_one
from territories.tasks import run_finess_import
from tests.core.jobs import assert_import_page, import_page_states, silent_for

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures_data" / "finess_sample.csv"

pytestmark = pytest.mark.django_db


def _run(world, **fields) -> ImportRun:
    run = ImportRun(started_by=world.admin, original_name="extrait.csv", total_bytes=1000, **fields)
    run.file.save("finess-test.csv", SimpleUploadedFile("extrait.csv", SAMPLE.read_bytes()))
    return run


def _page(client, run: ImportRun, **headers) -> str:
    url = reverse("territories:import_detail", args=[run.pk])
    return html.unescape(client.get(url, **headers).content.decode())


def _establishments() -> int:
    return Establishment.objects.filter(finess="010000024").count()


def test_imports_are_background_jobs_the_reaper_sweeps():
    assert ImportRun in documents.job_models()
    assert ImportRun.TASK_NAME == "territories.tasks.run_finess_import"


def test_a_killed_import_is_reaped_requeued_and_imported_once(
    world, django_capture_on_commit_callbacks
):
    # The worker was killed mid-import: the run is "running", its heartbeat stopped; the
    # import was one transaction, so nothing of it is in the register.
    run = _run(world, status=ImportRun.Status.RUNNING, attempts=1)
    silent_for(run, ImportRun.STALLED_AFTER * 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert documents.reap() == {"requeued": 1, "failed": 0}
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert (run.attempts, run.generation) == (2, 2)
    assert (run.created_count, run.rejected_count) == (4, 4)
    assert _establishments() == 1
    # The lost message delivered late: nothing to do, nothing imported twice.
    run_finess_import.run(run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts, run.created_count) == ("done", 2, 4)
    assert _establishments() == 1
    assert documents.reap() == {"requeued": 0, "failed": 0}


def test_a_lost_message_is_requeued_too(world, django_capture_on_commit_callbacks):
    run = _run(world)  # pending, its message lost (broker flushed)
    silent_for(run, ImportRun.QUEUED_AFTER * 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert documents.reap() == {"requeued": 1, "failed": 0}
    run.refresh_from_db()
    # The lost message counts as an attempt (bounded like a killed worker).
    assert run.status == "done" and run.attempts == 2


def test_attempts_are_bounded_then_the_run_fails_in_french(world, client):
    run = _run(world, status=ImportRun.Status.RUNNING, attempts=ImportRun.MAX_ATTEMPTS)
    silent_for(run, ImportRun.STALLED_AFTER * 2)
    assert documents.reap() == {"requeued": 0, "failed": 1}
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert run.error.startswith("L'import a été interrompu à plusieurs reprises")
    assert "génération" not in run.error
    assert _establishments() == 0
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    page = _page(client, run)
    assert "Import refusé" in page and "interrompu à plusieurs reprises" in page
    assert "Relancer l'import" in page


def test_the_reaper_leaves_a_live_import_and_one_waiting_for_the_lock_alone(world):
    live = _run(world, status=ImportRun.Status.RUNNING, attempts=1)
    waiting = _run(world)  # pending behind it, well within QUEUED_AFTER
    assert documents.reap() == {"requeued": 0, "failed": 0}
    live.refresh_from_db(), waiting.refresh_from_db()
    assert (live.status, waiting.status) == ("running", "pending")


def test_relancer_imports_a_stalled_run_again_and_a_second_click_does_nothing(
    world, client, django_capture_on_commit_callbacks
):
    run = _run(world, status=ImportRun.Status.RUNNING, attempts=1)
    silent_for(run, ImportRun.STALLED_AFTER * 2)
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("territories:import_retry", args=[run.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response["Location"] == reverse("territories:import_detail", args=[run.pk])
    run.refresh_from_db()
    assert (run.status, run.generation, run.attempts) == ("done", 2, 1)
    assert _establishments() == 1
    assert "L'import FINESS est relancé." in _page(client, run)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    run.refresh_from_db()
    assert run.generation == 2 and _establishments() == 1
    assert "Cet import FINESS est terminé ou en cours." in _page(client, run)


def test_relancer_a_failed_run(world, client, django_capture_on_commit_callbacks):
    run = _run(world, status=ImportRun.Status.FAILED, error="Échec simulé")
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("territories:import_retry", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == "done" and run.error == ""


def test_only_a_national_admin_may_relancer(world, client):
    run = _run(world, status=ImportRun.Status.FAILED, error="Échec simulé")
    client.force_login(world.referent_a, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(reverse("territories:import_retry", args=[run.pk])).status_code == 403
    run.refresh_from_db()
    assert run.status == "failed"


def test_a_duplicate_delivery_while_a_live_worker_imports_does_nothing(world):
    run = _run(world, status=ImportRun.Status.RUNNING, attempts=1)  # fresh heartbeat
    services.import_run_execute(run_id=run.pk, lock_wait=0)
    run.refresh_from_db()
    assert (run.status, run.attempts, run.error) == ("running", 1, "")
    assert _establishments() == 0


def test_a_duplicate_delivery_of_a_finished_run_does_nothing(world):
    run = services.import_run_execute(run_id=_run(world).pk, lock_wait=0)
    assert run.status == "done" and run.attempts == 1
    again = services.import_run_execute(run_id=run.pk, lock_wait=0)
    assert (again.status, again.attempts, again.generation) == ("done", 1, 1)
    assert _establishments() == 1


def test_a_stalled_scheduled_refresh_is_downloaded_again(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    fetched = []

    def fake_download(url, target, **kwargs):
        fetched.append(url)
        Path(target).write_bytes(SAMPLE.read_bytes())
        return SAMPLE.stat().st_size

    monkeypatch.setattr(services, "download", fake_download)
    run = ImportRun.objects.create(
        original_name="finess.csv",
        source_url="https://example.org/finess.csv",
        status=ImportRun.Status.RUNNING,
        attempts=1,
    )
    silent_for(run, ImportRun.STALLED_AFTER * 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert documents.reap() == {"requeued": 1, "failed": 0}
    run.refresh_from_db()
    assert run.status == "done" and fetched == ["https://example.org/finess.csv"]
    assert run.total_bytes == SAMPLE.stat().st_size and _establishments() == 1
    # The scheduled refresh itself goes through the same run.
    again = refresh_one("https://example.org/finess.csv")
    assert again.status == "done" and again.attempts == 1 and _establishments() == 1


@pytest.mark.parametrize(
    ("state", "polls", "shown", "relancer"), import_page_states("Avancement : 42 %")
)
def test_the_import_page_shows_each_state(world, client, state, polls, shown, relancer):
    fields = {
        "pending": {},
        "running": {"status": "running", "attempts": 1},
        "stalled": {"status": "running", "attempts": 1},
        "failed": {"status": "failed", "error": ImportRun.QUEUE_DOWN_MESSAGE},
        "refused": {
            "status": "failed",
            "error": "Le fichier n'est pas un extrait FINESS.",
            "permanent_failure": True,
        },
        "done": {"status": "done"},
    }[state]
    run = _run(world, **fields)
    if state == "stalled":
        silent_for(run, ImportRun.STALLED_AFTER * 2)
    if state == "running":
        cache.set(run.progress_key, 420, timeout=60)
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("territories:import_detail", args=[run.pk])
    assert_import_page(client, url, "import", shown=shown, polls=polls, relancer=relancer)


def test_a_dropped_connection_leaves_the_run_pending_for_the_retry_then_fails_in_french(
    world, monkeypatch
):
    from django.db import OperationalError

    def dropped(*args, on_start=None, **kwargs):
        on_start()
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "import_register_file", dropped)
    run = _run(world)
    with pytest.raises(OperationalError):  # the task retries it
        services.import_run_execute(run_id=run.pk, lock_wait=0, last_try=False)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("pending", 1)  # startable by the retried message

    run = services.import_run_execute(run_id=run.pk, lock_wait=0, last_try=True)
    assert (run.status, run.attempts) == ("failed", 2)
    assert run.error == ImportRun.FAILED_MESSAGE and "server closed" not in run.error
    assert _establishments() == 0


def test_a_duplicate_delivery_of_a_live_refresh_downloads_nothing(world, monkeypatch):
    def unreachable(url, target, **kwargs):
        raise services.DownloadError("Téléchargement impossible")

    monkeypatch.setattr(services, "download", unreachable)
    run = ImportRun.objects.create(
        original_name="finess.csv",
        source_url="https://example.org/finess.csv",
        status=ImportRun.Status.RUNNING,  # fresh heartbeat: a live worker imports it
        attempts=1,
    )
    services.import_run_execute(run_id=run.pk, lock_wait=0)
    run.refresh_from_db()
    assert (run.status, run.attempts, run.error) == ("running", 1, "")


@pytest.mark.parametrize("error", ["fatal", "transient"])
def test_a_stale_import_worker_failing_late_leaves_the_new_attempt_running(
    world, monkeypatch, django_capture_on_commit_callbacks, error
):
    """The first worker's import ends in an error after "Relancer" started the run again on
    another worker: neither its failure nor its retry touches the new attempt."""
    import contextvars

    from django.db import OperationalError

    def late_error(*args, on_start=None, **kwargs):
        on_start()  # attempt 1
        silent_for(run, ImportRun.STALLED_AFTER * 2)
        with django_capture_on_commit_callbacks(execute=False):
            assert documents.restart(ImportRun.objects.get(pk=run.pk))
        second = contextvars.Context().run(documents.start, ImportRun, run.pk)
        assert (second.generation, second.status) == (2, "running")
        raise OperationalError("late") if error == "transient" else RuntimeError("late")

    monkeypatch.setattr(services, "import_register_file", late_error)
    run = _run(world)
    if error == "transient":
        with pytest.raises(OperationalError):
            services.import_run_execute(run_id=run.pk, lock_wait=0, last_try=False)
    else:
        services.import_run_execute(run_id=run.pk, lock_wait=0, last_try=True)
    run.refresh_from_db()
    assert (run.status, run.generation, run.error) == ("running", 2, "")


def test_a_duplicate_delivery_of_a_refresh_downloads_the_file_once(world, monkeypatch):
    """Two deliveries of the same refresh: the file is fetched only by the one that holds
    the import lock and has started the run; the other, arriving meanwhile, fetches nothing."""
    calls = []

    def fake_download(url, target, **kwargs):
        calls.append(url)
        if len(calls) == 1:  # the duplicate arrives while the first delivery downloads
            services.import_run_execute(run_id=run.pk, lock_wait=0)
        Path(target).write_bytes(SAMPLE.read_bytes())
        return SAMPLE.stat().st_size

    monkeypatch.setattr(services, "download", fake_download)
    run = ImportRun.objects.create(
        original_name="finess.csv", source_url="https://example.org/finess.csv"
    )
    services.import_run_execute(run_id=run.pk, lock_wait=0)
    run.refresh_from_db()
    assert calls == ["https://example.org/finess.csv"]
    assert (run.status, run.attempts, run.created_count) == ("done", 1, 4)
    assert _establishments() == 1


def test_the_list_of_last_imports_says_interrompu_for_a_silent_run(world, login):
    """As on the run's own page: a run whose worker went silent is « Interrompu » in the
    FINESS page's list of last imports, not « En cours »."""
    run = ImportRun.objects.create(
        original_name="silencieux.json", status=ImportRun.Status.RUNNING, attempts=1
    )
    silent_for(run, ImportRun.STALLED_AFTER * 2)
    page = html.unescape(
        login(world.admin).get(reverse("territories:import_start")).content.decode()
    )
    line = page[page.index("Derniers imports") :]
    line = line[line.index("silencieux.json") :]
    line = line[: line.index("</li>")]
    assert "Interrompu" in line and "En cours" not in line


def test_the_list_of_last_imports_gives_the_time_in_french_time(world, login):
    """The run's label in the list reads its start in the project's time zone (Paris), the
    time the admin's clock shows, not UTC."""
    run = ImportRun.objects.create(original_name="horaire.json", status=ImportRun.Status.DONE)
    ImportRun.objects.filter(pk=run.pk).update(
        created_at=datetime(2026, 7, 1, 8, 30, tzinfo=UTC)  # 10:30 in Paris (summer time)
    )
    page = html.unescape(
        login(world.admin).get(reverse("territories:import_start")).content.decode()
    )
    assert "horaire.json du 01/07/2026 10:30" in page
