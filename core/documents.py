"""Life cycle of a document generated in the background (see core.models.GeneratedDocument).

A kit's service renders the bytes; these helpers do the rest the same way for every kit:

    job = documents.start(Model, pk)           # pending → running (None: nothing to do)
    documents.set_progress(job, 40)
    name = documents.store(job, "file", "some/stable/name.pdf", pdf_bytes)
    documents.finish(job, {"file": name})      # → done (unless a newer generation exists)

and the kit's Celery task wraps its service in `run_in_task`, which retries on a real
worker and ends in a clean "failed" status (French message, never a 500) in eager mode.

Idempotent: the storage name derives from the job (row token + generation), so a retry
after a killed worker overwrites its partial file instead of adding a document, and a
job already done is left untouched.
"""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

FAILED_MESSAGE = (
    "La génération a échoué. Relancez-la ; si le problème persiste, "
    "contactez l'administration nationale."
)


class GenerationRefused(Exception):  # noqa: N818 - reads as a verdict, like ValidationError
    """The document cannot be produced from the current data: fail at once with this
    French message, without retrying."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def start(model, pk: int):
    """Mark the job running and return it; None when it is gone or already done."""
    with transaction.atomic():
        job = model.objects.select_for_update().filter(pk=pk).first()
        if job is None or job.status == model.Status.DONE:
            return None
        job.status = model.Status.RUNNING
        job.progress = 10
        job.attempts += 1
        job.error = ""
        job.updated_at = timezone.now()
        job.save(update_fields=["status", "progress", "attempts", "error", "updated_at"])
    return job


def set_progress(job, percent: int) -> None:
    type(job).objects.filter(pk=job.pk).update(progress=percent, updated_at=timezone.now())


def store(job, field_name: str, name: str, content: bytes) -> str:
    """Write `content` under `name` (replacing a partial file a killed worker left there)."""
    storage = job._meta.get_field(field_name).storage
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(content))


def finish(job, names: dict[str, str]):
    """Point the job at its new files and mark it done.

    If a newer generation was requested while this one rendered, the new files are
    dropped: the task of that generation will produce the right ones.
    """
    model = type(job)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=job.pk)
        if current.generation != job.generation:
            obsolete, kept = list(names.items()), current
        else:
            obsolete = []
            for field_name, name in names.items():
                previous = getattr(current, field_name).name
                if previous and previous != name:
                    obsolete.append((field_name, previous))
                getattr(current, field_name).name = name
            current.status = model.Status.DONE
            current.progress = 100
            current.error = ""
            current.finished_at = current.updated_at = timezone.now()
            current.save(
                update_fields=[
                    *names,
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


def fail(model, pk: int, message: str = FAILED_MESSAGE) -> None:
    model.objects.filter(pk=pk).exclude(status=model.Status.DONE).update(
        status=model.Status.FAILED, error=message, updated_at=timezone.now()
    )


def run_in_task(task, model, pk: int, generate, *, message: str = FAILED_MESSAGE) -> None:
    """Run `generate()` inside a bound Celery task with the retry policy of every document.

    Eager mode (no broker) runs inside the web request: a failure ends the job in
    "failed" at once, never in a 500. On a worker, an error is retried (task.max_retries,
    5 s apart), then the job fails with a French message.
    """
    try:
        generate()
    except GenerationRefused as refused:
        fail(model, pk, refused.message)
    except Exception as error:
        if task.request.is_eager or task.request.retries >= task.max_retries:
            logger.exception("Génération en échec : %s n° %s", model._meta.label, pk)
            fail(model, pk, message)
            return
        raise task.retry(exc=error, countdown=5) from error
