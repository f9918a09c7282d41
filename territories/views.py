from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core import documents
from territories import services
from territories.forms import EstablishmentSearchForm, FinessImportForm
from territories.identifiers import finess_suggestion
from territories.models import Establishment, ImportRun
from territories.nomenclatures import LEGAL_FORM_RULES


def establishment_search(request):
    """FINESS is a public register: every signed-in user may search it."""
    form = EstablishmentSearchForm(request.GET or None)
    results, hints, term = None, [], ""
    if form.is_valid() and form.cleaned_data["q"]:
        term = form.cleaned_data["q"]
        queryset = (
            Establishment.objects.search(term)
            .select_related("legal_entity", "departement")
            .in_name_order()
        )
        results = Paginator(queryset, 25).get_page(request.GET.get("page"))
        if not results.object_list:
            hints = search_hints(term)
    return render(
        request,
        "territories/search.html",
        {
            "title": "Rechercher un établissement",
            "form": form,
            "page_obj": results,
            "hints": hints,
            "suggested_finess": finess_suggestion(term) if term else None,
            "breadcrumb_data": {"current": "Établissements"},
        },
    )


MAX_HINT_WORDS = 4


def search_hints(term: str) -> list[dict]:
    """For a search that found nothing: each word alone, with how many it finds (at most
    four words, one COUNT each), so the user sees which word to drop."""
    words = [w for w in term.split() if len(w) >= 2][:MAX_HINT_WORDS]
    if len(words) < 2:
        return []
    hints = []
    for word in words:
        count = Establishment.objects.search(word).count()
        if count:
            hints.append({"word": word, "count": count})
    return hints


def _require_national_admin(user):
    if not user.is_national_admin:
        raise PermissionDenied("Réservé aux administrateurs nationaux.")


@require_http_methods(["GET", "POST"])
def import_start(request):
    _require_national_admin(request.user)
    form = FinessImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = services.import_run_create(user=request.user, uploaded=form.cleaned_data["file"])
        return redirect("territories:import_detail", pk=run.pk)
    runs = ImportRun.objects.select_related("started_by")[:10]
    return render(
        request,
        "territories/import_start.html",
        {
            "title": "Importer le répertoire FINESS",
            "form": form,
            "runs": runs,
            "legal_form_rules": LEGAL_FORM_RULES,
            "breadcrumb_data": {"current": "Import FINESS"},
        },
    )


def import_detail(request, pk: int):
    """The run's status, progress and report; polled by htmx while a worker is on it."""
    _require_national_admin(request.user)
    run = get_object_or_404(ImportRun, pk=pk)
    template = (
        "territories/_import_progress.html" if request.htmx else "territories/import_detail.html"
    )
    return render(
        request,
        template,
        {
            "title": "Import FINESS",
            "run": run,
            # Imports are serialised: say why this one has not started yet.
            "waiting": run.is_polling
            and run.status == ImportRun.Status.PENDING
            and ImportRun.objects.filter(status=ImportRun.Status.RUNNING)
            .exclude(pk=run.pk)
            .exists(),
        },
    )


@require_POST
def import_retry(request, pk: int):
    """ "Relancer": import a failed or stalled run's file again (core.documents.restart;
    the import is all or nothing, so nothing is imported twice)."""
    _require_national_admin(request.user)
    run = get_object_or_404(ImportRun, pk=pk)
    if documents.restart(run):
        messages.success(request, "L'import FINESS est relancé.")
    else:
        messages.info(request, "Cet import FINESS est terminé ou en cours.")
    return redirect("territories:import_detail", pk=run.pk)
