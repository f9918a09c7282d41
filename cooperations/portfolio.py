"""The portfolio as a work list: columns and "to handle" flags contributed by every kit
(core.registry.PortfolioColumn / PortfolioFlag), sorting, paging and the export.

Sorting reads one annotation over the whole filtered set; the page's rows then get every
column's annotations in one query (correlated subqueries on at most PAGE_SIZE rows), plus
one query each for the départements and the plan objectives of those rows: a constant
number of queries whatever the region's size. The export streams the same rows.
"""

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connections
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.dispatch import receiver
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from cooperations.models import Cooperation, Membership, Phase
from core import spreadsheets
from core.cells import date_fr, esc, joined, plural
from core.registry import (
    PORTFOLIO_COLUMNS,
    PORTFOLIO_FLAGS,
    PortfolioColumn,
    PortfolioFlag,
    register,
)
from territories.choices import ARS_NAMES, DEPARTEMENT_CODES

PHASE_RANK = {value: index for index, value in enumerate(Phase.values)}
EXPORT_CHUNK = 500


@dataclass
class PortfolioRow:
    """One line of the work list: the annotated cooperation and its labels."""

    cooperation: Cooperation
    departements: list = field(default_factory=list)
    objectives: list = field(default_factory=list)
    today: date | None = None
    cells: list = field(default_factory=list)  # the HTML of each chosen column

    @property
    def stalled_weeks(self) -> int | None:
        return stalled_weeks(self.cooperation, self.today)


def stalled_since() -> timezone.datetime:
    return timezone.now() - timedelta(weeks=settings.STALLED_WEEKS)


def stalled_weeks(cooperation, today=None) -> int | None:
    """Whole weeks without activity when the cooperation counts as stalled, else None."""
    if cooperation.phase == Phase.CLOTUREE or cooperation.last_activity_at is None:
        return None
    if cooperation.last_activity_at >= stalled_since():
        return None
    return (timezone.now() - cooperation.last_activity_at).days // 7


def columns() -> list[PortfolioColumn]:
    return list(PORTFOLIO_COLUMNS)


def column_map() -> dict[str, PortfolioColumn]:
    return {c.key: c for c in PORTFOLIO_COLUMNS}


def flags() -> list[PortfolioFlag]:
    return list(PORTFOLIO_FLAGS)


def default_sort(user) -> str:
    """An ARS agent starts from the steps waiting longest for the ARS; others from the most
    recently active cooperations."""
    keys = column_map()
    if getattr(user, "is_ars_agent", False) and "kit1" in keys:
        return "kit1"
    return "-activite"


def sort_options() -> list[tuple[str, str]]:
    return [(c.key, c.label) for c in PORTFOLIO_COLUMNS if c.sort]


def _order(queryset, sort_key: str, today: date):
    reverse = sort_key.startswith("-")
    column = column_map().get(sort_key.lstrip("-"))
    if column is None or not column.sort:
        return queryset.order_by("-last_activity_at", "-pk")
    queryset = column.annotate(queryset, today)
    name = column.sort
    descending = name.startswith("-") != reverse
    expression = F(name.lstrip("-"))
    expression = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return queryset.order_by(expression, "-pk")


def ordered(queryset, sort_key: str, today: date):
    return _order(queryset, sort_key, today)


def _labels(ids) -> tuple[dict, dict]:
    """Département codes and objective codes of these cooperations (two small queries)."""
    codes = DEPARTEMENT_CODES.labels()
    departements, objectives = defaultdict(list), defaultdict(list)
    through = Cooperation.departements.through.objects.filter(cooperation_id__in=ids)
    for cooperation_id, departement_id in through.values_list("cooperation_id", "departement_id"):
        departements[cooperation_id].append(codes.get(departement_id, ""))
    links = Cooperation.plan_objectives.through.objects.filter(cooperation_id__in=ids)
    for cooperation_id, code in links.values_list("cooperation_id", "regionalobjective__code"):
        objectives[cooperation_id].append(code)
    for values in (*departements.values(), *objectives.values()):
        values.sort()
    return departements, objectives


def annotate_all(queryset, chosen: list[PortfolioColumn], today: date):
    for column in chosen:
        queryset = column.annotate(queryset, today)
    return queryset


# The page's column values: the annotated query is built and compiled by the ORM once per
# (columns, day, page size) and thread, with placeholder ids swapped for the page's at each
# call. Building and compiling the kits' correlated subqueries cost ~10 ms a page; running
# them on 20 rows, ~1 ms. Settings changes (tests) start a new generation.
_compiled = threading.local()
_generation = 0
_PLACEHOLDER = -(10**15)


@receiver(setting_changed)
def _new_generation(**kwargs) -> None:
    global _generation
    _generation += 1


@dataclass(frozen=True)
class _ColumnQuery:
    sql: str
    params: tuple
    slots: dict  # position in params -> index of the id in the page
    names: tuple  # the annotations, in the order of the selected values after the pk
    compiler: object  # applies the fields' converters to raw rows
    converters: dict


def _column_query(chosen, today: date, size: int, using: str) -> _ColumnQuery | None:
    cache = _compiled.__dict__.setdefault("queries", {})
    key = (using, tuple(c.key for c in chosen), today, size, _generation)
    if key in cache:
        return cache[key]
    placeholders = [_PLACEHOLDER - i for i in range(size)]
    annotated = annotate_all(Cooperation.objects.filter(pk__in=placeholders), chosen, today)
    names = tuple(annotated.query.annotations)
    compiler = annotated.order_by().values_list("pk", *names).query.get_compiler(using)
    sql, params = compiler.as_sql()
    index = {value: i for i, value in enumerate(placeholders)}
    slots = {pos: index[p] for pos, p in enumerate(params) if type(p) is int and p in index}
    # Each placeholder must appear once: otherwise the SQL is not reusable (never seen).
    entry = None
    if sorted(slots.values()) == list(range(size)):
        converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
        entry = _ColumnQuery(sql, tuple(params), slots, names, compiler, converters)
    if len(cache) > 64:
        cache.clear()
    cache[key] = entry
    return entry


def column_values(ids: list[int], chosen: list[PortfolioColumn], today: date) -> dict:
    """{pk: {annotation: value}} of every chosen column for these cooperations (one query)."""
    if not ids:
        return {}
    using = Cooperation.objects.db
    query = _column_query(chosen, today, len(ids), using)
    if query is None:
        annotated = annotate_all(Cooperation.objects.filter(pk__in=ids), chosen, today)
        names = tuple(annotated.query.annotations)
        rows = annotated.order_by().values_list("pk", *names)
        return {pk: dict(zip(names, values, strict=True)) for pk, *values in rows}
    params = list(query.params)
    for position, i in query.slots.items():
        params[position] = ids[i]
    with connections[using].cursor() as cursor:
        cursor.execute(query.sql, params)
        raw = cursor.fetchall()
    if query.converters:
        raw = query.compiler.apply_converters(raw, query.converters)
    return {pk: dict(zip(query.names, values, strict=True)) for pk, *values in raw}


def page_rows(ids: list[int], chosen: list[PortfolioColumn], today: date) -> list[PortfolioRow]:
    """The page's cooperations with every chosen column and its cell, in the order of `ids`
    (four queries: the rows, their members, their column values, their labels)."""
    if not ids:
        return []
    found = {c.pk: c for c in Cooperation.objects.filter(pk__in=ids).with_list_data()}
    for pk, values in column_values(ids, chosen, today).items():
        if pk in found:
            found[pk].__dict__.update(values)
    departements, objectives = _labels(ids)
    rows = [
        PortfolioRow(found[pk], departements.get(pk, []), objectives.get(pk, []), today)
        for pk in ids
        if pk in found
    ]
    for row in rows:
        row.cells = [cell_html(column, row) for column in chosen]
    return rows


def cell_html(column: PortfolioColumn, row: PortfolioRow) -> SafeString:
    """The column's cell for this row: built in Python, else from its template."""
    if column.cell is not None:
        return column.cell(row)
    return mark_safe(  # noqa: S308 - a template's output, escaped by it
        get_template(column.cell_template).render({"coop": row.cooperation, "row": row})
    )


def export_rows(queryset, chosen: list[PortfolioColumn], today: date):
    """Rows of the export, read in chunks (streamed to the response)."""
    queryset = annotate_all(queryset.select_related("pilot_ars", "legal_form"), chosen, today)
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[start : start + EXPORT_CHUNK]
        found = {c.pk: c for c in queryset.filter(pk__in=chunk).order_by()}
        departements, objectives = _labels(chunk)
        for pk in chunk:
            row = PortfolioRow(found[pk], departements.get(pk, []), objectives.get(pk, []), today)
            values = []
            for column in chosen:
                values.extend(column.export(row))
            yield values


def export_headers(chosen: list[PortfolioColumn]) -> list[str]:
    headers = []
    for column in chosen:
        headers.extend(column.export_headers)
    return headers


def export_response(queryset, chosen, fmt: str, *, subject: str, today: date):
    filename = spreadsheets.export_filename("cooperations", subject, extension=fmt, day=today)
    headers = export_headers(chosen)
    rows = export_rows(queryset, chosen, today)
    if fmt == "csv":
        return spreadsheets.csv_response(filename=filename, headers=headers, rows=rows)
    return spreadsheets.xlsx_response(
        filename=filename, title="Coopérations", headers=headers, rows=rows
    )


# --- the cooperation's own columns and flags ---------------------------------------------


def _members(queryset, today):
    count = (
        Membership.objects.active()
        .filter(cooperation=OuterRef("pk"))
        .order_by()
        .values("cooperation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(pf_members=Coalesce(Subquery(count), 0))


def _phase_rank(queryset, today):
    return queryset.annotate(
        pf_phase_rank=Case(
            *[When(phase=value, then=Value(rank)) for value, rank in PHASE_RANK.items()],
            output_field=IntegerField(),
        )
    )


def _site_link(cooperation) -> str:
    return settings.SITE_URL.rstrip("/") + cooperation.get_absolute_url()


def _local_day(value):
    return timezone.localtime(value).date() if value else None


# --- cells (the markup of templates/cooperations/portfolio/*.html, built in Python) -------


def title_cell(row) -> SafeString:
    coop = row.cooperation
    parts = [f'<a href="{esc(coop.get_absolute_url())}">{esc(coop.title)}</a>']
    if coop.short_name:
        parts.append(f' <span class="fr-text--xs kc-muted">({esc(coop.short_name)})</span>')
    members = coop.active_memberships
    parts.append(
        f'\n<br><span class="fr-text--xs kc-muted">{esc(coop.pf_members)} '
        f"membre{plural(coop.pf_members)}"
    )
    parts.extend(f" · {esc(m.member_name)}" for m in members[:2])
    if len(members) > 2:
        parts.append(" · …")
    parts.append("</span>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def territory_cell(row) -> SafeString:
    ars = row.cooperation.pilot_ars
    region = esc(ars.region_name) if ars else ""
    departements = joined(row.departements) or "—"
    return mark_safe(  # noqa: S308 - every value is escaped
        f'{region}<br><span class="fr-text--xs kc-muted">{departements}</span>'
    )


def phase_cell(row) -> SafeString:
    coop = row.cooperation
    form = coop.legal_form.short_name if coop.legal_form else ""
    html = (
        '<span class="fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon">'
        f"{esc(coop.get_phase_display())}</span><br>"
        f'<span class="fr-text--xs">{esc(form or "Forme à choisir")}</span>'
    )
    if row.objectives:
        html += f'<br><span class="fr-text--xs kc-muted">PRS : {joined(row.objectives)}</span>'
    return mark_safe(html)  # noqa: S308 - every value is escaped


def activity_cell(row) -> SafeString:
    html = f'<span class="kc-nowrap">{date_fr(row.cooperation.last_activity_at)}</span>'
    weeks = row.stalled_weeks
    if weeks is not None:
        html += (
            '<br><span class="fr-badge fr-badge--sm fr-badge--warning">'
            f"À l'arrêt depuis {esc(weeks)} sem.</span>"
        )
    return mark_safe(html)  # noqa: S308 - every value is escaped


def register_defaults() -> None:
    register(
        PortfolioColumn(
            key="intitule",
            label="Coopération",
            cell_template="cooperations/portfolio/_title.html",
            cell=title_cell,
            export_headers=("Coopération", "Nom court", "Lien"),
            export=lambda row: [
                row.cooperation.title,
                row.cooperation.short_name,
                _site_link(row.cooperation),
            ],
            annotate=_members,
            sort="title",
            order=1,
        )
    )
    register(
        PortfolioColumn(
            key="territoire",
            label="ARS et départements",
            cell_template="cooperations/portfolio/_territory.html",
            cell=territory_cell,
            export_headers=("ARS pilote", "Départements"),
            export=lambda row: [
                ARS_NAMES.labels().get(row.cooperation.pilot_ars_id, ""),
                ", ".join(row.departements),
            ],
            sort=None,
            order=2,
            # In the export by default; on screen the region is known (and space is short).
            default=False,
        )
    )
    register(
        PortfolioColumn(
            key="phase",
            label="Phase et forme",
            cell_template="cooperations/portfolio/_phase.html",
            cell=phase_cell,
            export_headers=("Phase", "Forme juridique", "Nombre de membres", "Objectifs du PRS"),
            export=lambda row: [
                row.cooperation.get_phase_display(),
                row.cooperation.legal_form.short_name if row.cooperation.legal_form else "",
                row.cooperation.pf_members,
                ", ".join(row.objectives),
            ],
            annotate=lambda qs, today: _members(_phase_rank(qs, today), today),
            sort="pf_phase_rank",
            order=3,
        )
    )
    register(
        PortfolioColumn(
            key="activite",
            label="Dernière activité",
            cell_template="cooperations/portfolio/_activity.html",
            cell=activity_cell,
            export_headers=("Dernière activité", "À l'arrêt (semaines sans activité)"),
            export=lambda row: [
                _local_day(row.cooperation.last_activity_at),
                row.stalled_weeks,
            ],
            sort="last_activity_at",
            order=80,
        )
    )
    register(
        PortfolioFlag(
            key="a-l-arret",
            label=f"À l'arrêt (aucune activité depuis {settings.STALLED_WEEKS} semaines)",
            apply=lambda queryset, today: queryset.exclude(phase=Phase.CLOTUREE).filter(
                last_activity_at__lt=stalled_since()
            ),
            order=90,
        )
    )


def flag_filter(queryset, key: str, today: date):
    for flag in PORTFOLIO_FLAGS:
        if flag.key == key:
            return flag.apply(queryset, today)
    return queryset


def objective_filter(queryset, objective_id):
    through = Cooperation.plan_objectives.through
    return queryset.filter(
        Exists(
            through.objects.filter(cooperation_id=OuterRef("pk"), regionalobjective_id=objective_id)
        )
    )
