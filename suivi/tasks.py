from celery import shared_task

from core import documents
from suivi import copil, reminders
from suivi.models import CopilPack


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=2)
def generate_copil_pack(self, pack_id: int) -> int:
    """acks_late + reject_on_worker_lost: a killed worker's message is delivered again and the
    idempotent service finishes the same pack (same file name) instead of adding a document;
    the reaper (core.tasks) re-queues it sooner when its heartbeat stops."""
    documents.run_in_task(
        self,
        CopilPack,
        pack_id,
        lambda: copil.copil_pack_generate(pack_id=pack_id),
        message=copil.FAILED_MESSAGE,
    )
    return pack_id


@shared_task(acks_late=True)
def send_report_reminders() -> int:
    return reminders.send_report_reminders()


@shared_task(acks_late=True)
def scan_overdue() -> dict:
    from suivi import overdue

    return overdue.scan()
