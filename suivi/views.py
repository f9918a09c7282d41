from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cooperations.access import access_to, allows, cooperation_access
from cooperations.breadcrumbs import cooperation_breadcrumb, kit_page
from core import document_pages
from core.document_pages import DocumentPage
from core.forms import (
    DocumentRequestForm,
    add_service_errors,
    save_form,
    save_versioned,
    start_document,
)
from core.idempotency import once_per_submission
from core.ratelimit import document_rate_limit
from suivi import copil as copil_pack
from suivi import exports, gantt, selectors, services
from suivi.forms import (
    ActivityForm,
    CopilMeetingForm,
    DeliverableForm,
    ProjectSettingsForm,
    RiskForm,
    StatusReportForm,
)
from suivi.models import (
    Activity,
    CopilMeeting,
    CopilPack,
    DateRevision,
    Deliverable,
    Risk,
    StatusReport,
)

PAGE_SIZE = 25


def _crumbs(cooperation, *links, current):
    tracker = []
    if links or current != "Suivi de projet":
        tracker.append(
            {"url": reverse("suivi:tracker", args=[cooperation.pk]), "title": "Suivi de projet"}
        )
    return cooperation_breadcrumb(cooperation, *tracker, *links, current=current)


def _page(request, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


# --- tracker ------------------------------------------------------------------------------


def tracker(request, pk: int):
    access = cooperation_access(request, pk)
    data = selectors.tracker(access.cooperation)
    return render(
        request,
        "suivi/tracker.html",
        {
            **kit_page(access, "Suivi de projet"),
            "tracker": data,
            "gantt": gantt.build(data),
            "deliverables_page": _page(request, data.deliverables),
            "rule": data.rule,
        },
    )


# --- activities ---------------------------------------------------------------------------


def _activity(request, pk: int, *, edit: bool = False) -> Activity:
    activity = get_object_or_404(
        Activity.objects.visible_to(request.user).select_related("cooperation"), pk=pk
    )
    if edit:
        access_to(request, activity.cooperation, "edit")
    return activity


@require_http_methods(["GET", "POST"])
@once_per_submission
def activity_create(request, pk: int):
    cooperation = cooperation_access(request, pk, "edit").cooperation
    form = ActivityForm(request.POST or None, cooperation=cooperation)
    activity = save_form(
        request,
        form,
        lambda data: services.activity_create(cooperation=cooperation, data=data),
        success="Le chantier a été créé.",
    )
    if activity:
        return redirect(activity)
    return render(
        request,
        "suivi/form.html",
        {
            "title": "Nouveau chantier",
            "form": form,
            "cooperation": cooperation,
            "breadcrumb_data": _crumbs(cooperation, current="Nouveau chantier"),
        },
    )


def activity_detail(request, pk: int):
    activity = _activity(request, pk)
    cooperation = activity.cooperation
    activities = selectors.activities_queryset(cooperation).filter(pk=activity.pk)
    data = selectors.tracker(cooperation, activities=activities)
    row = data.activities[0]
    revisions = (
        DateRevision.objects.filter(deliverable__activity=activity)
        .select_related("deliverable", "created_by")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "suivi/activity_detail.html",
        {
            "title": activity.title,
            "cooperation": cooperation,
            "activity": row.activity,
            "row": row,
            "revisions": revisions,
            "history": selectors.activity_history(activity),
            "rule": data.rule,
            "caps": access_to(request, cooperation),
            "breadcrumb_data": _crumbs(cooperation, current=activity.title),
        },
    )


@require_http_methods(["GET", "POST"])
def activity_edit(request, pk: int):
    activity = _activity(request, pk, edit=True)
    cooperation = activity.cooperation
    form = ActivityForm(request.POST or None, instance=activity, cooperation=cooperation)
    if save_versioned(
        request,
        form,
        lambda data, version: services.activity_update(
            activity=activity, data=data, version=version
        ),
        success="Le chantier a été mis à jour.",
    ):
        return redirect(activity)
    return render(
        request,
        "suivi/form.html",
        {
            "title": f"Modifier le chantier « {activity.title} »",
            "form": form,
            "cooperation": cooperation,
            "breadcrumb_data": _crumbs(
                cooperation,
                {"url": activity.get_absolute_url(), "title": activity.title},
                current="Modifier",
            ),
        },
    )


# --- deliverables -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@once_per_submission
def deliverable_create(request, pk: int):
    activity = _activity(request, pk, edit=True)
    form = DeliverableForm(
        request.POST or None, at_risk_max_days=selectors.at_risk_max_days(activity.cooperation)
    )
    if save_form(
        request,
        form,
        lambda data: services.deliverable_create(activity=activity, data=data),
        success="Le livrable a été ajouté.",
    ):
        return redirect(activity)
    return render(
        request,
        "suivi/form.html",
        {
            "title": f"Nouveau livrable ou jalon — {activity.title}",
            "form": form,
            "cooperation": activity.cooperation,
            "breadcrumb_data": _crumbs(
                activity.cooperation,
                {"url": activity.get_absolute_url(), "title": activity.title},
                current="Nouveau livrable",
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def deliverable_edit(request, pk: int):
    deliverable = get_object_or_404(
        Deliverable.objects.visible_to(request.user).select_related("activity__cooperation"),
        pk=pk,
    )
    activity = deliverable.activity
    access_to(request, activity.cooperation, "edit")
    form = DeliverableForm(
        request.POST or None,
        instance=deliverable,
        at_risk_max_days=selectors.at_risk_max_days(activity.cooperation),
    )

    def save(data, version):
        reason = data.pop("revision_reason", "")
        services.deliverable_update(
            deliverable=deliverable,
            data=data,
            version=version,
            user=request.user,
            revision_reason=reason,
        )

    if save_versioned(request, form, save, success="Le livrable a été mis à jour."):
        return redirect(activity)
    return render(
        request,
        "suivi/form.html",
        {
            "title": f"Modifier « {deliverable.title} »",
            "form": form,
            "cooperation": activity.cooperation,
            "revisions": deliverable.revisions.select_related("created_by"),
            "breadcrumb_data": _crumbs(
                activity.cooperation,
                {"url": activity.get_absolute_url(), "title": activity.title},
                current="Modifier le livrable",
            ),
        },
    )


# --- risks --------------------------------------------------------------------------------


def risk_list(request, pk: int):
    access = cooperation_access(request, pk)
    cooperation = access.cooperation
    risk_list = list(selectors.risks(cooperation))
    return render(
        request,
        "suivi/risk_list.html",
        {
            "title": f"Risques et obstacles — {cooperation.title}",
            "cooperation": cooperation,
            "page_obj": _page(request, risk_list),
            "matrix": selectors.risk_matrix([r for r in risk_list if r.status != "clos"]),
            "caps": access,
            "breadcrumb_data": _crumbs(cooperation, current="Risques et obstacles"),
        },
    )


@require_http_methods(["GET", "POST"])
@once_per_submission
def risk_create(request, pk: int):
    cooperation = cooperation_access(request, pk, "edit").cooperation
    form = RiskForm(request.POST or None)
    if save_form(
        request,
        form,
        lambda data: services.risk_create(cooperation=cooperation, data=data),
        success="Le risque a été ajouté au registre.",
    ):
        return redirect("suivi:risk_list", pk=cooperation.pk)
    return render(
        request,
        "suivi/form.html",
        {
            "title": "Nouveau risque ou obstacle",
            "form": form,
            "cooperation": cooperation,
            "breadcrumb_data": _crumbs(cooperation, current="Nouveau risque"),
        },
    )


@require_http_methods(["GET", "POST"])
def risk_edit(request, pk: int):
    risk = get_object_or_404(
        Risk.objects.visible_to(request.user).select_related("cooperation"), pk=pk
    )
    cooperation = risk.cooperation
    access_to(request, cooperation, "edit")
    form = RiskForm(request.POST or None, instance=risk)
    if save_versioned(
        request,
        form,
        lambda data, version: services.risk_update(risk=risk, data=data, version=version),
        success="Le risque a été mis à jour.",
    ):
        return redirect("suivi:risk_list", pk=cooperation.pk)
    return render(
        request,
        "suivi/form.html",
        {
            "title": f"Modifier le risque « {risk.title} »",
            "form": form,
            "cooperation": cooperation,
            "breadcrumb_data": _crumbs(cooperation, current="Modifier un risque"),
        },
    )


# --- status reports -----------------------------------------------------------------------


def report_list(request, pk: int):
    access = cooperation_access(request, pk)
    cooperation = access.cooperation
    project = selectors.project_settings(cooperation)
    return render(
        request,
        "suivi/report_list.html",
        {
            "title": f"Rapports d'avancement — {cooperation.title}",
            "cooperation": cooperation,
            "project": project,
            "page_obj": _page(request, selectors.reports(cooperation)),
            "caps": access,
            "breadcrumb_data": _crumbs(cooperation, current="Rapports d'avancement"),
        },
    )


@require_http_methods(["GET", "POST"])
@once_per_submission
def report_create(request, pk: int):
    cooperation = cooperation_access(request, pk, "edit").cooperation
    project = selectors.project_settings(cooperation)
    form = StatusReportForm(request.POST or None, period_months=project.report_period_months)
    report = save_form(
        request,
        form,
        lambda data: services.report_create(cooperation=cooperation, user=request.user, data=data),
        success="Le rapport est établi : ses chiffres sont figés à ce jour.",
    )
    if report:
        return redirect("suivi:report_detail", pk=report.pk)
    return render(
        request,
        "suivi/form.html",
        {
            "title": "Nouveau rapport d'avancement",
            "intro": (
                "Les chiffres du projet (avancement, respect du planning, livrables, risques) "
                "seront figés à la date d'aujourd'hui : le rapport restera exact même quand "
                "le projet avancera."
            ),
            "form": form,
            "cooperation": cooperation,
            "breadcrumb_data": _crumbs(cooperation, current="Nouveau rapport"),
        },
    )


def report_detail(request, pk: int):
    report = get_object_or_404(
        StatusReport.objects.visible_to(request.user).select_related("cooperation", "created_by"),
        pk=pk,
    )
    return render(
        request,
        "suivi/report_detail.html",
        {
            "title": str(report),
            "cooperation": report.cooperation,
            "report": report,
            "snap": report.snapshot,
            "breadcrumb_data": _crumbs(
                report.cooperation,
                {
                    "url": reverse("suivi:report_list", args=[report.cooperation_id]),
                    "title": "Rapports d'avancement",
                },
                current=str(report),
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def settings_edit(request, pk: int):
    cooperation = cooperation_access(request, pk, "edit").cooperation
    project = selectors.project_settings(cooperation)
    form = ProjectSettingsForm(request.POST or None, instance=project)
    if save_versioned(
        request,
        form,
        lambda data, version: services.settings_update(
            cooperation=cooperation, data=data, version=version
        ),
        success="Les paramètres du suivi sont enregistrés.",
    ):
        return redirect("suivi:tracker", pk=cooperation.pk)
    return render(
        request,
        "suivi/form.html",
        {
            "title": "Paramètres du suivi",
            "intro": (
                "La périodicité et le rappel s'appliquent aux rapports d'avancement ; le seuil "
                "« à risque » au calcul du respect du planning des livrables (tableau de bord, "
                "exports, dossier COPIL). Les rapports déjà établis gardent leurs chiffres."
            ),
            "form": form,
            "cooperation": cooperation,
            "breadcrumb_data": _crumbs(cooperation, current="Paramètres du suivi"),
        },
    )


# --- exports ------------------------------------------------------------------------------


def export(request, pk: int, table: str, fmt: str):
    cooperation = cooperation_access(request, pk).cooperation
    if table not in exports.TABLES or fmt not in exports.FORMATS:
        raise Http404("Export inconnu.")
    return exports.export_response(cooperation, table, fmt)


# --- COPIL pack ---------------------------------------------------------------------------


def _copil_page(request, access, meeting_form=None, status=200):
    cooperation = access.cooperation
    packs = CopilPack.objects.filter(cooperation=cooperation).select_related("requested_by")
    return render(
        request,
        "suivi/copil.html",
        {
            "title": f"Dossier COPIL — {cooperation.title}",
            "cooperation": cooperation,
            "page_obj": _page(request, packs),
            "meetings": CopilMeeting.objects.filter(cooperation=cooperation).order_by("held_on"),
            "meeting_form": meeting_form or CopilMeetingForm(),
            "today": timezone.localdate(),
            "form": DocumentRequestForm.fresh(),
            "caps": access,
            "breadcrumb_data": _crumbs(cooperation, current="Dossier COPIL"),
        },
        status=status,
    )


@require_http_methods(["GET"])
def copil(request, pk: int):
    return _copil_page(request, cooperation_access(request, pk))


@require_POST
@once_per_submission
def copil_meeting_add(request, pk: int):
    access = cooperation_access(request, pk, "edit")
    cooperation = access.cooperation
    form = CopilMeetingForm(request.POST)
    if form.is_valid():
        try:
            services.copil_meeting_create(cooperation=cooperation, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "La date du COPIL est enregistrée.")
            return redirect("suivi:copil", pk=cooperation.pk)
    return _copil_page(request, access, meeting_form=form)


@require_POST
def copil_meeting_delete(request, pk: int):
    meeting = get_object_or_404(
        CopilMeeting.objects.visible_to(request.user).select_related("cooperation"), pk=pk
    )
    access_to(request, meeting.cooperation, "edit")
    services.copil_meeting_delete(meeting=meeting)
    messages.success(request, f"Le {meeting} est retiré du calendrier.")
    return redirect("suivi:copil", pk=meeting.cooperation_id)


# Who may ask for a COPIL pack, and so "Relancer" one (cooperations.access.NEEDS).
COPIL_NEED = "edit"


@require_POST
@document_rate_limit
def copil_request(request, pk: int):
    cooperation = cooperation_access(request, pk, COPIL_NEED).cooperation
    pack = start_document(
        request,
        lambda key: services.copil_pack_request(
            cooperation=cooperation, user=request.user, request_key=key
        ),
    )
    if pack is None:
        return redirect("suivi:copil", pk=cooperation.pk)
    return redirect("suivi:copil_status", pk=pack.pk)


COPIL_PAGE = DocumentPage(
    prefix="copil",
    status_url="suivi:copil_status",
    download_url="suivi:copil_download",
    retry_url="suivi:copil_retry",
    back_url="suivi:copil",
    title="Génération du dossier COPIL",
    of_document="du dossier COPIL",
    ready_title="Dossier prêt",
    generated_on="Généré le",
    download_label="Télécharger le dossier COPIL (PDF)",
    ready_news="Le dossier COPIL est prêt à télécharger.",
    back_label="Tous les dossiers COPIL",
    not_restartable="Ce dossier COPIL est prêt ou en cours de génération.",
    not_ready="Ce dossier n'est pas encore prêt.",
)


def _pack(request, pk: int) -> CopilPack:
    return document_pages.job_in_scope(CopilPack.objects.visible_to(request.user), pk)


def copil_status(request, pk: int):
    pack = _pack(request, pk)
    crumbs = _crumbs(
        pack.cooperation,
        {"url": reverse("suivi:copil", args=[pack.cooperation_id]), "title": "Dossier COPIL"},
        current="Génération",
    )
    may_retry = allows(access_to(request, pack.cooperation), COPIL_NEED)
    return document_pages.status_page(
        request, COPIL_PAGE, pack, may_retry=may_retry, breadcrumb_data=crumbs
    )


@require_POST
def copil_retry(request, pk: int):
    """ "Relancer": start a failed or stalled pack again (the same pack, a new generation)."""
    pack = _pack(request, pk)
    access_to(request, pack.cooperation, COPIL_NEED)
    return document_pages.retry(request, COPIL_PAGE, pack)


def copil_download(request, pk: int):
    return document_pages.download(COPIL_PAGE, _pack(request, pk), copil_pack.download_name)
