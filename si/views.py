from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cooperations.access import access_to, cooperation_access
from cooperations.breadcrumbs import cooperation_breadcrumb
from core.forms import add_service_errors
from core.locking import StaleObjectError
from si import services
from si.forms import ChecklistItemForm
from si.models import ChecklistItem, ChecklistSettings


def _checklist_url(cooperation) -> str:
    """The SI step of the cooperation (where the checklist lives), else its KIT 1 page."""
    from fiches.models import Step

    number = ChecklistSettings.current().fiche_number
    step = Step.objects.filter(cooperation=cooperation, number=number).only("pk").first()
    if step is None:
        return reverse("fiches:stepper", args=[cooperation.pk])
    return reverse("fiches:step", args=[step.pk]) + "#si-checklist"


def _item(request, pk: int) -> ChecklistItem:
    item = get_object_or_404(
        ChecklistItem.objects.visible_to(request.user).select_related("cooperation", "theme"),
        pk=pk,
    )
    access_to(request, item.cooperation, "edit")
    return item


@require_POST
def generate(request, pk: int):
    cooperation = cooperation_access(request, pk, "edit").cooperation
    added = services.checklist_generate(cooperation=cooperation, user=request.user)
    if added:
        messages.success(
            request,
            f"{len(added)} point{'s' if len(added) > 1 else ''} ajouté{'s' if len(added) > 1 else ''} "
            "à la check-list SI à partir des thèmes de la coopération.",
        )
    else:
        messages.info(request, "La check-list SI contient déjà tous les points de vos thèmes.")
    return redirect(_checklist_url(cooperation))


@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int):
    item = _item(request, pk)
    cooperation = item.cooperation
    form = ChecklistItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.checklist_item_update(item=item, data=data, version=version)
        except StaleObjectError as error:
            form.add_stale_error(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Le point de la check-list SI est enregistré.")
            return redirect(_checklist_url(cooperation))
    return render(
        request,
        "si/item_form.html",
        {
            "title": "Point de la check-list SI",
            "item": item,
            "form": form,
            "cooperation": cooperation,
            "back_url": _checklist_url(cooperation),
            "breadcrumb_data": cooperation_breadcrumb(
                cooperation,
                {
                    "url": reverse("fiches:stepper", args=[cooperation.pk]),
                    "title": "Fiches repères",
                },
                current="Check-list SI",
            ),
        },
    )


@require_POST
def item_to_deliverable(request, pk: int):
    item = _item(request, pk)
    try:
        deliverable, created = services.checklist_item_to_deliverable(item=item, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_checklist_url(item.cooperation))
    if created:
        dated = (
            f" (date planifiée : {deliverable.planned_on:%d/%m/%Y})"
            if deliverable.planned_on
            else " — sans date planifiée : fixez-la dans le suivi KIT 3"
        )
        messages.success(
            request,
            f"Le livrable « {deliverable.title} » est créé dans le chantier "
            f"« {services.ACTIVITY_TITLE} » du suivi KIT 3{dated}.",
        )
    else:
        messages.info(request, "Ce point est déjà un livrable du suivi KIT 3.")
    return redirect(_checklist_url(item.cooperation))
