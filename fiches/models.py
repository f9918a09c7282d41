"""KIT 1: the fiches repères catalogue (versioned data), per-cooperation steps and their
workflow, the legal-form chooser rules, and the knowledge base (notifications live in the `notifications` app)."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from cooperations.models import Cooperation, LegalForm, Phase, ScopedQuerySet
from core.catalogue_versions import CatalogueVersion as BaseCatalogueVersion
from core.locking import version_field
from core.models import user_reference
from core.workflow import TransitionLog, Workflow

# The phase a fiche belongs to: one of a project's working phases, every cooperations.Phase
# but the close, with the same stored values and labels (a step and its cooperation say the
# same words).
FichePhase = models.TextChoices(
    "FichePhase",
    [(phase.name, (phase.value, phase.label)) for phase in Phase if phase != Phase.CLOTUREE],
)


class CatalogueVersion(BaseCatalogueVersion):
    """A frozen edition of the catalogue: steps keep pointing at the one they were opened with."""

    number = models.PositiveIntegerField("numéro", unique=True)
    history = HistoricalRecords()

    class Meta(BaseCatalogueVersion.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="one_current_catalogue_version",
            )
        ]

    @classmethod
    def copied_rows(cls):
        return [(Fiche, "version"), (Question, "fiche__version")]

    def in_use(self) -> bool:
        return Step.objects.filter(fiche__version=self).exists()


class KnowledgeCategory(models.TextChoices):
    LEGAL_FORM = "forme", "Formes juridiques"
    TECHNICAL = "technique", "Sujets techniques"
    TYPOLOGY = "typologie", "Typologies de coopération"
    FEEDBACK = "retour", "Retours d'expérience"


class KnowledgePage(models.Model):
    slug = models.SlugField("identifiant", max_length=80, unique=True)
    title = models.CharField("titre", max_length=200)
    category = models.CharField(
        "rubrique", max_length=20, choices=KnowledgeCategory.choices, db_index=True
    )
    summary = models.CharField("résumé", max_length=300, blank=True)
    body = models.TextField("contenu (Markdown)")
    legal_form = models.ForeignKey(
        LegalForm,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="knowledge_pages",
        verbose_name="forme juridique décrite",
    )
    order = models.PositiveSmallIntegerField("ordre", default=0)
    is_published = models.BooleanField("publiée", default=True, db_index=True)
    updated_at = models.DateTimeField("mise à jour", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "page de la base de connaissances"
        verbose_name_plural = "pages de la base de connaissances"
        ordering = ["category", "order", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("fiches:kb_page", args=[self.slug])


class Fiche(models.Model):
    version = models.ForeignKey(
        CatalogueVersion, on_delete=models.PROTECT, related_name="fiches", verbose_name="version"
    )
    number = models.PositiveSmallIntegerField("numéro")
    title = models.CharField("titre", max_length=200)
    phase = models.CharField("phase", max_length=20, choices=FichePhase.choices)
    purpose = models.TextField("objet de l'étape")
    guidance = models.TextField("repères (Markdown)", blank=True)
    documents_expected = models.TextField(
        "documents attendus", blank=True, help_text="Un document par ligne."
    )
    legal_forms = models.ManyToManyField(
        LegalForm,
        blank=True,
        related_name="+",
        verbose_name="formes juridiques concernées",
        help_text="Vide : la fiche s'applique à toutes les formes.",
    )
    prerequisites = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="unlocks",
        verbose_name="fiches à valider avant",
    )
    knowledge_pages = models.ManyToManyField(
        KnowledgePage, blank=True, related_name="fiches", verbose_name="pages utiles"
    )
    offers_legal_form_chooser = models.BooleanField(
        "propose l'aide au choix de la forme juridique", default=False
    )
    history = HistoricalRecords(m2m_fields=[legal_forms, prerequisites, knowledge_pages])

    class Meta:
        verbose_name = "fiche repère"
        verbose_name_plural = "fiches repères"
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="fiche_unique_number")
        ]

    def __str__(self) -> str:
        return f"Fiche {self.number} — {self.title}"

    @property
    def documents_list(self) -> list[str]:
        return [line.strip() for line in self.documents_expected.splitlines() if line.strip()]


class QuestionKind(models.TextChoices):
    TEXT = "text", "Texte"
    YESNO = "yesno", "Oui / non"
    CHOICE = "choice", "Choix dans une liste"
    DATE = "date", "Date"
    NUMBER = "number", "Nombre"
    FILE = "file", "Pièce jointe"
    PLAN_OBJECTIVES = "objectifs_prs", "Objectifs du plan régional de santé"


class Question(models.Model):
    fiche = models.ForeignKey(
        Fiche, on_delete=models.CASCADE, related_name="questions", verbose_name="fiche"
    )
    code = models.SlugField("code", max_length=60)
    order = models.PositiveSmallIntegerField("ordre", default=0)
    label = models.CharField("question", max_length=300)
    help_text = models.CharField("aide", max_length=500, blank=True)
    kind = models.CharField("type", max_length=20, choices=QuestionKind.choices)
    choices = models.TextField("choix possibles", blank=True, help_text="Un choix par ligne.")
    mandatory = models.BooleanField("obligatoire pour soumettre", default=False)
    min_value = models.DecimalField(
        "valeur minimale", max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        "valeur maximale", max_digits=14, decimal_places=2, null=True, blank=True
    )
    legal_forms = models.ManyToManyField(
        LegalForm,
        blank=True,
        related_name="+",
        verbose_name="formes juridiques concernées",
        help_text="Vide : la question est posée quelle que soit la forme.",
    )
    not_before = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="date à ne pas précéder",
        help_text="Pour une date : la question de la même fiche dont la date doit venir avant.",
    )
    history = HistoricalRecords(m2m_fields=[legal_forms])

    class Meta:
        verbose_name = "question"
        ordering = ["fiche", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["fiche", "code"], name="question_unique_code")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class StepState(models.TextChoices):
    NOT_STARTED = "not_started", "Non commencée"
    IN_PROGRESS = "in_progress", "En cours"
    SUBMITTED = "submitted", "Soumise à l'ARS"
    VALIDATED = "validated", "Validée"
    RETURNED = "returned", "Renvoyée"


# The moves of a step (core.workflow.transition refuses any other). The team starts a step
# by saving it, submits it; the ARS validates or returns it; a returned step is taken up
# again, a validated one may be reopened by the ARS.
STEP_MOVES = {
    StepState.NOT_STARTED: {StepState.IN_PROGRESS},
    StepState.IN_PROGRESS: {StepState.SUBMITTED},
    StepState.SUBMITTED: {StepState.VALIDATED, StepState.RETURNED},
    StepState.RETURNED: {StepState.IN_PROGRESS},
    StepState.VALIDATED: {StepState.IN_PROGRESS},
}


class Step(models.Model):
    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.CASCADE, related_name="kit1_steps"
    )
    fiche = models.ForeignKey(Fiche, on_delete=models.PROTECT, related_name="steps")
    number = models.PositiveSmallIntegerField("numéro")
    state = models.CharField(
        "état", max_length=20, choices=StepState.choices, default=StepState.NOT_STARTED
    )
    started_at = models.DateTimeField("commencée le", null=True, blank=True)
    submitted_at = models.DateTimeField("soumise le", null=True, blank=True)
    decided_at = models.DateTimeField("décision ARS le", null=True, blank=True)
    last_actor = user_reference("dernier intervenant")
    return_reason = models.TextField("motif du renvoi", blank=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    version = version_field()
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    workflow = Workflow(StepState, STEP_MOVES, field="state")

    class Meta:
        verbose_name = "étape KIT 1"
        verbose_name_plural = "étapes KIT 1"
        ordering = ["cooperation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cooperation", "number"], name="step_unique_number")
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"]),
            # The ARS work list sorts a region's cooperations (2 000+) on their oldest
            # submitted step: one lookup per cooperation in this small index instead of
            # reading every step of each (cooperations.portfolio, fiches.portfolio).
            models.Index(
                fields=["cooperation", "submitted_at", "id"],
                condition=Q(state="submitted"),
                name="step_submitted_by_coop",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cooperation} — étape {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("fiches:step", args=[self.pk])


class Answer(models.Model):
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    # Stored as text whatever the type (ISO date, decimal with a dot, "oui"/"non").
    value = models.TextField("réponse", blank=True)
    updated_by = user_reference(blank=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "réponse"
        constraints = [
            models.UniqueConstraint(fields=["step", "question"], name="answer_unique_question")
        ]

    def __str__(self) -> str:
        return f"{self.question.code} = {self.value[:40]}"


class StepTransition(TransitionLog):
    """The explicit workflow log: who moved the step, when, from which state to which."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="transitions")
    subject_model = Step

    class Meta:
        verbose_name = "transition d'étape"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["step", "at"])]

    def __str__(self) -> str:
        return f"{self.step} : {super().__str__()}"


class StepComment(models.Model):
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="comments")
    author = user_reference(blank=False)
    body = models.TextField("commentaire")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "commentaire"
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["step", "created_at"])]

    def __str__(self) -> str:
        return f"Commentaire sur {self.step_id} ({self.created_at:%d/%m/%Y})"


def attachment_path(instance, filename):
    return f"kit1/{instance.step.cooperation_id}/{filename}"


class Attachment(models.Model):
    """A document of a step. Re-uploading under the same slot adds a revision."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="attachments")
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    slot = models.CharField("document", max_length=200)
    revision = models.PositiveIntegerField("version", default=1)
    original_name = models.CharField("nom du fichier", max_length=255)
    file = models.FileField(upload_to=attachment_path)
    size = models.PositiveIntegerField("taille (octets)")
    uploaded_by = user_reference(blank=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "pièce jointe"
        ordering = ["slot", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["step", "slot", "revision"], name="attachment_unique_revision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (v{self.revision})"


class Criterion(models.TextChoices):
    MEMBERS_STATUS = "members_status", "Statut des membres"
    SECTORS = "sectors", "Secteurs des membres"
    GHT_CONTEXT = "ght_context", "Hôpitaux publics du territoire et projet médical partagé"
    LEGAL_PERSONALITY = "legal_personality", "Besoin d'une personne morale"
    EMPLOY_STAFF = "employ_staff", "Personnel employé par la structure"
    AUTHORISATION = "authorisation", "Autorisations à détenir"
    CAPITAL = "capital", "Capital ou apports"
    DURATION = "duration", "Durée"
    ECONOMIC = "economic", "Activité économique des membres"
    PURPOSE = "purpose", "Finalité (parcours, efficience, isolement)"
    ESMS_DUTY = "esms_duty", "ESMS public autonome tenu de rejoindre un GHT ou un GTSMS"
    DOMAIN = "domain", "Champ particulier (santé mentale, soins primaires, services cliniques)"


class ChooserRule(models.Model):
    """One row of the legal-form rule table: an answer speaks for or against a form."""

    criterion = models.CharField("critère", max_length=30, choices=Criterion.choices)
    value = models.CharField("réponse", max_length=30)
    legal_form = models.ForeignKey(
        LegalForm, on_delete=models.CASCADE, related_name="+", verbose_name="forme juridique"
    )
    weight = models.SmallIntegerField(
        "poids", help_text="Positif : argument pour ; négatif : argument contre."
    )
    excludes = models.BooleanField(
        "écarte la forme", default=False, help_text="La forme ne peut pas convenir."
    )
    reason = models.CharField("raison affichée", max_length=300)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "règle du choix de forme juridique"
        verbose_name_plural = "règles du choix de forme juridique"
        ordering = ["criterion", "value", "legal_form"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "value", "legal_form"], name="chooser_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_criterion_display()} = {self.value} → {self.legal_form} ({self.weight:+d})"
        )


class LegalFormDecision(models.Model):
    """The questionnaire answers and ranking that led the team to its legal form."""

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.CASCADE, related_name="kit1_legal_form_decisions"
    )
    answers = models.JSONField("réponses au questionnaire")
    ranking = models.JSONField("classement proposé")
    legal_form = models.ForeignKey(
        LegalForm, on_delete=models.PROTECT, related_name="+", verbose_name="forme retenue"
    )
    justification = models.TextField("justification", blank=True)
    decided_by = user_reference(blank=False)
    decided_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "choix de forme juridique"
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.cooperation} : {self.legal_form}"
