from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models


class Role(models.TextChoices):
    NATIONAL_ADMIN = "admin_national", "Administrateur national"
    ARS_AGENT = "agent_ars", "Agent d'ARS"
    REFERENT = "referent", "Référent / directeur d'établissement"
    COPIL_GUEST = "invite_copil", "Invité COPIL (lecture seule)"


class User(AbstractUser):
    """A KitCoop user. The role decides the scope (see cooperations/scoping.py)."""

    email = models.EmailField("adresse électronique", unique=True)
    role = models.CharField(
        "rôle", max_length=20, choices=Role.choices, default=Role.REFERENT, db_index=True
    )
    ars = models.ForeignKey(
        "territories.ARS",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agents",
        verbose_name="ARS",
        help_text="Obligatoire pour un agent d'ARS.",
    )
    legal_entities = models.ManyToManyField(
        "territories.LegalEntity",
        blank=True,
        related_name="referents",
        verbose_name="entités juridiques représentées",
    )
    establishments = models.ManyToManyField(
        "territories.Establishment",
        blank=True,
        related_name="referents",
        verbose_name="établissements représentés",
    )
    job_title = models.CharField("fonction", max_length=150, blank=True)

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self):
        super().clean()
        if self.role == Role.ARS_AGENT and not self.ars_id:
            raise ValidationError({"ars": "Un agent d'ARS doit être rattaché à une ARS."})
        if self.role != Role.ARS_AGENT and self.ars_id:
            raise ValidationError({"ars": "Seul un agent d'ARS est rattaché à une ARS."})

    def save(self, *args, **kwargs):
        # Only national admins reach the Django admin; nobody else may become staff.
        self.is_staff = self.role == Role.NATIONAL_ADMIN or self.is_superuser
        super().save(*args, **kwargs)

    # National admins manage every catalogue and model in the Django admin.
    def has_perm(self, perm, obj=None) -> bool:
        if self.is_active and self.role == Role.NATIONAL_ADMIN:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if self.is_active and self.role == Role.NATIONAL_ADMIN:
            return True
        return super().has_module_perms(app_label)

    @property
    def ars_name(self) -> str:
        """The ARS's name from the cached reference list: the header shows it on every page."""
        if not self.ars_id:
            return ""
        from territories.references import ARS_NAMES

        return ARS_NAMES.labels().get(self.ars_id, "")

    @property
    def is_national_admin(self) -> bool:
        return self.is_authenticated and (self.role == Role.NATIONAL_ADMIN or self.is_superuser)

    @property
    def is_ars_agent(self) -> bool:
        return self.role == Role.ARS_AGENT and self.ars_id is not None

    @property
    def is_referent(self) -> bool:
        return self.role == Role.REFERENT

    @property
    def is_copil_guest(self) -> bool:
        return self.role == Role.COPIL_GUEST
