"""KIT 3's columns and flags of the portfolio work list (core.registry).

The planning status ("respect du planning") of a cooperation is computed in SQL with the
rules of suivi/planning.py (worst status of its deliverables, a deliverable done being
history), so that the list sorts on it; tests/suivi/test_portfolio.py checks that the SQL
and the Python rules agree at their boundaries.
"""

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.safestring import SafeString, mark_safe

from core.cells import date_fr, esc
from core.queries import DaysBetween
from core.registry import PortfolioColumn, PortfolioFlag
from suivi import planning
from suivi.models import CURRENT_DUE, DEFAULT_AT_RISK_MAX_DAYS, CopilMeeting, Deliverable, Rag

RANK = {Rag.ON_TIME: 0, Rag.AT_RISK: 1, Rag.LATE: 2}
RAG_OF_RANK = {rank: rag for rag, rank in RANK.items()}


def _deliverables(today):
    threshold = Coalesce(
        OuterRef("suivi_settings__at_risk_max_days"), Value(DEFAULT_AT_RISK_MAX_DAYS)
    )
    return (
        Deliverable.objects.filter(activity__cooperation=OuterRef("pk"))
        .order_by()
        .annotate(
            pf_due=CURRENT_DUE,
            pf_slip=DaysBetween(CURRENT_DUE, F("planned_on")),
            pf_threshold=threshold,
        )
    )


def _computed_open(today):
    """Open, planned, not forced deliverables (their RAG is computed)."""
    return Q(rag_override="", done_on__isnull=True, planned_on__isnull=False)


def late_q(today):
    return Q(rag_override=Rag.LATE) | (
        _computed_open(today) & (Q(pf_due__lt=today) | Q(pf_slip__gt=F("pf_threshold")))
    )


def at_risk_q(today):
    return Q(rag_override=Rag.AT_RISK) | (
        _computed_open(today) & Q(pf_due__gte=today, pf_slip__gt=0, pf_slip__lte=F("pf_threshold"))
    )


def rated_q():
    return ~Q(rag_override="") | Q(planned_on__isnull=False)


def rag_rank_expression(today):
    base = _deliverables(today)
    return Case(
        When(Exists(base.filter(late_q(today))), then=Value(2)),
        When(Exists(base.filter(at_risk_q(today))), then=Value(1)),
        When(Exists(base.filter(rated_q())), then=Value(0)),
        default=None,
        output_field=IntegerField(),
    )


def annotate_rag(queryset, today):
    return queryset.annotate(pf_rag_rank=rag_rank_expression(today))


def rag_of(cooperation) -> str | None:
    return RAG_OF_RANK.get(cooperation.pf_rag_rank)


def annotate_copil(queryset, today):
    upcoming = CopilMeeting.objects.filter(cooperation=OuterRef("pk"), held_on__gte=today)
    return queryset.annotate(
        pf_next_copil=Subquery(upcoming.order_by("held_on").values("held_on")[:1])
    )


def rag_cell(row) -> SafeString:
    """The markup of templates/suivi/_portfolio_rag.html."""
    rank = row.cooperation.pf_rag_rank
    if rank is None:
        return mark_safe('<span class="fr-text--xs kc-muted">Non suivi</span>')
    rag = RAG_OF_RANK.get(rank)
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<span class="fr-badge fr-badge--sm fr-badge--{esc(planning.rag_badge(rag))}">'
        f"{esc(planning.rag_label(rag))}</span>"
    )


def copil_cell(row) -> SafeString:
    """The markup of templates/suivi/_portfolio_copil.html."""
    held_on = row.cooperation.pf_next_copil
    if not held_on:
        return mark_safe('<span class="fr-text--xs kc-muted">Non planifié</span>')
    return mark_safe(f'<span class="kc-nowrap">{date_fr(held_on)}</span>')  # noqa: S308


RAG_COLUMN = PortfolioColumn(
    key="planning",
    label="Respect du planning (KIT 3)",
    cell_template="suivi/_portfolio_rag.html",
    cell=rag_cell,
    export_headers=("Respect du planning",),
    export=lambda row: [
        planning.rag_label(rag_of(row.cooperation))
        if row.cooperation.pf_rag_rank is not None
        else "Non suivi"
    ],
    annotate=annotate_rag,
    sort="-pf_rag_rank",  # late first
    order=40,
)

COPIL_COLUMN = PortfolioColumn(
    key="copil",
    label="Prochain COPIL",
    cell_template="suivi/_portfolio_copil.html",
    cell=copil_cell,
    export_headers=("Prochain COPIL",),
    export=lambda row: [row.cooperation.pf_next_copil],
    annotate=annotate_copil,
    sort="pf_next_copil",
    order=70,
)


def _late_flag(queryset, today):
    return queryset.filter(Exists(_deliverables(today).filter(late_q(today))))


def _report_overdue_flag(queryset, today):
    from suivi.reminders import overdue_filter

    return overdue_filter(queryset, today)


FLAGS = [
    PortfolioFlag(
        key="livrables-en-retard", label="Livrables en retard", apply=_late_flag, order=30
    ),
    PortfolioFlag(
        key="rapport-en-retard",
        label="Rapport d'avancement en retard",
        apply=_report_overdue_flag,
        order=40,
    ),
]
