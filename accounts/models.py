from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords


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
        from territories.choices import ARS_NAMES

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


class ProConnectIdentity(models.Model):
    """The ProConnect identity a user last signed in with (claims as received).

    Recorded at each ProConnect sign-in and shown to national admins (the SIRET tells which
    organisation vouched for the person). It never changes the account's role or scope.
    """

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="proconnect_identities",
        verbose_name="utilisateur",
    )
    sub = models.CharField("identifiant ProConnect (sub)", max_length=255, unique=True)
    email = models.EmailField("adresse électronique transmise", max_length=254)
    given_name = models.CharField("prénom transmis", max_length=150, blank=True)
    usual_name = models.CharField("nom d'usage transmis", max_length=150, blank=True)
    siret = models.CharField("SIRET de l'organisation", max_length=14, blank=True, db_index=True)
    idp_id = models.CharField("fournisseur d'identité (idp_id)", max_length=255, blank=True)
    first_login_at = models.DateTimeField("première connexion")
    last_login_at = models.DateTimeField("dernière connexion")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "identité ProConnect"
        verbose_name_plural = "identités ProConnect"
        ordering = ["-last_login_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} (SIRET {self.siret or 'non transmis'})"


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now=None):
        from django.utils import timezone

        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """A personal token for the read API (api/), created and revoked on the account page.

    Only a SHA-256 digest of the secret is stored: the token is shown once, at creation.
    A token carries its owner's scope, never more (see api/authentication.py).
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="utilisateur"
    )
    name = models.CharField("nom du jeton", max_length=100)
    prefix = models.CharField("préfixe", max_length=12, unique=True)
    digest = models.CharField("empreinte SHA-256", max_length=64)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def status(self) -> str:
        from django.utils import timezone

        if self.revoked_at:
            return "Révoqué"
        if self.expires_at <= timezone.now():
            return "Expiré"
        return "Actif"

    @property
    def is_active(self) -> bool:
        return self.status == "Actif"
