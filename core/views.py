from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from core import health


@login_not_required
@never_cache
def healthz(request, component: str | None = None):
    """JSON for load balancers and monitoring (core/health.py): 200 when every required
    component answers, 503 otherwise; /healthz/<database|redis|worker> for one of them."""
    if component is not None:
        if component not in health.CHECKS:
            raise Http404("Composant inconnu.")
        check = health.CHECKS[component]()
        return JsonResponse({component: check}, status=200 if check["ok"] else 503)
    data = health.report()
    return JsonResponse(data, status=503 if data["status"] == "error" else 200)


@login_not_required
def accessibility(request):
    return render(
        request,
        "core/accessibility.html",
        {
            "title": "Déclaration d'accessibilité",
            "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
        },
    )


@login_not_required
def legal_notice(request):
    return render(request, "core/legal_notice.html", {"title": "Mentions légales"})


@login_not_required
def personal_data(request):
    return render(request, "core/personal_data.html", {"title": "Données personnelles"})
