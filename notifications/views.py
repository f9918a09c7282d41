from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from notifications import selectors, services
from notifications.forms import PreferencesForm
from notifications.kinds import LABELS
from notifications.models import Notification

PAGE_SIZE = 25
STATUSES = {"": "Toutes", "non-lues": "Non lues", "a-traiter": "À traiter"}


def notification_list(request):
    status = request.GET.get("statut", "")
    if status not in STATUSES:
        status = ""
    page = Paginator(selectors.for_user(request.user, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/list.html",
        {
            "title": "Notifications",
            "page_obj": page,
            "status": status,
            "statuses": STATUSES,
            "labels": LABELS,
            "breadcrumb_data": {"current": "Notifications"},
        },
    )


def notification_open(request, pk: int):
    """Follow a notification's link, marking it read on the way."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(user=request.user, ids=[notification.pk])
    url = notification.url
    if not url or not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return redirect("notifications:list")
    return redirect(url)


@require_POST
def notifications_read(request):
    count = services.mark_read(user=request.user)
    s = "s" if count > 1 else ""
    messages.success(request, f"{count} notification{s} marquée{s} comme lue{s}.")
    return redirect("notifications:list")


@require_http_methods(["GET", "POST"])
def preferences(request):
    preference = services.preferences_for(request.user)
    form = PreferencesForm(request.POST or None, preference=preference)
    if request.method == "POST" and form.is_valid():
        services.preferences_save(
            user=request.user, delivery=form.cleaned_data["delivery"], by_kind=form.by_kind()
        )
        messages.success(request, "Vos préférences de notification sont enregistrées.")
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "title": "Préférences de notification",
            "form": form,
            "breadcrumb_data": {
                "links": [{"url": "/notifications/", "title": "Notifications"}],
                "current": "Préférences",
            },
        },
    )
