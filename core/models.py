"""Abstract models shared by the kits (core itself stores no domain data)."""

from datetime import timedelta

from django.db import models
from django.utils import timezone


class GeneratedDocument(models.Model):
    """A document produced in the background (Celery), with a status the user can follow.

    A kit subclasses it with what the document belongs to (a foreign key that scopes it to
    a cooperation) and its file field(s); `core.documents` runs the life cycle:
    pending → running → done | failed. `generation` grows each time the document must be
    rendered again, so a late task for an older generation never overwrites a newer file.
    """

    # A job still pending or running after this delay lost its task (worker down, message
    # lost): the page offers to start it again.
    STALLED_AFTER = timedelta(minutes=10)

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        RUNNING = "running", "En cours de génération"
        DONE = "done", "Prêt"
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
    finished_at = models.DateTimeField("généré le", null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.RUNNING}

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_stalled(self) -> bool:
        return self.is_running and timezone.now() - self.updated_at > self.STALLED_AFTER

    @property
    def is_polling(self) -> bool:
        """The page asks for news every second while a worker is on it."""
        return self.is_running and not self.is_stalled

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED or self.is_stalled
