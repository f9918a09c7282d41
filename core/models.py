"""Abstract models shared by the kits (core itself stores no domain data)."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


def user_reference(
    verbose_name: str | None = None, *, related_name: str = "+", blank: bool = True
) -> models.ForeignKey:
    """The user recorded on a row for something they did (author, actor, requester, who
    decided): the row outlives the account (SET NULL when the user is deleted, so history,
    decisions and documents stay), and no reverse accessor unless `related_name` names one.
    Returns a ForeignKey to settings.AUTH_USER_MODEL."""
    options = {
        "on_delete": models.SET_NULL,
        "null": True,
        "blank": blank,
        "related_name": related_name,
    }
    if verbose_name is not None:
        options["verbose_name"] = verbose_name
    return models.ForeignKey(settings.AUTH_USER_MODEL, **options)


class BackgroundJob(models.Model):
    """Work done in the background (Celery) with a status the user can follow: a generated
    document or an import. `core.documents` runs its life cycle for every kind of job:
    pending → running → done | failed, a heartbeat while a worker is on it, the stalled-job
    reaper and the "Relancer" button.

    Why a base of its own rather than imports subclassing GeneratedDocument: what an import
    produces is rows in the database (all or nothing, in one transaction) and a report
    kept on the row, not a file in storage; the life cycle is what the two share, so that
    is what this base holds. `generation` grows each time the job must run again, so a
    late task of an older run never overwrites a newer result.
    """

    # A running job beats (`updated_at`) every DOCUMENT_HEARTBEAT_SECONDS while a worker is on
    # it (core.documents.heartbeat): silent for STALLED_AFTER, its worker is gone (killed,
    # out of memory, hard time limit). A job still waiting after QUEUED_AFTER lost its message
    # (broker flushed, no worker). Either way the page offers "Relancer" and the reaper
    # (core.tasks.reap_stalled_documents) re-queues it, MAX_ATTEMPTS times at most.
    STALLED_AFTER = timedelta(seconds=settings.DOCUMENT_STALLED_SECONDS)
    QUEUED_AFTER = timedelta(seconds=settings.DOCUMENT_QUEUED_SECONDS)
    MAX_ATTEMPTS = 3
    # Dotted name of the Celery task that runs one job from its pk (the reaper and the
    # "Relancer" button send it); every concrete subclass sets it.
    TASK_NAME = ""
    # The French messages core.documents writes on the job: None takes the generic ones
    # (core.documents.FAILED_MESSAGE, QUEUE_DOWN_MESSAGE, ABANDONED_MESSAGE).
    FAILED_MESSAGE: str | None = None
    QUEUE_DOWN_MESSAGE: str | None = None
    ABANDONED_MESSAGE: str | None = None

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Terminé"
        FAILED = "failed", "Échec"

    status = models.CharField(
        "statut", max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    error = models.TextField("erreur", blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    generation = models.PositiveIntegerField("génération", default=1)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", default=timezone.now)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        abstract = True
        # The reaper's sweep (core.documents.reap), on every job table ("importrun_status_updated").
        # A subclass's Meta extends this one; with indexes of its own it keeps this one:
        # `indexes = [*RequestedDocument.Meta.indexes, ...]` (tests/core checks every job table).
        indexes = [models.Index(fields=["status", "updated_at"], name="%(class)s_status_updated")]

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.RUNNING}

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_stalled(self) -> bool:
        if self.status == self.Status.RUNNING:
            return timezone.now() - self.updated_at > self.STALLED_AFTER
        if self.status == self.Status.PENDING:
            return timezone.now() - self.updated_at > self.QUEUED_AFTER
        return False

    @property
    def is_polling(self) -> bool:
        """The page asks for news every second while a worker is on it."""
        return self.is_running and not self.is_stalled

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED or self.is_stalled

    @property
    def percent(self) -> int:
        """What the progress bar shows (0–100); a job may compute it otherwise."""
        return 100 if self.is_done else self.progress


class ImportJob(BackgroundJob):
    """An import of an uploaded file (FINESS, Hospi Diag): a BackgroundJob whose failure
    says whether running it again can help.

    A transient failure (worker lost, database or broker down) offers "Relancer"; a
    permanent one (`permanent_failure`: the file is not of the expected kind, cannot be
    read, has a bad encoding) would fail the same way again, so the page asks for a
    corrected file instead and "Relancer" is refused (`can_retry` is False).
    core.documents.fail(..., permanent=True) records it.
    """

    permanent_failure = models.BooleanField(
        "échec définitif",
        default=False,
        help_text="Le fichier lui-même est en cause : relancer l'import échouerait de même.",
    )

    class Meta(BackgroundJob.Meta):
        abstract = True

    @property
    def can_retry(self) -> bool:
        return super().can_retry and not self.needs_new_file

    @property
    def needs_new_file(self) -> bool:
        """Failed because of its file: the page asks for a corrected file."""
        return self.status == self.Status.FAILED and self.permanent_failure


class GeneratedDocument(BackgroundJob):
    """A document produced in the background, with a status the user can follow.

    A kit subclasses it with what the document belongs to (a foreign key that scopes it to
    a cooperation) and its file field(s); `core.documents` runs the life cycle and names
    the stored files after the job (row token + generation).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        RUNNING = "running", "En cours de génération"
        DONE = "done", "Prêt"
        FAILED = "failed", "Échec"

    status = models.CharField(
        "statut", max_length=10, choices=Status.choices, default=Status.PENDING
    )
    finished_at = models.DateTimeField("généré le", null=True, blank=True)
    requested_by = user_reference()

    # The file fields a finished job holds (what `is_ready` checks before offering downloads).
    FILE_FIELDS: tuple[str, ...] = ("file",)

    class Meta(BackgroundJob.Meta):
        abstract = True

    @property
    def is_ready(self) -> bool:
        return self.is_done and all(getattr(self, name) for name in self.FILE_FIELDS)


class RequestedDocument(GeneratedDocument):
    """A document made anew on each request (a button posting `core.forms.DocumentRequestForm`):
    `request_key` is the key that form carried, so a double click or a retried POST finds
    the document already requested instead of making a second one. Newest first.
    """

    request_key = models.UUIDField(default=uuid.uuid4, unique=True)

    class Meta(GeneratedDocument.Meta):
        abstract = True
        ordering = ["-created_at", "-pk"]


class SubmissionKey(models.Model):
    """One accepted submission of a create form (core/idempotency.py): the hidden key the
    form carried, who sent it and where its result is. A second post with the same key
    (double click, two tabs on the same page, a network retry) is sent to that result
    instead of creating the object twice. Rows older than a day are purged on the way."""

    key = models.UUIDField("clé d'envoi")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField("adresse du formulaire", max_length=300)
    result_url = models.CharField("résultat", max_length=500, blank=True)
    created_at = models.DateTimeField("envoyé le", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "envoi de formulaire"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="submission_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.path} ({self.key})"
