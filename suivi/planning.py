"""Planning arithmetic: slippage, "respect du planning" (RAG) and weighted progress.

Plain functions on plain values so that the rules are tested at their boundaries without
a database, and so that the page, the exports, the snapshots and the PDF agree.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from suivi.models import DEFAULT_AT_RISK_MAX_DAYS, Rag


def _days(n: int) -> str:
    return "d'un jour" if n == 1 else f"de {n} jours"


def rag_rule(at_risk_max_days: int = DEFAULT_AT_RISK_MAX_DAYS) -> str:
    """The rule as users read it, with the cooperation's "at risk" threshold."""
    at_risk = "d'un jour" if at_risk_max_days == 1 else f"de 1 à {at_risk_max_days} jours"
    return (
        "Règle de calcul : « à l'heure » sans glissement par rapport à la date planifiée ; "
        f"« à risque » pour un glissement {at_risk} ; "
        f"« en retard » au-delà {_days(at_risk_max_days)}, ou dès que l'échéance "
        "(révisée ou planifiée) est dépassée sans que le livrable soit réalisé."
    )


RAG_BADGE = {Rag.ON_TIME: "success", Rag.AT_RISK: "warning", Rag.LATE: "error"}
RAG_SEVERITY = {Rag.ON_TIME: 0, Rag.AT_RISK: 1, Rag.LATE: 2}


def expected_date(*, planned_on, revised_on, done_on, today: date):
    """When the deliverable is (or will at best be) delivered, as known today."""
    if done_on:
        return done_on
    due = revised_on or planned_on
    if due is None:
        return None
    # Still open after its due date: it cannot be delivered before today.
    return max(due, today)


def slippage_days(*, planned_on, revised_on, done_on, today: date) -> int | None:
    """Days between the frozen baseline and the expected date (negative: ahead of plan)."""
    if planned_on is None:
        return None
    expected = expected_date(
        planned_on=planned_on, revised_on=revised_on, done_on=done_on, today=today
    )
    return (expected - planned_on).days


def computed_rag(
    *,
    planned_on,
    revised_on,
    done_on,
    today: date,
    at_risk_max_days: int = DEFAULT_AT_RISK_MAX_DAYS,
) -> str | None:
    slip = slippage_days(planned_on=planned_on, revised_on=revised_on, done_on=done_on, today=today)
    if slip is None:
        return None
    due = revised_on or planned_on
    if not done_on and today > due:
        return Rag.LATE
    if slip <= 0:
        return Rag.ON_TIME
    if slip <= at_risk_max_days:
        return Rag.AT_RISK
    return Rag.LATE


@dataclass(frozen=True)
class DeliverableStatus:
    """`computed` is the planning respected at delivery (or as of today while open);
    `effective` is what the tracker counts: a deliverable done is history, it no longer
    makes its activity or the project "at risk" or "late" (unless a user forced it)."""

    slippage: int | None
    computed: str | None
    effective: str | None
    overridden: bool
    done: bool = False

    @property
    def done_late_days(self) -> int:
        return self.slippage if self.done and self.slippage and self.slippage > 0 else 0

    @property
    def label(self) -> str:
        if self.done and not self.overridden:
            days = self.done_late_days
            return f"Réalisé ({days} j de retard)" if days else "Réalisé"
        return Rag(self.effective).label if self.effective else "Non planifié"

    @property
    def badge(self) -> str:
        if self.done and not self.overridden:
            return "success" if not self.done_late_days else "new"
        return RAG_BADGE.get(self.effective, "info")


def deliverable_status(
    deliverable, today: date, at_risk_max_days: int = DEFAULT_AT_RISK_MAX_DAYS
) -> DeliverableStatus:
    computed = computed_rag(
        planned_on=deliverable.planned_on,
        revised_on=deliverable.revised_on,
        done_on=deliverable.done_on,
        today=today,
        at_risk_max_days=at_risk_max_days,
    )
    done = bool(deliverable.done_on)
    effective = deliverable.rag_override or (Rag.ON_TIME if done and computed else computed)
    return DeliverableStatus(
        slippage=slippage_days(
            planned_on=deliverable.planned_on,
            revised_on=deliverable.revised_on,
            done_on=deliverable.done_on,
            today=today,
        ),
        computed=computed,
        effective=effective,
        overridden=bool(deliverable.rag_override),
        done=done,
    )


def weighted_progress(items) -> int | None:
    """Weighted mean of (progress, weight) pairs, rounded to the unit; None if empty."""
    items = list(items)
    total_weight = sum(weight for _progress, weight in items)
    if not total_weight:
        return None
    return round(sum(progress * weight for progress, weight in items) / total_weight)


def worst_rag(rags) -> str | None:
    rags = [r for r in rags if r]
    if not rags:
        return None
    return max(rags, key=lambda r: RAG_SEVERITY[r])


def rag_label(rag) -> str:
    return Rag(rag).label if rag else "Non planifié"


def rag_badge(rag) -> str:
    return RAG_BADGE.get(rag, "info")


# --- reporting periods ------------------------------------------------------------------


def period_bounds(day: date, months: int) -> tuple[date, date]:
    """The reporting period containing `day`, aligned on the calendar year (1, 2, 3 or 6 months)."""
    first_month = ((day.month - 1) // months) * months + 1
    start = date(day.year, first_month, 1)
    last_month = first_month + months - 1
    end = date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])
    return start, end


def previous_period(day: date, months: int) -> tuple[date, date]:
    start, _end = period_bounds(day, months)
    return period_bounds(start - timedelta(days=1), months)
