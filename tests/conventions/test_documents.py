"""The stored PDF and DOCX of each version, produced by Celery (no HTTP here)."""

import io
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from conventions import documents, exports, services
from conventions.models import ConventionVersion, VersionFiles
from conventions.tasks import generate_version_files
from tests.conftest import wait_until
from tests.conventions.factories import complete

pytestmark = pytest.mark.django_db


def pdf_text(field) -> str:
    with field.open("rb") as handle:
        return text_of_pdf(handle.read())


def text_of_pdf(raw: bytes) -> str:
    """The text of a PDF as pdftotext (poppler) reads it, whitespace collapsed."""
    assert raw.startswith(b"%PDF-")
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=raw, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def docx_text(field) -> str:
    from docx import Document

    with field.open("rb") as handle:
        document = Document(io.BytesIO(handle.read()))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def stored_files(cooperation) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "conventions" / "versions" / str(cooperation.pk)
    return sorted(folder.glob("*")) if folder.exists() else []


def _generate(world, capture):
    complete(world.coop_ara)
    with capture(execute=True) as callbacks:
        version = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    return version, callbacks


def test_a_new_version_enqueues_its_files_and_gets_a_pdf_and_a_docx(
    world, django_capture_on_commit_callbacks
):
    version, callbacks = _generate(world, django_capture_on_commit_callbacks)

    assert len(callbacks) == 1  # one task for both files, after commit
    files = VersionFiles.objects.get(version=version)
    assert files.status == VersionFiles.Status.DONE and files.progress == 100
    assert files.is_ready and files.finished_at and files.requested_by == world.referent_a
    text = pdf_text(files.pdf)
    for index, clause in enumerate(version.clauses.filter(included=True), start=1):
        assert f"Article {index} — {clause.title}" in text
    assert "Document de travail" in text
    body = docx_text(files.docx)
    assert body.startswith("Convention constitutive du groupement")
    assert "CH ALPHA" in body and "CLINIQUE BETA" in body
    assert len(stored_files(world.coop_ara)) == 2
    # The stored names are not guessable from the version number alone.
    assert files.token.hex in files.pdf.name


def test_an_edit_gets_its_own_files(world, django_capture_on_commit_callbacks):
    version, _ = _generate(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        edited = services.version_edit(
            convention=version.convention,
            user=world.referent_a,
            preamble="Les parties coopèrent depuis 2019.",
            clauses={"litiges": {"included": False, "body": ""}},
            expected_version=version.convention.version,
        )
    files = VersionFiles.objects.get(version=edited)
    assert files.is_ready
    text = pdf_text(files.pdf)
    assert "Les parties coopèrent depuis 2019." in text
    assert "Règlement des litiges" not in text
    # The first version's files are untouched.
    first = VersionFiles.objects.get(version=version)
    assert "Les parties coopèrent depuis 2019." not in pdf_text(first.pdf)


def test_signatures_render_the_files_again_without_the_draft_banner(
    world, django_capture_on_commit_callbacks
):
    version, _ = _generate(world, django_capture_on_commit_callbacks)
    convention = version.convention
    with django_capture_on_commit_callbacks(execute=True):
        services.signature_start(
            convention=convention, user=world.referent_a, expected_version=convention.version
        )
    files = VersionFiles.objects.get(version=version)
    assert files.is_ready and files.generation == 2
    assert "Document de travail" not in pdf_text(files.pdf)
    party = version.parties[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.signature_record(
            convention=convention,
            membership_id=party["membership"],
            user=world.referent_a,
            signatory="Mme Directrice",
            signed_on=timezone.localdate(),
            signed_copy=SimpleUploadedFile("signee.pdf", b"%PDF-1.4 signed", "application/pdf"),
        )
    files.refresh_from_db()
    assert files.generation == 3
    signed_text = pdf_text(files.pdf).split("Signatures des parties", 1)[1]
    # "Signé par Mme X, directrice le …" read badly: the date comes first (the cell wraps).
    assert f"Signé le {timezone.localdate():%d/%m/%Y} par Mme" in signed_text
    assert f"Signé le {timezone.localdate():%d/%m/%Y} par Mme Directrice" in docx_text(files.docx)
    # Older generations are removed: one PDF and one DOCX on disk.
    assert len(stored_files(world.coop_ara)) == 2

    # Everyone signs, the ARS approves, an amendment opens: it gets its own files.
    other = version.parties[1]
    with django_capture_on_commit_callbacks(execute=True):
        services.signature_record(
            convention=convention,
            membership_id=other["membership"],
            user=world.referent_a,
            signatory="M. Directeur",
            signed_on=timezone.localdate(),
            signed_copy=SimpleUploadedFile("signe.pdf", b"%PDF-1.4 signed", "application/pdf"),
        )
    convention.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.approval_record(
            convention=convention,
            user=world.agent_ara,
            decided_on=timezone.localdate(),
            reference="ARS 2026-1",
            expected_version=convention.version,
        )
    files.refresh_from_db()
    approval = "Convention approuvée par arrêté n° ARS 2026-1 du "
    assert approval in pdf_text(files.pdf) and approval in docx_text(files.docx)
    # The approver of a GCS: the DG of the pilot ARS, with the article (CSP R6133-1-1).
    after = " ".join(pdf_text(files.pdf).split("arrêté n° ARS 2026-1", 1)[1][:400].split())
    assert "directeur général de l'agence régionale de santé" in after
    assert "Auvergne" in after and "R6133-1-1" in after
    convention.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        amendment = services.amendment_start(
            convention=convention, user=world.referent_a, expected_version=convention.version
        )
    amendment_files = VersionFiles.objects.get(version=amendment)
    assert amendment_files.is_ready
    amendment_text = pdf_text(amendment_files.pdf)
    assert "avenant à la version 1" in amendment_text and "Document de travail" in amendment_text
    assert "Convention approuvée" not in amendment_text
    # The signed version keeps its signed and approved documents.
    signed_pdf = pdf_text(VersionFiles.objects.get(version=version).pdf)
    assert (
        f"Signé le {timezone.localdate():%d/%m/%Y} par M." in signed_pdf and approval in signed_pdf
    )


def test_a_failing_renderer_ends_in_failed_with_a_french_message(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(version):
        raise RuntimeError("python-docx indisponible")

    monkeypatch.setattr(exports, "version_docx", broken)
    version, _ = _generate(world, django_capture_on_commit_callbacks)

    files = VersionFiles.objects.get(version=version)
    assert files.status == VersionFiles.Status.FAILED and files.can_retry
    assert files.error.startswith(
        "La production des fichiers PDF et DOCX de cette version a échoué"
    )
    assert "Relancez-la" in files.error
    assert not files.pdf and not files.docx
    assert stored_files(world.coop_ara) == []
    # The version itself is committed: the convention was generated.
    assert ConventionVersion.objects.filter(pk=version.pk).exists()

    # Once the renderer works again, asking again produces both files.
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        files, enqueued = documents.version_files_request(version=version, user=world.copil)
    assert enqueued
    files.refresh_from_db()
    assert files.is_ready and files.error == "" and files.attempts == 2
    assert files.requested_by == world.copil


def test_asking_again_for_ready_or_running_files_enqueues_nothing(
    world, django_capture_on_commit_callbacks
):
    version, _ = _generate(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _files, enqueued = documents.version_files_request(version=version, user=world.copil)
    assert not enqueued and callbacks == []

    VersionFiles.objects.filter(version=version).update(status=VersionFiles.Status.RUNNING)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _files, enqueued = documents.version_files_request(version=version, user=world.copil)
    assert not enqueued and callbacks == []


def test_a_version_created_before_stored_files_gets_them_on_request(
    world, django_capture_on_commit_callbacks
):
    version, _ = _generate(world, django_capture_on_commit_callbacks)
    VersionFiles.objects.filter(version=version).delete()
    version = ConventionVersion.objects.get(pk=version.pk)
    assert documents.files_of(version) is None

    with django_capture_on_commit_callbacks(execute=True):
        files, enqueued = documents.version_files_request(version=version, user=world.referent_a)
    files.refresh_from_db()
    assert enqueued and files.is_ready


def test_a_stalled_job_can_be_started_again(world, django_capture_on_commit_callbacks):
    version, _ = _generate(world, django_capture_on_commit_callbacks)
    stale = VersionFiles.objects.get(version=version)
    VersionFiles.objects.filter(pk=stale.pk).update(
        status=VersionFiles.Status.PENDING,
        updated_at=stale.updated_at - VersionFiles.QUEUED_AFTER * 2,
    )
    stale.refresh_from_db()
    assert stale.is_stalled and stale.can_retry and not stale.is_polling
    with django_capture_on_commit_callbacks(execute=True):
        _files, enqueued = documents.version_files_request(version=version)
    stale.refresh_from_db()
    assert enqueued and stale.is_ready


def test_files_rendered_while_a_signature_arrives_are_dropped_for_the_newer_ones(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """A task renders generation 1; meanwhile a signature asks for generation 2: the late
    generation-1 files must not be served, and generation 2 ends ready."""
    version, _ = _generate(world, django_capture_on_commit_callbacks)
    files = VersionFiles.objects.get(version=version)
    VersionFiles.objects.filter(pk=files.pk).update(status=VersionFiles.Status.PENDING)
    original = exports.version_pdf
    newer = []

    def render_then_signature_arrives(v):
        pdf = original(v)
        if not newer:
            newer.append(documents.version_files_request(version=v, force=True))
        return pdf

    monkeypatch.setattr(exports, "version_pdf", render_then_signature_arrives)
    generate_version_files.run(files.pk)  # the generation-1 task: its files are dropped
    files.refresh_from_db()
    assert files.generation == 2 and files.status == VersionFiles.Status.PENDING
    generate_version_files.run(files.pk)  # the generation-2 task enqueued by the signature
    files.refresh_from_db()
    assert files.is_ready and files.pdf.name.endswith("-g2.pdf")
    assert len(stored_files(world.coop_ara)) == 2


def test_worker_killed_while_writing_then_retry_leaves_one_pair_of_files(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.files.storage import FileSystemStorage

    version, _ = _generate(world, django_capture_on_commit_callbacks)
    files = VersionFiles.objects.get(version=version)
    VersionFiles.objects.filter(pk=files.pk).update(status=VersionFiles.Status.PENDING)
    original_save = FileSystemStorage.save

    def killed_while_writing(self, name, content, max_length=None):
        path = Path(self.path(name))
        path.write_bytes(content.read()[:100])
        raise SystemExit("worker killed")

    monkeypatch.setattr(FileSystemStorage, "save", killed_while_writing)
    with pytest.raises(SystemExit):
        generate_version_files.run(files.pk)
    monkeypatch.setattr(FileSystemStorage, "save", original_save)
    # The killed worker's heartbeat stopped; the message is delivered again (acks_late).
    VersionFiles.objects.filter(pk=files.pk).update(
        updated_at=timezone.now() - VersionFiles.STALLED_AFTER * 2
    )
    generate_version_files.run(files.pk)
    files.refresh_from_db()
    assert files.is_ready and files.attempts == 3
    assert len(stored_files(world.coop_ara)) == 2
    assert "Article 1 —" in pdf_text(files.pdf)
    assert generate_version_files.acks_late and generate_version_files.reject_on_worker_lost


@pytest.mark.django_db(transaction=True)
def test_files_are_produced_by_the_celery_worker(celery_runner, world):
    """Through the real broker and worker when REDIS_URL is set (CI), eagerly otherwise."""
    complete(world.coop_ara)
    with transaction.atomic():
        version = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    files = wait_until(lambda: VersionFiles.objects.filter(version=version, status="done").first())
    assert "Article 1 —" in pdf_text(files.pdf)
