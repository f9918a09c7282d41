"""Pages of the register (FINESS): an establishment, a legal entity, the GHT of a region, and
the suggestions of the establishment pickers.

The register is public: every signed-in user may read an establishment's or a legal
entity's identity, activities, Hospi Diag indicators and GHT (the GHT composition is public
open data). Cooperations are listed only when the user may see them (scoping), and a GHT is
linked only when it is in the user's scope. The region's GHT page is a supervision tool:
ARS agents (their region) and national admins (any region).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from accounts.models import Role
from cooperations import ght as ght_rules
from cooperations.models import Cooperation, MemberRole, Membership
from core.registry import ESTABLISHMENT_SECTIONS
from territories.identifiers import finess_suggestion, format_phone
from territories.models import ARS, Establishment, EstablishmentActivity, LegalEntity

SITES_SHOWN = 50
ACTIVITIES_SHOWN = 100
SUGGESTIONS = 10


def _sections(request, establishment, legal_entity) -> list:
    sections = []
    for section in ESTABLISHMENT_SECTIONS:
        context = section.get_context(request, establishment, legal_entity)
        if context is not None:
            sections.append({"section": section, "context": context})
    return sections


def _ght_context(user, entity) -> dict:
    """The legal entity's GHT (public register fact), linked where the user may see it,
    and the flag of the one-GHT rule for a public hospital."""
    ghts = ght_rules.ght_by_entity([entity.pk]).get(entity.pk, [])
    visible = set(
        Cooperation.objects.visible_to(user)
        .filter(pk__in=[g.pk for g, _role in ghts])
        .values_list("pk", flat=True)
    )
    exemption = ght_rules.active_exemptions([entity.pk]).get(entity.pk)
    flag = None
    if entity.is_public_hospital and not entity.is_closed:
        if len(ghts) > 1:
            flag = "several"
        elif not ghts and not exemption:
            flag = "none"
    return {
        "ghts": [
            {
                "cooperation": g,
                "role": role,
                "role_label": (
                    "établissement support"
                    if role in (MemberRole.SUPPORT, MemberRole.PORTEUR)
                    else MemberRole(role).label.lower()
                ),
                "visible": g.pk in visible,
            }
            for g, role in ghts
        ],
        "exemption": exemption,
        "ght_flag": flag,
        "legal_basis": ght_rules.LEGAL_BASIS,
    }


def _memberships(user, *, establishment=None, entity=None):
    """Memberships of the site (or of its legal entity) in cooperations the user may see."""
    condition = Q(legal_entity=entity)
    if establishment is not None:
        condition |= Q(establishment=establishment)
    else:
        condition |= Q(establishment__legal_entity=entity)
    return (
        Membership.objects.filter(condition)
        .filter(cooperation__in=Cooperation.objects.visible_to(user))
        .select_related("cooperation__legal_form", "cooperation__pilot_ars", "establishment")
        .order_by("left_on", "-joined_on", "pk")
    )


def establishment_detail(request, finess: str):
    establishment = get_object_or_404(
        Establishment.objects.select_related("departement__ars", "legal_entity__departement__ars"),
        finess=finess.upper(),
    )
    entity = establishment.legal_entity
    siblings = entity.establishments.exclude(pk=establishment.pk).select_related("departement")
    activities = (
        EstablishmentActivity.objects.filter(
            Q(establishment=establishment) | Q(legal_entity=entity, exercised=False)
        )
        .select_related("establishment")
        .order_by("-is_active", "exercised", "nature_code", "activity_type_code", "register_id")
    )
    return render(
        request,
        "cooperations/register/establishment.html",
        {
            "title": establishment.display_name,
            "establishment": establishment,
            "entity": entity,
            "phone": format_phone(establishment.phone),
            "siblings": siblings.order_by("is_closed", "name")[:SITES_SHOWN],
            "sibling_count": siblings.count(),
            "memberships": _memberships(request.user, establishment=establishment, entity=entity),
            "activities": activities[:ACTIVITIES_SHOWN],
            "activities_shown": ACTIVITIES_SHOWN,
            "sections": _sections(request, establishment, entity),
            **_ght_context(request.user, entity),
            "breadcrumb_data": {
                "links": [{"url": reverse("territories:search"), "title": "Établissements"}],
                "current": establishment.name,
            },
        },
    )


def legal_entity_detail(request, finess: str):
    entity = get_object_or_404(
        LegalEntity.objects.select_related("departement__ars"), finess=finess.upper()
    )
    sites = entity.establishments.select_related("departement").order_by("is_closed", "name")
    grouping = entity.register_groupings.select_related("cooperation").first()
    activities = EstablishmentActivity.objects.filter(legal_entity=entity).order_by(
        "-is_active", "nature_code", "activity_type_code", "register_id"
    )
    return render(
        request,
        "cooperations/register/legal_entity.html",
        {
            "title": entity.display_name,
            "entity": entity,
            "phone": format_phone(entity.phone),
            "sites": sites[:SITES_SHOWN],
            "site_count": sites.count(),
            "sites_shown": SITES_SHOWN,
            "memberships": _memberships(request.user, entity=entity),
            "activities": activities[:ACTIVITIES_SHOWN],
            "activities_shown": ACTIVITIES_SHOWN,
            "grouping": grouping,
            "grouping_visible": bool(
                grouping
                and Cooperation.objects.visible_to(request.user)
                .filter(pk=grouping.cooperation_id)
                .exists()
            ),
            "sections": _sections(request, None, entity),
            **_ght_context(request.user, entity),
            "breadcrumb_data": {
                "links": [{"url": reverse("territories:search"), "title": "Établissements"}],
                "current": entity.display_name,
            },
        },
    )


def ght_region(request):
    user = request.user
    if user.is_national_admin:
        regions = list(ARS.objects.order_by("name"))
        chosen = request.GET.get("region") or (regions[0].region_code if regions else "")
        ars = next((a for a in regions if a.region_code == chosen), None)
        # The regional dashboard links here with the ARS it shows (`?ars=<pk>`).
        if request.GET.get("ars", "").isdigit():
            ars = next((a for a in regions if a.pk == int(request.GET["ars"])), ars)
        if ars is None:
            ars = regions[0]
    elif user.role == Role.ARS_AGENT and user.ars_id:
        regions = []
        ars = get_object_or_404(ARS, pk=user.ars_id)
    else:
        raise PermissionDenied("Réservé aux agents des ARS et aux administrateurs nationaux.")
    overview = ght_rules.region_overview(ars, Cooperation.objects.visible_to(user))
    return render(
        request,
        "cooperations/register/ght_region.html",
        {
            "title": f"GHT — {ars.region_name}",
            "ars": ars,
            "regions": regions,
            "overview": overview,
            "legal_basis": ght_rules.LEGAL_BASIS,
            "breadcrumb_data": {"current": f"GHT de la région {ars.region_name}"},
        },
    )


def suggestions(request):
    """Up to 10 open establishments for a picker (htmx fragment): name, commune or FINESS."""
    term = (request.GET.get("q") or request.GET.get("finess") or "").strip()[:100]
    results, count = [], 0
    if len(term.replace(" ", "")) >= 2:
        queryset = Establishment.objects.search(term).open()
        results = list(
            queryset.select_related("legal_entity", "departement").in_name_order()[:SUGGESTIONS]
        )
        count = len(results)
    ghts = ght_rules.ght_by_entity(
        {e.legal_entity_id for e in results if e.legal_entity.is_public_hospital}
    )
    return render(
        request,
        "cooperations/register/_suggestions.html",
        {
            "term": term,
            "results": [
                (e, [g.title for g, _r in ghts.get(e.legal_entity_id, [])]) for e in results
            ],
            "count": count,
            "limit": SUGGESTIONS,
            "suggested_finess": finess_suggestion(term),
        },
    )
