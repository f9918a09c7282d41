from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from territories.importers import NotAFinessFile, import_finess
from territories.models import ImportRun


def progress_key(run_id: int) -> str:
    return f"finess-import-progress-{run_id}"


def import_run_progress(run: ImportRun) -> int:
    """Percent done, read from the cache while the import runs."""
    if run.status in (ImportRun.Status.DONE, ImportRun.Status.FAILED):
        return 100 if run.status == ImportRun.Status.DONE else run.percent
    done = cache.get(progress_key(run.pk), run.processed_bytes)
    return min(99, int(done * 100 / run.total_bytes)) if run.total_bytes else 0


def import_run_create(*, user, uploaded) -> ImportRun:
    run = ImportRun(
        started_by=user,
        original_name=uploaded.name[:255],
        total_bytes=uploaded.size,
    )
    run.file.save(f"finess-{timezone.now():%Y%m%d-%H%M%S}.csv", uploaded, save=False)
    run.save()
    from territories.tasks import run_finess_import

    transaction.on_commit(lambda: run_finess_import.delay(run.pk))
    return run


def import_run_execute(*, run_id: int) -> ImportRun:
    run = ImportRun.objects.get(pk=run_id)
    if run.status == ImportRun.Status.DONE:
        return run  # a retried task must not import twice
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, processed_bytes=0)

    def progress(done: int) -> None:
        # The import is one transaction, invisible to other connections until it ends:
        # progress goes through the cache (Redis in production), which the page polls.
        cache.set(progress_key(run.pk), done, timeout=3600)

    try:
        with run.file.open("rb") as handle:
            report = import_finess(handle, progress=progress)
    except NotAFinessFile as error:
        run.status, run.error = ImportRun.Status.FAILED, str(error)
    except Exception as error:  # noqa: BLE001 - reported to the admin, nothing written
        run.status = ImportRun.Status.FAILED
        run.error = f"L'import a échoué et rien n'a été enregistré : {error}"
    else:
        run.status = ImportRun.Status.DONE
        run.created_count, run.updated_count = report.created, report.updated
        run.rejected_count, run.rejected_lines = report.rejected, report.rejected_lines
        run.processed_bytes = run.total_bytes
    run.finished_at = timezone.now()
    run.save()
    return run
