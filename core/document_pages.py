"""The web pages of a generated document (core.models.GeneratedDocument) that a user asks
for and then follows: the COPIL pack (suivi) and the Eval'Impact summary PDF.

After the request (the kit's view, core.forms.start_document), the browser is sent to the
job's status page, which the htmx poll refreshes every second (`status_page`: the state
fragment alone for htmx) until the document is ready (a download button), or failed or
stalled (a French message and, for who may ask, "Relancer": `retry`, core.documents.restart,
the same job as a new generation). `download` serves the file once it is ready. The kits
keep their wording (a `DocumentPage`), scope and permissions; the steps they share live
here, as the import pages' do in core.imports.

Views: `job_in_scope`, `status_page`, `retry` and `download` serve a kit's view, which stays
a thin function: it passes its scoped queryset and checks the right to ask itself
(cooperations.access, a floor above this one), and tells the status page whether to offer
"Relancer" from that same right (`may_retry`), so the rule is written once, in the kit. Templates: `core/document_status.html` (the
page) and `core/_document_state.html` (the state the poll swaps, with its live-region news).
Errors: a job out of scope is a 404; a download before the file is ready is a French 404.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core import documents
from core.uploads import attachment_response


@dataclass(frozen=True)
class DocumentPage:
    """A kit's wording and URL names for the pages of one kind of generated document.

    `prefix` names the page's elements (`<prefix>-progress`, `-bar`, `-news`,
    `-download`: browser tests and the live region use them); the URL names take the job's
    pk, but `back_url` the cooperation's. Who may ask "Relancer" is the kit's right, not
    the page's (`status_page`'s `may_retry`).
    """

    prefix: str  # "copil"
    status_url: str  # "suivi:copil_status"
    download_url: str
    retry_url: str
    back_url: str  # "suivi:copil": the kit's page of the cooperation (its pk)
    title: str  # "Génération du dossier COPIL" (the page's title and heading)
    of_document: str  # "du dossier COPIL": "La génération du dossier COPIL a échoué."
    ready_title: str  # "Dossier prêt"
    generated_on: str  # "Généré le"
    download_label: str  # "Télécharger le dossier COPIL (PDF)"
    ready_news: str  # "Le dossier COPIL est prêt à télécharger."
    back_label: str  # "Tous les dossiers COPIL"
    not_restartable: str  # "Ce dossier COPIL est prêt ou en cours de génération."
    not_ready: str  # "Ce dossier n'est pas encore prêt." (the download's 404)
    requested_on: str = ""  # "Demandée le": says when and by whom (empty: not shown)
    intro: str = ""  # a paragraph under the heading: what the document holds


def job_in_scope(queryset, pk: int):
    """The job `pk` of the kit's scoped queryset (`Model.objects.visible_to(user)`), its
    cooperation and requester joined (the status page prints both, once a second while it
    polls); 404 outside the scope."""
    return get_object_or_404(queryset.select_related("cooperation", "requested_by"), pk=pk)


def status_page(request, page: DocumentPage, job, *, may_retry: bool, breadcrumb_data):
    """The job's status page, or its state fragment alone for the htmx poll.

    `may_retry`: whether the user may ask "Relancer" (the kit's retry view checks the same
    right, cooperations.access.allows on the view's access). The page shows the cooperation's title under its heading
    and links back to the kit's page of it (`page.back_url`, `page.back_label`)."""
    cooperation = job.cooperation
    context = {
        "title": page.title,
        "doc": page,
        "job": job,
        "may_retry": may_retry,
        "lead": cooperation.title,
        "back_url": reverse(page.back_url, args=[cooperation.pk]),
        "breadcrumb_data": breadcrumb_data,
    }
    template = "core/_document_state.html" if request.htmx else "core/document_status.html"
    return render(request, template, context)


def retry(request, page: DocumentPage, job):
    """ "Relancer": start a failed or stalled job again (core.documents.restart: the same
    job, a new generation), then back to its page with a French message. A job ready or
    still progressing is left alone (a double click restarts nothing). The kit's view has
    checked the right to ask first."""
    if documents.restart(job):
        messages.success(request, f"La génération {page.of_document} est relancée.")
    else:
        messages.info(request, page.not_restartable)
    return redirect(page.status_url, job.pk)


def download(page: DocumentPage, job, name_of, field_name: str = "file"):
    """The job's file as an attachment named `name_of(job)` (the kit's `download_name`);
    a French 404 (`page.not_ready`) until it is ready."""
    if not job.is_ready:
        raise Http404(page.not_ready)
    return attachment_response(getattr(job, field_name), name_of(job))
