"""The FINESS import from the web: a run (territories.models.ImportRun) per uploaded file,
imported by Celery with the life cycle of core.documents."""

import contextlib
import logging
import shutil
import tempfile
from pathlib import Path

from django.core.cache import cache
from django.db import InterfaceError, OperationalError

from core import documents, imports
from territories.download import DownloadError, download
from territories.importers import ImportBusy, ImportReport, NotAFinessFile, import_register_file
from territories.models import ImportRun

logger = logging.getLogger(__name__)

FAILED_MESSAGE = ImportRun.FAILED_MESSAGE
# Errors worth another try of the task (the import is one transaction: nothing written).
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
# Seconds an import waits for a running one before its task retries later.
LOCK_WAIT = 20
# What the import writes on its run, besides the life-cycle fields of core.documents.
REPORT_FIELDS = (
    "kind",
    "format_description",
    "created_count",
    "updated_count",
    "rejected_count",
    "rejected_lines",
    "notes",
    "counts",
    "changes",
    "total_bytes",
    "processed_bytes",
)

KNOWN_SUFFIXES = (".json.gz", ".csv.gz", ".json", ".csv", ".txt", ".gz", ".xlsx")


class _NothingToDo(Exception):  # noqa: N818 - a signal, not an error
    """core.documents.start found the run done, failed or on a live worker."""


def import_run_create(*, user, uploaded) -> ImportRun:
    """Store the uploaded file as a pending run and enqueue its import after commit (a broker
    that cannot be reached fails the run with a French message, never the request)."""
    run = ImportRun(
        started_by=user,
        original_name=uploaded.name[:255],
        total_bytes=uploaded.size,
    )
    return imports.store_upload(run, uploaded, prefix="finess", suffixes=KNOWN_SUFFIXES)


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


@contextlib.contextmanager
def _source_path(run: ImportRun):
    """The file to import: the uploaded one, or a fresh download of the run's source URL
    (the scheduled refresh; raises DownloadError), deleted afterwards."""
    if run.file:
        with _local_path(run.file) as path:
            yield path
        return
    with tempfile.TemporaryDirectory(prefix="kitcoop-finess-") as folder:
        path = Path(folder) / (run.original_name or "finess.json")
        run.total_bytes = download(run.source_url, path)
        ImportRun.objects.filter(pk=run.pk).update(total_bytes=run.total_bytes)
        yield path


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


@documents.attempt_scope()  # fails or re-queues only the attempt it started
def import_run_execute(
    *, run_id: int, lock_wait: float = LOCK_WAIT, last_try: bool = True, beat: bool = False
) -> ImportRun:
    """Import the run's file (for a scheduled refresh, downloaded once the import lock is
    held and the run started); returns the run.

    A core.documents job: started once the import lock is held, so a run waiting for
    another import stays pending; a run done, failed or imported by a live worker is left
    alone (a message delivered twice does nothing); it beats while it imports when `beat`
    (on a real worker, so that a killed worker is seen as stalled and re-queued by the
    reaper); the import is one transaction, so a run started again never imports twice.
    Unless this is the last try, raises ImportBusy while another import runs and
    TRANSIENT_ERRORS (the task retries them, the run pending again); otherwise any error
    fails the run with a French message, the traceback going to the log, never to the page.
    """
    run = ImportRun.objects.get(pk=run_id)
    # Done, failed, or imported by a live worker (a duplicate delivery): nothing to do, and
    # no download of a refresh's file whose failure would then fail the live run.
    if documents.nothing_to_do(run):
        return run
    started = None

    def start() -> None:
        nonlocal started
        started = documents.start(ImportRun, run_id)
        if started is None:
            raise _NothingToDo
        cache.set(run.progress_key, 0, timeout=3600)

    def progress(done: int) -> None:
        cache.set(run.progress_key, done, timeout=3600)

    expect = run.kind if run.source_url and run.kind != "finess" else None
    try:
        with documents.heartbeat(ImportRun, run_id) if beat else contextlib.nullcontext():
            # The file (a refresh's download) is fetched only once the lock is held and the
            # run claimed: a duplicate delivery waiting for the lock downloads nothing.
            report = import_register_file(
                name=run.original_name,
                expect=expect,
                progress=progress,
                lock_wait=lock_wait,
                on_start=start,
                source=lambda: _source_path(run),
            )
    except _NothingToDo:
        pass
    except ImportBusy as busy:
        if not last_try:
            raise  # still pending: the task tries again later
        current = ImportRun.objects.get(pk=run_id)
        if not (current.status == ImportRun.Status.RUNNING and current.is_polling):
            # (a duplicate of a run another worker imports leaves it to that worker)
            documents.fail(ImportRun, run_id, busy.message)
    except NotAFinessFile as error:
        # The file itself is refused (not FINESS, unreadable, bad encoding): "Relancer"
        # would fail the same way; the page asks for a corrected file.
        documents.fail(ImportRun, run_id, str(error), permanent=True)
    except DownloadError as error:
        documents.fail(ImportRun, run_id, str(error))  # the source may answer next time
    except Exception as error:  # noqa: BLE001 - reported to the admin in French, nothing written
        if not last_try and isinstance(error, TRANSIENT_ERRORS):
            # A dropped connection or a deadlock: the task tries again (nothing was written).
            documents.back_to_queue(ImportRun, run_id)
            raise
        logger.exception("Import FINESS n° %s en échec (%s)", run_id, run.original_name)
        documents.fail(ImportRun, run_id)
    else:
        apply_report(started, report)
        started.total_bytes = run.total_bytes
        started.processed_bytes = run.total_bytes
        return documents.finish(started, {}, fields=REPORT_FIELDS)
    return ImportRun.objects.get(pk=run_id)


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
