from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from cooperations import dashboard
from cooperations.models import Cooperation
from territories.choices import ARS_NAMES


def dashboard_view(request):
    """An ARS agent's region; a national admin's country, or one region (?ars=)."""
    user = request.user
    if not (user.is_national_admin or user.is_ars_agent):
        raise PermissionDenied(
            "Le tableau de bord régional est réservé aux ARS et à l'administration nationale."
        )
    scope = Cooperation.objects.visible_to(user)
    ars_id = None
    if user.is_ars_agent:
        ars_id = user.ars_id
    else:
        try:
            ars_id = int(request.GET.get("ars") or 0) or None
        except ValueError:
            ars_id = None
        if ars_id not in ARS_NAMES.labels():
            ars_id = None
        if ars_id:
            scope = scope.filter(pilot_ars_id=ars_id) | scope.filter(departements__ars_id=ars_id)
            scope = Cooperation.objects.filter(pk__in=scope.values("pk"))
    numbers = dashboard.numbers(
        scope, ars_id=ars_id, audience="admin" if user.is_national_admin else "agent"
    )
    shown = [*numbers["breakdowns"], *([numbers["regions"]] if numbers["regions"] else [])]
    shown = dashboard.with_charts(shown)  # one cache round trip for all the charts
    parts = shown[: len(numbers["breakdowns"])]
    regions = shown[-1] if numbers["regions"] else None
    by_departement = next(b for b in parts if b.key == "departement")
    name = ARS_NAMES.labels().get(ars_id, "") if ars_id else "France entière"
    return render(
        request,
        "cooperations/dashboard.html",
        {
            "title": f"Tableau de bord — {name}",
            "scope_name": name,
            "total": numbers["total"],
            "breakdowns": parts,
            "regions": regions,
            "map": dashboard.map_tiles(by_departement, ars_id=ars_id),
            "map_breakdown": by_departement,
            "ars_choices": ARS_NAMES.choices() if user.is_national_admin else [],
            "ars_id": ars_id,
            "breadcrumb_data": {"current": "Tableau de bord"},
        },
    )
