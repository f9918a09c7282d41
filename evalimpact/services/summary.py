"""The one-page Eval'Impact summary PDF, produced on request by Celery.

The summary shows live data (the latest evaluations), so each request makes a new
document: `summary_pdf_request` (POST) creates the job and enqueues it after commit;
`summary_pdf_generate` is the task's work (see core.documents for the life cycle).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cooperations.models import Cooperation
from core import documents
from core.pdf import render_pdf
from evalimpact import selectors
from evalimpact.models import Evaluation, SummaryPdf
from evalimpact.services import evaluations as services

NO_EVALUATION = "Aucune évaluation : la synthèse PDF n'est pas encore disponible."
FAILED_MESSAGE = (
    "La génération de la synthèse PDF a échoué. Relancez-la ; si le problème persiste, "
    "contactez l'administration nationale."
)


def summary_pdf_request(*, cooperation, user, request_key) -> tuple[SummaryPdf, bool]:
    """Create the summary job for this request key (a double submit returns the same job)."""
    if not Evaluation.objects.filter(cooperation=cooperation).exists():
        raise ValidationError(NO_EVALUATION)
    with transaction.atomic():
        job, created = SummaryPdf.objects.get_or_create(
            request_key=request_key,
            defaults={
                "cooperation": cooperation,
                "requested_by": user if user is not None and user.is_authenticated else None,
            },
        )
        if job.cooperation_id != cooperation.pk:
            raise ValidationError("Cette demande concerne une autre coopération.")
        if created:
            # A broker that cannot be reached fails the job with a French message.
            documents.enqueue_on_commit(SummaryPdf, job.pk)
    return job, created


def storage_name(job: SummaryPdf) -> str:
    return (
        f"evalimpact/syntheses/{job.cooperation_id}/"
        f"synthese-{job.request_key.hex}-g{job.generation}.pdf"
    )


def download_name(job: SummaryPdf) -> str:
    when = timezone.localtime(job.finished_at or job.created_at)
    return f"evalimpact-synthese-{job.cooperation_id}-{when:%Y-%m-%d-%H%M}.pdf"


def _halves(rows: list) -> list:
    """The indicator rows in two columns of about the same length, cut between axes."""
    if not rows:
        return []
    middle = len(rows) / 2
    cuts = [i for i in range(1, len(rows)) if rows[i]["axis"].pk != rows[i - 1]["axis"].pk]
    cut = min(cuts, key=lambda i: abs(i - middle)) if cuts else len(rows)
    return [rows[:cut], rows[cut:]]


def summary_pdf_generate(*, job_id: int) -> SummaryPdf | None:
    job = documents.start(SummaryPdf, job_id)
    if job is None:
        return None
    cooperation = Cooperation.objects.select_related("pilot_ars", "legal_form").get(
        pk=job.cooperation_id
    )
    summary = selectors.summary_for(cooperation)
    if not summary["evaluations"]:
        raise documents.GenerationRefused(NO_EVALUATION)
    context = {
        "cooperation": cooperation,
        **selectors.pdf_section_context(summary),
        "indicator_rows": (rows := selectors.indicator_rows(summary["evaluations_shown"])),
        # Two columns, split between axes 2 and 3, so that the page holds all of them.
        "indicator_halves": _halves(rows),
        "activities": {e.pk: services.activity_of(e) for e in summary["evaluations_shown"]},
    }
    documents.set_progress(job, 40)
    pdf = render_pdf(
        "evalimpact/pdf/summary.html", context, title=f"Eval'Impact — {cooperation.title}"
    )
    documents.set_progress(job, 80)
    name = documents.store(job, "file", storage_name(job), pdf)
    return documents.finish(job, {"file": name})
