from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat
from simple_history.models import HistoricalRecords

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

    class Meta:
        abstract = True


class LegalEntity(AddressMixin):
    """An entité juridique (EJ) of the FINESS register."""

    finess = models.CharField("FINESS EJ", max_length=9, unique=True, validators=[validate_finess])
    name = models.CharField("raison sociale", max_length=255, blank=True)
    legal_status = models.CharField(
        "statut juridique",
        max_length=20,
        choices=LegalStatus.choices,
        default=LegalStatus.UNKNOWN,
        db_index=True,
    )
    legal_status_code = models.CharField("code statut juridique", max_length=4, blank=True)
    siren = models.CharField("SIREN", max_length=9, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "entité juridique"
        verbose_name_plural = "entités juridiques"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name or 'Entité juridique'} ({self.finess})"


# Words shorter than a trigram cannot use the trigram index: they are matched as whole
# words (" CH " finds "CH de Bourg" but not "CHU"), which is also what a user typing an
# acronym means. Spaces pad both ends so the first and last words are whole words too.
SHORT_WORD = 3


class EstablishmentSearchText(models.Func):
    """One upper-cased text of name, long name and commune, padded with spaces.

    Migration 0003 builds a pg_trgm GIN index on exactly this SQL; keep them in step
    (tests/territories/test_search.py checks on PostgreSQL that the index is used). The
    three columns are NOT NULL, so plain `||` is enough and the expression stays immutable.
    """

    template = "UPPER(' ' || %(expressions)s || ' ')"
    arg_joiner = " || ' ' || "
    output_field = models.TextField()

    def __init__(self):
        super().__init__(models.F("name"), models.F("long_name"), models.F("commune"))


class EstablishmentQuerySet(models.QuerySet):
    def search(self, term: str):
        term = (term or "").strip()
        if not term:
            return self
        compact = term.replace(" ", "").upper()
        if len(compact) >= 3 and compact[:2].isalnum() and compact[2:].isdigit():
            # The number of the site (ET) or of its legal entity (EJ): pages show both.
            # A UNION of two index scans: an OR across the join made PostgreSQL scan
            # every site (~500 ms at 100 000 ET instead of a few ms).
            # No ORDER BY in the branches (the model's ordering): SQLite refuses it there.
            by_site = (
                Establishment.objects.filter(finess__startswith=compact).order_by().values("pk")
            )
            by_entity = (
                Establishment.objects.filter(legal_entity__finess__startswith=compact)
                .order_by()
                .values("pk")
            )
            return self.filter(pk__in=by_site.union(by_entity))
        queryset = self.alias(search_text=EstablishmentSearchText())
        for word in term.upper().split():
            pattern = f" {word} " if len(word) < SHORT_WORD else word
            queryset = queryset.filter(search_text__contains=pattern)
        return queryset

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
    history = HistoricalRecords()

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


class ImportRun(models.Model):
    """One FINESS import: who started it, its progress and its report (the import's audit)."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Terminé"
        FAILED = "failed", "Échec"

    kind = models.CharField(max_length=30, default="finess")
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField("fichier", max_length=255, blank=True)
    started_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total_bytes = models.BigIntegerField(default=0)
    processed_bytes = models.BigIntegerField(default=0)
    created_count = models.IntegerField("créés", default=0)
    updated_count = models.IntegerField("mis à jour", default=0)
    rejected_count = models.IntegerField("rejetés", default=0)
    rejected_lines = models.JSONField("lignes rejetées", default=list, blank=True)
    error = models.TextField("erreur", blank=True)

    class Meta:
        verbose_name = "import FINESS"
        verbose_name_plural = "imports FINESS"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import {self.original_name} du {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_bytes:
            return 0
        return min(99, int(self.processed_bytes * 100 / self.total_bytes))
