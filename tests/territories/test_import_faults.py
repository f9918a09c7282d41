"""FINESS imports under faults (issue 14, item 14): serialised, French messages only."""

import html
import logging
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import locks
from territories import importers, services
from territories.importers import IMPORT_LOCK, ImportBusy
from territories.models import Establishment, ImportRun

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures_data" / "finess_sample.csv"

pytestmark = pytest.mark.django_db


def _run(world) -> ImportRun:
    run = ImportRun(started_by=world.admin, original_name="extrait.csv", total_bytes=1)
    run.file.save("finess-test.csv", SimpleUploadedFile("extrait.csv", SAMPLE.read_bytes()))
    return run


def test_a_second_import_is_refused_in_french_while_one_runs(world, client):
    run = _run(world)
    with locks.exclusive(IMPORT_LOCK):  # an import in progress elsewhere
        # The task's earlier tries leave the run waiting, to try again later…
        with pytest.raises(ImportBusy):
            services.import_run_execute(run_id=run.pk, lock_wait=0, last_try=False)
        assert ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.PENDING
        # …and the page says why it has not started.
        ImportRun.objects.create(original_name="autre.json", status=ImportRun.Status.RUNNING)
        client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
        page = html.unescape(
            client.get(reverse("territories:import_detail", args=[run.pk])).content.decode()
        )
        assert "Un autre import FINESS est en cours : celui-ci démarrera" in page
        # The last try gives up with a French message; nothing was imported.
        run = services.import_run_execute(run_id=run.pk, lock_wait=0, last_try=True)
    assert run.status == ImportRun.Status.FAILED
    assert run.error.startswith("Un autre import FINESS est en cours")
    assert not Establishment.objects.filter(finess="010000024").exists()
    page = html.unescape(
        client.get(reverse("territories:import_detail", args=[run.pk])).content.decode()
    )
    assert "Import refusé" in page and "Un autre import FINESS est en cours" in page


def test_the_lock_is_released_after_an_import_and_the_next_one_runs(world):
    first, second = _run(world), _run(world)
    assert services.import_run_execute(run_id=first.pk, lock_wait=0).status == "done"
    assert services.import_run_execute(run_id=second.pk, lock_wait=0).status == "done"


def test_an_unexpected_error_shows_a_french_message_and_logs_the_traceback(
    world, client, monkeypatch, caplog
):
    def crash(*args, **kwargs):
        raise RuntimeError("deadlock detected DETAIL: Process 4242 waits for ShareLock")

    monkeypatch.setattr(importers, "_import_register_file", crash)
    run = _run(world)
    with caplog.at_level(logging.ERROR, logger="territories.services"):
        run = services.import_run_execute(run_id=run.pk)
    assert run.status == ImportRun.Status.FAILED
    assert "rien n'a été enregistré" in run.error
    assert "deadlock" not in run.error and "Process" not in run.error
    record = next(r for r in caplog.records if r.name == "territories.services")
    assert record.exc_info and "deadlock detected" in str(record.exc_info[1])
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    page = html.unescape(
        client.get(reverse("territories:import_detail", args=[run.pk])).content.decode()
    )
    assert "deadlock" not in page and "rien n'a été enregistré" in page


def test_the_command_refuses_in_french_while_an_import_runs(tmp_path):
    from django.core.management import CommandError, call_command

    with locks.exclusive(IMPORT_LOCK), pytest.raises(CommandError, match="Un autre import FINESS"):
        call_command("import_finess", str(SAMPLE), "--quiet-progress")


def test_broker_down_at_submission_fails_the_run_in_french(
    world, client, broker_down, django_capture_on_commit_callbacks
):
    from territories.tasks import run_finess_import

    broker_down(run_finess_import)
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("territories:import_start"),
            {"file": SimpleUploadedFile("extrait.csv", SAMPLE.read_bytes(), "text/csv")},
        )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert "momentanément indisponible" in run.error and "111" not in run.error
