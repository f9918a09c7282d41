from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from core.locking import version_field
from core.models import user_reference
from core.text import plausible_date_constraints
from territories.models import ARS, Departement, Establishment, LegalEntity


class Nature(models.TextChoices):
    FONCTIONNELLE = "fonctionnelle", "Fonctionnelle (sans personne morale)"
    ORGANIQUE = "organique", "Organique (crée une personne morale)"


class ApprovalAuthority(models.TextChoices):
    """Who approves a form's convention constitutive (see /shared/domain/legal-forms.md)."""

    NONE = "none", "Aucune approbation"
    DG_ARS = "dg_ars", "Directeur général de l'ARS de la région du siège"
    STATE = "state", "L'État (arrêté ministériel conjoint, ou préfet pour un GIP local)"
    STATE_DEPARTEMENT = (
        "state_departement",
        "Représentant de l'État dans le département du siège",
    )


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
    # Approval of the convention constitutive: who, how, which clocks (catalogue data).
    approval_authority = models.CharField(
        "autorité d'approbation",
        max_length=30,
        choices=ApprovalAuthority.choices,
        default=ApprovalAuthority.NONE,
    )
    approver = models.CharField(
        "autorité d'approbation (libellé affiché)",
        max_length=255,
        blank=True,
        help_text="Ex. « le directeur général de l'agence régionale de santé de la région du "
        "siège ». Repris sur l'écran d'approbation, le PDF, le DOCX et l'étape 13 du KIT 1.",
    )
    approval_procedure = models.TextField(
        "procédure d'approbation",
        blank=True,
        help_text="Ce que l'équipe et l'agent doivent savoir : pièces, décision, publication.",
    )
    approval_legal_basis = models.CharField(
        "base légale de l'approbation", max_length=160, blank=True, help_text="Ex. CSP R6133-1-1."
    )
    approval_delay_months = models.PositiveSmallIntegerField(
        "délai de décision (mois)",
        null=True,
        blank=True,
        help_text="Compté à partir de la transmission de la convention signée ; vide si aucun "
        "délai n'est fixé par les textes.",
    )
    tacit_approval = models.BooleanField(
        "le silence vaut approbation",
        default=False,
        help_text="À l'échéance du délai sans décision, l'approbation est acquise.",
    )
    publication_delay_days = models.PositiveSmallIntegerField(
        "délai de publication (jours)",
        null=True,
        blank=True,
        help_text="Ex. 15 jours pour la publication au recueil des actes administratifs (RAA).",
    )
    sent_to_ars = models.BooleanField(
        "transmission à l'ARS pour information",
        default=False,
        help_text="Sans approbation, la convention est transmise à l'ARS lorsqu'elle finance ou "
        "autorise l'activité.",
    )
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

    @property
    def approver_text(self) -> str:
        """The approver as the documents name it; a form added to the catalogue without one
        says so rather than guess."""
        return self.approver or (
            "l'autorité compétente (non précisée dans le catalogue des formes juridiques)"
        )

    def clean(self):
        from django.core.exceptions import ValidationError

        needs = self.approval_authority != ApprovalAuthority.NONE
        if needs != self.requires_approval:
            raise ValidationError(
                {
                    "approval_authority": "L'autorité d'approbation et la case « approbation » "
                    "doivent concorder : choisissez « Aucune approbation » pour une forme qui "
                    "n'en requiert pas, une autorité sinon."
                }
            )
        if self.tacit_approval and not self.approval_delay_months:
            raise ValidationError(
                {"approval_delay_months": "Une approbation tacite suppose un délai de décision."}
            )


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
    """The scope's queries (the rule itself is in cooperations/scoping.py)."""

    def visible_to(self, user):
        from cooperations import scoping

        return scoping.cooperations_visible_to(user, self)

    def editable_by(self, user):
        from cooperations import scoping

        return scoping.cooperations_editable_by(user, self)

    def validatable_by(self, user):
        """Those whose KIT 1 steps and convention approval the user decides (pilot ARS)."""
        from cooperations import scoping

        return scoping.cooperations_validatable_by(user, self)

    def region_links(self, ars_id: int):
        """Links of cooperations to a département of the region. By département ids, so that
        the through table's departement_id index answers alone (no join to Departement)."""
        from territories.choices import departement_ids_of

        return Cooperation.departements.through.objects.filter(
            departement_id__in=departement_ids_of(ars_id)
        ).order_by()

    def touching_region(self, ars_id: int):
        """For Exists(): this cooperation is linked to a département of the ARS's region."""
        return self.region_links(ars_id).filter(cooperation_id=OuterRef("pk"))

    def with_copil_guest(self, user_id: int):
        guests = Cooperation.copil_guests.through.objects.filter(
            cooperation_id=OuterRef("pk"), user_id=user_id
        )
        return self.filter(Exists(guests))

    def with_list_data(self):
        """What the portfolio shows, in a constant number of queries."""
        return self.select_related("pilot_ars", "legal_form").prefetch_related(
            models.Prefetch(
                "memberships",
                queryset=Membership.objects.active()
                .select_related("establishment", "legal_entity")
                .by_rank(),
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
    created_by = user_reference("créée par")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True, db_index=True)
    # Last change recorded on the cooperation or on anything of its kits (every domain
    # model has a history: cooperations.activity bumps this on each new history record).
    # Sorted and filtered on by the work list ("stalled" cooperations): hence stored.
    last_activity_at = models.DateTimeField(
        "dernière activité", default=timezone.now, db_index=True
    )
    # Optimistic locking: a save with a stale version is refused (see services).
    version = version_field()
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


class ScopedQuerySet(models.QuerySet):
    """The queryset of a kit model, scoped through its cooperation.

    A model with a `cooperation` field takes it as it is (`objects = ScopedQuerySet.as_manager()`);
    a subclass names another path from the model to its cooperation (`cooperation_path`, e.g.
    "activity__cooperation") or adds queries of its own. `visible_to(user)` and
    `editable_by(user)` then apply the one scope rule (cooperations/scoping.py) instead of
    each kit copying it.
    """

    cooperation_path = "cooperation"

    def visible_to(self, user):
        return self.filter(**{f"{self.cooperation_path}__in": Cooperation.objects.visible_to(user)})

    def editable_by(self, user):
        return self.filter(
            **{f"{self.cooperation_path}__in": Cooperation.objects.editable_by(user)}
        )


class MemberRole(models.TextChoices):
    PORTEUR = "porteur", "Porteur"
    MEMBRE = "membre", "Membre"
    ASSOCIE = "associe", "Associé / partenaire"
    # The GHT's établissement support (CSP L6132-3), as the FINESS register names it.
    SUPPORT = "support", "Établissement support"


# The order in which members are listed (cooperation page, portfolio, COPIL pack, convention):
# who leads first (the porteur, or a GHT's établissement support), then members, then partners.
# Explicit, so that it does not depend on how the codes happen to be spelled.
MEMBER_ROLE_RANK = {
    MemberRole.PORTEUR: 0,
    MemberRole.SUPPORT: 1,
    MemberRole.MEMBRE: 2,
    MemberRole.ASSOCIE: 3,
}


def member_role_rank(role: str) -> int:
    """Rank of a role code in MEMBER_ROLE_RANK (an unknown code comes last)."""
    return MEMBER_ROLE_RANK.get(role, len(MEMBER_ROLE_RANK))


def member_role_rank_expression() -> models.Case:
    """The same rank as a database expression, to order memberships in SQL."""
    return models.Case(
        *(
            models.When(role=role, then=models.Value(rank))
            for role, rank in MEMBER_ROLE_RANK.items()
        ),
        default=models.Value(len(MEMBER_ROLE_RANK)),
        output_field=models.IntegerField(),
    )


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(left_on__isnull=True)

    def by_rank(self, *first):
        """Ordered by `first` fields, then role rank (MEMBER_ROLE_RANK), then creation."""
        return self.alias(role_rank=member_role_rank_expression()).order_by(
            *first, "role_rank", "pk"
        )


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
    author = user_reference("auteur", blank=False)
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


class SupervisionChange(models.Model):
    """A change of who supervises a cooperation: its pilot ARS and its départements.

    Only the pilot ARS's agents and national admins change these fields (the supervision
    rule, cooperations/scoping.py). Anyone else with a voice on the cooperation (its project
    team, an ARS concerned by one of its départements) files a request here, which the pilot
    ARS accepts or refuses; a supervisor's direct change is recorded here too (status
    "applied"), so that this table is the log of every move, with who, when, from what to
    what. Both the former and the new pilot ARS are told (event `cooperation_moved`).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "En attente de l'ARS pilote"
        ACCEPTED = "accepted", "Acceptée"
        REFUSED = "refused", "Refusée"
        APPLIED = "applied", "Appliquée directement"

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.CASCADE, related_name="supervision_changes"
    )
    status = models.CharField(
        "statut", max_length=10, choices=Status.choices, default=Status.PENDING
    )
    from_pilot_ars = models.ForeignKey(
        ARS, on_delete=models.PROTECT, related_name="+", verbose_name="ARS pilote avant"
    )
    to_pilot_ars = models.ForeignKey(
        ARS, on_delete=models.PROTECT, related_name="+", verbose_name="ARS pilote demandée"
    )
    # Codes, as text ("01, 71"): the départements before and after, readable in the log.
    from_departements = models.CharField("départements avant", max_length=300)
    to_departements = models.ManyToManyField(
        Departement, related_name="+", verbose_name="départements demandés"
    )
    reason = models.TextField("motif", blank=True)
    requested_by = user_reference("demandé par", blank=False)
    requested_at = models.DateTimeField("demandé le", auto_now_add=True)
    decided_by = user_reference("décidé par")
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    decision_comment = models.TextField("commentaire de la décision", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "changement d'ARS pilote ou de départements"
        verbose_name_plural = "changements d'ARS pilote ou de départements"
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["cooperation", "status"])]
        constraints = [
            # One open request at a time per cooperation: the pilot ARS decides on one.
            models.UniqueConstraint(
                fields=["cooperation"],
                condition=Q(status="pending"),
                name="supervision_one_pending_request",
                violation_error_message=(
                    "Une demande de changement est déjà en attente pour cette coopération."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_pilot_ars} → {self.to_pilot_ars} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("cooperations:supervision", args=[self.cooperation_id])

    @property
    def previous_pilot_ars_id(self) -> int:
        return self.from_pilot_ars_id


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
