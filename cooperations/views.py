from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cooperations import ght, portfolio, scoping, selectors, services
from cooperations import supervision as supervision_service
from cooperations.access import (
    check,
    cooperation_access,
)
from cooperations.filters import CooperationFilter
from cooperations.forms import (
    ArsNoteForm,
    CooperationForm,
    MemberForm,
    MembershipLeaveForm,
    RegionalObjectiveForm,
    SupervisionChangeForm,
    SupervisionDecisionForm,
)
from cooperations.models import (
    HISTORICAL_PLAN_KINDS,
    ArsNote,
    Cooperation,
    Membership,
    RegionalObjective,
    SupervisionChange,
)
from core.forms import add_service_errors, save_form, save_versioned
from core.idempotency import once_per_submission
from core.registry import COOPERATION_SECTIONS
from territories.choices import ARS_NAMES

PAGE_SIZE = 20
# The cooperation page shows the latest changes; the history page shows much more.
DETAIL_HISTORY = 10
FULL_HISTORY = 300


def _worklist(request):
    """The filtered, sorted work list of the user's scope (shared by the list and export)."""
    today = timezone.localdate()
    base = Cooperation.objects.visible_to(request.user)
    cooperation_filter = CooperationFilter(
        request.GET or None, queryset=base, user=request.user, today=today
    )
    sort = request.GET.get("tri") or portfolio.default_sort(request.user)
    if sort.lstrip("-") not in dict(portfolio.sort_options()):
        sort = portfolio.default_sort(request.user)
    queryset = portfolio.ordered(cooperation_filter.qs, sort, today)
    return cooperation_filter, queryset, sort, today


def _chosen_columns(request, *, for_export: bool = False):
    columns = portfolio.columns()
    keys = request.GET.getlist("colonnes")
    if keys:
        chosen = [c for c in columns if c.key in keys]
        if chosen:
            return chosen
    return [c for c in columns if c.default] if not for_export else columns


def cooperation_list(request):
    cooperation_filter, queryset, sort, today = _worklist(request)
    chosen = _chosen_columns(request)
    paginator = Paginator(queryset.values_list("pk", flat=True), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = portfolio.page_rows(list(page.object_list), chosen, today)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("tri", None)
    export_query = request.GET.copy()
    for key in ("page", "tri", "colonnes", "format"):
        export_query.pop(key, None)
    return render(
        request,
        "cooperations/list.html",
        {
            "title": "Coopérations",
            "filter": cooperation_filter,
            "page_obj": page,
            "rows": rows,
            "columns": chosen,
            "all_columns": portfolio.columns(),
            "sort": sort,
            "sort_query": query.urlencode(),
            "export_query": export_query,
            "can_create": scoping.can_create_cooperation(request.user),
            "breadcrumb_data": {"current": "Coopérations"},
        },
    )


def cooperation_export(request):
    """The filtered work list as CSV or XLSX, with the columns the user chose."""
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404("Format d'export inconnu.")
    _filter, queryset, _sort, today = _worklist(request)
    user = request.user
    subject = user.ars_name if user.is_ars_agent else ("national" if user.is_national_admin else "")
    return portfolio.export_response(
        queryset, _chosen_columns(request, for_export=True), fmt, subject=subject, today=today
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
    access = cooperation_access(
        request,
        pk,
        "read",
        Cooperation.objects.select_related(
            "pilot_ars", "legal_form", "created_by", "register_grouping"
        ),
    )
    cooperation = access.cooperation
    memberships = (
        Membership.objects.filter(cooperation=cooperation)
        .select_related(
            "establishment__legal_entity", "establishment__departement", "legal_entity__departement"
        )
        .by_rank("left_on")
    )
    return render(
        request,
        "cooperations/detail.html",
        {
            "title": cooperation.title,
            "cooperation": cooperation,
            "memberships": memberships,
            "lists": selectors.m2m_labels(cooperation),
            "history": selectors.recent_history(cooperation, DETAIL_HISTORY),
            "caps": access,
            "sections": _sections(request, cooperation),
            "plan_objectives": cooperation.plan_objectives.order_by("kind", "order", "code"),
            "ars_notes": list(_notes_of(request.user, cooperation)[:3])
            if access.can_read_ars_notes
            else None,
            "breadcrumb_data": {
                "links": [{"url": reverse("cooperations:list"), "title": "Coopérations"}],
                "current": cooperation.title,
            },
        },
    )


def cooperation_history(request, pk: int):
    cooperation = cooperation_access(request, pk).cooperation
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
@once_per_submission
def cooperation_create(request):
    if not scoping.can_create_cooperation(request.user):
        raise PermissionDenied("Votre rôle ne permet pas de créer une coopération.")
    form = CooperationForm(request.POST or None, user=request.user)
    cooperation = save_form(
        request,
        form,
        lambda data: services.cooperation_create(user=request.user, data=data),
        success="La coopération a été créée.",
    )
    if cooperation:
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
    cooperation = cooperation_access(request, pk, "edit").cooperation
    form = CooperationForm(request.POST or None, instance=cooperation, user=request.user)
    if save_versioned(
        request,
        form,
        lambda data, version: services.cooperation_update(
            cooperation=cooperation, user=request.user, data=data, version=version
        ),
        success="Les modifications ont été enregistrées.",
    ):
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
@once_per_submission
def member_add(request, pk: int):
    cooperation = cooperation_access(
        request, pk, "edit", Cooperation.objects.select_related("legal_form")
    ).cooperation
    form = MemberForm(request.POST or None)
    if save_form(
        request,
        form,
        lambda data: services.membership_add(
            cooperation=cooperation,
            establishment=form.establishment,
            legal_entity=form.legal_entity,
            role=data["role"],
            joined_on=data["joined_on"],
            actor=request.user,
        ),
        success="Le membre a été ajouté.",
    ):
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
    cooperation = cooperation_access(request, pk, "edit").cooperation
    membership = get_object_or_404(
        Membership.objects.active().select_related("establishment", "legal_entity"),
        pk=membership_pk,
        cooperation=cooperation,
    )
    form = MembershipLeaveForm(request.POST or None, membership=membership)
    if save_form(
        request,
        form,
        lambda data: services.membership_leave(membership=membership, left_on=data["left_on"]),
        success=f"Le retrait de {membership.member_name} est enregistré.",
    ):
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


# --- ARS private notes ------------------------------------------------------------------


def _notes_of(user, cooperation):
    notes = ArsNote.objects.filter(cooperation=cooperation).select_related("author", "ars")
    if not user.is_national_admin:
        notes = notes.filter(ars_id=user.ars_id)
    return notes.order_by("-created_at", "-pk")


@require_http_methods(["GET", "POST"])
def ars_notes(request, pk: int):
    access = cooperation_access(
        request, pk, "read", Cooperation.objects.select_related("pilot_ars")
    )
    cooperation = access.cooperation
    if not access.can_read_ars_notes:
        raise PermissionDenied("Les notes privées sont réservées aux agents de l'ARS pilote.")
    form = ArsNoteForm(request.POST or None)
    if save_form(
        request,
        form,
        lambda data: services.ars_note_add(
            cooperation=cooperation, user=request.user, body=data["body"]
        ),
        success="La note privée est enregistrée.",
    ):
        return redirect("cooperations:ars_notes", pk=cooperation.pk)
    page = Paginator(_notes_of(request.user, cooperation), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cooperations/ars_notes.html",
        {
            "title": f"Notes privées de l'ARS — {cooperation.title}",
            "cooperation": cooperation,
            "form": form,
            "page_obj": page,
            "breadcrumb_data": {
                "links": [
                    {"url": reverse("cooperations:list"), "title": "Coopérations"},
                    {"url": cooperation.get_absolute_url(), "title": cooperation.title},
                ],
                "current": "Notes privées de l'ARS",
            },
        },
    )


# --- regional plan objectives -----------------------------------------------------------


def _require_plan_reader(request):
    user = request.user
    if not (user.is_national_admin or user.is_ars_agent):
        raise PermissionDenied("Le plan régional de santé est géré par les ARS.")


def objective_list(request):
    _require_plan_reader(request)
    user = request.user
    objectives = RegionalObjective.objects.select_related("ars", "parent").annotate(
        linked=Count("cooperations", distinct=True)
    )
    ars_id = user.ars_id if user.is_ars_agent else request.GET.get("ars") or None
    if ars_id:
        objectives = objectives.filter(ars_id=ars_id)
    # The plan in force first (COS, then SRS), the historical schemes (SROS, SROMS) last.
    historical = Case(When(kind__in=HISTORICAL_PLAN_KINDS, then=Value(1)), default=Value(0))
    objectives = objectives.order_by("ars__name", historical, "kind", "order", "code")
    return render(
        request,
        "cooperations/objectives.html",
        {
            "title": "Plan régional de santé : objectifs",
            "page_obj": Paginator(objectives, 50).get_page(request.GET.get("page")),
            "ars_choices": ARS_NAMES.choices() if user.is_national_admin else [],
            "ars_id": str(ars_id or ""),
            "breadcrumb_data": {"current": "Plan régional de santé"},
        },
    )


@require_http_methods(["GET", "POST"])
def objective_edit(request, pk: int | None = None):
    _require_plan_reader(request)
    user = request.user
    if pk is None:
        objective = RegionalObjective()
    else:
        scope = RegionalObjective.objects.all()
        if not user.is_national_admin:
            scope = scope.filter(ars_id=user.ars_id)
        objective = get_object_or_404(scope, pk=pk)
    form = RegionalObjectiveForm(request.POST or None, instance=objective, user=user)
    # The objective has no version of its own (no stale check): save_versioned is the
    # edit pages' one POST half all the same (refusals at the top, input kept).
    if save_versioned(
        request,
        form,
        lambda data, _version: services.objective_save(user=user, objective=objective, data=data),
        success=lambda saved: f"L'objectif {saved.code} est enregistré.",
    ):
        return redirect("cooperations:objectives")
    return render(
        request,
        "cooperations/objective_form.html",
        {
            "title": "Nouvel objectif du plan" if pk is None else f"Modifier {objective.code}",
            "form": form,
            "breadcrumb_data": {
                "links": [
                    {"url": reverse("cooperations:objectives"), "title": "Plan régional de santé"}
                ],
                "current": "Nouvel objectif" if pk is None else objective.code,
            },
        },
    )


# --- who supervises: pilot ARS and départements ------------------------------------------


@require_http_methods(["GET", "POST"])
def supervision(request, pk: int):
    """The pilot ARS and départements, their change log and the pending request.

    Supervisors (pilot ARS's agents, national admins) change them at once; the project team
    and the agents of a concerned ARS ask the pilot ARS; the COPIL guest only reads.
    """
    access = cooperation_access(
        request, pk, "read", Cooperation.objects.select_related("pilot_ars")
    )
    cooperation = access.cooperation
    form = None
    if access.can_comment:
        form = SupervisionChangeForm(
            request.POST if request.method == "POST" else None,
            cooperation=cooperation,
            supervisor=access.can_supervise,
        )
    if request.method == "POST":
        check(access, "comment")
        if form.is_valid():
            data = form.cleaned_data
            try:
                if access.can_supervise:
                    change = supervision_service.supervision_apply(
                        cooperation=cooperation,
                        user=request.user,
                        pilot_ars=data["pilot_ars"],
                        departements=data["departements"],
                        reason=data["reason"],
                    )
                    done = "Le changement est appliqué." if change else "Rien n'a changé."
                else:
                    supervision_service.supervision_request(
                        cooperation=cooperation,
                        user=request.user,
                        pilot_ars=data["pilot_ars"],
                        departements=data["departements"],
                        reason=data["reason"],
                    )
                    done = "Votre demande est transmise à l'ARS pilote."
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, done)
                if not Cooperation.objects.visible_to(request.user).filter(pk=pk).exists():
                    return redirect("cooperations:list")
                return redirect("cooperations:supervision", pk=cooperation.pk)
    changes = (
        SupervisionChange.objects.filter(cooperation=cooperation)
        .select_related("from_pilot_ars", "to_pilot_ars", "requested_by", "decided_by")
        .prefetch_related("to_departements")
    )
    page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    pending = changes.filter(status=SupervisionChange.Status.PENDING).first()
    return render(
        request,
        "cooperations/supervision.html",
        {
            "title": f"Supervision — {cooperation.title}",
            "cooperation": cooperation,
            "caps": access,
            "lists": selectors.m2m_labels(cooperation),
            "form": form,
            "pending": pending,
            "decision_form": SupervisionDecisionForm() if access.can_supervise else None,
            "page_obj": page,
            "breadcrumb_data": {
                "links": [
                    {"url": reverse("cooperations:list"), "title": "Coopérations"},
                    {"url": cooperation.get_absolute_url(), "title": cooperation.title},
                ],
                "current": "Supervision",
            },
        },
    )


@require_POST
def supervision_decide(request, pk: int, change_pk: int):
    access = cooperation_access(request, pk, "supervise")
    change = get_object_or_404(SupervisionChange, pk=change_pk, cooperation=access.cooperation)
    form = SupervisionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez « Accepter » ou « Refuser ».")
        return redirect("cooperations:supervision", pk=pk)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        supervision_service.supervision_decide(
            change=change, user=request.user, accept=accept, comment=form.cleaned_data["comment"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cooperations:supervision", pk=pk)
    if accept:
        messages.success(request, "La demande est acceptée : la supervision a changé.")
        if not Cooperation.objects.visible_to(request.user).filter(pk=pk).exists():
            # Moved out of this agent's region: the cooperation page would answer 404.
            return redirect("cooperations:list")
    else:
        messages.success(request, "La demande est refusée.")
    return redirect("cooperations:supervision", pk=pk)
