"""Convention templates (catalogue data), per-cooperation convention data, generated
versions, signatures, approval and the transition log."""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from cooperations.models import Cooperation, LegalForm, Membership, ScopedQuerySet
from core.locking import version_field
from core.models import GeneratedDocument, user_reference
from core.workflow import TransitionLog, Workflow

PERCENT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


class ConventionTemplateQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)


class ConventionTemplate(models.Model):
    """A model convention for one legal form, made of ordered clauses.

    Editing a template in the admin archives its previous state as a frozen row
    (is_current=False, same code, previous version number) and bumps `version`, so a
    convention generated earlier can always be traced to the exact text it came from.
    """

    code = models.SlugField("code", max_length=40)
    version = models.PositiveIntegerField("version du modèle", default=1)
    is_current = models.BooleanField("version en vigueur", default=True, db_index=True)
    legal_form = models.ForeignKey(
        LegalForm,
        on_delete=models.PROTECT,
        related_name="convention_templates",
        verbose_name="forme juridique",
    )
    name = models.CharField("intitulé du modèle", max_length=200)
    document_title = models.CharField(
        "titre du document",
        max_length=200,
        help_text="Ex. « Convention constitutive du groupement de coopération sanitaire ».",
    )
    description = models.TextField("usage", blank=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)
    check_public_law = models.BooleanField(
        "vérifier la cohérence droit public / droit privé",
        default=False,
        help_text="GCS (CSP L6133-3 I) : membres uniquement publics (ou publics et "
        "professionnels libéraux) → droit public ; uniquement privés → droit privé ; "
        "mixte → au choix des membres dans la convention.",
    )
    check_public_majority = models.BooleanField(
        "exiger une majorité publique",
        default=False,
        help_text="GIP (loi 2011-525, art. 103) : les personnes publiques et les personnes "
        "privées chargées d'une mission de service public détiennent ensemble la majorité.",
    )
    check_health_establishment = models.BooleanField(
        "exiger un établissement de santé parmi les membres",
        default=False,
        help_text="GCS : au moins un membre est un établissement de santé (secteur sanitaire).",
    )
    check_support_establishment = models.BooleanField(
        "exiger un établissement support public",
        default=False,
        help_text="GHT : un établissement support, et des membres (hors associés) publics.",
    )
    law_nature = models.CharField(
        "nature juridique imposée par le modèle",
        max_length=10,
        choices=[("public", "Droit public"), ("prive", "Droit privé")],
        blank=True,
        help_text="GCS-ES : le modèle de droit public suit les règles des établissements publics "
        "de santé (CSP L6133-7, R6133-13 II) ; il ne vaut que pour un groupement de droit public.",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    archived_at = models.DateTimeField("archivé le", null=True, blank=True)
    history = HistoricalRecords()

    objects = ConventionTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = "modèle de convention"
        verbose_name_plural = "modèles de convention"
        ordering = ["order", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="template_code_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="template_one_current"
            ),
        ]
        indexes = [models.Index(fields=["legal_form", "is_current"])]

    def __str__(self) -> str:
        suffix = "" if self.is_current else " (archivée)"
        return f"{self.name} — v{self.version}{suffix}"


class Clause(models.Model):
    template = models.ForeignKey(
        ConventionTemplate, on_delete=models.CASCADE, related_name="clauses"
    )
    order = models.PositiveSmallIntegerField("ordre", default=0)
    key = models.SlugField(
        "identifiant",
        max_length=40,
        help_text="Stable d'une version à l'autre : sert à comparer les versions.",
    )
    title = models.CharField("titre", max_length=200)
    body = models.TextField(
        "texte",
        help_text="Champs nommés entre doubles accolades, ex. {{ nom }}, {{ membres }}.",
    )
    mandatory = models.BooleanField("obligatoire", default=True)
    legal_reference = models.CharField("article cité", max_length=80, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "clause"
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="clause_unique_key")
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        from conventions.rendering import unknown_placeholders

        unknown = unknown_placeholders(self.body)
        if unknown:
            from django.core.exceptions import ValidationError

            raise ValidationError(
                {
                    "body": "Champ(s) inconnu(s) : "
                    + ", ".join(
                        f"{{% {name[1:].strip()} %}}"
                        if name.startswith("%")
                        else f"{{{{ {name} }}}}"
                        for name in unknown
                    )
                    + ". Seuls les champs nommés de la liste sont permis, sans filtre ni balise."
                }
            )


class LawNature(models.TextChoices):
    PUBLIC = "public", "Droit public"
    PRIVATE = "prive", "Droit privé"


class ConventionData(models.Model):
    """What the clauses need and the shared cooperation model does not hold."""

    cooperation = models.OneToOneField(
        Cooperation, on_delete=models.CASCADE, related_name="convention_data"
    )
    template = models.ForeignKey(
        ConventionTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modèle de convention",
        limit_choices_to={"is_current": True},
    )
    denomination = models.CharField(
        "dénomination",
        max_length=200,
        blank=True,
        help_text="Nom du groupement ou de la convention ; à défaut, l'intitulé de la coopération.",
    )
    seat = models.CharField("siège", max_length=255, blank=True)
    indefinite_duration = models.BooleanField("durée indéterminée", default=False)
    duration_years = models.PositiveSmallIntegerField(
        "durée (années)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    law_nature = models.CharField(
        "nature juridique", max_length=10, choices=LawNature.choices, blank=True
    )
    has_capital = models.BooleanField("avec capital", null=True, blank=True)
    capital_amount = models.DecimalField(
        "montant du capital (€)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    governance = models.TextField(
        "gouvernance", blank=True, help_text="Instances, pouvoirs, quorum, majorité."
    )
    administrator = models.TextField(
        "administrateur du groupement",
        blank=True,
        help_text="GCS, GCSMS : élection, durée du mandat, pouvoirs (CSP R6133-1 I 16°).",
    )
    deputy_administrator = models.TextField(
        "administrateur adjoint",
        blank=True,
        help_text="GCS : désignation et rôle de l'adjoint qui supplée l'administrateur "
        "(CSP R6133-1 I 16°).",
    )
    director = models.TextField(
        "directeur",
        blank=True,
        help_text="GIP (loi 2011-525) ou GCS-ES de droit public : nomination et pouvoirs du "
        "directeur. Ce n'est pas un administrateur élu.",
    )
    accounting = models.TextField("budget et comptabilité", blank=True)
    financial_terms = models.TextField("modalités financières", blank=True)
    staff = models.TextField(
        "personnels du groupement",
        blank=True,
        help_text="Groupement doté de la personnalité morale : personnels mis à disposition "
        "par les membres et recrutements propres, avec leur régime.",
    )
    parties_staff = models.TextField(
        "personnels des parties",
        blank=True,
        help_text="Convention sans personne morale : chaque partie reste l'employeur de ses "
        "agents ; conditions de leurs interventions chez l'autre partie.",
    )
    equipment = models.TextField("biens et équipements mis à disposition", blank=True)
    practitioners = models.TextField("exercice des praticiens", blank=True)
    membership_rules = models.TextField("adhésion, retrait et exclusion", blank=True)
    dissolution = models.TextField(
        "dissolution et liquidation du groupement",
        blank=True,
        help_text="Groupement doté de la personnalité morale : cas de dissolution, liquidation "
        "et dévolution des biens.",
    )
    termination = models.TextField(
        "résiliation",
        blank=True,
        help_text="Convention sans personne morale : préavis, motifs et effets de la "
        "résiliation (il n'y a pas de groupement à dissoudre).",
    )
    activities_split = models.TextField(
        "répartition des activités entre le groupement et ses membres",
        blank=True,
        help_text="CSP R6133-1 I 2°.",
    )
    operating_terms = models.TextField(
        "exploitation des autorisations (GCS exploitant)",
        blank=True,
        help_text="CSP L6133-1 4° : admission des patients, dossier médical, facturation.",
    )
    liability_insurance = models.TextField(
        "responsabilité et assurance à l'égard des patients", blank=True
    )
    billing = models.TextField(
        "facturation à l'Assurance maladie",
        blank=True,
        help_text="Quelle partie facture les actes et séjours (consultations avancées…).",
    )
    data_protection = models.TextField(
        "protection des données personnelles",
        blank=True,
        help_text="Rôles au sens du RGPD (responsables conjoints, art. 26) et répartition "
        "des obligations.",
    )
    ght_delegations = models.TextField(
        "délégations, transferts et emplois médicaux (GHT)",
        blank=True,
        help_text="CSP L6132-2 II 2° à 4°.",
    )
    ght_bodies = models.TextField(
        "instances du GHT",
        blank=True,
        help_text="Composition et règles de délibération du comité stratégique et des "
        "instances de groupement (pas d'assemblée générale dans un GHT).",
    )
    public_establishment_bodies = models.TextField(
        "instances d'établissement public (GCS-ES de droit public)",
        blank=True,
        help_text="Conseil de surveillance, commission médicale d'établissement… "
        "(CSP R6133-13 II).",
    )
    university_hospital = models.TextField(
        "association au CHU (GHT)",
        blank=True,
        help_text="CHU associé et objet de l'association (CSP L6132-1 III).",
    )
    support_membership = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="établissement support",
    )
    shared_medical_project = models.TextField("projet médical partagé", blank=True)
    shared_care_project = models.TextField("projet de soins partagé", blank=True)
    pooled_functions = models.TextField("fonctions mutualisées", blank=True)
    follow_up_committee = models.TextField("comité de suivi", blank=True)
    version = version_field()
    updated_at = models.DateTimeField("modifiées le", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "données de convention"
        verbose_name_plural = "données de convention"

    def __str__(self) -> str:
        return f"Données de convention — {self.cooperation}"


class MemberTerms(models.Model):
    """One member's commitments in the convention (contribution, rights, charges, signatory)."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="convention_terms"
    )
    representative = models.CharField(
        "représenté par", max_length=200, blank=True, help_text="Nom et qualité du signataire."
    )
    contribution = models.TextField(
        "apports", blank=True, help_text="Nature et montant ; « aucun apport » le cas échéant."
    )
    rights_share = models.DecimalField(
        "part des droits statutaires (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
    )
    charges_share = models.DecimalField(
        "part des charges (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
    )
    commitments = models.TextField("engagements", blank=True)
    public_service_mission = models.BooleanField(
        "personne privée chargée d'une mission de service public",
        default=False,
        help_text="GIP : compte avec les personnes publiques dans la majorité exigée "
        "(loi 2011-525, art. 103), par exemple un ESPIC.",
    )
    liberal_professional = models.BooleanField(
        "professionnel de santé libéral",
        default=False,
        help_text="GCS : un groupement de personnes publiques et de professionnels libéraux "
        "est de droit public (CSP L6133-3 I).",
    )
    version = version_field()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "engagements d'un membre"
        verbose_name_plural = "engagements des membres"

    def __str__(self) -> str:
        return f"Engagements — {self.membership}"


class Status(models.TextChoices):
    DRAFT = "draft", "Projet"
    IN_SIGNATURE = "in_signature", "En signature"
    SIGNED = "signed", "Signée"
    APPROVED = "approved", "Approuvée"
    APPROVAL_NOT_REQUIRED = "approval_not_required", "Signée (approbation non requise)"
    AMENDED = "amended", "Avenant en préparation"
    SENT_BACK = "sent_back", "Renvoyée pour mise en conformité"
    REFUSED = "refused", "Approbation refusée"


# The moves of a convention (core.workflow.transition refuses any other). The text changes
# only before signature; once signed by all, the authority decides (or the form needs no
# approval); a signed text changes only through an amendment, which is signed again.
CONVENTION_MOVES = {
    Status.DRAFT: {Status.IN_SIGNATURE},
    Status.AMENDED: {Status.IN_SIGNATURE},
    Status.SENT_BACK: {Status.IN_SIGNATURE},
    Status.REFUSED: {Status.IN_SIGNATURE},
    Status.IN_SIGNATURE: {Status.SIGNED},
    Status.SIGNED: {
        Status.APPROVED,
        Status.REFUSED,
        Status.SENT_BACK,
        Status.APPROVAL_NOT_REQUIRED,
    },
    Status.APPROVED: {Status.AMENDED},
    Status.APPROVAL_NOT_REQUIRED: {Status.AMENDED},
}


class ApprovalMode(models.TextChoices):
    EXPRESS = "express", "Décision expresse"
    TACIT = "tacit", "Approbation tacite"


class Convention(models.Model):
    cooperation = models.OneToOneField(
        Cooperation, on_delete=models.CASCADE, related_name="convention"
    )
    template = models.ForeignKey(
        ConventionTemplate,
        on_delete=models.PROTECT,
        related_name="conventions",
        verbose_name="modèle",
    )
    status = models.CharField(
        "état", max_length=30, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    approved_on = models.DateField("date de la décision d'approbation", null=True, blank=True)
    approval_reference = models.CharField("référence de l'arrêté", max_length=120, blank=True)
    approved_by = user_reference("approbation enregistrée par")
    approval_mode = models.CharField(
        "mode d'approbation", max_length=10, choices=ApprovalMode.choices, blank=True
    )
    # The day the text signed by every party was sent for approval: the clock starts here.
    submitted_on = models.DateField(
        "transmise pour approbation le", null=True, blank=True, db_index=True
    )
    published_on = models.DateField("publiée le", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    version = version_field()
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    workflow = Workflow(Status, CONVENTION_MOVES, field="status")

    class Meta:
        verbose_name = "convention"
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"Convention — {self.cooperation}"

    def get_absolute_url(self) -> str:
        return reverse("conventions:detail", args=[self.cooperation_id])

    @property
    def status_badge(self) -> str:
        """DSFR badge flavour (and PDF badge class) for the status."""
        return {
            Status.DRAFT: "info",
            Status.IN_SIGNATURE: "warning",
            Status.SIGNED: "new",
            Status.APPROVED: "success",
            Status.APPROVAL_NOT_REQUIRED: "success",
            Status.AMENDED: "info",
            Status.SENT_BACK: "warning",
            Status.REFUSED: "error",
        }.get(self.status, "info")


class ConventionVersion(models.Model):
    """A frozen text of the convention: every generation or edit makes a new number."""

    class Kind(models.TextChoices):
        GENERATED = "generated", "Génération"
        EDITED = "edited", "Modification"
        AMENDMENT = "amendment", "Avenant"

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("numéro")
    kind = models.CharField("nature", max_length=20, choices=Kind.choices)
    title = models.CharField("titre", max_length=255)
    preamble = models.TextField("préambule", blank=True)
    template_version = models.PositiveIntegerField("version du modèle")
    amends = models.ForeignKey(
        "self",
        # Same convention: deleting a convention (or its cooperation) removes all its versions.
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name="modifie la version",
    )
    note = models.CharField("commentaire", max_length=255, blank=True)
    # The parties as they stood when this text was produced: the signature block and the
    # "all members have signed" rule use this list, not the members of today.
    parties = models.JSONField("parties", default=list)
    author = user_reference("auteur", blank=False)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "version de convention"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "number"], name="version_unique_number")
        ]

    def __str__(self) -> str:
        return f"Version {self.number}"

    @property
    def author_name(self) -> str:
        if not self.author:
            return "Système"
        return self.author.get_full_name() or self.author.username


class VersionFilesQuerySet(ScopedQuerySet):
    cooperation_path = "version__convention__cooperation"


class VersionFiles(GeneratedDocument):
    """The PDF and DOCX of one version, rendered once in the background and then served.

    A version's text never changes; what its documents show besides the text (the
    "document de travail" banner, the signatures) is rendered again by the services
    that change it (signature_start, signature_record).
    """

    TASK_NAME = "conventions.tasks.generate_version_files"
    FILE_FIELDS = ("pdf", "docx")

    version = models.OneToOneField(
        ConventionVersion, on_delete=models.CASCADE, related_name="files", verbose_name="version"
    )
    # Part of the storage names: not guessable, stable across retries.
    token = models.UUIDField(default=uuid.uuid4, editable=False)
    pdf = models.FileField("PDF", upload_to="conventions/versions/", blank=True, max_length=255)
    docx = models.FileField("DOCX", upload_to="conventions/versions/", blank=True, max_length=255)

    objects = VersionFilesQuerySet.as_manager()

    class Meta(GeneratedDocument.Meta):
        verbose_name = "fichiers d'une version"
        verbose_name_plural = "fichiers des versions"

    def __str__(self) -> str:
        return f"Fichiers de la version {self.version_id} ({self.get_status_display()})"


class VersionClause(models.Model):
    version = models.ForeignKey(ConventionVersion, on_delete=models.CASCADE, related_name="clauses")
    order = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=40)
    title = models.CharField("titre", max_length=200)
    body = models.TextField("texte")
    mandatory = models.BooleanField(default=True)
    included = models.BooleanField("retenue", default=True)
    edited = models.BooleanField("texte modifié à la main", default=False)
    legal_reference = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="version_clause_unique_key"),
            models.CheckConstraint(
                condition=Q(mandatory=False) | Q(included=True),
                name="mandatory_clause_included",
                violation_error_message="Une clause obligatoire ne peut pas être retirée.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Signature(models.Model):
    version = models.ForeignKey(
        ConventionVersion, on_delete=models.CASCADE, related_name="signatures"
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="convention_signatures"
    )
    signatory = models.CharField("signataire", max_length=200)
    signed_on = models.DateField("date de signature")
    signed_copy = models.FileField("exemplaire signé", upload_to="conventions/signatures/")
    original_name = models.CharField(max_length=255)
    recorded_by = user_reference()
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "signature"
        ordering = ["signed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "membership"], name="signature_once_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"Signature de {self.signatory}"


class Transition(TransitionLog):
    """The convention's log: every change of state (and the first generation, a publication
    of the approval), with the version it concerns."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="transitions")
    version = models.ForeignKey(
        ConventionVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject_model = Convention

    class Meta:
        verbose_name = "changement d'état"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["convention", "-at"])]


class ApprovalDecisionQuerySet(ScopedQuerySet):
    cooperation_path = "convention__cooperation"


class ApprovalDecision(models.Model):
    """One decision on a signed version: approval (express or tacit), refusal, send-back.

    The competent authority depends on the legal form (LegalForm.approval_authority); an
    agent of the pilot ARS records it, with the signed arrêté as a PDF when there is one.
    """

    class Kind(models.TextChoices):
        APPROVED = "approved", "Approbation"
        TACIT = "tacit", "Approbation tacite"
        REFUSED = "refused", "Refus d'approbation"
        SENT_BACK = "sent_back", "Renvoi pour mise en conformité"

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="decisions")
    version = models.ForeignKey(
        ConventionVersion, on_delete=models.CASCADE, related_name="decisions"
    )
    kind = models.CharField("décision", max_length=20, choices=Kind.choices)
    decided_on = models.DateField("date de la décision")
    reference = models.CharField("numéro de l'arrêté", max_length=120, blank=True)
    reason = models.TextField("motif", blank=True)
    arrete = models.FileField(
        "arrêté signé (PDF)", upload_to="conventions/arretes/", blank=True, max_length=255
    )
    arrete_name = models.CharField(max_length=255, blank=True)
    recorded_by = user_reference()
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ApprovalDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = "décision sur la convention"
        verbose_name_plural = "décisions sur les conventions"
        ordering = ["-decided_on", "-pk"]
        indexes = [models.Index(fields=["convention", "-decided_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.decided_on:%d/%m/%Y}"
