from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from core.text import plausible_date_constraints
from territories.models import ARS, Departement, Establishment, LegalEntity


class Nature(models.TextChoices):
    FONCTIONNELLE = "fonctionnelle", "Fonctionnelle (sans personne morale)"
    ORGANIQUE = "organique", "Organique (crée une personne morale)"


class Phase(models.TextChoices):
    COMPRENDRE = "comprendre", "Comprendre (opportunité)"
    DECIDER = "decider", "Décider (faisabilité)"
    METTRE_EN_OEUVRE = "mettre_en_oeuvre", "Mettre en œuvre"
    EVALUER = "evaluer", "Évaluer"
    CLOTUREE = "cloturee", "Clôturée"


class LegalForm(models.Model):
    """A form of cooperation (convention, GCS, GHT…): catalogue data editable in the admin."""

    code = models.SlugField("code", max_length=30, unique=True)
    name = models.CharField("nom", max_length=150)
    short_name = models.CharField("sigle", max_length=30)
    legal_basis = models.CharField("base légale", max_length=255, blank=True)
    has_legal_personality = models.BooleanField("crée une personne morale", default=False)
    members_rule = models.TextField("qui peut être membre", blank=True)
    description = models.TextField("points clés", blank=True)
    requires_approval = models.BooleanField("approbation par le DG ARS / l'État", default=False)
    min_members = models.PositiveSmallIntegerField("nombre minimal de membres", default=2)
    is_historical = models.BooleanField("forme historique (plus créée)", default=False)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "forme juridique"
        verbose_name_plural = "formes juridiques"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.short_name

    @property
    def nature(self) -> str:
        return Nature.ORGANIQUE if self.has_legal_personality else Nature.FONCTIONNELLE


class Theme(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField("thème", max_length=100)

    class Meta:
        verbose_name = "thème"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Typology(models.Model):
    """Purpose of a cooperation (ANAP): parcours/filière, efficience/mutualisation, isolement."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField("typologie", max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        verbose_name = "typologie"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PlanKind(models.TextChoices):
    """The documents of a regional health plan (PRS 2018+; SROS/SROMS before 2016)."""

    COS = "cos", "PRS — cadre d'orientation stratégique (COS)"
    SRS = "srs", "PRS — schéma régional de santé (SRS)"
    SROS = "sros", "SROS — schéma régional d'organisation des soins (historique)"
    SROMS = "sroms", "SROMS — schéma régional médico-social (historique)"


HISTORICAL_PLAN_KINDS = (PlanKind.SROS, PlanKind.SROMS)


class RegionalObjectiveQuerySet(models.QuerySet):
    def current(self):
        return self.exclude(kind__in=HISTORICAL_PLAN_KINDS)


class RegionalObjective(models.Model):
    """An objective of an ARS's regional health plan, which cooperations serve.

    Data, edited by national admins and by the agents of that ARS (never hard-coded):
    the demo's objectives come from `fixtures/plan_objectives/*.json`.
    """

    ars = models.ForeignKey(
        ARS, on_delete=models.PROTECT, related_name="plan_objectives", verbose_name="ARS"
    )
    kind = models.CharField("document du plan", max_length=10, choices=PlanKind.choices)
    code = models.CharField("code", max_length=30, help_text="Ex. « SRS-3.2 » : unique dans l'ARS.")
    title = models.CharField("intitulé", max_length=300)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="objectif parent",
    )
    starts_year = models.PositiveSmallIntegerField("première année de la période")
    ends_year = models.PositiveSmallIntegerField("dernière année de la période")
    order = models.PositiveSmallIntegerField("ordre", default=0)
    history = HistoricalRecords()

    objects = RegionalObjectiveQuerySet.as_manager()

    class Meta:
        verbose_name = "objectif du plan régional de santé"
        verbose_name_plural = "objectifs du plan régional de santé"
        ordering = ["ars", "kind", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["ars", "code"],
                name="plan_objective_unique_code",
                violation_error_message="Un objectif de cette ARS porte déjà ce code.",
            ),
            models.CheckConstraint(
                condition=Q(ends_year__gte=models.F("starts_year")),
                name="plan_objective_period_in_order",
                violation_error_message="La fin de la période précède son début.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    @property
    def is_historical(self) -> bool:
        return self.kind in HISTORICAL_PLAN_KINDS

    @property
    def period(self) -> str:
        return f"{self.starts_year}-{self.ends_year}"


class CooperationQuerySet(models.QuerySet):
    def visible_to(self, user):
        from cooperations import scoping

        return scoping.cooperations_visible_to(user, self)

    def editable_by(self, user):
        from cooperations import scoping

        return scoping.cooperations_editable_by(user, self)

    def with_list_data(self):
        """What the portfolio shows, in a constant number of queries."""
        return self.select_related("pilot_ars", "legal_form").prefetch_related(
            "typologies",
            models.Prefetch(
                "memberships",
                queryset=Membership.objects.active()
                .select_related("establishment", "legal_entity")
                .order_by("role", "pk"),
                to_attr="active_memberships",
            ),
        )

    def with_member(self, *, establishment_ids=(), legal_entity_ids=()):
        """Cooperations with an active member among these ET or EJ ids."""
        if not establishment_ids and not legal_entity_ids:
            return self.none()
        members = Membership.objects.active().filter(
            Q(establishment_id__in=list(establishment_ids))
            | Q(legal_entity_id__in=list(legal_entity_ids)),
            cooperation=OuterRef("pk"),
        )
        return self.filter(Exists(members))


class Cooperation(models.Model):
    title = models.CharField("intitulé", max_length=255)
    short_name = models.CharField(
        "nom court",
        max_length=40,
        blank=True,
        help_text="Sigle ou nom usuel (ex. « GHT Bresse » ) : il nomme les fichiers exportés.",
    )
    objectives = models.TextField("objectifs", blank=True)
    pilot_ars = models.ForeignKey(
        ARS, on_delete=models.PROTECT, related_name="cooperations", verbose_name="ARS pilote"
    )
    departements = models.ManyToManyField(
        Departement, related_name="cooperations", verbose_name="départements concernés"
    )
    project_territory = models.CharField("territoire de projet", max_length=255, blank=True)
    typologies = models.ManyToManyField(
        Typology, blank=True, related_name="cooperations", verbose_name="typologies"
    )
    nature = models.CharField(
        "nature", max_length=20, choices=Nature.choices, blank=True, db_index=True
    )
    legal_form = models.ForeignKey(
        LegalForm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cooperations",
        verbose_name="forme juridique",
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="cooperations", verbose_name="thèmes"
    )
    phase = models.CharField(
        "phase", max_length=20, choices=Phase.choices, default=Phase.COMPRENDRE, db_index=True
    )
    plan_objectives = models.ManyToManyField(
        RegionalObjective,
        blank=True,
        related_name="cooperations",
        verbose_name="objectifs du plan régional de santé servis",
    )
    launched_on = models.DateField("date de lancement", null=True, blank=True)
    decided_on = models.DateField("date de décision", null=True, blank=True)
    starts_on = models.DateField("date d'effet", null=True, blank=True)
    ends_on = models.DateField("date de fin prévue", null=True, blank=True)
    external_code = models.CharField(
        "code externe", max_length=30, blank=True, db_index=True, help_text="Ex. code GHT (SAE)."
    )
    copil_guests = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="copil_cooperations",
        verbose_name="invités COPIL",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créée par",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True, db_index=True)
    # Last change recorded on the cooperation or on anything of its kits (every domain
    # model has a history: cooperations.activity bumps this on each new history record).
    # Sorted and filtered on by the work list ("stalled" cooperations): hence stored.
    last_activity_at = models.DateTimeField(
        "dernière activité", default=timezone.now, db_index=True
    )
    # Optimistic locking: a save with a stale version is refused (see services).
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(
        m2m_fields=[departements, typologies, themes, plan_objectives],
        excluded_fields=["last_activity_at"],
    )

    objects = CooperationQuerySet.as_manager()

    class Meta:
        verbose_name = "coopération"
        ordering = ["-updated_at", "-pk"]
        constraints = [
            *plausible_date_constraints(
                "coop", "launched_on", "decided_on", "starts_on", "ends_on"
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True)
                | Q(launched_on__isnull=True)
                | Q(decided_on__gte=models.F("launched_on")),
                name="coop_decided_after_launch",
                violation_error_message="La date de décision précède la date de lancement.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="coop_ends_after_start",
                violation_error_message="La date de fin précède la date d'effet.",
            ),
        ]
        indexes = [models.Index(fields=["pilot_ars", "phase"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cooperations:detail", args=[self.pk])

    @property
    def display_short_name(self) -> str:
        return self.short_name or self.title

    @property
    def file_stem(self) -> str:
        """A file-name-safe stem from the short name (or the title): "ght-bresse-haut-bugey"."""
        return slugify(self.short_name or self.title)[:50].strip("-") or f"cooperation-{self.pk}"


class MemberRole(models.TextChoices):
    PORTEUR = "porteur", "Porteur"
    MEMBRE = "membre", "Membre"
    ASSOCIE = "associe", "Associé / partenaire"
    # The GHT's établissement support (CSP L6132-3), as the FINESS register names it.
    SUPPORT = "support", "Établissement support"


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(left_on__isnull=True)


class Membership(models.Model):
    """A member of a cooperation: an establishment (ET) or a whole legal entity (EJ)."""

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.CASCADE, related_name="memberships"
    )
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="établissement",
    )
    legal_entity = models.ForeignKey(
        LegalEntity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="entité juridique",
    )
    role = models.CharField(
        "rôle", max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBRE
    )
    joined_on = models.DateField("date d'adhésion", null=True, blank=True)
    left_on = models.DateField("date de retrait", null=True, blank=True)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "membre"
        ordering = ["role", "pk"]
        constraints = [
            *plausible_date_constraints("membership", "joined_on", "left_on"),
            models.CheckConstraint(
                condition=(Q(establishment__isnull=False) & Q(legal_entity__isnull=True))
                | (Q(establishment__isnull=True) & Q(legal_entity__isnull=False)),
                name="membership_one_target",
                violation_error_message="Un membre est soit un établissement, soit une entité juridique.",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joined",
                violation_error_message="La date de retrait précède la date d'adhésion.",
            ),
            models.UniqueConstraint(
                fields=["cooperation", "establishment"],
                condition=Q(left_on__isnull=True, establishment__isnull=False),
                name="membership_unique_active_et",
                violation_error_message="Cet établissement est déjà membre de la coopération.",
            ),
            models.UniqueConstraint(
                fields=["cooperation", "legal_entity"],
                condition=Q(left_on__isnull=True, legal_entity__isnull=False),
                name="membership_unique_active_ej",
                violation_error_message="Cette entité juridique est déjà membre de la coopération.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_name} ({self.get_role_display()})"

    @property
    def member(self):
        return self.establishment or self.legal_entity

    @property
    def member_name(self) -> str:
        if self.establishment_id:
            return self.establishment.name
        return self.legal_entity.display_name

    @property
    def finess(self) -> str:
        return self.member.finess

    @property
    def legal_status(self) -> str:
        return self.member.legal_status


class ArsNote(models.Model):
    """A private note of the pilot ARS on a cooperation.

    Read and written only by the agents of the ARS that wrote it while it pilots the
    cooperation, and by national admins (scoping.can_read_ars_notes); never shown to the
    project team or to COPIL guests.
    """

    cooperation = models.ForeignKey(Cooperation, on_delete=models.CASCADE, related_name="ars_notes")
    ars = models.ForeignKey(ARS, on_delete=models.PROTECT, related_name="+", verbose_name="ARS")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="auteur",
    )
    body = models.TextField("note")
    created_at = models.DateTimeField("écrite le", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "note privée de l'ARS"
        verbose_name_plural = "notes privées de l'ARS"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["cooperation", "ars", "-created_at"])]

    def __str__(self) -> str:
        return f"Note sur {self.cooperation_id} ({self.created_at:%d/%m/%Y})"


class RegisterGrouping(models.Model):
    """What the FINESS register says about a cooperation it lists: a GHT (`gcc`) or a
    groupement de coopération (`gco`). Kept beside the cooperation so that a re-import
    updates the register's facts without touching what users wrote (title once edited,
    objectives, phase, KIT 1–3 work), and withdraws only the members it added itself.
    """

    class Kind(models.TextChoices):
        GHT = "ght", "GHT (gcc)"
        GROUPEMENT = "gco", "Groupement de coopération (gco)"

    cooperation = models.OneToOneField(
        Cooperation, on_delete=models.CASCADE, related_name="register_grouping"
    )
    kind = models.CharField("nature", max_length=3, choices=Kind.choices)
    register_id = models.CharField("identifiant FINESS+ (gccId ou pmSmsseId)", max_length=20)
    register_name = models.CharField("nom dans le registre", max_length=255, blank=True)
    type_code = models.CharField("type (typeGcc ou typeGco)", max_length=10, blank=True)
    legal_form_reason = models.CharField("forme juridique déduite de", max_length=255, blank=True)
    legal_entity = models.ForeignKey(
        LegalEntity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="register_groupings",
        verbose_name="entité juridique du groupement",
    )
    members_declared = models.PositiveIntegerField("membres déclarés par le registre", default=0)
    # Members the register names but this database does not hold (pmSmsseId / egeId).
    members_unresolved = models.JSONField("membres introuvables", default=list, blank=True)
    # Membership ids this import created: the only ones a re-import may withdraw.
    imported_membership_ids = models.JSONField(default=list, blank=True)
    is_closed = models.BooleanField("fermé dans le registre", default=False)
    generated_at = models.CharField("date du fichier", max_length=40, blank=True)
    imported_at = models.DateTimeField("dernier import", auto_now=True)

    class Meta:
        verbose_name = "groupement du registre FINESS"
        verbose_name_plural = "groupements du registre FINESS"
        constraints = [
            models.UniqueConstraint(fields=["kind", "register_id"], name="register_grouping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.register_id} ({self.register_name})"

    @property
    def composition_known(self) -> bool:
        return self.members_declared > 0 and not self.members_unresolved


class GHTExemption(models.Model):
    """A public hospital exempted from being party to a GHT (CSP L6132-1, I: "sauf
    dérogation tenant à sa spécificité dans l'offre de soins territoriale"), granted by the
    director general of its ARS. The law provides no exemption for belonging to two GHT.
    """

    legal_entity = models.ForeignKey(
        LegalEntity,
        on_delete=models.PROTECT,
        related_name="ght_exemptions",
        verbose_name="établissement public de santé (entité juridique)",
    )
    ars = models.ForeignKey(
        ARS, on_delete=models.PROTECT, related_name="ght_exemptions", verbose_name="ARS"
    )
    decided_on = models.DateField("date de la décision")
    reference = models.CharField("référence de la décision (arrêté)", max_length=150)
    reason = models.TextField("motif (spécificité dans l'offre de soins territoriale)")
    ends_on = models.DateField("fin de la dérogation", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "dérogation à l'appartenance à un GHT"
        verbose_name_plural = "dérogations à l'appartenance à un GHT"
        ordering = ["-decided_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("decided_on")),
                name="ght_exemption_ends_after_decision",
                violation_error_message="La fin de la dérogation précède la décision.",
            )
        ]

    def __str__(self) -> str:
        return f"Dérogation GHT de {self.legal_entity} ({self.reference})"
