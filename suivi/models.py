"""KIT 3: activities (chantiers), deliverables and milestones, risks, status reports, COPIL packs.

Dates, progress and weights are typed by users; slippage, "respect du planning" (RAG) and
global progress are computed (suivi/planning.py), never stored twice.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cooperations.models import Cooperation, Membership, ScopedQuerySet
from core.locking import version_field
from core.models import RequestedDocument, user_reference
from core.text import plausible_date_constraints

# A deliverable's current due date: the revised date when there is one. The home page's
# "échéances dépassées" sorts on it and the partial index deliverable_open_due is built on
# it: keep one definition so that the query and the index stay the same expression.
CURRENT_DUE = Coalesce("revised_on", "planned_on")

# Slippage (days) up to which a deliverable is "at risk", beyond which it is "late",
# unless the cooperation sets its own threshold (ProjectSettings.at_risk_max_days).
DEFAULT_AT_RISK_MAX_DAYS = 30


class ProjectSettings(models.Model):
    """Per-cooperation settings of the tracker (kept out of Cooperation on purpose)."""

    class Period(models.IntegerChoices):
        MONTHLY = 1, "Mensuelle"
        BIMONTHLY = 2, "Bimestrielle"
        QUARTERLY = 3, "Trimestrielle"
        HALF_YEARLY = 6, "Semestrielle"

    cooperation = models.OneToOneField(
        Cooperation, on_delete=models.CASCADE, related_name="suivi_settings"
    )
    report_period_months = models.PositiveSmallIntegerField(
        "périodicité des rapports d'avancement", choices=Period.choices, default=Period.MONTHLY
    )
    reminder_days = models.PositiveSmallIntegerField(
        "rappel par courriel (jours avant l'échéance)",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    at_risk_max_days = models.PositiveSmallIntegerField(
        "seuil « à risque » (jours de glissement)",
        default=DEFAULT_AT_RISK_MAX_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=(
            "Un livrable qui glisse de 1 jour jusqu'à ce seuil est « à risque » ; au-delà, "
            "il est « en retard ». Entre 1 et 365 jours ; 30 par défaut."
        ),
    )
    version = version_field()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "paramètres du suivi"
        verbose_name_plural = "paramètres du suivi"

    def __str__(self) -> str:
        return f"Suivi de {self.cooperation}"


class Activity(models.Model):
    """A work stream ("chantier") with its sheet."""

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.CASCADE, related_name="activities"
    )
    title = models.CharField("intitulé du chantier", max_length=200)
    lead_name = models.CharField("pilote (personne)", max_length=150, blank=True)
    lead_member = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_activities",
        verbose_name="établissement pilote",
    )
    objectives = models.TextField("objectifs", blank=True)
    description = models.TextField("description", blank=True)
    resources = models.TextField("moyens mobilisés", blank=True)
    depends_on = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="dependents",
        verbose_name="dépend des chantiers",
    )
    order = models.PositiveSmallIntegerField("ordre", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    version = version_field()
    history = HistoricalRecords(m2m_fields=[depends_on])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "chantier"
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["cooperation", "order"])]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperation", "title"],
                name="activity_unique_title",
                violation_error_message="Un chantier porte déjà cet intitulé dans ce projet.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("suivi:activity_detail", args=[self.pk])


class DeliverableQuerySet(ScopedQuerySet):
    cooperation_path = "activity__cooperation"

    def for_cooperation(self, cooperation):
        return self.filter(activity__cooperation=cooperation).select_related("activity")


class Rag(models.TextChoices):
    ON_TIME = "on_time", "À l'heure"
    AT_RISK = "at_risk", "À risque"
    LATE = "late", "En retard"


class Deliverable(models.Model):
    class Kind(models.TextChoices):
        DELIVERABLE = "livrable", "Livrable"
        MILESTONE = "jalon", "Jalon"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="deliverables")
    kind = models.CharField("type", max_length=10, choices=Kind.choices, default=Kind.DELIVERABLE)
    title = models.CharField("intitulé", max_length=200)
    planned_on = models.DateField(
        "date prévisionnelle planifiée",
        null=True,
        blank=True,
        help_text="Date de référence : une fois enregistrée, elle ne peut plus être modifiée.",
    )
    revised_on = models.DateField("date révisée", null=True, blank=True, db_index=True)
    done_on = models.DateField("date de réalisation", null=True, blank=True, db_index=True)
    progress = models.PositiveSmallIntegerField(
        "avancement (%)",
        default=0,
        validators=[
            MinValueValidator(0, "L'avancement est un pourcentage entre 0 et 100."),
            MaxValueValidator(100, "L'avancement est un pourcentage entre 0 et 100."),
        ],
    )
    weight = models.PositiveSmallIntegerField(
        "poids dans l'avancement du chantier",
        default=1,
        validators=[
            MinValueValidator(1, "Le poids est un entier entre 1 et 100."),
            MaxValueValidator(100, "Le poids est un entier entre 1 et 100."),
        ],
    )
    rag_override = models.CharField(
        "respect du planning forcé", max_length=10, choices=Rag.choices, blank=True
    )
    rag_override_reason = models.TextField("justification du forçage", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = version_field()
    history = HistoricalRecords()

    objects = DeliverableQuerySet.as_manager()

    class Meta:
        verbose_name = "livrable ou jalon"
        verbose_name_plural = "livrables et jalons"
        ordering = ["planned_on", "pk"]
        indexes = [
            models.Index(fields=["activity", "planned_on"]),
            # The home page's "échéances dépassées": open deliverables by current due date,
            # read in order until a handful in the user's scope are found.
            models.Index(
                CURRENT_DUE,
                "id",
                condition=Q(done_on__isnull=True),
                name="deliverable_open_due",
            ),
        ]
        constraints = [
            *plausible_date_constraints("deliverable", "planned_on", "revised_on", "done_on"),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="deliverable_progress_0_100",
                violation_error_message="L'avancement est un pourcentage entre 0 et 100.",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1),
                name="deliverable_weight_positive",
                violation_error_message="Le poids est un entier entre 1 et 100.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def due_on(self):
        """The date the team currently commits to: the last revision, else the baseline."""
        return self.revised_on or self.planned_on


class DateRevision(models.Model):
    """Each change of a deliverable's revised date, with its mandatory reason."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="revisions")
    previous_date = models.DateField("date précédente", null=True, blank=True)
    new_date = models.DateField("nouvelle date", null=True, blank=True)
    reason = models.TextField("motif de la révision")
    created_by = user_reference()
    created_at = models.DateTimeField("date de saisie", auto_now_add=True)

    class Meta:
        verbose_name = "révision de date"
        verbose_name_plural = "révisions de date"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.deliverable} : {self.previous_date} → {self.new_date}"


class RiskCategory(models.Model):
    """Catalogue of risk categories, editable by national admins (loaded by a data migration)."""

    code = models.SlugField("code", max_length=40, unique=True)
    name = models.CharField("catégorie", max_length=100)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "catégorie de risque"
        verbose_name_plural = "catégories de risque"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class RiskQuerySet(ScopedQuerySet):
    def open(self):
        return self.exclude(status=Risk.Status.CLOSED)

    def by_criticity(self):
        return self.annotate(criticity_value=models.F("probability") * models.F("impact")).order_by(
            "-criticity_value", "review_on", "pk"
        )


LEVEL_VALIDATORS = [
    MinValueValidator(1, "Choisissez une valeur entre 1 et 4."),
    MaxValueValidator(4, "Choisissez une valeur entre 1 et 4."),
]


class Risk(models.Model):
    class Level(models.IntegerChoices):
        LOW = 1, "1 – faible"
        MEDIUM = 2, "2 – moyen"
        HIGH = 3, "3 – fort"
        VERY_HIGH = 4, "4 – très fort"

    class Status(models.TextChoices):
        OPEN = "ouvert", "Ouvert"
        MONITORED = "surveille", "Sous surveillance"
        CLOSED = "clos", "Clos"

    cooperation = models.ForeignKey(Cooperation, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField("risque ou obstacle", max_length=200)
    description = models.TextField("description", blank=True)
    category = models.ForeignKey(
        RiskCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risks",
        verbose_name="catégorie",
    )
    probability = models.PositiveSmallIntegerField(
        "probabilité", choices=Level.choices, default=Level.MEDIUM, validators=LEVEL_VALIDATORS
    )
    impact = models.PositiveSmallIntegerField(
        "impact", choices=Level.choices, default=Level.MEDIUM, validators=LEVEL_VALIDATORS
    )
    owner = models.CharField("responsable", max_length=150, blank=True)
    mitigation = models.TextField("solutions préconisées", blank=True)
    status = models.CharField(
        "statut", max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    review_on = models.DateField("prochaine revue", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = version_field()
    history = HistoricalRecords()

    objects = RiskQuerySet.as_manager()

    class Meta:
        verbose_name = "risque"
        ordering = ["-impact", "-probability", "pk"]
        indexes = [models.Index(fields=["cooperation", "status"])]
        constraints = [
            *plausible_date_constraints("risk", "review_on"),
            models.CheckConstraint(
                condition=Q(probability__gte=1, probability__lte=4)
                & Q(impact__gte=1, impact__lte=4),
                name="risk_levels_1_4",
                violation_error_message="La probabilité et l'impact vont de 1 à 4.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def criticity(self) -> int:
        return self.probability * self.impact


class StatusReport(models.Model):
    """A periodic status report to the COPIL. `snapshot` freezes the numbers of its date."""

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.CASCADE, related_name="status_reports"
    )
    period_start = models.DateField("début de la période")
    period_end = models.DateField("fin de la période")
    achievements = models.TextField("principales réalisations de la période")
    planning_comment = models.TextField("commentaire sur le respect du planning", blank=True)
    risks_comment = models.TextField("risques et obstacles rencontrés", blank=True)
    anticipation = models.TextField("points à anticiper et solutions préconisées", blank=True)
    decisions_expected = models.TextField("décisions attendues du COPIL", blank=True)
    snapshot = models.JSONField("chiffres figés à la date du rapport", default=dict)
    created_by = user_reference()
    created_at = models.DateTimeField("établi le", auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["snapshot"])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "rapport d'avancement"
        verbose_name_plural = "rapports d'avancement"
        ordering = ["-period_end", "-pk"]
        indexes = [models.Index(fields=["cooperation", "period_end"])]
        constraints = [
            *plausible_date_constraints("report", "period_start", "period_end"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="report_period_in_order",
                violation_error_message="La fin de la période précède son début.",
            ),
            models.UniqueConstraint(
                fields=["cooperation", "period_end"],
                name="report_unique_period",
                violation_error_message="Un rapport existe déjà pour cette période.",
            ),
        ]

    def __str__(self) -> str:
        return f"Rapport du {self.period_start:%d/%m/%Y} au {self.period_end:%d/%m/%Y}"


class ReportReminder(models.Model):
    """One reminder per cooperation and due date: the beat task can run twice safely."""

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.CASCADE, related_name="report_reminders"
    )
    due_on = models.DateField("échéance du rapport")
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveSmallIntegerField("destinataires", default=0)

    class Meta:
        verbose_name = "rappel de rapport"
        constraints = [
            models.UniqueConstraint(fields=["cooperation", "due_on"], name="reminder_unique_due")
        ]

    def __str__(self) -> str:
        return f"Rappel {self.cooperation_id} — {self.due_on}"


class CopilPack(RequestedDocument):
    """One COPIL PDF per request; `request_key` makes a double click or a retry harmless.

    Its life cycle (pending → running → done | failed, heartbeat, stalled-job reaper,
    "Relancer") is core.documents', like every generated document.
    """

    TASK_NAME = "suivi.tasks.generate_copil_pack"

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.CASCADE, related_name="copil_packs"
    )
    file = models.FileField("fichier", upload_to="suivi/copil/", blank=True, max_length=255)

    objects = ScopedQuerySet.as_manager()

    class Meta(RequestedDocument.Meta):
        verbose_name = "dossier COPIL"
        verbose_name_plural = "dossiers COPIL"
        indexes = [
            *RequestedDocument.Meta.indexes,
            models.Index(fields=["cooperation", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"Dossier COPIL du {timezone.localtime(self.created_at):%d/%m/%Y %H:%M}"


class CopilMeeting(models.Model):
    """A steering committee meeting (date planned or held): the work list's "next COPIL"
    and the COPIL guest's home page read them."""

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.CASCADE, related_name="copil_meetings"
    )
    held_on = models.DateField("date du COPIL")
    location = models.CharField("lieu ou modalité", max_length=200, blank=True)
    agenda = models.TextField("ordre du jour", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "réunion du COPIL"
        verbose_name_plural = "réunions du COPIL"
        ordering = ["held_on", "pk"]
        indexes = [models.Index(fields=["cooperation", "held_on"])]
        constraints = [
            *plausible_date_constraints("copil_meeting", "held_on"),
            models.UniqueConstraint(
                fields=["cooperation", "held_on"],
                name="copil_meeting_unique_day",
                violation_error_message="Un COPIL est déjà prévu ce jour-là.",
            ),
        ]

    def __str__(self) -> str:
        return f"COPIL du {self.held_on:%d/%m/%Y}"


class TrackingDates(models.Model):
    """Two dates of a cooperation's tracker, derived from its rows and kept at write time
    (suivi/tracking.py) so that "report due / overdue" is a filter on columns instead of
    correlated subqueries over every cooperation of a region (the home page, the work list,
    the daily scan).

    - `started_at`: creation of its first activity (None: not tracked);
    - `last_report_end`: end of its latest status report's period (None: none written).

    A row only for cooperations that have had an activity or a report. Never edited by
    hand: suivi.tracking.refresh recomputes both from the activities and reports.
    """

    cooperation = models.OneToOneField(
        Cooperation, on_delete=models.CASCADE, related_name="tracking_dates"
    )
    started_at = models.DateTimeField("début du suivi", null=True, blank=True)
    last_report_end = models.DateField(
        "fin de la période du dernier rapport", null=True, blank=True
    )

    class Meta:
        verbose_name = "dates du suivi (calculées)"
        verbose_name_plural = "dates du suivi (calculées)"

    def __str__(self) -> str:
        return f"Dates du suivi de {self.cooperation_id}"
