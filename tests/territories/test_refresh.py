"""The scheduled refresh, against a local HTTP server started by the test."""

import gzip
import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from territories.models import Establishment, EstablishmentActivity, ImportRun
from territories.tasks import refresh_finess_register

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "finess-2026"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def served(tmp_path):
    """(folder, base URL): a real HTTP server on 127.0.0.1, stopped after the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_refresh_downloads_imports_and_reports_what_changed(served, settings):
    folder, base = served
    structures = json.loads((FIXTURES / "finess-structures-sample-20260309.json").read_text())
    (folder / "structures.json.gz").write_bytes(gzip.compress(json.dumps(structures).encode()))
    (folder / "activites.json").write_bytes(
        (FIXTURES / "finess-activites-sample-20260401.json").read_bytes()
    )
    settings.FINESS_STRUCTURES_URL = f"{base}/structures.json.gz"
    settings.FINESS_ACTIVITIES_URL = f"{base}/activites.json"

    first_ids = refresh_finess_register.delay().get()
    runs = list(ImportRun.objects.filter(pk__in=first_ids).order_by("pk"))
    assert [r.status for r in runs] == ["done", "done"]
    assert runs[0].source_url == settings.FINESS_STRUCTURES_URL
    assert runs[0].changes["counts"]["new_establishments"] == 27
    assert "gzip" in runs[0].format_description
    assert runs[1].kind == "finess-activities"
    assert EstablishmentActivity.objects.exists()

    # The next day: one site closes, one is renamed, one appears.
    entity = structures["pmej"][1]  # CLINIQUE CONVERT
    site = entity["ege"][0]
    site["etatObjet"] = "I"
    site["informationsGeneralesEGE"]["nomEgeCourt"] = "CLINIQUE CONVERT (ANCIEN SITE)"
    added = json.loads(json.dumps(site))
    added["etatObjet"] = "A"
    added["informationsGeneralesEGE"].update(
        {"egeId": "999001", "numFinessEge": "010009991", "nomEgeCourt": "CLINIQUE CONVERT NORD"}
    )
    entity["ege"].append(added)
    (folder / "structures.json.gz").write_bytes(gzip.compress(json.dumps(structures).encode()))
    settings.FINESS_ACTIVITIES_URL = ""
    second = ImportRun.objects.get(pk=refresh_finess_register.delay().get()[0])
    assert second.status == "done"
    counts = second.changes["counts"]
    assert counts == {
        "new_establishments": 1,
        "closed_establishments": 1,
        "renamed_establishments": 1,
    }
    assert second.changes["new_establishments"] == ["010009991 CLINIQUE CONVERT NORD"]
    assert Establishment.objects.get(finess="010780195").is_closed


def test_a_failed_download_is_recorded_and_imports_nothing(served, settings):
    _folder, base = served
    runs = refresh_finess_register.delay().get()
    assert runs == []  # nothing configured: nothing done
    settings.FINESS_STRUCTURES_URL = f"{base}/absent.json"
    run = ImportRun.objects.get(pk=refresh_finess_register.delay().get()[0])
    assert run.status == "failed"
    assert "Le serveur a répondu 404" in run.error
    assert not Establishment.objects.exists()


def test_a_downloaded_file_that_is_not_the_register_is_refused(served, settings):
    folder, base = served
    (folder / "page.json").write_text('{"message": "maintenance"}')
    settings.FINESS_STRUCTURES_URL = f"{base}/page.json"
    run = ImportRun.objects.get(pk=refresh_finess_register.delay().get()[0])
    assert run.status == "failed" and "aucune entité juridique" in run.error


def test_beat_schedules_the_refresh_only_when_a_url_is_configured():
    import importlib
    import os

    from config.settings import base

    assert "finess-refresh" not in base.CELERY_BEAT_SCHEDULE
    os.environ["FINESS_STRUCTURES_URL"] = "https://example.invalid/finess.json.gz"
    try:
        reloaded = importlib.reload(base)
        assert reloaded.CELERY_BEAT_SCHEDULE["finess-refresh"]["task"] == (
            "territories.tasks.refresh_finess_register"
        )
    finally:
        del os.environ["FINESS_STRUCTURES_URL"]
        importlib.reload(base)
