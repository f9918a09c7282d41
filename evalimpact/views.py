from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cooperations.access import access_to, allows, cooperation_access
from cooperations.breadcrumbs import cooperation_breadcrumb, kit_page
from cooperations.filters import CooperationFilter
from cooperations.models import Cooperation
from core import document_pages, imports
from core.document_pages import DocumentPage
from core.forms import (
    DocumentRequestForm,
    save_form,
    save_versioned,
    start_document,
)
from core.idempotency import once_per_submission
from core.locking import StaleObjectError
from core.ratelimit import document_rate_limit
from evalimpact import selectors
from evalimpact.forms import (
    AnswersForm,
    EvaluationCreateForm,
    EvaluationForm,
    HospidiagImportForm,
)
from evalimpact.hooks import can_compare
from evalimpact.models import Evaluation, HospidiagImport, SummaryPdf
from evalimpact.services import catalogue, exports, hospidiag, radar, scoring, summary
from evalimpact.services import evaluations as services

PAGE_SIZE = 20


def _get_evaluation(request, pk, *, editable=False) -> Evaluation:
    evaluation = get_object_or_404(
        Evaluation.objects.visible_to(request.user).select_related(
            "cooperation__pilot_ars", "catalogue"
        ),
        pk=pk,
    )
    if editable:
        access_to(request, evaluation.cooperation, "edit")
    return evaluation


def _breadcrumb(cooperation, current, evaluation=None):
    links = []
    if evaluation is not None:
        links.append(
            {
                "url": reverse("evalimpact:cooperation", args=[cooperation.pk]),
                "title": "Eval'Impact",
            }
        )
    return cooperation_breadcrumb(cooperation, *links, current=current)


def _summary_context(overview) -> dict:
    data = overview["radar"]
    if not data or not data.series:
        return {**overview, "radar_uri": None, "radar_alt": ""}
    return {**overview, "radar_uri": radar.data_uri(data, "svg"), "radar_alt": data.alt_text()}


def cooperation_evaluations(request, pk: int):
    access = cooperation_access(request, pk)
    cooperation = access.cooperation
    data = selectors.summary_for(cooperation)
    return render(
        request,
        "evalimpact/cooperation.html",
        {
            **kit_page(access, "Eval'Impact"),
            **_summary_context(data),
            "summary_form": DocumentRequestForm.fresh(),
            "last_summary": SummaryPdf.objects.filter(
                cooperation=cooperation, status=SummaryPdf.Status.DONE
            ).first(),
        },
    )


@require_http_methods(["GET", "POST"])
def evaluation_create(request, pk: int):
    cooperation = cooperation_access(request, pk, "edit").cooperation
    context = {
        "title": "Nouvelle évaluation",
        "cooperation": cooperation,
        "no_catalogue": "",
        "breadcrumb_data": _breadcrumb(cooperation, "Nouvelle évaluation", True),
    }
    try:
        form = EvaluationCreateForm(
            request.POST or None,
            initial={"evaluated_on": timezone.localdate(), "kind": "potential"},
            cooperation=cooperation,
        )
    except catalogue.NoCatalogueInForce as error:
        # As KIT 1 without fiches in force: say so on the page, never a 500.
        return render(
            request,
            "evalimpact/create.html",
            {**context, "form": None, "no_catalogue": error.message},
        )
    evaluation = save_form(
        request,
        form,
        lambda data: services.evaluation_create(cooperation=cooperation, user=request.user, **data),
        success="L'évaluation est créée. Les valeurs Hospi Diag disponibles ont été préremplies : "
        "vérifiez-les.",
    )
    if evaluation:
        return redirect("evalimpact:edit", evaluation.pk)
    return render(request, "evalimpact/create.html", {**context, "form": form})


def evaluation_detail(request, pk: int):
    evaluation = _get_evaluation(request, pk)
    data = services.load_evaluation(evaluation)
    axes_pairs = [{"result": r, "method": scoring.axis_method_text(r)} for r in data.result.axes]
    chart = radar.radar_data(data.axes, [evaluation])
    return render(
        request,
        "evalimpact/detail.html",
        {
            "title": f"{evaluation} — {evaluation.cooperation.title}",
            "evaluation": evaluation,
            "cooperation": evaluation.cooperation,
            "data": data,
            "axes": axes_pairs,
            "levels": data.levels,
            "hospidiag_notes": data.hospidiag_notes or {},
            "missing": request.session.pop("evalimpact_missing", None),
            "radar": chart,  # its series head the table's columns
            "radar_uri": radar.data_uri(chart, "svg"),
            "radar_alt": chart.alt_text(),
            "table": selectors.score_table(data.axes, [evaluation]),
            "transitions": evaluation.transitions.select_related("actor")[:10],
            "history": selectors.evaluation_history(evaluation),
            "caps": access_to(request, evaluation.cooperation),
            "breadcrumb_data": _breadcrumb(evaluation.cooperation, str(evaluation), evaluation),
        },
    )


def _axis_code(request, data) -> int:
    """The axis shown by the entry page (?axe=N, or the posted "axe"); the first by default."""
    codes = [a.code for a in data.axes]
    raw = request.POST.get("axe") or request.GET.get("axe")
    try:
        code = int(raw)
    except (TypeError, ValueError):
        return codes[0] if codes else 1
    return code if code in codes else (codes[0] if codes else 1)


def _missing_links(data) -> list:
    """Each missing answer with the axis page and anchor that lead to it."""
    links = []
    for axis in data.result.axes:
        for result in axis.indicators:
            for membership, _answer, score in result.rows:
                if score.missing:
                    links.append(
                        {
                            "axis": axis.axis.code,
                            "code": result.indicator.code,
                            "label": result.indicator.label,
                            "who": membership.member_name if membership else "la coopération",
                            "problem": score.problem,
                        }
                    )
    return links


@require_http_methods(["GET", "POST"])
def evaluation_edit(request, pk: int):
    """The entry page, one axis at a time; every change is saved in the background
    (htmx, as KIT 1's steps) and the buttons save, move on or make the evaluation final."""
    evaluation = _get_evaluation(request, pk, editable=True)
    if evaluation.is_final:
        if request.htmx:
            return render(
                request, "evalimpact/_autosave_status.html", {"error": services.FINAL_LOCKED}
            )
        messages.warning(request, services.FINAL_LOCKED)
        return redirect(evaluation)
    data = services.load_evaluation(evaluation)
    axis_code = _axis_code(request, data)
    header = EvaluationForm(request.POST or None, instance=evaluation, prefix="e")
    answers = AnswersForm(request.POST or None, data_obj=data, prefix="a", axis_code=axis_code)
    if request.method == "POST" and request.htmx and request.POST.get("action") == "autosave":
        return _autosave(request, evaluation, header, answers)
    finalize = "finalize" in request.POST
    if save_versioned(
        request,
        header,
        lambda fields, version: services.evaluation_save(
            evaluation=evaluation,
            user=request.user,
            header=fields,
            rows=answers.rows(),
            version=version,
        ),
        extra_forms=[answers],
        on_error=lambda _form, error: _add_row_errors(header, answers, error),
        # Finalising says in one message whether it went through.
        success=None if finalize else "Les réponses sont enregistrées et les notes recalculées.",
    ):
        if finalize:
            return _finalize(request, evaluation, axis_code)
        following = [a.code for a in data.axes if a.code > axis_code]
        if "next" in request.POST and following:
            return redirect(
                f"{reverse('evalimpact:edit', args=[evaluation.pk])}?axe={following[0]}"
            )
        return redirect(f"{reverse('evalimpact:edit', args=[evaluation.pk])}?axe={axis_code}")
    missing = _missing_links(data)
    missing_by_axis = Counter(m["axis"] for m in missing)
    return render(
        request,
        "evalimpact/edit.html",
        {
            "title": f"Saisir — {evaluation}",
            "evaluation": evaluation,
            "cooperation": evaluation.cooperation,
            "header": header,
            "answers": answers,
            "sections": answers.sections(),
            "axis_code": axis_code,
            "axes": [
                {
                    "axis": a,
                    "missing": missing_by_axis.get(a.code, 0),
                    "current": a.code == axis_code,
                }
                for a in data.axes
            ],
            "next_axis": next((a.code for a in data.axes if a.code > axis_code), None),
            "levels": data.levels,
            "activity": data.activity,
            "missing": missing,
            "missing_count": len(missing),
            "breadcrumb_data": _breadcrumb(evaluation.cooperation, "Saisie", evaluation),
        },
    )


def _autosave(request, evaluation, header, answers):
    """Background save of the shown axis: the valid answers are kept, the others named."""
    context = {"evaluation": evaluation}
    header_ok = header.is_valid()
    answers.is_valid()
    try:
        version = int(request.POST.get("e-version", ""))
    except ValueError:
        version = -1
    fields = {}
    if header_ok:
        fields = dict(header.cleaned_data)
        fields.pop("version", None)
    rows = answers.rows(valid_only=True)
    indicators = {i.pk: i for i in answers.indicators}
    refused = {int(name.split("-")[0]) for name in answers.errors if name[0].isdigit()}
    for key, row in list(rows.items()):
        if services.validate_row(indicators[key[0]], row):
            refused.add(key[0])
            del rows[key]
    try:
        services.evaluation_save(
            evaluation=evaluation, user=request.user, header=fields, rows=rows, version=version
        )
    except StaleObjectError:
        context["error"] = (
            "Enregistrement automatique suspendu : quelqu'un d'autre a modifié cette évaluation. "
            "Vos saisies restent affichées ; cliquez sur « Enregistrer » : ses modifications "
            "seront reprises avec les vôtres, et les champs que vous avez changés tous les deux "
            "vous seront signalés."
        )
    except ValidationError as error:
        context["error"] = "Brouillon non enregistré : " + " ".join(error.messages[:2])
    else:
        context["saved"] = True
        waiting = sorted(indicators[pk].code for pk in refused)
        if not header_ok:
            waiting.append("l'en-tête de l'évaluation")
        context["partial"] = waiting
    evaluation.refresh_from_db()
    if context.get("saved"):
        # The page's version moves on: so do the values it started from (the merge of a
        # later save beaten by someone else's compares with what this draft stored).
        context["bases"] = {
            "e": EvaluationForm(instance=evaluation, prefix="e").signed_base(),
            "a": AnswersForm(
                data_obj=services.load_evaluation(evaluation),
                prefix="a",
                axis_code=answers.axis_code,
            ).signed_base(),
        }
    return render(request, "evalimpact/_autosave_status.html", context)


def _finalize(request, evaluation, axis_code=None):
    evaluation.refresh_from_db()
    try:
        services.evaluation_finalize(
            evaluation=evaluation, user=request.user, version=evaluation.version
        )
    except ValidationError as error:
        # One message, not a green "saved" and a red "refused" at once.
        messages.error(
            request,
            "Vos réponses sont enregistrées, mais l'évaluation ne peut pas encore être rendue "
            "définitive : "
            + error.messages[0].split(" : ", 1)[-1].rstrip(" :")
            + ". Elles sont listées en haut de la page.",
        )
        edit = reverse("evalimpact:edit", args=[evaluation.pk])
        return redirect(f"{edit}?axe={axis_code or 1}#missing-answers")
    messages.success(
        request, "Les réponses sont enregistrées ; l'évaluation est désormais définitive."
    )
    return redirect(evaluation)


@require_POST
def evaluation_finalize(request, pk: int):
    evaluation = _get_evaluation(request, pk, editable=True)
    try:
        services.evaluation_finalize(
            evaluation=evaluation, user=request.user, version=_posted_version(request, evaluation)
        )
    except StaleObjectError as error:
        messages.error(request, error.messages[0])
    except ValidationError as error:
        messages.error(request, error.messages[0])
        request.session["evalimpact_missing"] = error.messages[1:]
    else:
        messages.success(request, "L'évaluation est désormais définitive.")
    return redirect(evaluation)


@require_POST
def evaluation_reopen(request, pk: int):
    evaluation = _get_evaluation(request, pk, editable=True)
    try:
        services.evaluation_reopen(
            evaluation=evaluation, user=request.user, version=_posted_version(request, evaluation)
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, "L'évaluation est repassée en brouillon : elle peut être modifiée."
        )
    return redirect(evaluation)


def _posted_version(request, evaluation) -> int:
    try:
        return int(request.POST.get("version", evaluation.version))
    except ValueError:
        return -1


# --- summary PDF (produced by Celery, see evalimpact/services/summary.py) ----------------


# Who may ask for a summary PDF, and so "Relancer" one (cooperations.access.NEEDS).
SUMMARY_NEED = "documents"


@require_POST
@document_rate_limit
def summary_request(request, pk: int):
    """Every reader but the read-only COPIL guest may ask (a document job is a write, even
    though the summary changes no evaluation data); rate-limited per user."""
    cooperation = cooperation_access(request, pk, need=SUMMARY_NEED).cooperation
    job = start_document(
        request,
        lambda key: summary.summary_pdf_request(
            cooperation=cooperation, user=request.user, request_key=key
        ),
    )
    if job is None:
        return redirect("evalimpact:cooperation", cooperation.pk)
    return redirect("evalimpact:summary", job.pk)


SUMMARY_PAGE = DocumentPage(
    prefix="summary",
    status_url="evalimpact:summary",
    download_url="evalimpact:summary_download",
    retry_url="evalimpact:summary_retry",
    back_url="evalimpact:cooperation",
    title="Synthèse PDF Eval'Impact",
    of_document="de la synthèse PDF",
    ready_title="Synthèse prête",
    generated_on="Générée le",
    download_label="Télécharger la synthèse (PDF)",
    ready_news="La synthèse PDF est prête à télécharger.",
    back_label="Retour à Eval'Impact",
    not_restartable="Cette synthèse PDF est prête ou en cours de génération.",
    not_ready="Cette synthèse n'est pas encore prête.",
    requested_on="Demandée le",
    intro=(
        "La synthèse tient sur une page : le radar des quatre axes, les notes de l'impact "
        "potentiel et de l'impact effectif, et les commentaires des évaluations, tels qu'ils "
        "sont au moment de la demande."
    ),
)


def _summary_job(request, pk: int) -> SummaryPdf:
    return document_pages.job_in_scope(SummaryPdf.objects.visible_to(request.user), pk)


@require_http_methods(["GET"])
def summary_status(request, pk: int):
    job = _summary_job(request, pk)
    crumbs = _breadcrumb(job.cooperation, "Synthèse PDF", True)
    may_retry = allows(access_to(request, job.cooperation), SUMMARY_NEED)
    return document_pages.status_page(
        request, SUMMARY_PAGE, job, may_retry=may_retry, breadcrumb_data=crumbs
    )


@require_POST
def summary_retry(request, pk: int):
    """ "Relancer": start a failed or stalled summary again (the same job, a new generation;
    the request form of the Eval'Impact page still asks for a new one). Who may ask only."""
    job = _summary_job(request, pk)
    access_to(request, job.cooperation, SUMMARY_NEED)
    return document_pages.retry(request, SUMMARY_PAGE, job)


def summary_download(request, pk: int):
    return document_pages.download(SUMMARY_PAGE, _summary_job(request, pk), summary.download_name)


def _compare_filter(request):
    if not can_compare(request.user):
        raise PermissionDenied(
            "La comparaison des coopérations est réservée aux agents des ARS et à l'administration "
            "nationale."
        )
    # The region of an ARS agent is its scope: piloted by its ARS or touching its départements.
    base = Cooperation.objects.visible_to(request.user)
    return CooperationFilter(request.GET or None, queryset=base, user=request.user)


def _only_evaluated(request) -> bool:
    # A first visit compares what can be compared; once the form is sent, the box decides
    # (an unticked box is simply absent from the query).
    return bool(request.GET.get("evaluees")) or not (request.GET.keys() - {"page"})


def _filtered(request, cooperation_filter):
    queryset = cooperation_filter.qs
    if _only_evaluated(request):
        queryset = queryset.filter(Exists(Evaluation.objects.filter(cooperation=OuterRef("pk"))))
    return queryset


def compare(request):
    cooperation_filter = _compare_filter(request)
    queryset = selectors.compare_queryset(
        _filtered(request, cooperation_filter).order_by("title", "pk")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    axes = selectors.axes_for([])
    query = request.GET.copy()
    query.pop("page", None)
    only_evaluated = _only_evaluated(request)
    if only_evaluated:
        query["evaluees"] = "1"
    return render(
        request,
        "evalimpact/compare.html",
        {
            "title": "Comparer l'impact des coopérations",
            "filter": cooperation_filter,
            "page_obj": page,
            "axes": axes,
            "rows": selectors.compare_rows(page.object_list, axes),
            "querystring": query.urlencode(),
            "only_evaluated": only_evaluated,
            "breadcrumb_data": {"current": "Eval'Impact : comparer"},
        },
    )


def export(request):
    cooperation_filter = _compare_filter(request)
    evaluations = (
        Evaluation.objects.filter(cooperation__in=_filtered(request, cooperation_filter))
        .select_related("cooperation__pilot_ars", "cooperation__legal_form", "catalogue")
        .order_by("cooperation__title", "evaluated_on", "pk")
    )
    rows = exports.evaluation_rows(evaluations)
    stamp = timezone.localdate().isoformat()
    # Named after the content: the evaluations, and the region of an ARS agent.
    subject = request.user.ars_name if request.user.is_ars_agent else ""
    if subject:
        from django.utils.text import slugify

        stamp = f"{slugify(subject)}-{stamp}"
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="evaluations-evalimpact-{stamp}.xlsx"'
        )
    else:
        response = HttpResponse(exports.to_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="evaluations-evalimpact-{stamp}.csv"'
        )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _add_row_errors(header, answers, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        header.add_error(None, error.messages)
        return
    for key, errors in error.message_dict.items():
        if key in header.fields:
            header.add_error(key, errors)
        elif key in answers.fields:
            answers.add_error(key, errors)
        else:
            header.add_error(None, errors)


# --- Hospi Diag imports (national admins) ---------------------------------------------------


@require_http_methods(["GET", "POST"])
@once_per_submission
def hospidiag_import_start(request):
    """Upload a Hospi Diag file: a run imported by Celery, whose page follows it."""
    return imports.upload_page(
        request,
        HospidiagImportForm,
        lambda data: hospidiag.hospidiag_run_upload(
            uploaded=data["file"], year=data["year"], user=request.user
        ),
        detail="evalimpact:hospidiag_import",
        template="evalimpact/hospidiag_import_start.html",
        context={
            "title": "Importer un fichier Hospi Diag",
            "runs": HospidiagImport.objects.select_related("started_by")[:10],
            "breadcrumb_data": {"current": "Import Hospi Diag"},
        },
    )


def hospidiag_import_detail(request, pk: int):
    """A Hospi Diag run's status and report; polled by htmx while a worker is on it."""
    return imports.job_page(
        request,
        HospidiagImport,
        pk,
        template="evalimpact/hospidiag_import.html",
        fragment="evalimpact/_hospidiag_import_progress.html",
        context=lambda run: {
            "title": "Import Hospi Diag",
            "breadcrumb_data": {
                "links": [
                    {
                        "url": reverse("evalimpact:hospidiag_import_start"),
                        "title": "Import Hospi Diag",
                    }
                ],
                "current": run.file_name,
            },
        },
    )


@require_POST
def hospidiag_import_retry(request, pk: int):
    """ "Relancer": import a failed or stalled run's file again."""
    return imports.retry(
        request, HospidiagImport, pk, detail="evalimpact:hospidiag_import", name="import Hospi Diag"
    )
