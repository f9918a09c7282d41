"""Eval'Impact: a versioned indicator catalogue, evaluations and their answers, Hospi Diag values.

The catalogue is data (loaded by a data migration, edited by national admins in the admin).
A version that an evaluation uses is frozen: an admin edit copies it into a new version
(see services/catalogue.py), so an evaluation is always read with the catalogue it was
made with.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cooperations.models import Cooperation, Membership, ScopedQuerySet
from core.catalogue_versions import CatalogueVersion as BaseCatalogueVersion
from core.locking import version_field
from core.models import ImportJob, RequestedDocument, user_reference
from core.workflow import TransitionLog, Workflow

DEFAULT_THRESHOLDS = [-5, 2, 10, 25]


class CatalogueVariant(models.TextChoices):
    """Which set of indicators: hospitals, or medico-social cooperations (GCSMS, EHPAD…).

    Each variant is its own versioned catalogue (its own file in catalogues/evalimpact/),
    with the same four axes; the variant of a new evaluation follows the cooperation
    (services/catalogue.variant_for).
    """

    SANITAIRE = "sanitaire", "Sanitaire (établissements de santé)"
    MEDICO_SOCIAL = "medico_social", "Médico-social (EHPAD, ESMS, GCSMS, GTSMS)"


def default_thresholds():
    return list(DEFAULT_THRESHOLDS)


class CatalogueVersion(BaseCatalogueVersion):
    """A frozen edition of one indicator set: evaluations keep the one they were made with."""

    variant = models.CharField(
        "jeu d'indicateurs",
        max_length=20,
        choices=CatalogueVariant.choices,
        default=CatalogueVariant.SANITAIRE,
    )
    history = HistoricalRecords()

    copy_scope = ("variant",)

    class Meta(BaseCatalogueVersion.Meta):
        ordering = ["variant", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "number"], name="evalimpact_catalogue_variant_number"
            ),
            models.UniqueConstraint(
                fields=["variant", "is_current"],
                condition=Q(is_current=True),
                name="evalimpact_one_current_catalogue_per_variant",
            ),
        ]

    @property
    def label(self) -> str:
        """ "v3" or "médico-social v1", as pages cite it."""
        if self.variant == CatalogueVariant.SANITAIRE:
            return f"v{self.number}"
        return f"médico-social v{self.number}"

    @classmethod
    def copied_rows(cls):
        return [
            (Axis, "version"),
            (ScoreLevel, "version"),
            (Activity, "version"),
            (Indicator, "version"),
        ]

    def in_use(self) -> bool:
        return self.evaluations.exists()


class Axis(models.Model):
    version = models.ForeignKey(
        CatalogueVersion, on_delete=models.CASCADE, related_name="axes", verbose_name="version"
    )
    code = models.PositiveSmallIntegerField("numéro d'axe")
    label = models.CharField("intitulé", max_length=150)
    short_label = models.CharField("intitulé court (radar)", max_length=40)
    weight = models.DecimalField("poids", max_digits=5, decimal_places=2, default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "axe"
        ordering = ["version", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="evalimpact_axis_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="evalimpact_axis_weight_gt0"),
        ]

    def __str__(self) -> str:
        return f"Axe {self.code} — {self.label}"


class IndicatorKind(models.TextChoices):
    QUALITATIVE = "qualitative", "Qualitatif (niveau de 0 à 4)"
    QUANTITATIVE = "quantitative", "Quantitatif (valeur avant / après)"


class Direction(models.TextChoices):
    HIGHER = "higher", "Plus c'est haut, mieux c'est"
    LOWER = "lower", "Plus c'est bas, mieux c'est"


class Scale(models.TextChoices):
    """How a quantitative answer is turned into a change before the thresholds."""

    RELATIVE = "relative", "Variation relative (% de la référence)"
    ABSOLUTE = "absolute", "Écart absolu (dans l'unité de l'indicateur)"


class Indicator(models.Model):
    version = models.ForeignKey(
        CatalogueVersion, on_delete=models.CASCADE, related_name="indicators"
    )
    axis = models.ForeignKey(Axis, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField("code", max_length=10)
    order = models.PositiveSmallIntegerField("ordre", default=0)
    label = models.CharField("intitulé", max_length=255)
    definition = models.TextField("définition", blank=True)
    kind = models.CharField("nature", max_length=15, choices=IndicatorKind.choices)
    unit = models.CharField("unité", max_length=40, blank=True)
    is_percentage = models.BooleanField(
        "valeur en pourcentage (bornée entre 0 et 100)", default=False
    )
    direction = models.CharField(
        "sens favorable", max_length=10, choices=Direction.choices, blank=True
    )
    scale = models.CharField(
        "échelle",
        max_length=10,
        choices=Scale.choices,
        default=Scale.RELATIVE,
        help_text="Écart absolu quand la référence peut valoir 0 (une variation en % n'a alors "
        "pas de sens).",
    )
    thresholds = models.JSONField(
        "seuils",
        default=default_thresholds,
        blank=True,
        help_text="Quatre bornes croissantes séparant les notes 0|1|2|3|4 : en % de variation "
        "(échelle relative) ou dans l'unité de l'indicateur (échelle absolue), le progrès "
        "comptant positivement.",
    )
    thresholds_reason = models.TextField(
        "raison des seuils",
        blank=True,
        help_text="Pourquoi ces seuils pour cet indicateur (ordre de grandeur, source).",
    )
    weight = models.DecimalField("poids dans l'axe", max_digits=5, decimal_places=2, default=1)
    source = models.CharField("source des données", max_length=255, blank=True)
    hospidiag_codes = models.JSONField(
        "codes Hospi Diag",
        default=list,
        blank=True,
        help_text="Codes Hospi Diag qui préremplissent la valeur de référence, par ordre de "
        "préférence (ex. P1, P2, P3). Quand l'indicateur dépend de l'activité évaluée, ce "
        "sont tous les codes possibles, et chaque activité choisit les siens.",
    )
    by_activity = models.BooleanField(
        "codes Hospi Diag choisis selon l'activité",
        default=False,
        help_text="La valeur Hospi Diag dépend de l'activité évaluée (médecine, chirurgie…) : "
        "les codes viennent de l'activité choisie par l'évaluation.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "indicateur"
        ordering = ["version", "axis__code", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="evalimpact_indicator_unique"),
            models.CheckConstraint(
                condition=Q(weight__gt=0), name="evalimpact_indicator_weight_gt0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"

    @property
    def is_quantitative(self) -> bool:
        return self.kind == IndicatorKind.QUANTITATIVE

    def clean(self):
        from django.core.exceptions import ValidationError

        from evalimpact.services.scoring import validate_thresholds

        errors = {}
        if self.is_quantitative:
            if not self.direction:
                errors["direction"] = "Un indicateur quantitatif a besoin d'un sens favorable."
            try:
                validate_thresholds(self.thresholds)
            except ValidationError as error:
                errors["thresholds"] = error.messages
        if self.axis_id and self.version_id and self.axis.version_id != self.version_id:
            errors["axis"] = "L'axe doit appartenir à la même version du catalogue."
        if not isinstance(self.hospidiag_codes, list):
            errors["hospidiag_codes"] = 'Indiquez une liste de codes, par exemple ["P1", "P2"].'
        if errors:
            raise ValidationError(errors)


class Activity(models.Model):
    """The activity an evaluation measures (médecine, chirurgie, imagerie…).

    `hospidiag` maps an indicator code to the Hospi Diag codes that measure it for this
    activity, best first ({"F1": ["A2", "A2bis"], "E5": ["P2"]}); an activity-dependent
    indicator absent from the map has no Hospi Diag value for this activity, and says so.
    `themes` are the cooperation themes (codes of catalogues/themes.yaml) that propose it.
    """

    version = models.ForeignKey(
        CatalogueVersion, on_delete=models.CASCADE, related_name="activities"
    )
    code = models.SlugField("code", max_length=40)
    order = models.PositiveSmallIntegerField("ordre", default=0)
    label = models.CharField("intitulé", max_length=100)
    themes = models.JSONField("thèmes qui la proposent", default=list, blank=True)
    hospidiag = models.JSONField("codes Hospi Diag par indicateur", default=dict, blank=True)
    note = models.CharField(
        "note (affichée quand Hospi Diag ne mesure pas l'activité)", max_length=255, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "activité évaluée"
        verbose_name_plural = "activités évaluées"
        ordering = ["version", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="evalimpact_activity_unique")
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self):
        from django.core.exceptions import ValidationError

        if not isinstance(self.themes, list):
            raise ValidationError(
                {"themes": 'Indiquez une liste de codes, par exemple ["imagerie"].'}
            )
        if not isinstance(self.hospidiag, dict) or not all(
            isinstance(v, list) for v in self.hospidiag.values()
        ):
            raise ValidationError(
                {"hospidiag": 'Indiquez un dictionnaire, par exemple {"F1": ["A2"], "E5": ["P2"]}.'}
            )


class ScoreLevel(models.Model):
    """The 0–4 scale: what each level means, shown next to qualitative answers."""

    version = models.ForeignKey(CatalogueVersion, on_delete=models.CASCADE, related_name="levels")
    score = models.PositiveSmallIntegerField("note")
    label = models.CharField("libellé", max_length=60)
    description = models.CharField("description", max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "niveau de l'échelle"
        verbose_name_plural = "niveaux de l'échelle"
        ordering = ["version", "score"]
        constraints = [
            models.UniqueConstraint(fields=["version", "score"], name="evalimpact_level_unique"),
            models.CheckConstraint(condition=Q(score__lte=4), name="evalimpact_level_0_4"),
        ]

    def __str__(self) -> str:
        return f"{self.score} — {self.label}"


class EvaluationKind(models.TextChoices):
    POTENTIAL = "potential", "Impact potentiel"
    EFFECTIVE = "effective", "Impact effectif"


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    FINAL = "final", "Définitive"


# The moves of an evaluation (core.workflow.transition refuses any other): a complete draft
# becomes final; a final one is reopened as a draft to be corrected.
EVALUATION_MOVES = {
    EvaluationStatus.DRAFT: {EvaluationStatus.FINAL},
    EvaluationStatus.FINAL: {EvaluationStatus.DRAFT},
}


class Evaluation(models.Model):
    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.CASCADE, related_name="evaluations"
    )
    catalogue = models.ForeignKey(
        CatalogueVersion,
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name="version du catalogue",
    )
    kind = models.CharField("type d'évaluation", max_length=10, choices=EvaluationKind.choices)
    # Code of an Activity of the evaluation's catalogue version (blank: chosen before the
    # activities existed; activity-dependent indicators are then not prefilled).
    activity = models.CharField("activité évaluée", max_length=40, blank=True)
    evaluated_on = models.DateField("date de l'évaluation")
    status = models.CharField(
        "statut",
        max_length=10,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.DRAFT,
    )
    comments = models.TextField("commentaires", blank=True)
    # Axis scores computed by services.scoring after every write, so that lists, the
    # compare page and exports read them without loading every answer.
    axis_scores = models.JSONField("notes par axe", default=dict, blank=True)
    overall_score = models.DecimalField(
        "note globale", max_digits=5, decimal_places=1, null=True, blank=True
    )
    created_by = user_reference()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = version_field()
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    workflow = Workflow(EvaluationStatus, EVALUATION_MOVES, field="status")

    class Meta:
        verbose_name = "évaluation"
        ordering = ["-evaluated_on", "-pk"]
        indexes = [
            models.Index(fields=["cooperation", "kind", "evaluated_on"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.evaluated_on:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("evalimpact:detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.status == EvaluationStatus.FINAL


class EvaluationTransition(TransitionLog):
    """Explicit log of status changes (draft → final → draft)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="transitions")
    subject_model = Evaluation

    class Meta:
        verbose_name = "changement de statut"
        ordering = ["-at", "-pk"]


class Answer(models.Model):
    """One answer: an indicator for the whole cooperation, or for one member."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="answers")
    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evalimpact_answers",
        verbose_name="membre",
    )
    baseline = models.DecimalField(
        "valeur de référence", max_digits=14, decimal_places=4, null=True, blank=True
    )
    value = models.DecimalField(
        "valeur cible ou observée", max_digits=14, decimal_places=4, null=True, blank=True
    )
    level = models.PositiveSmallIntegerField("niveau", null=True, blank=True)
    justification = models.TextField("justification", blank=True)
    not_applicable = models.BooleanField("non applicable", default=False)
    not_applicable_reason = models.CharField("motif", max_length=255, blank=True)
    # Where a prefilled baseline came from, shown beside the field (Hospi Diag 2022, code…).
    baseline_source = models.CharField(
        "source de la valeur de référence", max_length=255, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "réponse"
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "indicator", "membership"],
                name="evalimpact_answer_unique_member",
            ),
            models.UniqueConstraint(
                fields=["evaluation", "indicator"],
                condition=Q(membership__isnull=True),
                name="evalimpact_answer_unique_coop",
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__lte=4), name="evalimpact_answer_level"
            ),
        ]

    def __str__(self) -> str:
        return f"Réponse {self.indicator_id} de l'évaluation {self.evaluation_id}"


class HospidiagImport(ImportJob):
    """One run of the Hospi Diag import, with its report of skipped lines.

    A core.models.ImportJob (a BackgroundJob), like the FINESS import: a file handed to Celery
    (`manage.py import_hospidiag --en-tache`) is stored on the run and imported by
    evalimpact.tasks.run_hospidiag_import with the life cycle of core.documents (status
    page, heartbeat, stalled-job reaper, "Relancer"). The import is one transaction keyed
    by (FINESS, year, code), so a run started again never stores a value twice. The command
    without `--en-tache` imports at once and records a run already done.
    """

    TASK_NAME = "evalimpact.tasks.run_hospidiag_import"
    FAILED_MESSAGE = (
        "L'import Hospi Diag a échoué et rien n'a été enregistré. L'erreur est consignée "
        "pour l'équipe technique ; relancez l'import, et si le problème persiste, contactez-la."
    )
    QUEUE_DOWN_MESSAGE = (
        "Le service de traitement des imports est momentanément indisponible : l'import "
        "Hospi Diag n'a pas démarré et rien n'a été enregistré. Relancez-le dans quelques "
        "minutes."
    )
    ABANDONED_MESSAGE = (
        "L'import Hospi Diag a été interrompu à plusieurs reprises (service de traitement "
        "arrêté ou redémarré) et a été abandonné ; les essais interrompus n'ont rien "
        "enregistré. Relancez-le ; si le problème persiste, contactez l'équipe technique."
    )

    file = models.FileField(upload_to="imports/hospidiag/%Y/%m/", blank=True, max_length=255)
    file_name = models.CharField("fichier", max_length=255)
    file_kind = models.CharField("type de fichier", max_length=40, blank=True)
    # Asked for (None: read from the file's name, sheet or column), then the file's year.
    year = models.PositiveSmallIntegerField("année", null=True, blank=True)
    lines_read = models.PositiveIntegerField("lignes lues", default=0)
    values_stored = models.PositiveIntegerField("valeurs enregistrées", default=0)
    missing_values = models.JSONField("valeurs manquantes par marqueur", default=dict)
    skipped = models.JSONField("lignes écartées", default=list)
    summary = models.TextField("compte rendu", blank=True)
    started_by = user_reference()

    class Meta(ImportJob.Meta):
        verbose_name = "import Hospi Diag"
        verbose_name_plural = "imports Hospi Diag"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.year or 'année à lire dans le fichier'})"


class HospidiagValue(models.Model):
    finess = models.CharField("FINESS", max_length=9)
    year = models.PositiveSmallIntegerField("année")
    code = models.CharField("code Hospi Diag", max_length=20)
    value = models.DecimalField("valeur", max_digits=16, decimal_places=4)
    source = models.CharField("source", max_length=60)
    entity_name = models.CharField("raison sociale (Hospi Diag)", max_length=255, blank=True)

    class Meta:
        verbose_name = "valeur Hospi Diag"
        verbose_name_plural = "valeurs Hospi Diag"
        constraints = [
            models.UniqueConstraint(
                fields=["finess", "year", "code"], name="evalimpact_hospidiag_unique"
            )
        ]
        indexes = [models.Index(fields=["finess", "code"])]

    def __str__(self) -> str:
        return f"{self.finess} {self.code} {self.year} = {self.value}"


class SummaryPdf(RequestedDocument):
    """One requested Eval'Impact summary PDF (live data: a new request, a new document).

    `request_key` makes a double click or a retried POST harmless.
    """

    TASK_NAME = "evalimpact.tasks.generate_summary_pdf"

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.CASCADE, related_name="evalimpact_summaries"
    )
    file = models.FileField(
        "fichier", upload_to="evalimpact/syntheses/", blank=True, max_length=255
    )

    objects = ScopedQuerySet.as_manager()

    class Meta(RequestedDocument.Meta):
        verbose_name = "synthèse PDF Eval'Impact"
        verbose_name_plural = "synthèses PDF Eval'Impact"
        indexes = [
            *RequestedDocument.Meta.indexes,
            models.Index(fields=["cooperation", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"Synthèse Eval'Impact du {timezone.localtime(self.created_at):%d/%m/%Y %H:%M}"
