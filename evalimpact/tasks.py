from celery import shared_task

from core import documents
from evalimpact.models import HospidiagImport, SummaryPdf
from evalimpact.services import hospidiag, summary


@documents.document_task(SummaryPdf, message=summary.FAILED_MESSAGE)
def generate_summary_pdf(job_id: int) -> None:
    """Render an Eval'Impact summary PDF."""
    summary.summary_pdf_generate(job_id=job_id)


@documents.document_task(HospidiagImport)
def run_hospidiag_import(run_id: int) -> None:
    """Import a stored Hospi Diag file (one transaction: a retry, a duplicate delivery or
    a run re-queued by the reaper after a killed worker never stores a value twice)."""
    hospidiag.hospidiag_run_execute(run_id=run_id)


@shared_task(acks_late=True, max_retries=2)
def warm_radars(evaluation_id: int) -> int:
    """Draw the radars of a just-saved evaluation into the cache (issue 17: the first
    view of a page is served from the cache, never drawn in the web request)."""
    from evalimpact.services import radar_cache

    return radar_cache.warm(evaluation_id)
