from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.functional import cached_property
from django.views.decorators.http import require_http_methods, require_POST

from core import imports
from core.idempotency import once_per_submission
from territories import services
from territories.forms import EstablishmentSearchForm, FinessImportForm
from territories.identifiers import finess_suggestion
from territories.models import Establishment, ImportRun
from territories.nomenclatures import LEGAL_FORM_RULES

# A search counts its matches up to this: "EHPAD" finds 8 500 sites, and counting them all
# cost as much as finding the page (~35 ms at 100 000 ET). Pages stop there too.
SEARCH_COUNT_CAP = 500
SEARCH_PAGE_SIZE = 25


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap`: `SELECT COUNT(*) FROM (… LIMIT cap + 1)` on
    `count_query` (the same rows, unordered). `capped` says that there are more; pages
    then end at the cap's last page (a page asked beyond it gives that last page)."""

    def __init__(self, object_list, per_page, *, count_query, cap: int):
        super().__init__(object_list, per_page)
        self.count_query, self.cap = count_query, cap

    @cached_property
    def found(self) -> int:
        return self.count_query[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.found > self.cap

    @cached_property
    def count(self) -> int:
        return min(self.found, self.cap)

    def page(self, number):
        """The page's rows through their ids, still one query: `WHERE pk IN (the page's pks,
        sorted and sliced)`. The subquery sorts only the matches' sort keys and keeps the
        page's pks (a bounded sort); the rows and their joins are then read for those pks
        alone, instead of joining and sorting every match (half the time for "EHPAD",
        8 500 matches at 100 000 ET). The same rows as Paginator.page, in the same order:
        the ordering must be total (it ends with the pk)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        page_pks = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=page_pks), number, self)


def establishment_search(request):
    """FINESS is a public register: every signed-in user may search it."""
    form = EstablishmentSearchForm(request.GET or None)
    results, hints, term, beyond_cap = None, [], "", False
    if form.is_valid() and form.cleaned_data["q"]:
        term = form.cleaned_data["q"]
        matches = Establishment.objects.search(term)
        queryset = matches.select_related("legal_entity", "departement").in_name_order()
        paginator = CappedPaginator(
            queryset,
            SEARCH_PAGE_SIZE,
            count_query=matches.order_by(),
            cap=SEARCH_COUNT_CAP,
        )
        asked = request.GET.get("page")
        results = paginator.get_page(asked)
        beyond_cap = (
            paginator.capped and str(asked or "").isdigit() and int(asked) > paginator.num_pages
        )
        if not results.object_list:
            hints = search_hints(term)
    return render(
        request,
        "territories/search.html",
        {
            "title": "Rechercher un établissement",
            "form": form,
            "page_obj": results,
            "beyond_cap": beyond_cap,
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


@require_http_methods(["GET", "POST"])
@once_per_submission
def import_start(request):
    return imports.upload_page(
        request,
        FinessImportForm,
        lambda data: services.import_run_create(user=request.user, uploaded=data["file"]),
        detail="territories:import_detail",
        template="territories/import_start.html",
        context={
            "title": "Importer le répertoire FINESS",
            "runs": ImportRun.objects.select_related("started_by")[:10],
            "legal_form_rules": LEGAL_FORM_RULES,
            "breadcrumb_data": {"current": "Import FINESS"},
        },
    )


def _waiting(run: ImportRun) -> bool:
    """Imports are serialised: a pending run waits for another one running."""
    return (
        run.is_polling
        and run.status == ImportRun.Status.PENDING
        and ImportRun.objects.filter(status=ImportRun.Status.RUNNING).exclude(pk=run.pk).exists()
    )


def import_detail(request, pk: int):
    """The run's status, progress and report; polled by htmx while a worker is on it."""
    return imports.job_page(
        request,
        ImportRun,
        pk,
        template="territories/import_detail.html",
        fragment="territories/_import_progress.html",
        context=lambda run: {"title": "Import FINESS", "waiting": _waiting(run)},
    )


@require_POST
def import_retry(request, pk: int):
    """ "Relancer": import a failed or stalled run's file again."""
    return imports.retry(
        request, ImportRun, pk, detail="territories:import_detail", name="import FINESS"
    )
