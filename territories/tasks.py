from celery import shared_task

from territories.importers import ImportBusy
from territories.refresh import refresh_register
from territories.services import TRANSIENT_ERRORS, import_run_execute


@shared_task(bind=True, acks_late=True, max_retries=3)
def run_finess_import(self, run_id: int) -> int:
    """A second import waits for the running one (advisory lock), then retries every
    minute; a dropped connection or a deadlock is retried too. The last try fails the
    run with a French message. A worker killed mid-import stops the run's heartbeat: the
    reaper (core.tasks) re-queues it (core.documents), and a duplicate delivery does nothing."""
    last_try = self.request.is_eager or self.request.retries >= self.max_retries
    try:
        return import_run_execute(
            run_id=run_id, last_try=last_try, beat=not self.request.is_eager
        ).pk
    except (ImportBusy, *TRANSIENT_ERRORS) as error:
        raise self.retry(exc=error, countdown=60) from error


@shared_task(bind=True, acks_late=True)
def refresh_finess_register(self) -> list[int]:
    """Celery beat: fetch the ANS's daily files and import them (see territories/refresh.py)."""
    return [run.pk for run in refresh_register(beat=not self.request.is_eager)]
