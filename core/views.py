from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render


@login_not_required
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


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
