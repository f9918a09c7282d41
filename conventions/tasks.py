from celery import shared_task

from conventions import documents as version_documents
from conventions.models import VersionFiles
from core import documents


@documents.document_task(VersionFiles, message=version_documents.FAILED_MESSAGE)
def generate_version_files(files_id: int) -> None:
    """Render the PDF and DOCX of a convention version."""
    version_documents.version_files_generate(files_id=files_id)


@shared_task
def apply_tacit_approvals() -> int:
    """Daily (Celery beat): record the tacit approvals whose delay ran out without decision."""
    from conventions.services import approval_tacit_apply

    return len(approval_tacit_apply())
