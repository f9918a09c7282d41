"""In-app notifications of every module, and each user's delivery preferences."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Delivery(models.TextChoices):
    IN_APP = "in_app", "Dans KitCoop seulement"
    IMMEDIATE = "immediate", "Dans KitCoop et par courriel, immédiatement"
    DIGEST = "digest", "Dans KitCoop et par courriel, en récapitulatif quotidien"


class Notification(models.Model):
    """One message to one user about one event. `done_at` is set when the thing it points
    to has been handled (a submitted step decided, a signed convention approved…)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    cooperation = models.ForeignKey(
        "cooperations.Cooperation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField("type", max_length=40, db_index=True)
    subject = models.CharField("objet", max_length=255)
    message = models.TextField("message")
    url = models.CharField("lien", max_length=300, blank=True)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField("traitée le", null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "notification"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"]),
            models.Index(fields=["target_type", "target_id", "kind"]),
            models.Index(fields=["cooperation", "kind"]),
        ]

    def __str__(self) -> str:
        return self.subject


class NotificationPreference(models.Model):
    """How a user wants to hear of each kind of event (`by_kind` overrides `delivery`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    delivery = models.CharField(
        "par défaut", max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE
    )
    by_kind = models.JSONField("par type d'événement", default=dict, blank=True)
    last_digest_at = models.DateTimeField("dernier récapitulatif", null=True, blank=True)

    class Meta:
        verbose_name = "préférences de notification"
        verbose_name_plural = "préférences de notification"

    def __str__(self) -> str:
        return f"Préférences de {self.user}"

    def delivery_for(self, kind: str) -> str:
        return self.by_kind.get(kind) or self.delivery
