"""What the read API returns. Field names are stable (English, as in the data model); every
field carries a French description, which the OpenAPI document publishes.

Serializers read only what the views prefetched: no query per row (see api/views.py).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cooperations.models import MemberRole, Nature, Phase


def _str(value):
    return None if value is None else str(value)


def _day(value):
    return value.isoformat() if value else None


class CodeLabelSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        help_text="Identifiant KitCoop, à utiliser dans les filtres de la liste des coopérations."
    )
    code = serializers.CharField(help_text="Code stable de l'élément du référentiel.")
    name = serializers.CharField(help_text="Libellé en clair.")

    def to_representation(self, instance) -> dict:
        # What the fields above give (tests/api compare both), without DRF's generic walk
        # over fields: a list page holds hundreds of these.
        return {"id": instance.id, "code": _str(instance.code), "name": _str(instance.name)}


class ArsSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Identifiant KitCoop de l'ARS.")
    region_code = serializers.CharField(help_text="Code INSEE de la région de l'ARS.")
    name = serializers.CharField(help_text="Nom de l'ARS.")

    def to_representation(self, instance) -> dict:
        # What the fields above give (tests/api compare both), once per listed cooperation.
        return {
            "id": instance.id,
            "region_code": _str(instance.region_code),
            "name": _str(instance.name),
        }


class LegalFormSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        help_text="Identifiant KitCoop, à utiliser dans le filtre « legal_form »."
    )
    code = serializers.CharField(
        help_text="Code stable de la forme juridique (ex. « gcs-moyens »)."
    )
    short_name = serializers.CharField(help_text="Sigle (ex. « GCS de moyens »).")
    name = serializers.CharField(help_text="Nom complet de la forme juridique.")
    nature = serializers.ChoiceField(
        choices=Nature.choices,
        help_text="« organique » si la forme crée une personne morale, sinon « fonctionnelle ».",
    )
    legal_basis = serializers.CharField(help_text="Base légale (articles cités).")
    requires_approval = serializers.BooleanField(
        help_text="Vrai si la convention doit être approuvée par le DG ARS ou l'État."
    )
    min_members = serializers.IntegerField(help_text="Nombre minimal de membres.")
    is_historical = serializers.BooleanField(
        help_text="Vrai pour une forme historique, qui n'est plus créée."
    )

    def to_representation(self, instance) -> dict:
        # What the fields above give (tests/api compare both), once per listed cooperation.
        return {
            "id": instance.id,
            "code": _str(instance.code),
            "short_name": _str(instance.short_name),
            "name": _str(instance.name),
            "nature": _str(instance.nature),
            "legal_basis": _str(instance.legal_basis),
            "requires_approval": bool(instance.requires_approval),
            "min_members": instance.min_members,
            "is_historical": bool(instance.is_historical),
        }


class MemberSerializer(serializers.Serializer):
    kind = serializers.SerializerMethodField(
        help_text="« ET » pour un établissement (FINESS géographique), « EJ » pour une entité "
        "juridique entière."
    )
    finess = serializers.CharField(help_text="Numéro FINESS du membre (9 caractères).")
    name = serializers.CharField(source="member_name", help_text="Raison sociale du membre.")
    legal_entity_finess = serializers.SerializerMethodField(
        help_text="FINESS de l'entité juridique de rattachement (pour un établissement)."
    )
    role = serializers.ChoiceField(
        choices=MemberRole.choices,
        help_text="Rôle dans la coopération : porteur, membre ou associé / partenaire.",
    )
    joined_on = serializers.DateField(
        allow_null=True, help_text="Date d'adhésion (AAAA-MM-JJ), si connue."
    )
    left_on = serializers.DateField(
        allow_null=True, help_text="Date de retrait (AAAA-MM-JJ) ; vide pour un membre actif."
    )

    @extend_schema_field(serializers.ChoiceField(choices=[("ET", "ET"), ("EJ", "EJ")]))
    def get_kind(self, membership) -> str:
        return "ET" if membership.establishment_id else "EJ"

    @extend_schema_field(OpenApiTypes.STR)
    def get_legal_entity_finess(self, membership):
        if membership.establishment_id:
            legal_entity = membership.establishment.legal_entity
            return legal_entity.finess if legal_entity else None
        return membership.legal_entity.finess

    def to_representation(self, instance) -> dict:
        # What the fields above give (tests/api compare both), without DRF's generic walk
        # over fields: 50 cooperations of a list page hold ~200 members.
        return {
            "kind": self.get_kind(instance),
            "finess": _str(instance.finess),
            "name": _str(instance.member_name),
            "legal_entity_finess": self.get_legal_entity_finess(instance),
            "role": instance.role,
            "joined_on": _day(instance.joined_on),
            "left_on": _day(instance.left_on),
        }


class CooperationSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Identifiant KitCoop de la coopération.")
    title = serializers.CharField(help_text="Intitulé de la coopération.")
    phase = serializers.ChoiceField(
        choices=Phase.choices,
        help_text="Phase du projet : comprendre, decider, mettre_en_oeuvre, evaluer, cloturee.",
    )
    phase_label = serializers.CharField(
        source="get_phase_display", help_text="Libellé de la phase."
    )
    pilot_ars = ArsSerializer(help_text="ARS pilote de la coopération.")
    legal_form = LegalFormSerializer(
        allow_null=True, help_text="Forme juridique retenue ; vide tant qu'elle n'est pas choisie."
    )
    nature = serializers.CharField(
        help_text="Nature retenue : « fonctionnelle », « organique », ou vide si non décidée."
    )
    departements = CodeLabelSerializer(
        many=True, source="api_departements", help_text="Départements concernés."
    )
    typologies = CodeLabelSerializer(
        many=True,
        source="api_typologies",
        help_text="Typologies (parcours / filière, efficience / mutualisation, isolement).",
    )
    themes = CodeLabelSerializer(
        many=True, source="api_themes", help_text="Thèmes de la coopération."
    )
    launched_on = serializers.DateField(allow_null=True, help_text="Date de lancement.")
    decided_on = serializers.DateField(allow_null=True, help_text="Date de décision.")
    starts_on = serializers.DateField(allow_null=True, help_text="Date d'effet.")
    ends_on = serializers.DateField(allow_null=True, help_text="Date de fin prévue.")
    updated_at = serializers.DateTimeField(help_text="Dernière modification (ISO 8601).")
    members = MemberSerializer(
        many=True, source="active_memberships", help_text="Membres actifs de la coopération."
    )
    web_url = serializers.SerializerMethodField(help_text="Adresse de la page de la coopération.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_web_url(self, cooperation) -> str:
        request = self.context.get("request")
        url = cooperation.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class CooperationDetailSerializer(CooperationSerializer):
    objectives = serializers.CharField(help_text="Objectifs de la coopération.")
    project_territory = serializers.CharField(help_text="Territoire de projet.")
    external_code = serializers.CharField(help_text="Code externe (ex. code GHT du SAE).")
    former_members = MemberSerializer(
        many=True, source="api_former_members", help_text="Membres retirés (avec leur date)."
    )


class StepSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="Numéro de l'étape (fiche repère, 1 à 15).")
    title = serializers.CharField(source="fiche.title", help_text="Titre de la fiche repère.")
    phase = serializers.CharField(source="fiche.phase", help_text="Phase de la fiche repère.")
    state = serializers.CharField(
        help_text="État : not_started, in_progress, submitted (soumise à l'ARS), validated, "
        "returned (renvoyée)."
    )
    state_label = serializers.CharField(source="get_state_display", help_text="Libellé de l'état.")
    started_at = serializers.DateTimeField(allow_null=True, help_text="Commencée le.")
    submitted_at = serializers.DateTimeField(allow_null=True, help_text="Soumise à l'ARS le.")
    decided_at = serializers.DateTimeField(allow_null=True, help_text="Décision de l'ARS le.")


class ConventionSerializer(serializers.Serializer):
    exists = serializers.BooleanField(
        help_text="Faux si aucune convention n'a encore été ouverte pour la coopération."
    )
    status = serializers.CharField(
        allow_null=True,
        help_text="État : draft (projet), in_signature, signed, approved, "
        "approval_not_required, amended… ; vide sans convention.",
    )
    status_label = serializers.CharField(allow_null=True, help_text="Libellé de l'état.")
    template = serializers.CharField(allow_null=True, help_text="Modèle de convention utilisé.")
    requires_approval = serializers.BooleanField(
        allow_null=True,
        help_text="Vrai si la forme juridique exige une approbation (DG ARS ou État).",
    )
    approved_on = serializers.DateField(
        allow_null=True, help_text="Date de la décision d'approbation."
    )
    approval_reference = serializers.CharField(
        allow_null=True, help_text="Référence de l'arrêté d'approbation."
    )
    updated_at = serializers.DateTimeField(allow_null=True, help_text="Dernière modification.")


class AxisScoreSerializer(serializers.Serializer):
    axis = serializers.IntegerField(help_text="Numéro de l'axe (1 à 4).")
    label = serializers.CharField(help_text="Intitulé de l'axe.")
    score = serializers.FloatField(
        allow_null=True, help_text="Note de l'axe ; vide si aucun indicateur n'est renseigné."
    )


class EvaluationSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Identifiant de l'évaluation.")
    kind = serializers.CharField(help_text="« potential » (impact potentiel) ou « effective ».")
    kind_label = serializers.CharField(source="get_kind_display", help_text="Libellé du type.")
    status = serializers.CharField(help_text="« draft » (brouillon) ou « final » (définitive).")
    evaluated_on = serializers.DateField(help_text="Date de l'évaluation.")
    catalogue_version = serializers.IntegerField(
        source="catalogue.number", help_text="Version du catalogue d'indicateurs utilisée."
    )
    overall_score = serializers.FloatField(allow_null=True, help_text="Note globale.")
    axis_scores = AxisScoreSerializer(
        many=True, source="api_axis_scores", help_text="Notes des quatre axes Eval'Impact."
    )


class DeliverableSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Identifiant du livrable ou jalon.")
    activity_id = serializers.IntegerField(help_text="Identifiant du chantier.")
    activity = serializers.CharField(source="activity.title", help_text="Intitulé du chantier.")
    kind = serializers.CharField(help_text="« livrable » ou « jalon ».")
    title = serializers.CharField(help_text="Intitulé.")
    planned_on = serializers.DateField(
        allow_null=True, help_text="Date planifiée (référence figée du projet)."
    )
    revised_on = serializers.DateField(allow_null=True, help_text="Date révisée, s'il y en a une.")
    done_on = serializers.DateField(allow_null=True, help_text="Date de réalisation.")
    due_on = serializers.DateField(
        allow_null=True, help_text="Échéance actuelle : la date révisée, sinon la planifiée."
    )
    progress = serializers.IntegerField(help_text="Avancement en pourcentage (0 à 100).")
    slippage_days = serializers.IntegerField(
        allow_null=True,
        help_text="Glissement en jours entre la date planifiée et la date de réalisation "
        "attendue (négatif : en avance) ; vide sans date planifiée.",
    )
    rag = serializers.CharField(
        allow_null=True,
        help_text="Respect du planning : on_time, at_risk, late ; vide si non planifié.",
    )
    rag_label = serializers.CharField(help_text="Libellé du respect du planning.")
    rag_overridden = serializers.BooleanField(
        help_text="Vrai si l'équipe a forcé le respect du planning (avec justification)."
    )


class RiskSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Identifiant du risque.")
    title = serializers.CharField(help_text="Risque ou obstacle.")
    category = serializers.CharField(
        source="category.name", allow_null=True, default=None, help_text="Catégorie du risque."
    )
    probability = serializers.IntegerField(help_text="Probabilité de 1 (faible) à 4 (très forte).")
    impact = serializers.IntegerField(help_text="Impact de 1 (faible) à 4 (très fort).")
    criticity = serializers.IntegerField(help_text="Criticité : probabilité × impact (1 à 16).")
    status = serializers.CharField(help_text="« ouvert », « surveille » ou « clos ».")
    owner = serializers.CharField(help_text="Responsable.")
    mitigation = serializers.CharField(help_text="Solutions préconisées.")
    review_on = serializers.DateField(allow_null=True, help_text="Prochaine revue.")


class CooperationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Identifiant KitCoop de la coopération.")
    title = serializers.CharField(help_text="Intitulé de la coopération.")
    phase = serializers.CharField(help_text="Phase du projet.")


class EstablishmentSerializer(serializers.Serializer):
    finess = serializers.CharField(help_text="FINESS géographique (ET).")
    name = serializers.CharField(help_text="Raison sociale.")
    long_name = serializers.CharField(help_text="Raison sociale longue.")
    legal_entity_finess = serializers.CharField(
        source="legal_entity.finess",
        allow_null=True,
        default=None,
        help_text="FINESS de l'entité juridique de rattachement.",
    )
    category_code = serializers.CharField(help_text="Code de catégorie FINESS.")
    category_label = serializers.CharField(help_text="Catégorie FINESS.")
    legal_status = serializers.CharField(help_text="Statut (public, privé non lucratif…).")
    sector = serializers.CharField(help_text="Secteur (sanitaire, médico-social…).")
    siret = serializers.CharField(help_text="SIRET.")
    departement = serializers.CharField(
        source="departement.code",
        allow_null=True,
        default=None,
        help_text="Code du département.",
    )
    commune = serializers.CharField(help_text="Commune.")
    postcode = serializers.CharField(help_text="Code postal.")
    address = serializers.CharField(help_text="Adresse.")
    cooperations = CooperationRefSerializer(
        many=True,
        source="api_cooperations",
        help_text="Coopérations visibles par l'appelant où l'établissement, ou son entité "
        "juridique entière, est membre actif.",
    )


class EstablishmentRefSerializer(serializers.Serializer):
    finess = serializers.CharField(help_text="FINESS géographique (ET).")
    name = serializers.CharField(help_text="Raison sociale.")


class LegalEntitySerializer(serializers.Serializer):
    finess = serializers.CharField(help_text="FINESS juridique (EJ).")
    name = serializers.CharField(help_text="Raison sociale.")
    legal_status = serializers.CharField(help_text="Statut (public, privé non lucratif…).")
    legal_status_code = serializers.CharField(help_text="Code du statut juridique FINESS.")
    siren = serializers.CharField(help_text="SIREN.")
    departement = serializers.CharField(
        source="departement.code", allow_null=True, default=None, help_text="Code du département."
    )
    commune = serializers.CharField(help_text="Commune.")
    establishments = EstablishmentRefSerializer(
        many=True, source="api_establishments", help_text="Établissements (ET) de l'entité."
    )
    cooperations = CooperationRefSerializer(
        many=True,
        source="api_cooperations",
        help_text="Coopérations visibles par l'appelant où l'entité ou l'un de ses "
        "établissements est membre actif.",
    )
