"""The home page: recent cooperations in the user's scope and the kits' home widgets."""

from django.shortcuts import render

from accounts.models import Role
from cooperations import scoping
from cooperations.models import Cooperation
from core.registry import HOME_WIDGETS


def home(request):
    user = request.user
    visible = Cooperation.objects.visible_to(user)
    recent = visible.only("pk", "title", "phase").order_by("-updated_at", "-pk")[:5]
    widgets = [
        {"template": w.template, "context": w.get_context(request)}
        for w in HOME_WIDGETS
        if w.visible(user)
    ]
    intro = {
        Role.NATIONAL_ADMIN: "Vous administrez les catalogues nationaux et voyez toutes les coopérations.",
        Role.ARS_AGENT: f"Vous suivez les coopérations de l'{user.ars_name}."
        if user.ars_id
        else "",
        Role.REFERENT: "Vous voyez et renseignez les coopérations dont vos établissements sont membres.",
        Role.COPIL_GUEST: "Vous consultez, en lecture seule, les coopérations dont vous êtes membre du COPIL.",
    }.get(user.role, "")
    return render(
        request,
        "home/home.html",
        {
            "title": "Accueil",
            "intro": "Vous avez tous les droits d'administration."
            if user.is_superuser and not intro
            else intro,
            "recent": recent,
            # Counted on the scope's ids (for an ARS agent, a UNION of two index scans), not
            # on the EXISTS of `visible`, which tests every cooperation of the country.
            "total": scoping.cooperation_ids_visible_to(user).count(),
            "widgets": widgets,
        },
    )
