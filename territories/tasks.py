from celery import shared_task

from territories.services import import_run_execute


@shared_task(bind=True, acks_late=True, max_retries=2)
def run_finess_import(self, run_id: int) -> int:
    return import_run_execute(run_id=run_id).pk
