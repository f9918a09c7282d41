from celery import shared_task

from suivi import copil, reminders


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=2)
def generate_copil_pack(self, pack_id: int) -> int:
    """acks_late + reject_on_worker_lost: a killed worker's message is delivered again and the
    idempotent service finishes the same pack (same file name) instead of adding a document."""
    try:
        return copil.copil_pack_generate(pack_id=pack_id).pk
    except Exception as error:
        # Eager mode (no broker) runs inside the web request: fail cleanly, never a 500.
        if self.request.is_eager or self.request.retries >= self.max_retries:
            copil.copil_pack_fail(pack_id=pack_id)
            return pack_id
        raise self.retry(exc=error, countdown=5) from error


@shared_task(acks_late=True)
def send_report_reminders() -> int:
    return reminders.send_report_reminders()


@shared_task(acks_late=True)
def scan_overdue() -> dict:
    from suivi import overdue

    return overdue.scan()
