from celery import shared_task

from territories.services import import_run_execute


@shared_task(bind=True, acks_late=True, max_retries=2)
def run_finess_import(self, run_id: int) -> int:
    return import_run_execute(run_id=run_id).pk


@shared_task(acks_late=True)
def refresh_finess_register() -> list[int]:
    """Celery beat: fetch the ANS's daily files and import them (see territories/refresh.py)."""
    from territories.refresh import refresh_register

    return [run.pk for run in refresh_register()]
