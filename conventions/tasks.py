from celery import shared_task

from conventions import documents as version_documents
from conventions.models import VersionFiles
from core import documents


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=2)
def generate_version_files(self, files_id: int) -> int:
    """Render the PDF and DOCX of a convention version. acks_late + reject_on_worker_lost:
    a killed worker's message is delivered again and the idempotent service finishes the
    same files (same storage names)."""
    documents.run_in_task(
        self,
        VersionFiles,
        files_id,
        lambda: version_documents.version_files_generate(files_id=files_id),
        message=version_documents.FAILED_MESSAGE,
    )
    return files_id


@shared_task
def apply_tacit_approvals() -> int:
    """Daily (Celery beat): record the tacit approvals whose delay ran out without decision."""
    from conventions.services import approval_tacit_apply

    return len(approval_tacit_apply())
