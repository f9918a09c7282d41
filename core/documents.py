"""Life cycle of the work done in the background (see core.models.BackgroundJob): the
generated documents (core.models.GeneratedDocument) and the imports (FINESS register).

A kit's service renders the bytes; these helpers do the rest the same way for every kit:

    job = documents.start(Model, pk)           # pending → running (None: nothing to do)
    documents.set_progress(job, 40)
    name = documents.store(job, "file", "some/stable/name.pdf", pdf_bytes)
    documents.finish(job, {"file": name})      # → done (unless a newer generation exists)

and the kit's Celery task wraps its service in `run_in_task`, which beats while it renders,
retries on a real worker and ends in a clean "failed" status (French message, never a 500)
in eager mode. `enqueue` sends a job's task (a broker that cannot be reached fails the job
with a French message instead of an error page), `restart` is the "Relancer" button and
`reap` (Celery beat, core.tasks) re-queues or fails the jobs whose worker died.
`ensure` is the request of a document that belongs to an object (one job per object,
rendered again on demand). An import calls `start` once it holds its lock and
`finish(job, {})` with its report saved on the row: it stores no file.

Idempotent: the storage name derives from the job (row token + generation), so a retry
after a killed worker overwrites its partial file instead of adding a document, a job
already done is left untouched, and a message delivered again while a live worker still
renders the job (its heartbeat is fresh) does nothing.
"""

import contextlib
import contextvars
import logging
import threading

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from core import taskqueue

logger = logging.getLogger(__name__)

FAILED_MESSAGE = (
    "La génération a échoué. Relancez-la ; si le problème persiste, "
    "contactez l'administration nationale."
)
QUEUE_DOWN_MESSAGE = (
    "Le service de génération des documents est momentanément indisponible : la demande "
    "n'a pas pu lui être transmise. Relancez-la dans quelques minutes ; si le problème "
    "persiste, contactez l'administration nationale."
)
ABANDONED_MESSAGE = (
    "La génération a été interrompue à plusieurs reprises (service de génération arrêté ou "
    "redémarré) et a été abandonnée. Relancez-la ; si le problème persiste, contactez "
    "l'administration nationale."
)


# The attempt this task runs, per job: {(model label, pk): (generation, attempts)}, filled by
# `start` inside an `attempt_scope()` block (run_in_task, the FINESS import). A worker's
# `fail`, `back_to_queue` and heartbeat then touch the job only while it is still at that
# attempt: a stale worker whose job was reaped or restarted ("Relancer", a new generation)
# or taken over by a duplicate delivery (one more attempt) changes nothing. Outside a
# block (the broker refusing a task, a synchronous import) they act on the job as it is.
_attempts: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "kitcoop_job_attempts", default=None
)


@contextlib.contextmanager
def attempt_scope():
    """The block of one task execution: the attempts it starts are its own (see above)."""
    token = _attempts.set({})
    try:
        yield
    finally:
        _attempts.reset(token)


def _key(model, pk: int) -> tuple[str, int]:
    return (model._meta.label, int(pk))


def _this_attempt(model, pk: int, claims: dict | None = None) -> Q:
    """The job `pk`, restricted to the attempt this task started, if it started one."""
    claims = _attempts.get() if claims is None else claims
    owned = (claims or {}).get(_key(model, pk))
    if owned is None:
        return Q(pk=pk)
    generation, attempts = owned
    return Q(pk=pk, generation=generation, attempts=attempts)


class GenerationRefused(Exception):  # noqa: N818 - reads as a verdict, like ValidationError
    """The document cannot be produced from the current data: fail at once with this
    French message, without retrying. `permanent` (an import's file is refused: a
    core.models.ImportJob) records that "Relancer" would fail the same way."""

    def __init__(self, message: str, *, permanent: bool = False):
        self.message = message
        self.permanent = permanent
        super().__init__(message)


def job_models() -> list:
    """Every concrete BackgroundJob model of the project (documents and imports)."""
    from core.models import BackgroundJob

    return [
        model
        for model in apps.get_models()
        if issubclass(model, BackgroundJob) and not model._meta.abstract
    ]


def message_of(model, kind: str) -> str:
    """The job model's own French message of `kind` ("FAILED", "QUEUE_DOWN", "ABANDONED"),
    else the generic one of this module."""
    return getattr(model, f"{kind}_MESSAGE", None) or globals()[f"{kind}_MESSAGE"]


def ensure(model, lookup: dict, *, defaults: dict | None = None, force: bool = False):
    """The job identified by `lookup` (created with `defaults` if missing), made sure to be
    produced; returns (job, enqueued).

    Idempotent: a job done, or pending/running on a live worker, is left alone (a double
    click enqueues nothing). `force` renders it again (what it shows has changed): a new
    generation, so the result of a run already under way is dropped. A failed or stalled
    job goes back to pending and is enqueued after commit, so the worker sees the data.
    `defaults` are also written on each request that changes the job (who asked last).
    """
    defaults = defaults or {}
    with transaction.atomic():
        job, created = model.objects.select_for_update().get_or_create(**lookup, defaults=defaults)
        if not created and not force and (job.is_done or job.is_polling):
            return job, False
        enqueue = created or job.status != model.Status.PENDING or job.is_stalled
        if force and not created:
            job.generation += 1
        for field_name, value in defaults.items():
            setattr(job, field_name, value)
        job.status = model.Status.PENDING
        job.progress = 0
        job.error = ""
        job.updated_at = timezone.now()
        job.save()
        if enqueue:
            enqueue_on_commit(model, job.pk)
    return job, enqueue


def nothing_to_do(job) -> bool:
    """Whether a task that received the job must leave it alone: it is done or failed, or a
    live worker is on it already (running with a fresh heartbeat: a duplicate delivery).
    The one rule of `start`; a task may ask it before costly preparations (a download)."""
    return not job.is_running or (job.status == job.Status.RUNNING and not job.is_stalled)


def start(model, pk: int):
    """Mark the job running and return it; None when there is nothing to do: the job is
    gone, or `nothing_to_do` (done, failed, or a live worker renders it already)."""
    with transaction.atomic():
        job = model.objects.select_for_update().filter(pk=pk).first()
        if job is None or nothing_to_do(job):
            if job is not None and job.is_running:
                logger.info("%s n° %s : déjà en cours sur un autre worker", model._meta.label, pk)
            return None
        job.status = model.Status.RUNNING
        job.progress = 10
        job.attempts += 1
        job.error = ""
        job.updated_at = timezone.now()
        job.save(update_fields=["status", "progress", "attempts", "error", "updated_at"])
    claims = _attempts.get()
    if claims is not None:
        claims[_key(model, pk)] = (job.generation, job.attempts)
    return job


@contextlib.contextmanager
def heartbeat(model, pk: int, every: float | None = None):
    """Bump the job's `updated_at` every `every` seconds (DOCUMENT_HEARTBEAT_SECONDS) while
    the block runs, from a thread with its own database connection: a job whose heartbeat
    stops (worker killed) is recognised as stalled; a slow but live render is not, nor a
    job still pending while its live worker waits for its turn (an import waiting for the
    import lock)."""
    every = settings.DOCUMENT_HEARTBEAT_SECONDS if every is None else every
    stop = threading.Event()
    # The thread does not see this context: it reads the task's claims dict itself, so that
    # once the job is another attempt's, this worker's beats no longer keep it alive.
    claims = _attempts.get()

    def beat() -> None:
        try:
            while not stop.wait(every):
                try:
                    model.objects.filter(
                        _this_attempt(model, pk, claims),
                        status__in=[model.Status.PENDING, model.Status.RUNNING],
                    ).update(updated_at=timezone.now())
                except Exception:  # noqa: BLE001 - a missed beat must not stop the render
                    logger.warning(
                        "Battement de %s n° %s en échec", model._meta.label, pk, exc_info=True
                    )
                    connection.close()  # a new connection at the next beat
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{model._meta.label}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)


def set_progress(job, percent: int) -> None:
    type(job).objects.filter(pk=job.pk).update(progress=percent, updated_at=timezone.now())


def store(job, field_name: str, name: str, content: bytes) -> str:
    """Write `content` under `name` (replacing a partial file a killed worker left there)."""
    storage = job._meta.get_field(field_name).storage
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(content))


def finish(job, names: dict[str, str], *, fields: tuple[str, ...] = ()):
    """Point the job at its new files, save its `fields` (a report kept on the row) and
    mark it done; returns the job as saved.

    If a newer generation was requested while this one rendered, the new files are
    dropped: the task of that generation will produce the right ones. A job that stores
    no file (an import: its rows are committed already) is marked done whatever the
    generation, so that a re-queued message then finds it done and does nothing.
    """
    model = type(job)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=job.pk)
        if names and current.generation != job.generation:
            obsolete, kept = list(names.items()), current
        else:
            obsolete = []
            for field_name, name in names.items():
                previous = getattr(current, field_name).name
                if previous and previous != name:
                    obsolete.append((field_name, previous))
                getattr(current, field_name).name = name
            for field_name in fields:
                setattr(current, field_name, getattr(job, field_name))
            current.status = model.Status.DONE
            current.progress = 100
            current.error = ""
            current.finished_at = current.updated_at = timezone.now()
            current.save(
                update_fields=[
                    *names,
                    *fields,
                    "status",
                    "progress",
                    "error",
                    "finished_at",
                    "updated_at",
                ]
            )
            kept = current
    for field_name, name in obsolete:
        _delete_quietly(job, field_name, name)
    return kept


def _delete_quietly(job, field_name: str, name: str) -> None:
    storage = job._meta.get_field(field_name).storage
    try:
        if storage.exists(name):
            storage.delete(name)
    except OSError:  # a leftover file is harmless; a failed request is not
        logger.warning("Fichier obsolète non supprimé : %s", name)


def fail(model, pk: int, text: str | None = None, *, permanent: bool = False) -> bool:
    """End the job in "failed" with `text` (default: the model's FAILED message); returns
    whether it did. `permanent` (an ImportJob only): running it again would fail the same
    way (its file is refused), so "Relancer" is not offered.

    A job done is left alone, and so is a job that is no longer the attempt this task
    started (`attempt_scope`): a stale worker failing late never fails the new run that
    "Relancer" or the reaper started on the same row.
    """
    text = text or message_of(model, "FAILED")
    return _fail(model, _this_attempt(model, pk), text, permanent=permanent)


def _fail(model, job: Q, text: str, *, permanent: bool = False) -> bool:
    """Fail the job `job` selects, unless it is done; whether a row was failed."""
    kind = {"permanent_failure": True} if permanent else {}
    return bool(
        model.objects.filter(job)
        .exclude(status=model.Status.DONE)
        .update(status=model.Status.FAILED, error=text, updated_at=timezone.now(), **kind)
    )


def back_to_queue(model, pk: int) -> None:
    """A running job whose task will try again: pending, so that the retried message
    finds it startable (only the attempt this task started, as `fail`)."""
    model.objects.filter(_this_attempt(model, pk), status=model.Status.RUNNING).update(
        status=model.Status.PENDING, updated_at=timezone.now()
    )


def enqueue(model, pk: int) -> bool:
    """Send the job's task (model.TASK_NAME). When the broker cannot be reached (Redis
    down), the job fails at once with a French message the page shows, and the error is
    logged with its traceback: never a 500 after the user's write has been committed."""
    task = import_string(model.TASK_NAME)
    if taskqueue.submit(task, pk):
        return True
    # The job as it is now, whatever attempt (a task enqueuing another job owns none of it).
    _fail(model, Q(pk=pk), message_of(model, "QUEUE_DOWN"))
    return False


def enqueue_on_commit(model, pk: int) -> None:
    transaction.on_commit(lambda: enqueue(model, pk))


def restart(job) -> bool:
    """The "Relancer" button: start a failed or stalled job again (a new generation, so a
    late result of the lost run is dropped; attempts counted anew). False if the job is
    done or still progressing."""
    model = type(job)
    with transaction.atomic():
        current = model.objects.select_for_update().filter(pk=job.pk).first()
        if current is None or not current.can_retry:
            return False
        current.status = model.Status.PENDING
        current.progress = 0
        current.error = ""
        current.attempts = 0
        current.generation += 1
        current.updated_at = timezone.now()
        current.save(
            update_fields=["status", "progress", "error", "attempts", "generation", "updated_at"]
        )
        enqueue_on_commit(model, current.pk)
    return True


def reap(now=None) -> dict[str, int]:
    """Celery beat (core.tasks.reap_stalled_documents): re-queue every stalled job (worker
    killed, message lost) as a new generation, or fail it with a French message once it
    has had MAX_ATTEMPTS tries. Returns {"requeued": n, "failed": n}."""
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0}
    for model in job_models():
        stalled = Q(status=model.Status.RUNNING, updated_at__lt=now - model.STALLED_AFTER) | Q(
            status=model.Status.PENDING, updated_at__lt=now - model.QUEUED_AFTER
        )
        for pk in list(model.objects.filter(stalled).values_list("pk", flat=True)[:500]):
            with transaction.atomic():
                job = (
                    model.objects.select_for_update(skip_locked=True).filter(stalled, pk=pk).first()
                )
                if job is None:
                    continue
                attempts = job.attempts + (1 if job.status == model.Status.PENDING else 0)
                if not model.TASK_NAME or attempts >= model.MAX_ATTEMPTS:
                    logger.error(
                        "%s n° %s abandonné après %s tentatives (statut %s depuis %s)",
                        model._meta.label,
                        pk,
                        attempts,
                        job.status,
                        job.updated_at,
                    )
                    model.objects.filter(pk=pk).update(
                        status=model.Status.FAILED,
                        error=message_of(model, "ABANDONED"),
                        updated_at=now,
                    )
                    counts["failed"] += 1
                    continue
                logger.warning(
                    "%s n° %s bloqué (statut %s depuis %s) : relancé",
                    model._meta.label,
                    pk,
                    job.status,
                    job.updated_at,
                )
                model.objects.filter(pk=pk).update(
                    status=model.Status.PENDING,
                    progress=0,
                    attempts=attempts,
                    generation=F("generation") + 1,
                    updated_at=now,
                )
                enqueue_on_commit(model, pk)
                counts["requeued"] += 1
    return counts


def run_in_task(task, model, pk: int, generate, *, message: str | None = None) -> None:
    """Run `generate()` inside a bound Celery task with the retry policy of every document.

    Eager mode (no broker) runs inside the web request: a failure ends the job in
    "failed" at once, never in a 500. On a worker, the job beats while it renders; an
    error is logged with its traceback and retried (task.max_retries, 5 s apart), then
    the job fails with a French message (`message`, default the model's FAILED message).
    Run in an `attempt_scope()`: it fails or re-queues only the attempt it started.
    """
    eager = task.request.is_eager
    with attempt_scope():
        _run(task, model, pk, generate, eager=eager, message=message)


def _run(task, model, pk: int, generate, *, eager: bool, message: str | None) -> None:
    try:
        with contextlib.nullcontext() if eager else heartbeat(model, pk):
            generate()
    except GenerationRefused as refused:
        fail(model, pk, refused.message, permanent=refused.permanent)
    except Exception as error:
        if eager or task.request.retries >= task.max_retries:
            logger.exception("Génération en échec : %s n° %s", model._meta.label, pk)
            fail(model, pk, message)
            return
        logger.warning(
            "Génération en erreur, nouvelle tentative : %s n° %s",
            model._meta.label,
            pk,
            exc_info=True,
        )
        back_to_queue(model, pk)
        raise task.retry(exc=error, countdown=5) from error


def document_task(model, *, message: str | None = None):
    """Decorator: make `generate(pk)` the Celery task of a document job of `model`.

    The task is registered under the function's dotted path (the model's TASK_NAME), takes
    the job's id and answers it, and runs `generate` through `run_in_task`. acks_late +
    reject_on_worker_lost: a killed worker's message is delivered again and the idempotent
    service finishes the same document (same storage name); two retries, then the job
    fails with the French `message` (default: the model's FAILED message).
    """

    def decorate(generate):
        def task(self, pk: int) -> int:
            run_in_task(self, model, pk, lambda: generate(pk), message=message)
            return pk

        task.__name__, task.__qualname__ = generate.__name__, generate.__qualname__
        task.__module__, task.__doc__ = generate.__module__, generate.__doc__
        return shared_task(
            task,
            name=f"{generate.__module__}.{generate.__name__}",
            bind=True,
            acks_late=True,
            reject_on_worker_lost=True,
            max_retries=2,
        )

    return decorate
