"""The read API (GET only), under /api/v1/.

Every cooperation read goes through the scoping module, as the pages do:
`Cooperation.objects.visible_to(user)` for lists, `access.cooperation_access()` for one
cooperation and everything below it. Outside the caller's scope the answer is 404, never
403, so that existence does not leak. The FINESS register is public to every signed-in
user, but the cooperations it lists per establishment are filtered the same way.

Each endpoint runs a constant number of queries whatever the data size (tests/api).
"""

from django.contrib.auth.decorators import login_not_required
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from api import reference
from api import serializers as s
from api.filters import ApiCooperationFilter
from cooperations.access import cooperation_access
from cooperations.models import Cooperation, LegalForm, Membership
from territories.models import Departement, Establishment, LegalEntity

TAG_COOPERATIONS = "Coopérations"
ID_PARAMETER = OpenApiParameter(
    "id", int, OpenApiParameter.PATH, description="Identifiant KitCoop de la coopération."
)
LIST_FILTERS = [
    OpenApiParameter("q", str, description="Texte cherché dans l'intitulé et les objectifs."),
    OpenApiParameter(
        "pilot_ars", int, description="Identifiant de l'ARS pilote (champ pilot_ars.id)."
    ),
    OpenApiParameter(
        "departement", int, description="Identifiant d'un département concerné (departements[].id)."
    ),
    OpenApiParameter(
        "legal_form", int, description="Identifiant de la forme juridique (legal_form.id)."
    ),
    OpenApiParameter("typology", int, description="Identifiant d'une typologie (typologies[].id)."),
    OpenApiParameter("theme", int, description="Identifiant d'un thème (themes[].id)."),
    OpenApiParameter(
        "establishment",
        str,
        description="Établissement ou entité juridique membre actif : FINESS exact, ou partie du nom.",
    ),
]
TAG_REGISTER = "Référentiels"


class ApiViewMixin:
    """Signed-in checks belong to DRF here (token or same-origin session), not to the
    site's LoginRequiredMiddleware, which would redirect an API client to the login page."""

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))

    def schema_only(self) -> bool:
        # drf-spectacular instantiates views without a request to read their shapes.
        return getattr(self, "swagger_fake_view", False)


class DecoratedListView(ApiViewMixin, generics.ListAPIView):
    """A list whose rows get computed attributes (decorate()) once the page is cut."""

    def decorate(self, rows: list) -> None:
        pass

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.decorate(page if page is not None else list(queryset))
        return page


def _cooperation_rows(queryset):
    """The portfolio's list data (Cooperation.with_list_data) plus each member's EJ, the
    départements and the themes, in a constant number of queries."""
    return queryset.select_related("pilot_ars", "legal_form").prefetch_related(
        "typologies",
        Prefetch(
            "memberships",
            queryset=Membership.objects.active()
            .select_related("establishment__legal_entity", "legal_entity")
            .order_by("role", "pk"),
            to_attr="active_memberships",
        ),
        Prefetch(
            "departements",
            queryset=Departement.objects.order_by("code"),
            to_attr="api_departements",
        ),
        Prefetch("themes", to_attr="api_themes"),
    )


def _typologies(rows) -> None:
    for cooperation in rows:
        cooperation.api_typologies = list(cooperation.typologies.all())


@extend_schema_view(
    get=extend_schema(
        tags=[TAG_COOPERATIONS],
        summary="Coopérations visibles",
        description=(
            "Les coopérations que l'appelant voit dans KitCoop (un agent d'ARS : sa région ; "
            "un directeur : les coopérations de ses établissements), avec les filtres du "
            "portefeuille, les plus récemment modifiées d'abord."
        ),
        parameters=LIST_FILTERS,
    )
)
class CooperationList(DecoratedListView):
    serializer_class = s.CooperationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ApiCooperationFilter

    def get_queryset(self):
        base = Cooperation.objects.visible_to(self.request.user)
        return _cooperation_rows(base).order_by("-updated_at", "-pk")

    def decorate(self, rows):
        _typologies(rows)


@extend_schema(
    tags=[TAG_COOPERATIONS],
    summary="Une coopération",
    description="La coopération, ses membres actifs et retirés. 404 hors du périmètre.",
    parameters=[ID_PARAMETER],
)
class CooperationDetail(ApiViewMixin, generics.RetrieveAPIView):
    serializer_class = s.CooperationDetailSerializer
    queryset = Cooperation.objects.none()

    def get_object(self):
        queryset = _cooperation_rows(Cooperation.objects.all()).prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(left_on__isnull=False)
                .select_related("establishment__legal_entity", "legal_entity")
                .order_by("left_on", "pk"),
                to_attr="api_former_members",
            )
        )
        cooperation = cooperation_access(
            self.request, self.kwargs["pk"], queryset=queryset
        ).cooperation
        _typologies([cooperation])
        return cooperation


class CooperationChildList(DecoratedListView):
    """A list of objects of one cooperation, fetched in the caller's scope (404 outside)."""

    def cooperation(self) -> Cooperation:
        if not hasattr(self, "_cooperation"):
            self._cooperation = cooperation_access(self.request, self.kwargs["pk"]).cooperation
        return self._cooperation


@extend_schema(
    tags=[TAG_COOPERATIONS],
    summary="Étapes KIT 1 d'une coopération",
    parameters=[ID_PARAMETER],
    description="L'état de chaque étape ouverte des fiches repères (KIT 1).",
)
class CooperationSteps(CooperationChildList):
    serializer_class = s.StepSerializer

    def get_queryset(self):
        from fiches.models import Step

        if self.schema_only():
            return Step.objects.none()
        return (
            Step.objects.filter(cooperation=self.cooperation())
            .select_related("fiche")
            .order_by("number")
        )


@extend_schema(
    tags=[TAG_COOPERATIONS],
    summary="Convention d'une coopération",
    parameters=[ID_PARAMETER],
    description="État de la convention et de son approbation.",
    responses=s.ConventionSerializer,
)
class CooperationConvention(ApiViewMixin, APIView):
    def get(self, request, pk: int):
        from conventions.models import Convention

        cooperation = cooperation_access(
            request, pk, queryset=Cooperation.objects.select_related("legal_form")
        ).cooperation
        convention = (
            Convention.objects.filter(cooperation=cooperation).select_related("template").first()
        )
        legal_form = cooperation.legal_form
        data = {
            "exists": convention is not None,
            "status": convention.status if convention else None,
            "status_label": convention.get_status_display() if convention else None,
            "template": convention.template.name if convention else None,
            "requires_approval": legal_form.requires_approval if legal_form else None,
            "approved_on": convention.approved_on if convention else None,
            "approval_reference": (convention.approval_reference or None) if convention else None,
            "updated_at": convention.updated_at if convention else None,
        }
        return Response(s.ConventionSerializer(data).data)


@extend_schema(
    tags=[TAG_COOPERATIONS],
    summary="Évaluations Eval'Impact d'une coopération",
    parameters=[ID_PARAMETER],
    description="Chaque évaluation (impact potentiel ou effectif) avec ses notes par axe.",
)
class CooperationEvaluations(CooperationChildList):
    serializer_class = s.EvaluationSerializer

    def get_queryset(self):
        from evalimpact.models import Axis, Evaluation

        if self.schema_only():
            return Evaluation.objects.none()
        return (
            Evaluation.objects.filter(cooperation=self.cooperation())
            .select_related("catalogue")
            .prefetch_related(Prefetch("catalogue__axes", queryset=Axis.objects.order_by("code")))
            .order_by("-evaluated_on", "-pk")
        )

    def decorate(self, rows):
        for evaluation in rows:
            scores = evaluation.axis_scores or {}
            evaluation.api_axis_scores = [
                {
                    "axis": axis.code,
                    "label": axis.label,
                    "score": round(float(scores[str(axis.code)]), 2)
                    if scores.get(str(axis.code)) is not None
                    else None,
                }
                for axis in evaluation.catalogue.axes.all()
            ]
            if evaluation.overall_score is not None:
                evaluation.overall_score = float(evaluation.overall_score)


@extend_schema(
    tags=[TAG_COOPERATIONS],
    summary="Livrables et jalons KIT 3 d'une coopération",
    parameters=[ID_PARAMETER],
    description=(
        "Dates planifiée, révisée et de réalisation, glissement en jours et respect du "
        "planning, calculés comme sur le tableau de bord du suivi."
    ),
)
class CooperationDeliverables(CooperationChildList):
    serializer_class = s.DeliverableSerializer

    def get_queryset(self):
        from suivi.models import Deliverable

        if self.schema_only():
            return Deliverable.objects.none()
        return Deliverable.objects.for_cooperation(self.cooperation()).order_by("planned_on", "pk")

    def decorate(self, rows):
        from suivi.models import DEFAULT_AT_RISK_MAX_DAYS, ProjectSettings
        from suivi.planning import deliverable_status

        threshold = (
            ProjectSettings.objects.filter(cooperation=self.cooperation())
            .values_list("at_risk_max_days", flat=True)
            .first()
            or DEFAULT_AT_RISK_MAX_DAYS
        )
        today = timezone.localdate()
        for deliverable in rows:
            status = deliverable_status(deliverable, today, threshold)
            deliverable.slippage_days = status.slippage
            deliverable.rag = status.effective
            deliverable.rag_label = status.label
            deliverable.rag_overridden = status.overridden


@extend_schema(
    tags=[TAG_COOPERATIONS],
    summary="Risques d'une coopération",
    parameters=[ID_PARAMETER],
    description="Registre des risques du suivi KIT 3, les plus critiques d'abord.",
)
class CooperationRisks(CooperationChildList):
    serializer_class = s.RiskSerializer

    def get_queryset(self):
        from suivi.models import Risk

        if self.schema_only():
            return Risk.objects.none()
        return (
            Risk.objects.filter(cooperation=self.cooperation())
            .select_related("category")
            .by_criticity()
        )


@extend_schema(
    tags=[TAG_REGISTER],
    summary="Formes juridiques de coopération",
    description="Le catalogue des formes juridiques (convention, GCS, GCSMS, GHT, GIP…).",
)
class LegalForms(ApiViewMixin, generics.ListAPIView):
    serializer_class = s.LegalFormSerializer
    queryset = LegalForm.objects.order_by("order", "name")


def _visible_cooperations_with(user, members):
    memberships = Membership.objects.active().filter(members, cooperation=OuterRef("pk"))
    return list(
        Cooperation.objects.visible_to(user)
        .filter(Exists(memberships))
        .only("pk", "title", "phase")
        .order_by("title", "pk")
    )


FINESS_PARAMETER = OpenApiParameter(
    "finess", str, OpenApiParameter.PATH, description="Numéro FINESS (9 caractères)."
)


@extend_schema(
    tags=[TAG_REGISTER],
    summary="Un établissement (ET) par son FINESS",
    description=(
        "Le registre FINESS est public pour tout utilisateur connecté ; la liste des "
        "coopérations est limitée au périmètre de l'appelant."
    ),
    parameters=[FINESS_PARAMETER],
)
class EstablishmentByFiness(ApiViewMixin, generics.RetrieveAPIView):
    serializer_class = s.EstablishmentSerializer
    queryset = Establishment.objects.none()

    def get_object(self):
        establishment = get_object_or_404(
            Establishment.objects.select_related("legal_entity", "departement"),
            finess=self.kwargs["finess"].strip().upper(),
        )
        members = Q(establishment_id=establishment.pk)
        if establishment.legal_entity_id:
            members |= Q(legal_entity_id=establishment.legal_entity_id)
        establishment.api_cooperations = _visible_cooperations_with(self.request.user, members)
        return establishment


@extend_schema(
    tags=[TAG_REGISTER],
    summary="Une entité juridique (EJ) par son FINESS",
    description=(
        "L'entité, ses établissements et les coopérations (dans le périmètre de l'appelant) "
        "où elle ou l'un de ses établissements est membre actif."
    ),
    parameters=[FINESS_PARAMETER],
)
class LegalEntityByFiness(ApiViewMixin, generics.RetrieveAPIView):
    serializer_class = s.LegalEntitySerializer
    queryset = LegalEntity.objects.none()

    def get_object(self):
        legal_entity = get_object_or_404(
            LegalEntity.objects.select_related("departement"),
            finess=self.kwargs["finess"].strip().upper(),
        )
        legal_entity.api_establishments = list(
            legal_entity.establishments.only("finess", "name").order_by("name", "finess")
        )
        members = Q(legal_entity_id=legal_entity.pk) | Q(
            establishment__legal_entity_id=legal_entity.pk
        )
        legal_entity.api_cooperations = _visible_cooperations_with(self.request.user, members)
        return legal_entity


class Schema(ApiViewMixin, SpectacularAPIView):
    """The OpenAPI document, for signed-in callers (drf-spectacular serves it to anyone by
    default)."""

    authentication_classes = api_settings.DEFAULT_AUTHENTICATION_CLASSES
    permission_classes = [IsAuthenticated]


def docs(request):
    """The API reference, in DSFR HTML built from the OpenAPI document (`api/reference.py`)."""
    return render(
        request,
        "api/reference.html",
        {
            "title": "Documentation de l'API",
            "schema_url": reverse("api:schema"),
            "tags": reference.reference(),
        },
    )


def console(request):
    """The trial console (Swagger UI from drf-spectacular-sidecar, served locally)."""
    return render(
        request,
        "api/docs.html",
        {"title": "Console d'essai de l'API", "schema_url": reverse("api:schema")},
    )
