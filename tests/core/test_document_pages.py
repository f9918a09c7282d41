"""core.document_pages: the shared status / Relancer / download steps of a generated
document, called as a kit's view calls them (here with the COPIL pack's model and URLs)."""

import dataclasses
from html import unescape

import pytest
from django.core.files.base import ContentFile
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from core import document_pages
from suivi.models import CopilPack
from suivi.views import COPIL_PAGE

pytestmark = pytest.mark.django_db

PAGE = dataclasses.replace(
    COPIL_PAGE,
    prefix="essai",
    title="Génération du document d'essai",
    of_document="du document d'essai",
    ready_title="Document prêt",
    download_label="Télécharger le document d'essai",
    ready_news="Le document d'essai est prêt.",
    back_label="Retour à l'essai",
    not_ready="Ce document d'essai n'est pas prêt.",
)


def _get(user, *, htmx: bool):
    headers = {"HX-Request": "true"} if htmx else {}
    request = RequestFactory().get("/essai/", headers=headers)
    request.user = user
    request.htmx = HtmxDetails(request)
    return request


def _render(world, job, *, htmx: bool, can_edit: bool = True) -> str:
    response = document_pages.status_page(
        _get(world.referent_a, htmx=htmx),
        PAGE,
        job,
        may_retry=can_edit,
        breadcrumb_data=None,
    )
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_a_poll_gets_the_state_alone_and_a_visit_the_whole_page(world):
    job = CopilPack.objects.create(
        cooperation=world.coop_ara, status=CopilPack.Status.RUNNING, progress=30
    )
    page = _render(world, job, htmx=False)
    assert "<html" in page and '<h1 class="fr-h2">Génération du document d\'essai</h1>' in page
    assert '<p id="essai-news" class="fr-sr-only" role="status"' in page
    assert world.coop_ara.title in page
    assert f'href="/suivi/{world.coop_ara.pk}/copil/">Retour à l\'essai</a>' in page
    assert 'for="essai-bar"' in page and 'value="30"' in page

    partial = _render(world, job, htmx=True)
    assert partial.startswith(f'<div id="essai-progress" hx-get="/suivi/copil/{job.pk}/"')
    assert "<html" not in partial and "essai-news" not in partial  # nothing to announce yet

    CopilPack.objects.filter(pk=job.pk).update(status=CopilPack.Status.FAILED, error="Raté.")
    job.refresh_from_db()
    partial = _render(world, job, htmx=True)
    assert "hx-trigger" not in partial and "Raté." in partial
    assert (
        '<p id="essai-news" hx-swap-oob="innerHTML">La génération du document d\'essai a échoué.'
        in partial
    )


def test_relancer_is_offered_only_when_the_caps_allow_it(world):
    job = CopilPack.objects.create(
        cooperation=world.coop_ara, status=CopilPack.Status.FAILED, error="Raté."
    )
    for htmx in (False, True):
        offered = _render(world, job, htmx=htmx, can_edit=True)
        assert f'action="/suivi/copil/{job.pk}/relancer/"' in offered
        refused = _render(world, job, htmx=htmx, can_edit=False)
        assert "Raté." in refused and "Relancer la génération" not in refused


def test_the_download_is_a_french_404_until_the_file_is_ready(world):
    job = CopilPack.objects.create(cooperation=world.coop_ara, status=CopilPack.Status.RUNNING)
    with pytest.raises(Http404, match="Ce document d'essai n'est pas prêt."):
        document_pages.download(PAGE, job, lambda job: "essai.pdf")
    job.file.save("essai.pdf", ContentFile(b"%PDF-1.7 essai"), save=False)
    job.status = CopilPack.Status.DONE
    job.save()
    response = document_pages.download(PAGE, job, lambda job: "essai.pdf")
    assert response["Content-Disposition"].startswith('attachment; filename="essai.pdf"')
    assert b"".join(response.streaming_content) == b"%PDF-1.7 essai"


def test_a_job_out_of_the_kit_scope_is_not_found(world):
    job = CopilPack.objects.create(cooperation=world.coop_ara)
    in_scope = CopilPack.objects.visible_to(world.referent_a)
    assert document_pages.job_in_scope(in_scope, job.pk) == job
    with pytest.raises(Http404):
        document_pages.job_in_scope(CopilPack.objects.visible_to(world.referent_c), job.pk)


def test_the_status_page_reads_the_job_its_cooperation_and_requester_at_once(
    world, django_assert_num_queries
):
    job = CopilPack.objects.create(cooperation=world.coop_ara, requested_by=world.referent_a)
    in_scope = CopilPack.objects.visible_to(world.referent_a)
    found = document_pages.job_in_scope(in_scope, job.pk)
    with django_assert_num_queries(0):
        assert found.cooperation.title and found.requested_by.username


@pytest.mark.parametrize("kit", ["copil", "summary"])
def test_relancer_is_offered_to_exactly_whom_the_retry_lets_through(world, login, kit):
    """Per role, the status page offers "Relancer" exactly when the retry view accepts the
    user: both read the kit's one right (cooperations.access.allows)."""
    from evalimpact.models import SummaryPdf

    if kit == "copil":
        job = CopilPack.objects.create(cooperation=world.coop_ara, status="failed", error="Raté.")
        status, retry = f"/suivi/copil/{job.pk}/", f"/suivi/copil/{job.pk}/relancer/"
    else:
        job = SummaryPdf.objects.create(cooperation=world.coop_ara, status="failed", error="Raté.")
        status = reverse("evalimpact:summary", args=[job.pk])
        retry = reverse("evalimpact:summary_retry", args=[job.pk])
    seen = {}
    for name in ("agent_ara", "referent_a", "copil", "agent_occ", "referent_c", "outsider"):
        client = login(getattr(world, name))
        page = client.get(status)
        if page.status_code == 404:
            assert client.post(retry).status_code == 404, name
            continue
        offered = f'action="{retry}"' in page.content.decode()
        answer = client.post(retry).status_code
        assert answer in (302, 403), name
        assert offered == (answer == 302), name
        seen[name] = offered
        type(job).objects.filter(pk=job.pk).update(status="failed")  # ready to retry again
    assert seen["referent_a"] and seen["copil"] is False
