"""The information system of a cooperation (ANAP study on cooperations' information systems).

Catalogue (national admins edit it in the admin; its source is ``catalogues/si/``, see
si/catalogue.py): the five modes of working together, and for each theme of cooperation
the points to examine, grouped by the study's dimensions (processes, SI activities, data
exchanged or shared, technical constraints, and the human, technical, logistic, financial
and contractual context).

Per cooperation: a checklist generated from its themes, shown in KIT 1's SI step; each item
has a status, an owner and a due date, and can become a KIT 3 deliverable.
"""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cooperations.models import Cooperation, ScopedQuerySet, Theme
from core.locking import version_field


class Category(models.TextChoices):
    PROCESS = "processus", "Processus concernés"
    ACTIVITY = "activites_si", "Activités du SI à couvrir"
    DATA = "donnees", "Données échangées ou partagées"
    CONSTRAINT = "contraintes", "Contraintes techniques"
    HUMAN = "contexte_humain", "Contexte humain"
    TECHNICAL = "contexte_technique", "Contexte technique"
    LOGISTIC = "contexte_logistique", "Contexte logistique"
    FINANCIAL = "contexte_financier", "Contexte financier"
    CONTRACTUAL = "contexte_contractuel", "Contexte contractuel"


CATEGORY_ORDER = {value: index for index, value in enumerate(Category.values)}


class ChecklistSettings(models.Model):
    """The catalogue's general settings (one row): which KIT 1 fiche is the SI step."""

    fiche_number = models.PositiveSmallIntegerField(
        "numéro de la fiche repère « Système d'information »",
        default=10,
        help_text="La check-list s'affiche dans l'étape KIT 1 de ce numéro.",
    )
    introduction = models.TextField("introduction affichée au-dessus de la check-list", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "réglages de la check-list SI"
        verbose_name_plural = "réglages de la check-list SI"

    def __str__(self) -> str:
        return f"Check-list SI dans l'étape {self.fiche_number}"

    @classmethod
    def current(cls) -> "ChecklistSettings":
        return cls.objects.order_by("pk").first() or cls()


class Mode(models.Model):
    """One of the five ways of working together on an SI (coopération, association,
    mutualisation, externalisation, centralisation)."""

    code = models.SlugField("code", max_length=30, unique=True)
    name = models.CharField("mode", max_length=80)
    description = models.TextField("ce que recouvre ce mode")
    order = models.PositiveSmallIntegerField("ordre", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "mode de travail en commun"
        verbose_name_plural = "modes de travail en commun"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class ThemeGuide(models.Model):
    """What the ANAP study asks about the SI for one theme of cooperation."""

    theme = models.OneToOneField(
        Theme, on_delete=models.CASCADE, related_name="si_guide", verbose_name="thème"
    )
    summary = models.TextField("enjeux SI du thème")
    modes_note = models.TextField(
        "modes de travail en commun",
        blank=True,
        help_text="Comment les cinq modes s'appliquent à ce thème (Markdown).",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "repères SI d'un thème"
        verbose_name_plural = "repères SI par thème"
        ordering = ["theme__name"]

    def __str__(self) -> str:
        return f"Repères SI — {self.theme}"


class GuideItem(models.Model):
    """A point to examine for a theme: it becomes a checklist item of each cooperation."""

    guide = models.ForeignKey(
        ThemeGuide, on_delete=models.CASCADE, related_name="items", verbose_name="thème"
    )
    code = models.SlugField("code", max_length=60)
    category = models.CharField("dimension", max_length=30, choices=Category.choices)
    order = models.PositiveSmallIntegerField("ordre", default=0)
    label = models.CharField("point à examiner", max_length=300)
    guidance = models.TextField("repère", blank=True)
    is_active = models.BooleanField(
        "proposé aux coopérations",
        default=True,
        help_text="Décoché : n'est plus ajouté aux nouvelles check-lists (les anciennes gardent le point).",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "point de la check-list SI"
        verbose_name_plural = "points de la check-list SI"
        ordering = ["guide", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "code"], name="si_guide_item_unique_code")
        ]

    def __str__(self) -> str:
        return self.label


class ItemStatus(models.TextChoices):
    TODO = "a_traiter", "À traiter"
    IN_PROGRESS = "en_cours", "En cours"
    DONE = "traite", "Traité"
    NOT_APPLICABLE = "sans_objet", "Sans objet"


class ChecklistItem(models.Model):
    """A point of a cooperation's SI checklist. Its text is copied from the catalogue at
    generation, so that a later catalogue edit does not change what the team answered."""

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.CASCADE, related_name="si_checklist"
    )
    source = models.ForeignKey(
        GuideItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="point du catalogue",
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="+", verbose_name="thème"
    )
    category = models.CharField("dimension", max_length=30, choices=Category.choices)
    order = models.PositiveSmallIntegerField("ordre", default=0)
    label = models.CharField("point à examiner", max_length=300)
    guidance = models.TextField("repère", blank=True)
    status = models.CharField(
        "statut", max_length=12, choices=ItemStatus.choices, default=ItemStatus.TODO, db_index=True
    )
    owner = models.CharField("responsable", max_length=150, blank=True)
    due_on = models.DateField("échéance", null=True, blank=True)
    answer = models.TextField("réponse ou décision", blank=True)
    deliverable = models.OneToOneField(
        "suivi.Deliverable",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="si_checklist_item",
        verbose_name="livrable KIT 3",
    )
    created_at = models.DateTimeField("ajouté le", auto_now_add=True)
    version = version_field()
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "point de la check-list SI d'une coopération"
        verbose_name_plural = "check-lists SI des coopérations"
        ordering = ["cooperation", "theme__name", "order", "pk"]
        indexes = [models.Index(fields=["cooperation", "theme"])]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperation", "source"],
                condition=Q(source__isnull=False),
                name="si_item_once_per_cooperation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cooperation} — {self.label}"
