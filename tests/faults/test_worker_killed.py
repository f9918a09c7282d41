"""kill -9 of the whole Celery worker while it renders a COPIL pack (issue 14, item 11) or
imports a FINESS file (issue 17): the job's heartbeat stops, the reaper of a restarted
worker (Celery beat) re-queues it, and exactly one PDF is produced, or the file imported
once."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from suivi.models import CopilPack
from suivi.tasks import generate_copil_pack
from territories.models import Establishment, ImportRun
from territories.tasks import run_finess_import
from tests.conftest import wait_until
from tests.faults.conftest import publish

pytestmark = pytest.mark.django_db(transaction=True)


def _pdfs(cooperation) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "suivi" / "copil" / str(cooperation.pk)
    return sorted(folder.glob("*.pdf")) if folder.exists() else []


def _state(pack):
    return CopilPack.objects.values("status", "progress", "attempts", "generation").get(pk=pack.pk)


def test_a_worker_killed_mid_document_then_restarted_produces_it_exactly_once(
    world, redis_server, workers
):
    pack = CopilPack.objects.create(cooperation=world.coop_ara, requested_by=world.referent_a)
    first = workers(redis_server.url, FAULT_RENDER_DELAY=60, DOCUMENT_HEARTBEAT_SECONDS=0.5)
    first.wait_ready()
    publish(redis_server.url, generate_copil_pack, pack.pk)
    wait_until(
        lambda: _state(pack)["progress"] == 40,
        timeout=40,
        what="le premier worker rend le dossier\n" + first.output()[-2000:],
    )
    assert _state(pack)["status"] == "running"
    # While the worker renders, the job's heartbeat moves: it is not "stalled".
    beat = CopilPack.objects.get(pk=pack.pk).updated_at
    wait_until(
        lambda: CopilPack.objects.get(pk=pack.pk).updated_at > beat,
        timeout=10,
        what="battement du document pendant le rendu",
    )
    first.kill()
    assert first.process.poll() is not None
    assert _pdfs(world.coop_ara) == []

    # A new worker with its beat: the reaper finds the silent job and re-queues it.
    second = workers(
        redis_server.url,
        beat=True,
        DOCUMENT_HEARTBEAT_SECONDS=0.5,
        DOCUMENT_STALLED_SECONDS=2,
        DOCUMENT_REAPER_SECONDS=1,
    )
    wait_until(
        lambda: _state(pack)["status"] in ("done", "failed"),
        timeout=45,
        what="le dossier est produit après redémarrage\n" + second.output()[-3000:],
    )
    state = _state(pack)
    assert state["status"] == "done", second.output()[-3000:]
    assert state["generation"] == 2 and state["attempts"] == 2
    pack.refresh_from_db()
    files = _pdfs(world.coop_ara)
    assert [f.name for f in files] == [Path(pack.file.name).name]
    assert files[0].read_bytes().startswith(b"%PDF-")
    assert "relancé" in second.output()  # the reaper logged what it did


SAMPLE = Path(__file__).resolve().parents[1] / "fixtures_data" / "finess_sample.csv"


def test_a_worker_killed_mid_import_then_restarted_imports_the_file_once(
    world, redis_server, workers
):
    run = ImportRun(started_by=world.admin, original_name="extrait.csv", total_bytes=1)
    run.file.save("finess-faults.csv", ContentFile(SAMPLE.read_bytes()))
    first = workers(redis_server.url, FAULT_IMPORT_DELAY=60, DOCUMENT_HEARTBEAT_SECONDS=0.5)
    first.wait_ready()
    publish(redis_server.url, run_finess_import, run.pk)
    wait_until(
        lambda: ImportRun.objects.get(pk=run.pk).status == "running",
        timeout=40,
        what="le premier worker importe le fichier\n" + first.output()[-2000:],
    )
    beat = ImportRun.objects.get(pk=run.pk).updated_at
    wait_until(
        lambda: ImportRun.objects.get(pk=run.pk).updated_at > beat,
        timeout=10,
        what="battement de l'import pendant qu'il tourne",
    )
    first.kill()
    assert not Establishment.objects.filter(finess="010000024").exists()

    second = workers(
        redis_server.url,
        beat=True,
        DOCUMENT_HEARTBEAT_SECONDS=0.5,
        DOCUMENT_STALLED_SECONDS=2,
        DOCUMENT_REAPER_SECONDS=1,
    )
    wait_until(
        lambda: ImportRun.objects.get(pk=run.pk).status in ("done", "failed"),
        timeout=60,
        what="l'import aboutit après redémarrage\n" + second.output()[-3000:],
    )
    run.refresh_from_db()
    assert run.status == "done", (run.error, second.output()[-3000:])
    assert (run.attempts, run.generation, run.created_count) == (2, 2, 4)
    assert Establishment.objects.filter(finess="010000024").count() == 1
    assert "relancé" in second.output()
