from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from cooperations import ght, scoping, selectors, services
from cooperations.access import get_editable_cooperation, get_visible_cooperation
from cooperations.filters import CooperationFilter
from cooperations.forms import CooperationForm, MemberForm, MembershipLeaveForm
from cooperations.models import Cooperation, Membership
from core.forms import add_service_errors
from core.locking import StaleObjectError
from core.registry import COOPERATION_SECTIONS

PAGE_SIZE = 20
# The cooperation page shows the latest changes; the history page shows much more.
DETAIL_HISTORY = 10
FULL_HISTORY = 300


def cooperation_list(request):
    base = Cooperation.objects.visible_to(request.user)
    cooperation_filter = CooperationFilter(request.GET or None, queryset=base)
    queryset = cooperation_filter.qs.with_list_data().order_by("-updated_at", "-pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cooperations/list.html",
        {
            "title": "Coopérations",
            "filter": cooperation_filter,
            "page_obj": page,
            "can_create": scoping.can_create_cooperation(request.user),
            "breadcrumb_data": {"current": "Coopérations"},
        },
    )


def _sections(request, cooperation):
    sections = []
    for section in COOPERATION_SECTIONS:
        if not section.visible(request.user, cooperation):
            continue
        try:
            url = reverse(section.url_name, args=[cooperation.pk])
        except NoReverseMatch:
            continue
        context = section.get_context(request, cooperation) if section.get_context else {}
        sections.append({"section": section, "url": url, "context": context})
    return sections


def cooperation_detail(request, pk: int):
    cooperation = get_visible_cooperation(
        request,
        pk,
        Cooperation.objects.select_related(
            "pilot_ars", "legal_form", "created_by", "register_grouping"
        ),
    )
    memberships = (
        Membership.objects.filter(cooperation=cooperation)
        .select_related(
            "establishment__legal_entity", "establishment__departement", "legal_entity__departement"
        )
        .order_by("left_on", "role", "pk")
    )
    return render(
        request,
        "cooperations/detail.html",
        {
            "title": cooperation.title,
            "cooperation": cooperation,
            "memberships": memberships,
            "lists": selectors.m2m_labels(cooperation),
            "history": selectors.cooperation_history(cooperation, limit=DETAIL_HISTORY),
            "caps": scoping.user_capabilities(request.user, cooperation),
            "sections": _sections(request, cooperation),
            "breadcrumb_data": {
                "links": [{"url": reverse("cooperations:list"), "title": "Coopérations"}],
                "current": cooperation.title,
            },
        },
    )


def cooperation_history(request, pk: int):
    cooperation = get_object_or_404(Cooperation.objects.visible_to(request.user), pk=pk)
    return render(
        request,
        "cooperations/history.html",
        {
            "title": f"Historique — {cooperation.title}",
            "cooperation": cooperation,
            "history": selectors.cooperation_history(cooperation, limit=FULL_HISTORY),
            "limit": FULL_HISTORY,
            "breadcrumb_data": {
                "links": [
                    {"url": reverse("cooperations:list"), "title": "Coopérations"},
                    {"url": cooperation.get_absolute_url(), "title": cooperation.title},
                ],
                "current": "Historique",
            },
        },
    )


@require_http_methods(["GET", "POST"])
def cooperation_create(request):
    if not scoping.can_create_cooperation(request.user):
        raise PermissionDenied("Votre rôle ne permet pas de créer une coopération.")
    form = CooperationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            cooperation = services.cooperation_create(user=request.user, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "La coopération a été créée.")
            return redirect(cooperation)
    return render(
        request,
        "cooperations/form.html",
        {
            "title": "Nouvelle coopération",
            "form": form,
            "breadcrumb_data": {
                "links": [{"url": reverse("cooperations:list"), "title": "Coopérations"}],
                "current": "Nouvelle coopération",
            },
        },
    )


@require_http_methods(["GET", "POST"])
def cooperation_edit(request, pk: int):
    cooperation = get_editable_cooperation(request, pk)
    form = CooperationForm(request.POST or None, instance=cooperation, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.cooperation_update(
                cooperation=cooperation, user=request.user, data=data, version=version
            )
        except StaleObjectError as error:
            form.add_stale_error(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Les modifications ont été enregistrées.")
            return redirect(cooperation)
    return render(
        request,
        "cooperations/form.html",
        {
            "title": f"Modifier « {cooperation.title} »",
            "form": form,
            "cooperation": cooperation,
            "breadcrumb_data": {
                "links": [
                    {"url": reverse("cooperations:list"), "title": "Coopérations"},
                    {"url": cooperation.get_absolute_url(), "title": cooperation.title},
                ],
                "current": "Modifier",
            },
        },
    )


@require_http_methods(["GET", "POST"])
def member_add(request, pk: int):
    cooperation = get_editable_cooperation(
        request, pk, Cooperation.objects.select_related("legal_form")
    )
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_add(
                cooperation=cooperation,
                establishment=form.establishment,
                legal_entity=form.legal_entity,
                role=form.cleaned_data["role"],
                joined_on=form.cleaned_data["joined_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Le membre a été ajouté.")
            return redirect(cooperation)
    return render(
        request,
        "cooperations/member_form.html",
        {
            "title": "Ajouter un membre",
            "form": form,
            "cooperation": cooperation,
            "is_ght": ght.is_ght(cooperation),
            "legal_basis": ght.LEGAL_BASIS,
        },
    )


@require_http_methods(["GET", "POST"])
def member_leave(request, pk: int, membership_pk: int):
    cooperation = get_editable_cooperation(request, pk)
    membership = get_object_or_404(
        Membership.objects.active().select_related("establishment", "legal_entity"),
        pk=membership_pk,
        cooperation=cooperation,
    )
    form = MembershipLeaveForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_leave(membership=membership, left_on=form.cleaned_data["left_on"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Le retrait de {membership.member_name} est enregistré.")
            return redirect(cooperation)
    return render(
        request,
        "cooperations/member_leave.html",
        {
            "title": "Retrait d'un membre",
            "form": form,
            "cooperation": cooperation,
            "membership": membership,
        },
    )
