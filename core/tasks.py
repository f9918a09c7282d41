from celery import shared_task

from core import documents


@shared_task(acks_late=True)
def reap_stalled_documents() -> dict:
    """Celery beat, every DOCUMENT_REAPER_SECONDS: re-queue or fail the background jobs
    (generated documents and imports) whose worker died or whose message was lost
    (core.documents.reap)."""
    return documents.reap()
