"""The Eval'Impact summary PDF: requested (POST), produced by Celery, followed, downloaded."""

import io
import re
import uuid
from html import unescape

import pytest
from django.db import transaction
from django.urls import reverse
from pypdf import PdfReader

from evalimpact.models import SummaryPdf
from evalimpact.services import summary
from evalimpact.tasks import generate_summary_pdf
from tests.conftest import wait_until
from tests.evalimpact.factories import complete_rows, create_evaluation
from tests.evalimpact.test_evaluations import _save

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(world):
    evaluation = create_evaluation(world.coop_ara, comments="Bilan partagé avec le COPIL de mars.")
    _save(evaluation, complete_rows(evaluation))
    return world.coop_ara


def _pdf(job) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


def test_a_request_produces_a_one_page_pdf_of_the_live_scores(
    evaluated, world, django_capture_on_commit_callbacks
):
    key = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job, created = summary.summary_pdf_request(
            cooperation=evaluated, user=world.copil, request_key=key
        )
    assert created and len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == SummaryPdf.Status.DONE and job.progress == 100 and job.finished_at
    raw = _pdf(job)
    assert raw[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(raw))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Bilan partagé avec le COPIL de mars." in text
    assert "1. Filières de soins 50" in text and "3. Conditions de travail 32,1" in text
    # The overall score, and every indicator's score, fill the page.
    assert "note globale" in text and "Note globale" in text
    assert "F2 — Délai d'accès au service" in text and "E6 — Circuits logistiques" in text
    assert reader.trailer["/Root"].get("/Lang") == "fr"
    assert job.file.name == f"evalimpact/syntheses/{evaluated.pk}/synthese-{key.hex}-g1.pdf"

    # A double submit (same key) returns the same job and enqueues nothing.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again, created = summary.summary_pdf_request(
            cooperation=evaluated, user=world.copil, request_key=key
        )
    assert again.pk == job.pk and not created and callbacks == []


def test_no_summary_without_an_evaluation(world):
    with pytest.raises(Exception, match="Aucune évaluation : la synthèse PDF"):
        summary.summary_pdf_request(
            cooperation=world.coop_ara, user=world.referent_a, request_key=uuid.uuid4()
        )
    assert not SummaryPdf.objects.exists()


def test_a_failing_renderer_ends_in_failed_with_a_french_message(
    evaluated, world, login, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("WeasyPrint indisponible")

    monkeypatch.setattr(summary, "render_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = summary.summary_pdf_request(
            cooperation=evaluated, user=world.referent_a, request_key=uuid.uuid4()
        )
    job.refresh_from_db()
    assert job.status == SummaryPdf.Status.FAILED and not job.file
    assert job.error == summary.FAILED_MESSAGE
    assert job.error.startswith("La génération de la synthèse PDF a échoué. Relancez-la")
    # Through the pages, in eager mode: a redirect to a status page that says so, no 500.
    client = login(world.referent_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("evalimpact:summary_request", args=[evaluated.pk]),
            {"request_key": str(uuid.uuid4())},
        )
    assert response.status_code == 302
    page = unescape(client.get(response["Location"]).content.decode())
    assert "Échec de la génération" in page and summary.FAILED_MESSAGE in page


def test_evaluations_deleted_before_the_worker_runs_end_in_a_clear_failure(
    evaluated, world, django_capture_on_commit_callbacks
):
    job = SummaryPdf.objects.create(cooperation=evaluated)
    evaluated.evaluations.all().delete()
    generate_summary_pdf.run(job.pk)
    job.refresh_from_db()
    assert job.status == SummaryPdf.Status.FAILED and job.attempts == 1
    assert job.error == summary.NO_EVALUATION


def test_a_late_duplicate_delivery_changes_nothing(evaluated):
    job = SummaryPdf.objects.create(cooperation=evaluated)
    generate_summary_pdf.run(job.pk)
    job.refresh_from_db()
    first = (job.file.name, job.finished_at, job.attempts)
    generate_summary_pdf.run(job.pk)
    job.refresh_from_db()
    assert (job.file.name, job.finished_at, job.attempts) == first


# --- pages ------------------------------------------------------------------------------


def test_director_requests_follows_and_downloads_the_summary(
    evaluated, world, login, django_capture_on_commit_callbacks
):
    client = login(world.referent_a)
    page = client.get(f"/evalimpact/cooperation/{evaluated.pk}/").content.decode()
    assert "Générer la synthèse PDF" in page
    key = re.search(r'name="request_key" value="([0-9a-f-]+)"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("evalimpact:summary_request", args=[evaluated.pk]), {"request_key": key}
        )
    job = SummaryPdf.objects.get(request_key=key)
    assert response["Location"] == reverse("evalimpact:summary", args=[job.pk])
    status = unescape(client.get(response["Location"]).content.decode())
    assert "Synthèse prête" in status and "Télécharger la synthèse (PDF)" in status
    download = client.get(reverse("evalimpact:summary_download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert f"evalimpact-synthese-{evaluated.pk}-" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content)[:5] == b"%PDF-"
    # The cooperation page then offers the latest summary.
    page = client.get(f"/evalimpact/cooperation/{evaluated.pk}/").content.decode()
    assert 'id="last-summary"' in page
    assert reverse("evalimpact:summary_download", args=[job.pk]) in page


def test_the_copil_guest_reads_but_may_not_start_the_summary_job(evaluated, world, login):
    """A document job is a write: the read-only COPIL guest gets 403 (issue 14, item 4);
    an agent of a concerned ARS, a reader with a voice, may ask."""
    url = reverse("evalimpact:summary_request", args=[evaluated.pk])
    refused = login(world.copil).post(url, {"request_key": str(uuid.uuid4())})
    assert refused.status_code == 403 and not SummaryPdf.objects.exists()
    response = login(world.agent_concerned).post(url, {"request_key": str(uuid.uuid4())})
    job = SummaryPdf.objects.get()
    assert response["Location"] == reverse("evalimpact:summary", args=[job.pk])
    assert job.requested_by == world.agent_concerned


def test_status_page_polls_while_running_then_announces_the_result(evaluated, world, login):
    job = SummaryPdf.objects.create(
        cooperation=evaluated, status=SummaryPdf.Status.RUNNING, progress=40
    )
    client = login(world.copil)
    url = reverse("evalimpact:summary", args=[job.pk])
    page = client.get(url).content.decode()
    assert '<p id="summary-news" class="fr-sr-only" role="status" aria-live="polite"' in page
    assert 'for="summary-bar"' in page and 'value="40"' in page
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.startswith('<div id="summary-progress" hx-get=')
    assert 'hx-trigger="every 1s"' in partial and "<html" not in partial
    assert "hx-swap-oob" not in partial
    # Not ready: no download yet.
    assert client.get(reverse("evalimpact:summary_download", args=[job.pk])).status_code == 404

    # The job goes back to the queue (a retry) and a worker renders it.
    SummaryPdf.objects.filter(pk=job.pk).update(status=SummaryPdf.Status.PENDING)
    generate_summary_pdf.run(job.pk)
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in partial and 'id="summary-download"' in partial
    assert (
        '<p id="summary-news" hx-swap-oob="innerHTML">La synthèse PDF est prête à télécharger.</p>'
        in partial
    )


def test_relancer_starts_the_same_failed_summary_again(
    evaluated, world, login, django_capture_on_commit_callbacks
):
    """ "Relancer" restarts the failed job itself (core.documents.restart: a new generation),
    as the COPIL pack's does, instead of asking for a new summary."""
    job = SummaryPdf.objects.create(
        cooperation=evaluated, status=SummaryPdf.Status.FAILED, error=summary.FAILED_MESSAGE
    )
    client = login(world.referent_a)
    page = unescape(client.get(reverse("evalimpact:summary", args=[job.pk])).content.decode())
    assert "Échec de la génération" in page and summary.FAILED_MESSAGE in page
    retry_url = reverse("evalimpact:summary_retry", args=[job.pk])
    assert f'action="{retry_url}"' in page and "Relancer la génération" in page
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(retry_url)
    assert response["Location"] == reverse("evalimpact:summary", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.error, job.generation) == (SummaryPdf.Status.PENDING, "", 2)
    assert SummaryPdf.objects.count() == 1
    page = unescape(client.get(response["Location"]).content.decode())
    assert "La génération de la synthèse PDF est relancée." in page
    assert 'id="summary-bar"' in page and "Relancer la génération" not in page
    for callback in callbacks:  # the worker renders the same job
        callback()
    job.refresh_from_db()
    assert job.is_ready and SummaryPdf.objects.count() == 1
    page = unescape(client.get(response["Location"]).content.decode())
    assert "Synthèse prête" in page and 'id="summary-download"' in page
    # A second click on a summary already produced starts nothing.
    client.post(retry_url)
    job.refresh_from_db()
    assert job.generation == 2 and job.is_ready


def test_the_copil_guest_may_not_relancer_a_summary(evaluated, world, login):
    job = SummaryPdf.objects.create(
        cooperation=evaluated, status=SummaryPdf.Status.FAILED, error=summary.FAILED_MESSAGE
    )
    response = login(world.copil).post(reverse("evalimpact:summary_retry", args=[job.pk]))
    assert response.status_code == 403
    job.refresh_from_db()
    assert job.status == SummaryPdf.Status.FAILED and job.generation == 1
    outsider = login(world.referent_c).post(reverse("evalimpact:summary_retry", args=[job.pk]))
    assert outsider.status_code == 404


def test_the_request_form_still_asks_for_a_new_summary_after_a_failure(
    evaluated, world, login, django_capture_on_commit_callbacks
):
    """The Eval'Impact page's request button (and a page loaded before Relancer became a
    restart) still asks for a new summary."""
    failed = SummaryPdf.objects.create(
        cooperation=evaluated, status=SummaryPdf.Status.FAILED, error=summary.FAILED_MESSAGE
    )
    key = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.referent_a).post(
            reverse("evalimpact:summary_request", args=[evaluated.pk]), {"request_key": key}
        )
    new = SummaryPdf.objects.get(request_key=key)
    assert new.pk != failed.pk and response["Location"].endswith(f"/synthese/{new.pk}/")
    new.refresh_from_db()
    assert new.is_ready


def test_summaries_of_another_region_are_not_found(evaluated, world, login):
    job = SummaryPdf.objects.create(cooperation=evaluated)
    generate_summary_pdf.run(job.pk)
    client = login(world.referent_c)
    assert client.get(reverse("evalimpact:summary", args=[job.pk])).status_code == 404
    assert client.get(reverse("evalimpact:summary_download", args=[job.pk])).status_code == 404
    response = client.post(
        reverse("evalimpact:summary_request", args=[evaluated.pk]),
        {"request_key": str(uuid.uuid4())},
    )
    assert response.status_code == 404 and SummaryPdf.objects.count() == 1


def test_a_request_without_evaluation_or_key_is_refused_in_french(world, login):
    client = login(world.referent_a)
    url = reverse("evalimpact:summary_request", args=[world.coop_ara.pk])
    response = client.post(url, {"request_key": str(uuid.uuid4())}, follow=True)
    assert "Aucune évaluation : la synthèse PDF n'est pas encore disponible." in unescape(
        response.content.decode()
    )
    response = client.post(url, {"request_key": "pas-une-clé"}, follow=True)
    assert "La demande n'a pas pu être lue" in unescape(response.content.decode())
    assert client.get(url).status_code == 405
    assert not SummaryPdf.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_summary_is_produced_by_the_celery_worker(celery_runner, world):
    """Through the real broker and worker when REDIS_URL is set (CI), eagerly otherwise."""
    evaluation = create_evaluation(world.coop_ara)
    _save(evaluation, complete_rows(evaluation))
    with transaction.atomic():
        job, _ = summary.summary_pdf_request(
            cooperation=world.coop_ara, user=world.referent_a, request_key=uuid.uuid4()
        )
    job = wait_until(lambda: SummaryPdf.objects.filter(pk=job.pk, status="done").first())
    assert _pdf(job)[:5] == b"%PDF-"


@pytest.mark.parametrize(
    ("user", "offered"),
    [("copil", False), ("agent_concerned", True), ("referent_a", True), ("agent_ara", True)],
)
def test_the_failed_summary_offers_relancer_only_to_who_may_ask(
    evaluated, world, login, user, offered
):
    """The page and its htmx poll read the view's `caps` (the one door): the read-only COPIL
    guest is not offered a button that would answer 403."""
    job = SummaryPdf.objects.create(
        cooperation=evaluated, status=SummaryPdf.Status.FAILED, error=summary.FAILED_MESSAGE
    )
    client = login(getattr(world, user))
    url = reverse("evalimpact:summary", args=[job.pk])
    page = unescape(client.get(url).content.decode())
    partial = unescape(client.get(url, headers={"HX-Request": "true"}).content.decode())
    for html in (page, partial):
        assert summary.FAILED_MESSAGE in html
        assert ("Relancer la génération" in html) is offered
