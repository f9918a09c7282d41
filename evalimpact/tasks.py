from celery import shared_task

from core import documents
from evalimpact.models import HospidiagImport, SummaryPdf
from evalimpact.services import hospidiag, summary


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=2)
def generate_summary_pdf(self, job_id: int) -> int:
    """Render an Eval'Impact summary PDF. acks_late + reject_on_worker_lost: a killed
    worker's message is delivered again and the idempotent service finishes the same
    document (same storage name)."""
    documents.run_in_task(
        self,
        SummaryPdf,
        job_id,
        lambda: summary.summary_pdf_generate(job_id=job_id),
        message=summary.FAILED_MESSAGE,
    )
    return job_id


@shared_task(bind=True, acks_late=True, max_retries=2)
def run_hospidiag_import(self, run_id: int) -> int:
    """Import a stored Hospi Diag file (one transaction: a retry or a run re-queued by the
    reaper after a killed worker never stores a value twice)."""
    documents.run_in_task(
        self,
        HospidiagImport,
        run_id,
        lambda: hospidiag.hospidiag_run_execute(run_id=run_id),
    )
    return run_id


@shared_task(acks_late=True, max_retries=2)
def warm_radars(evaluation_id: int) -> int:
    """Draw the radars of a just-saved evaluation into the cache (issue 17: the first
    view of a page is served from the cache, never drawn in the web request)."""
    from evalimpact.services import radar_cache

    return radar_cache.warm(evaluation_id)
