from celery import shared_task

from core import documents
from evalimpact.models import SummaryPdf
from evalimpact.services import summary


@documents.document_task(SummaryPdf, message=summary.FAILED_MESSAGE)
def generate_summary_pdf(job_id: int) -> None:
    """Render an Eval'Impact summary PDF."""
    summary.summary_pdf_generate(job_id=job_id)


@shared_task(acks_late=True, max_retries=2)
def warm_radars(evaluation_id: int) -> int:
    """Draw the radars of a just-saved evaluation into the cache (issue 17: the first
    view of a page is served from the cache, never drawn in the web request)."""
    from evalimpact.services import radar_cache

    return radar_cache.warm(evaluation_id)
