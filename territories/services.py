import contextlib
import logging
import shutil
import tempfile
from pathlib import Path

from django.core.cache import cache
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from core import taskqueue
from territories.importers import ImportBusy, ImportReport, NotAFinessFile, import_register_file
from territories.models import ImportRun

logger = logging.getLogger(__name__)

FAILED_MESSAGE = (
    "L'import a échoué et rien n'a été enregistré. L'erreur est consignée pour l'équipe "
    "technique ; relancez l'import, et si le problème persiste, contactez-la."
)
QUEUE_DOWN_MESSAGE = (
    "Le service de traitement des imports est momentanément indisponible : l'import n'a pas "
    "démarré et rien n'a été enregistré. Relancez-le dans quelques minutes."
)
# Errors worth another try of the task (the import is one transaction: nothing written).
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
# Seconds an import waits for a running one before its task retries later.
LOCK_WAIT = 20

KNOWN_SUFFIXES = (".json.gz", ".csv.gz", ".json", ".csv", ".txt", ".gz", ".xlsx")


def progress_key(run_id: int) -> str:
    return f"finess-import-progress-{run_id}"


def import_run_progress(run: ImportRun) -> int:
    """Percent done, read from the cache while the import runs."""
    if run.status in (ImportRun.Status.DONE, ImportRun.Status.FAILED):
        return 100 if run.status == ImportRun.Status.DONE else run.percent
    done = cache.get(progress_key(run.pk), run.processed_bytes)
    return min(99, int(done * 100 / run.total_bytes)) if run.total_bytes else 0


def _suffix(name: str) -> str:
    lower = (name or "").lower()
    return next((s for s in KNOWN_SUFFIXES if lower.endswith(s)), ".dat")


def import_run_create(*, user, uploaded) -> ImportRun:
    run = ImportRun(
        started_by=user,
        original_name=uploaded.name[:255],
        total_bytes=uploaded.size,
    )
    run.file.save(
        f"finess-{timezone.now():%Y%m%d-%H%M%S}{_suffix(uploaded.name)}", uploaded, save=False
    )
    run.save()
    from territories.tasks import run_finess_import

    def enqueue() -> None:
        if not taskqueue.submit(run_finess_import, run.pk):
            ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.PENDING).update(
                status=ImportRun.Status.FAILED, error=QUEUE_DOWN_MESSAGE, finished_at=timezone.now()
            )

    transaction.on_commit(enqueue)
    return run


@contextlib.contextmanager
def _local_path(field_file):
    """A path on disk for the stored file (a copy when the storage is not a local disk)."""
    try:
        yield Path(field_file.path)
        return
    except NotImplementedError:
        pass
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / Path(field_file.name).name
        with field_file.open("rb") as source, open(target, "wb") as copy:
            shutil.copyfileobj(source, copy)
        yield target


def apply_report(run: ImportRun, report: ImportReport) -> None:
    run.kind = report.kind
    run.format_description = report.format_description
    run.created_count, run.updated_count = report.created, report.updated
    run.rejected_count, run.rejected_lines = report.rejected, report.rejected_lines
    run.notes = report.notes
    run.counts = {
        **{k: v for k, v in report.counts.items() if k != "grouping_lines"},
        "summary": report.summary_lines(),
        "entities_created": report.entities_created,
        "entities_updated": report.entities_updated,
        "without_ars": report.without_ars,
        "notes_count": report.notes_count,
    }
    run.changes = report.changes


def import_run_execute(*, run_id: int, lock_wait: float = LOCK_WAIT, last_try: bool = True):
    """Import the run's file. Unless this is the last try, raises ImportBusy while another
    import runs and TRANSIENT_ERRORS (the task retries them); otherwise any error fails the
    run with a French message, the traceback going to the log, never to the page."""
    run = ImportRun.objects.get(pk=run_id)
    if run.status in (ImportRun.Status.DONE, ImportRun.Status.FAILED):
        return run  # a retried or redelivered task must not import twice

    def progress(done: int) -> None:
        # The import is one transaction, invisible to other connections until it ends:
        # progress goes through the cache (Redis in production), which the page polls.
        cache.set(progress_key(run.pk), done, timeout=3600)

    try:
        with _local_path(run.file) as path:
            report = import_register_file(
                path,
                name=run.original_name,
                progress=progress,
                lock_wait=lock_wait,
                on_start=lambda: ImportRun.objects.filter(pk=run.pk).update(
                    status=ImportRun.Status.RUNNING, processed_bytes=0
                ),
            )
    except ImportBusy as busy:
        if not last_try:
            raise  # still pending: the task tries again later
        run.status, run.error = ImportRun.Status.FAILED, busy.message
    except NotAFinessFile as error:
        run.status, run.error = ImportRun.Status.FAILED, str(error)
    except Exception as error:  # noqa: BLE001 - reported to the admin in French, nothing written
        if not last_try and isinstance(error, TRANSIENT_ERRORS):
            # A dropped connection or a deadlock: the task tries again (nothing was written).
            ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.PENDING)
            raise
        logger.exception("Import FINESS n° %s en échec (%s)", run.pk, run.original_name)
        run.status, run.error = ImportRun.Status.FAILED, FAILED_MESSAGE
    else:
        run.status = ImportRun.Status.DONE
        apply_report(run, report)
        run.processed_bytes = run.total_bytes
    run.finished_at = timezone.now()
    run.save()
    return run


def name_entities_from_hospidiag(path: Path | str) -> int:
    """Name the still unnamed legal entities from a Hospi Diag file, whose lines are keyed
    by the legal entity's FINESS number and carry its raison sociale (`rs`), except the
    `APs` lines (sites of AP-HP, AP-HM, HCL). Never overwrites a name. Returns the count.
    """
    from core.tabular import read_table
    from territories.identifiers import normalise_finess_number
    from territories.models import LegalEntity

    path = Path(path)
    detected, header, rows = read_table(path, expected_columns=("finess", "rs"))
    keys = [h.strip().lower() for h in header]
    if "finess" not in keys or "rs" not in keys:
        return 0
    finess_index, name_index = keys.index("finess"), keys.index("rs")
    field_index = keys.index("champ_pmsi") if "champ_pmsi" in keys else None
    names = {}
    for _line, row in rows:
        if len(row) <= max(finess_index, name_index):
            continue
        if field_index is not None and row[field_index].strip().upper() == "APS":
            continue
        number = normalise_finess_number(row[finess_index])
        if number.ok and row[name_index].strip():
            names[number.value] = row[name_index].strip()
    year = next(
        (part for part in path.stem.replace("-", "_").split("_") if part[-4:].isdigit()), ""
    )
    source = f"Hospi Diag {year[-4:]} (raison sociale du n° FINESS de l'entité juridique)".strip()
    entities = list(LegalEntity.objects.filter(finess__in=list(names), name=""))
    for entity in entities:
        entity.name = names[entity.finess][:255]
        entity.name_source = source[:80]
    LegalEntity.objects.bulk_update(entities, ["name", "name_source"], batch_size=500)
    return len(entities)
