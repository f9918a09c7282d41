import unicodedata

from django.core.cache import cache
from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.models import ImportJob
from territories.finess import validate_finess


class ARS(models.Model):
    """One of the 18 agences régionales de santé, identified by its INSEE region code."""

    region_code = models.CharField("code région (INSEE)", max_length=2, unique=True)
    region_name = models.CharField("région", max_length=100)
    name = models.CharField("nom", max_length=150)

    class Meta:
        verbose_name = "ARS"
        verbose_name_plural = "ARS"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    ars = models.ForeignKey(ARS, on_delete=models.PROTECT, related_name="departements")
    # FINESS extracts use their own codes for overseas départements (9A…9F).
    finess_code = models.CharField("code dans FINESS", max_length=3, blank=True)

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class DelegationDepartementale(models.Model):
    ars = models.ForeignKey(ARS, on_delete=models.PROTECT, related_name="delegations")
    departement = models.OneToOneField(
        Departement, on_delete=models.PROTECT, related_name="delegation"
    )
    name = models.CharField("nom", max_length=150)

    class Meta:
        verbose_name = "délégation départementale"
        verbose_name_plural = "délégations départementales"
        ordering = ["departement__code"]

    def __str__(self) -> str:
        return self.name


class LegalStatus(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE_NON_PROFIT = "prive_non_lucratif", "Privé à but non lucratif"
    PRIVATE_FOR_PROFIT = "prive_lucratif", "Privé à but lucratif"
    UNKNOWN = "inconnu", "Non renseigné"


class Sector(models.TextChoices):
    SANITAIRE = "sanitaire", "Sanitaire"
    MEDICO_SOCIAL = "medico_social", "Médico-social"
    SOCIAL = "social", "Social"
    UNKNOWN = "inconnu", "Non renseigné"


class AddressMixin(models.Model):
    address = models.CharField("adresse", max_length=255, blank=True)
    postcode = models.CharField("code postal", max_length=10, blank=True)
    commune_code = models.CharField("code commune INSEE", max_length=5, blank=True)
    commune = models.CharField("commune", max_length=100, blank=True)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, null=True, blank=True, verbose_name="département"
    )
    # WGS 84, from the register's geocoding (JSON flux: coordonneesGeographique).
    latitude = models.DecimalField(
        "latitude", max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        "longitude", max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        abstract = True


class LegalEntity(AddressMixin):
    """An entité juridique (EJ) of the FINESS register.

    Its name comes only from a legal-entity source (the EJ records of the FINESS JSON flux);
    without one it stays blank and pages show "entité juridique 0… (nom inconnu)", never the
    name of one of its sites.
    """

    finess = models.CharField("FINESS EJ", max_length=9, unique=True, validators=[validate_finess])
    name = models.CharField("raison sociale", max_length=255, blank=True)
    long_name = models.CharField("raison sociale longue", max_length=255, blank=True)
    name_source = models.CharField("source du nom", max_length=80, blank=True)
    legal_status = models.CharField(
        "statut juridique",
        max_length=20,
        choices=LegalStatus.choices,
        default=LegalStatus.UNKNOWN,
        db_index=True,
    )
    legal_status_code = models.CharField("code statut juridique", max_length=4, blank=True)
    siren = models.CharField("SIREN", max_length=9, blank=True)
    ape_code = models.CharField("code APE", max_length=6, blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    register_id = models.CharField(
        "identifiant FINESS+ (pmSmsseId)", max_length=20, blank=True, db_index=True
    )
    opened_on = models.DateField("date de création", null=True, blank=True)
    closed_on = models.DateField("date de fermeture", null=True, blank=True)
    is_closed = models.BooleanField("fermée", default=False, db_index=True)
    finess_updated_on = models.DateField("mise à jour FINESS", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "entité juridique"
        verbose_name_plural = "entités juridiques"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.finess})" if self.name else self.display_name

    @property
    def display_name(self) -> str:
        return self.name or f"entité juridique {self.finess} (nom inconnu)"

    @property
    def legal_status_label(self) -> str:
        from territories.nomenclatures import statut_label

        return statut_label(self.legal_status_code)

    @property
    def is_public_hospital(self) -> bool:
        """An établissement public de santé (CSP L6141-1), by its FINESS statut juridique."""
        from territories.nomenclatures import PUBLIC_HOSPITAL_STATUS_CODES

        return self.legal_status_code.strip().zfill(2) in PUBLIC_HOSPITAL_STATUS_CODES


# Words shorter than a trigram cannot use the trigram index: they are matched as whole
# words (" CH " finds "CH de Bourg" but not "CHU"), which is also what a user typing an
# acronym means. Spaces pad both ends so the first and last words are whole words too.
SHORT_WORD = 3


def fold(text: str) -> str:
    """Upper case without accents, as the search compares: "Rééducation" → "REEDUCATION".

    The same folding as PostgreSQL's unaccent (Œ → OE, ß → SS) followed by UPPER, and as the
    `kc_unaccent` function registered on SQLite connections (territories/apps.py).
    """
    text = (text or "").translate(FOLD_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


FOLD_LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "’": "'", "‘": "'"}
)


class EstablishmentSearchText(models.Func):
    """One text of name, long name and commune, padded with spaces, without accents and in
    upper case (`UPPER(kc_unaccent(…))`).

    The expression of the stored generated column `Establishment.search_text`, which the
    search reads and migration 0007 indexes (pg_trgm GIN). `kc_unaccent` is an IMMUTABLE
    wrapper of PostgreSQL's unaccent (migration 0005); on SQLite a Python function
    registered on each connection (territories/apps.py). Changing this SQL needs a migration
    of the column (tests/territories/test_search.py checks on PostgreSQL that the index is
    used). The three columns are NOT NULL, so plain `||` is enough and the expression stays
    immutable.
    """

    template = "UPPER(kc_unaccent(' ' || %(expressions)s || ' '))"
    arg_joiner = " || ' ' || "
    output_field = models.TextField()

    def __init__(self):
        super().__init__(models.F("name"), models.F("long_name"), models.F("commune"))


class EstablishmentQuerySet(models.QuerySet):
    def search(self, term: str):
        """Words anywhere in name, long name or commune (accents and case ignored), or a
        FINESS number of the site or of its legal entity (prefix; an 8-digit number that
        lost its leading zero is found too)."""
        term = (term or "").strip()
        if not term:
            return self
        compact = term.replace(" ", "").replace(".", "").upper()
        if len(compact) >= 3 and compact[:2].isalnum() and compact[2:].isdigit():
            prefixes = [compact]
            if len(compact) == 8 and compact.isdigit():
                from territories.finess import is_valid_finess

                if is_valid_finess("0" + compact):
                    prefixes.append("0" + compact)
            # The number of the site (ET) or of its legal entity (EJ): pages show both.
            # A UNION of index scans: an OR across the join made PostgreSQL scan
            # every site (~500 ms at 100 000 ET instead of a few ms).
            # No ORDER BY in the branches (the model's ordering): SQLite refuses it there.
            branches = []
            for prefix in prefixes:
                branches.append(
                    Establishment.objects.filter(finess__startswith=prefix).order_by().values("pk")
                )
                branches.append(
                    Establishment.objects.filter(legal_entity__finess__startswith=prefix)
                    .order_by()
                    .values("pk")
                )
            return self.filter(pk__in=branches[0].union(*branches[1:]))
        queryset = self
        for word in fold(term).split():
            pattern = f" {word} " if len(word) < SHORT_WORD else word
            queryset = queryset.filter(search_text__contains=pattern)
        return queryset

    def open(self):
        """Not closed: what may still join a cooperation."""
        return self.filter(is_closed=False)

    def in_name_order(self):
        """Alphabetical, for search results. Sorted on name || '' rather than name: with the
        bare column, PostgreSQL walks the name index and filters every row until it has a
        page (114 ms for "pharmacie du centre" at 100 000 ET, whose 1 888 matches share one
        name); this way it reads the matches from the trigram index and sorts them (13 ms).
        """
        return self.alias(sort_name=Concat("name", Value(""))).order_by("sort_name", "pk")


class Establishment(AddressMixin):
    """An établissement (ET) of the FINESS register: one geographic site of an EJ."""

    finess = models.CharField("FINESS ET", max_length=9, unique=True, validators=[validate_finess])
    legal_entity = models.ForeignKey(
        LegalEntity,
        on_delete=models.PROTECT,
        related_name="establishments",
        verbose_name="entité juridique",
    )
    name = models.CharField("raison sociale", max_length=255, db_index=True)
    long_name = models.CharField("raison sociale longue", max_length=255, blank=True)
    category_code = models.CharField("code catégorie", max_length=4, blank=True, db_index=True)
    category_label = models.CharField("catégorie", max_length=255, blank=True)
    aggregated_category_code = models.CharField("code catégorie agrégée", max_length=4, blank=True)
    aggregated_category_label = models.CharField("catégorie agrégée", max_length=255, blank=True)
    legal_status = models.CharField(
        "statut juridique",
        max_length=20,
        choices=LegalStatus.choices,
        default=LegalStatus.UNKNOWN,
        db_index=True,
    )
    sector = models.CharField(
        "secteur", max_length=20, choices=Sector.choices, default=Sector.UNKNOWN, db_index=True
    )
    siret = models.CharField("SIRET", max_length=14, blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    opened_on = models.DateField("date d'ouverture", null=True, blank=True)
    authorised_on = models.DateField("date d'autorisation", null=True, blank=True)
    finess_updated_on = models.DateField("mise à jour FINESS", null=True, blank=True)
    register_id = models.CharField(
        "identifiant FINESS+ (egeId)", max_length=20, blank=True, db_index=True
    )
    closed_on = models.DateField("date de fermeture", null=True, blank=True)
    # Closed sites stay resolvable (history, past cooperations) but are not offered for
    # new memberships.
    is_closed = models.BooleanField("fermé", default=False, db_index=True)
    # What the search compares, kept by the database itself on every write (save, the
    # importers' COPY and bulk upserts, queryset.update): a stored generated column, so a
    # search reads it instead of unaccenting three columns of every candidate row.
    search_text = models.GeneratedField(
        expression=EstablishmentSearchText(),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name="texte de recherche (calculé)",
    )
    # Derived from the name, long name and commune, which the history already keeps.
    history = HistoricalRecords(excluded_fields=["search_text"])

    objects = EstablishmentQuerySet.as_manager()

    class Meta:
        verbose_name = "établissement"
        ordering = ["name"]
        indexes = [models.Index(fields=["departement", "category_code"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.finess})"

    @property
    def display_name(self) -> str:
        return self.long_name or self.name


class ImportRun(ImportJob):
    """One FINESS import (web upload or scheduled refresh): who started it, its progress and
    its report (the import's audit).

    A core.models.ImportJob (a BackgroundJob): core.documents runs its life cycle like a generated
    document's (the run beats while it imports; the stalled-job reaper re-queues it when its
    worker dies, MAX_ATTEMPTS times, then fails it in French; "Relancer" starts it again; a
    message delivered twice does nothing). What it produces is the register's rows, in one
    transaction under a lock (territories.importers): a run started again never imports
    twice, and the report is kept on the row instead of a file.
    """

    TASK_NAME = "territories.tasks.run_finess_import"
    FAILED_MESSAGE = (
        "L'import a échoué et rien n'a été enregistré. L'erreur est consignée pour l'équipe "
        "technique ; relancez l'import, et si le problème persiste, contactez-la."
    )
    QUEUE_DOWN_MESSAGE = (
        "Le service de traitement des imports est momentanément indisponible : l'import n'a "
        "pas démarré et rien n'a été enregistré. Relancez-le dans quelques minutes."
    )
    ABANDONED_MESSAGE = (
        "L'import a été interrompu à plusieurs reprises (service de traitement arrêté ou "
        "redémarré) et a été abandonné ; les essais interrompus n'ont rien enregistré. "
        "Relancez-le ; si le problème persiste, contactez l'équipe technique."
    )

    kind = models.CharField(max_length=30, default="finess")
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField("fichier", max_length=255, blank=True)
    started_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    total_bytes = models.BigIntegerField(default=0)
    processed_bytes = models.BigIntegerField(default=0)
    created_count = models.IntegerField("créés", default=0)
    updated_count = models.IntegerField("mis à jour", default=0)
    rejected_count = models.IntegerField("rejetés", default=0)
    rejected_lines = models.JSONField("lignes rejetées", default=list, blank=True)
    format_description = models.TextField("format détecté", blank=True)
    notes = models.JSONField("corrections et remarques par ligne", default=list, blank=True)
    counts = models.JSONField("compte rendu", default=dict, blank=True)
    changes = models.JSONField("changements depuis l'import précédent", default=dict, blank=True)
    source_url = models.URLField("adresse de téléchargement", max_length=500, blank=True)

    class Meta(ImportJob.Meta):
        verbose_name = "import FINESS"
        verbose_name_plural = "imports FINESS"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        # In the project's time zone: the time the admin's clock showed, not UTC.
        started = timezone.localtime(self.created_at)
        return f"Import {self.original_name} du {started:%d/%m/%Y %H:%M}"

    @property
    def progress_key(self) -> str:
        """Cache key of the bytes read so far: the import is one transaction, invisible to
        other connections until it ends, so its progress goes through the cache (Redis in
        production), which the page polls."""
        return f"finess-import-progress-{self.pk}"

    @property
    def percent(self) -> int:
        """Share of the file read (0–100), live while the import runs."""
        if self.is_done:
            return 100
        if not self.total_bytes:
            return 0
        done = self.processed_bytes
        if self.status == self.Status.RUNNING:
            done = cache.get(self.progress_key, done)
        return min(99, int(done * 100 / self.total_bytes))


class ActivityQuerySet(models.QuerySet):
    def current(self):
        """Active in the register (etatObjet A)."""
        return self.filter(is_active=True)


class EstablishmentActivity(models.Model):
    """An activity or a piece of heavy equipment of the "FINESS Activités" flux.

    Authorised activities (`activitesAutorisees`) belong to the legal entity that holds the
    authorisation; exercised ones (`activitesExercees`) to the site (ET) that runs them.
    Codes are stored as published: the flux gives no labels (see territories.nomenclatures).
    """

    register_id = models.CharField("identifiant (activiteAeId)", max_length=20, unique=True)
    legal_entity = models.ForeignKey(
        LegalEntity, on_delete=models.CASCADE, related_name="activities", null=True, blank=True
    )
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="activities", null=True, blank=True
    )
    exercised = models.BooleanField("exercée sur le site", default=False)
    nature_code = models.CharField("nature", max_length=10)
    activity_type_code = models.CharField("type d'activité (SMSSE)", max_length=10, blank=True)
    codes = models.JSONField("codes de l'activité", default=dict, blank=True)
    authorisation_id = models.CharField("autorisation (identifiant)", max_length=20, blank=True)
    arhgos_number = models.CharField("numéro ARHGOS", max_length=40, blank=True)
    starts_on = models.DateField("début", null=True, blank=True)
    ends_on = models.DateField("fin autorisée", null=True, blank=True)
    effective_end_on = models.DateField("fin effective", null=True, blank=True)
    lapses_on = models.DateField("caducité", null=True, blank=True)
    is_active = models.BooleanField("active", default=True)
    equipment_count = models.PositiveIntegerField("appareils", null=True, blank=True)
    capacity = models.PositiveIntegerField("capacité", null=True, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = "activité autorisée"
        verbose_name_plural = "activités autorisées"
        ordering = ["nature_code", "activity_type_code", "register_id"]
        indexes = [
            models.Index(fields=["establishment", "nature_code"]),
            models.Index(fields=["legal_entity", "nature_code"]),
        ]

    def __str__(self) -> str:
        return f"{self.nature_code} {self.activity_type_code} ({self.register_id})"

    @property
    def nature_label(self) -> str:
        from territories.nomenclatures import nature_label

        return nature_label(self.nature_code)

    @property
    def is_equipment(self) -> bool:
        """An authorised heavy equipment (scanner, IRM…) rather than an activity (the
        legal-form chooser weighs shared equipment)."""
        from territories.nomenclatures import EQUIPMENT_NATURES

        return self.nature_code in EQUIPMENT_NATURES

    @property
    def codes_text(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.codes.items() if v)
