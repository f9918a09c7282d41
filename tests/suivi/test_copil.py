import io
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from core.registry import COPIL_SECTIONS, CopilSection
from suivi import copil, services
from suivi.models import CopilPack
from suivi.tasks import generate_copil_pack
from tests.suivi.factories import ActivityFactory, DeliverableFactory, RiskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(world):
    activity = ActivityFactory(cooperation=world.coop_ara, title="Plateau d'imagerie")
    DeliverableFactory(
        activity=activity,
        title="Dossier d'autorisation IRM",
        planned_on=date(2026, 3, 1),
        revised_on=date(2026, 4, 15),
    )
    DeliverableFactory(
        activity=activity, title="Tableau de garde commun", planned_on=date(2027, 1, 10)
    )
    RiskFactory(
        cooperation=world.coop_ara,
        title="Blindage de la salle livré en retard",
        probability=4,
        impact=3,
    )
    return world.coop_ara


def _text(pack: CopilPack) -> str:
    with pack.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def _files(cooperation) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "suivi" / "copil" / str(cooperation.pk)
    return sorted(folder.glob("*")) if folder.exists() else []


def test_one_click_generates_a_french_pdf_with_the_project_data(
    project, login, django_capture_on_commit_callbacks
):
    client = login(
        project.memberships.first()
        and __import__("accounts").models.User.objects.get(username="referent_a")
    )
    key = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/suivi/{project.pk}/copil/generer/", {"request_key": str(key)})
    pack = CopilPack.objects.get(request_key=key)
    assert response.status_code == 302 and response["Location"] == f"/suivi/copil/{pack.pk}/"
    assert pack.status == CopilPack.Status.DONE and pack.progress == 100 and pack.finished_at
    text = _text(pack)
    for expected in (
        "Imagerie partagée de l'Ain",
        "Dossier d'autorisation IRM",
        "Tableau de garde commun",
        "Blindage de la salle livré en retard",
        "Diagramme de Gantt",
        "CH ALPHA",
    ):
        assert expected in text, expected
    with pack.file.open("rb") as handle:
        raw = handle.read()
    assert raw.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(raw))
    catalog = reader.trailer["/Root"]
    assert catalog.get("/Lang") == "fr"
    assert "/StructTreeRoot" in catalog  # tagged PDF
    # The Gantt alone is on a landscape page, so that its labels stay legible; the rest
    # of the pack is portrait A4.
    shapes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    landscape = [i for i, (w, h) in enumerate(shapes) if w > h]
    assert len(landscape) == 1
    assert "Diagramme de Gantt" in reader.pages[landscape[0]].extract_text()
    assert all(round(w) == 595 for i, (w, h) in enumerate(shapes) if i not in landscape)
    # The status page then offers the download.
    page = client.get(f"/suivi/copil/{pack.pk}/").content.decode()
    assert "Télécharger le dossier COPIL (PDF)" in page
    download = client.get(f"/suivi/copil/{pack.pk}/telecharger/")
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_double_submit_creates_one_pack(project, world, django_capture_on_commit_callbacks):
    key = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first, created = services.copil_pack_request(
            cooperation=project, user=world.referent_a, request_key=key
        )
        again, created_again = services.copil_pack_request(
            cooperation=project, user=world.referent_a, request_key=key
        )
    assert created and not created_again and first.pk == again.pk
    assert len(callbacks) == 1
    assert CopilPack.objects.count() == 1
    assert len(_files(project)) == 1


def test_worker_killed_during_generation_then_retry_produces_exactly_one_document(
    project, monkeypatch
):
    pack = CopilPack.objects.create(cooperation=project)
    original_save = None

    def killed_while_writing(self, name, content, max_length=None):
        # Half the PDF reaches the disk, then the worker dies (no exception handling runs).
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read()[:100])
        raise SystemExit("worker killed")

    from django.core.files.storage import FileSystemStorage

    original_save = FileSystemStorage.save
    monkeypatch.setattr(FileSystemStorage, "save", killed_while_writing)
    with pytest.raises(SystemExit):
        generate_copil_pack.run(pack.pk)
    pack.refresh_from_db()
    assert pack.status == CopilPack.Status.RUNNING and pack.attempts == 1
    assert len(_files(project)) == 1  # the partial file

    monkeypatch.setattr(FileSystemStorage, "save", original_save)
    # A duplicate delivery while the job's heartbeat is fresh (a live worker on it) is ignored.
    generate_copil_pack.run(pack.pk)
    pack.refresh_from_db()
    assert pack.status == CopilPack.Status.RUNNING and pack.attempts == 1
    # The heartbeat stopped with the worker; the broker delivers the message again
    # (acks_late + reject_on_worker_lost).
    CopilPack.objects.filter(pk=pack.pk).update(
        updated_at=pack.updated_at - CopilPack.STALLED_AFTER * 2
    )
    generate_copil_pack.run(pack.pk)
    pack.refresh_from_db()
    assert pack.status == CopilPack.Status.DONE and pack.attempts == 2
    files = _files(project)
    assert len(files) == 1 and files[0].name == Path(pack.file.name).name
    assert files[0].read_bytes().startswith(b"%PDF-") and files[0].stat().st_size > 10_000

    # A late duplicate delivery after success changes nothing.
    generate_copil_pack.run(pack.pk)
    pack.refresh_from_db()
    assert pack.attempts == 2 and len(_files(project)) == 1
    assert generate_copil_pack.acks_late and generate_copil_pack.reject_on_worker_lost


def test_failure_marks_the_pack_failed_in_french_without_breaking_the_page(
    project, monkeypatch, login, world, django_capture_on_commit_callbacks
):
    pack = CopilPack.objects.create(cooperation=project)

    def broken(*args, **kwargs):
        raise RuntimeError("WeasyPrint indisponible")

    monkeypatch.setattr(copil, "render_pdf", broken)
    generate_copil_pack.delay(pack.pk)
    pack.refresh_from_db()
    assert pack.status == CopilPack.Status.FAILED
    assert "a échoué après plusieurs tentatives" in pack.error
    assert _files(project) == []
    # Through the page: the request still answers, and the status page says what happened.
    client = login(world.referent_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/suivi/{project.pk}/copil/generer/", {"request_key": str(uuid.uuid4())}
        )
    assert response.status_code == 302
    assert "Échec de la génération" in client.get(response["Location"]).content.decode()


def test_sections_of_other_kits_are_included_only_when_they_have_data(project, monkeypatch):
    monkeypatch.setattr(
        "suivi.copil.COPIL_SECTIONS",
        [
            CopilSection(
                key="with-data",
                title="Convention constitutive",
                template="suivi/tests/section.html",
                get_context=lambda c: {"value": "Signée par 3 membres sur 4"},
            ),
            CopilSection(
                key="empty",
                title="Radar Eval'Impact",
                template="suivi/tests/section.html",
                get_context=lambda c: None,
            ),
        ],
    )
    sections = copil.kit_sections(project)
    assert [s["key"] for s in sections] == ["with-data"]
    assert "Signée par 3 membres sur 4" in sections[0]["html"]
    assert COPIL_SECTIONS is not None


def test_status_page_polls_while_running_then_stops(project, world, login):
    pack = CopilPack.objects.create(
        cooperation=project, status=CopilPack.Status.RUNNING, progress=40
    )
    client = login(world.copil)
    partial = client.get(
        f"/suivi/copil/{pack.pk}/", headers={"HX-Request": "true"}
    ).content.decode()
    assert 'hx-trigger="every 1s"' in partial and 'value="40"' in partial
    assert "<html" not in partial  # only the fragment is swapped
    CopilPack.objects.filter(pk=pack.pk).update(
        status=CopilPack.Status.FAILED, error="Échec simulé"
    )
    partial = client.get(
        f"/suivi/copil/{pack.pk}/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "hx-trigger" not in partial and "Échec simulé" in partial
    # Not ready: no download.
    assert client.get(f"/suivi/copil/{pack.pk}/telecharger/").status_code == 404
