from celery import shared_task

from core import documents
from suivi import copil, reminders
from suivi.models import CopilPack


@documents.document_task(CopilPack, message=copil.FAILED_MESSAGE)
def generate_copil_pack(pack_id: int) -> None:
    """Assemble the COPIL pack; the reaper (core.tasks) re-queues it sooner when its
    heartbeat stops."""
    copil.copil_pack_generate(pack_id=pack_id)


@shared_task(acks_late=True)
def send_report_reminders() -> int:
    return reminders.send_report_reminders()


@shared_task(acks_late=True)
def scan_overdue() -> dict:
    from suivi import overdue

    return overdue.scan()
