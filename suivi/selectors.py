"""Read side of the tracker: everything a page, an export, a snapshot or the PDF shows.

Each function runs a fixed number of queries whatever the number of activities,
deliverables or risks (prefetching, no per-row query).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from suivi import planning
from suivi.models import (
    DEFAULT_AT_RISK_MAX_DAYS,
    Activity,
    Deliverable,
    ProjectSettings,
    Risk,
    StatusReport,
)


@dataclass
class DeliverableRow:
    deliverable: Deliverable
    status: planning.DeliverableStatus

    def __getattr__(self, name):
        return getattr(self.deliverable, name)


@dataclass
class ActivityRow:
    activity: Activity
    deliverables: list = field(default_factory=list)
    progress: int | None = None
    rag: str | None = None

    @property
    def rag_label(self) -> str:
        return planning.rag_label(self.rag)

    @property
    def rag_badge(self) -> str:
        return planning.rag_badge(self.rag)


@dataclass
class Tracker:
    cooperation: object
    today: date
    activities: list
    deliverables: list
    progress: int | None
    rag: str | None
    late_count: int
    at_risk_count: int
    next_milestones: list
    at_risk_max_days: int = DEFAULT_AT_RISK_MAX_DAYS

    @property
    def rule(self) -> str:
        return planning.rag_rule(self.at_risk_max_days)

    @property
    def rag_label(self) -> str:
        return planning.rag_label(self.rag)

    @property
    def rag_badge(self) -> str:
        return planning.rag_badge(self.rag)


def activities_queryset(cooperation):
    return (
        Activity.objects.filter(cooperation=cooperation)
        .select_related("lead_member__establishment", "lead_member__legal_entity")
        .prefetch_related(
            "depends_on",
            Prefetch(
                "deliverables",
                queryset=Deliverable.objects.order_by("planned_on", "pk"),
                to_attr="deliverable_list",
            ),
        )
        .order_by("order", "pk")
    )


def at_risk_max_days(cooperation) -> int:
    """The cooperation's "at risk" threshold (one query; the default without settings)."""
    found = (
        ProjectSettings.objects.filter(cooperation=cooperation)
        .values_list("at_risk_max_days", flat=True)
        .first()
    )
    return found or DEFAULT_AT_RISK_MAX_DAYS


def tracker(cooperation, today: date | None = None, activities=None) -> Tracker:
    """Activities, deliverables with their status, and the project's global figures.

    Two queries for the activities and their deliverables, one for the threshold."""
    today = today or timezone.localdate()
    threshold = at_risk_max_days(cooperation)
    activities = list(activities if activities is not None else activities_queryset(cooperation))
    rows, all_deliverables = [], []
    for activity in activities:
        deliverable_rows = [
            DeliverableRow(d, planning.deliverable_status(d, today, threshold))
            for d in activity.deliverable_list
        ]
        for row in deliverable_rows:
            row.deliverable.activity = activity  # already loaded: no query per row
        rows.append(
            ActivityRow(
                activity=activity,
                deliverables=deliverable_rows,
                progress=planning.weighted_progress(
                    (r.progress, r.weight) for r in deliverable_rows
                ),
                rag=planning.worst_rag(r.status.effective for r in deliverable_rows),
            )
        )
        all_deliverables.extend(deliverable_rows)
    all_deliverables.sort(key=lambda r: (r.due_on or date.max, r.pk))
    upcoming = [r for r in all_deliverables if not r.done_on and r.due_on and r.due_on >= today]
    return Tracker(
        cooperation=cooperation,
        today=today,
        activities=rows,
        deliverables=all_deliverables,
        progress=planning.weighted_progress((r.progress, r.weight) for r in all_deliverables),
        rag=planning.worst_rag(r.status.effective for r in all_deliverables),
        late_count=sum(1 for r in all_deliverables if r.status.effective == "late"),
        at_risk_count=sum(1 for r in all_deliverables if r.status.effective == "at_risk"),
        next_milestones=upcoming[:5],
        at_risk_max_days=threshold,
    )


def risks(cooperation, *, include_closed: bool = True):
    queryset = Risk.objects.filter(cooperation=cooperation).select_related("category")
    if not include_closed:
        queryset = queryset.open()
    return queryset.by_criticity()


def risk_matrix(risk_list) -> list[dict]:
    """4×4 grid, impact rows from 4 (top) to 1, probability columns 1 to 4."""
    cells = {}
    for risk in risk_list:
        cells.setdefault((risk.impact, risk.probability), []).append(risk)
    grid = []
    for impact in (4, 3, 2, 1):
        row = []
        for probability in (1, 2, 3, 4):
            score = impact * probability
            level = "error" if score >= 9 else "warning" if score >= 4 else "success"
            row.append(
                {
                    "impact": impact,
                    "probability": probability,
                    "score": score,
                    "level": level,
                    "risks": cells.get((impact, probability), []),
                }
            )
        grid.append({"impact": impact, "cells": row})
    return grid


def project_settings(cooperation) -> ProjectSettings:
    found = ProjectSettings.objects.filter(cooperation=cooperation).first()
    return found or ProjectSettings(cooperation=cooperation)


def reports(cooperation):
    return StatusReport.objects.filter(cooperation=cooperation).select_related("created_by")


def snapshot(cooperation, today: date) -> dict:
    """The numbers a status report freezes: plain JSON, read back as-is later."""
    data = tracker(cooperation, today)
    risk_list = list(risks(cooperation, include_closed=False)[:10])

    def day(value):
        return value.isoformat() if value else None

    return {
        "taken_on": today.isoformat(),
        "at_risk_max_days": data.at_risk_max_days,
        "progress": data.progress,
        "rag": data.rag,
        "rag_label": data.rag_label,
        "late_count": data.late_count,
        "at_risk_count": data.at_risk_count,
        "activities": [
            {
                "title": a.activity.title,
                "progress": a.progress,
                "rag": a.rag,
                "rag_label": a.rag_label,
            }
            for a in data.activities
        ],
        "deliverables": [
            {
                "activity": r.activity.title,
                "title": r.title,
                "kind": r.deliverable.get_kind_display(),
                "planned_on": day(r.planned_on),
                "revised_on": day(r.revised_on),
                "done_on": day(r.done_on),
                "progress": r.progress,
                "slippage": r.status.slippage,
                "rag": r.status.effective,
                "rag_label": r.status.label,
            }
            for r in data.deliverables
        ],
        "risks": [
            {
                "title": risk.title,
                "category": risk.category.name if risk.category else "",
                "probability": risk.probability,
                "impact": risk.impact,
                "criticity": risk.criticity,
                "status": risk.get_status_display(),
                "mitigation": risk.mitigation,
            }
            for risk in risk_list
        ],
    }


def activity_history(activity, limit: int = 50) -> list:
    """Readable changes of an activity sheet and of its deliverables (two queries)."""
    from core.history import entries_for

    activity_records = list(
        activity.history.select_related("history_user").order_by("-history_date")[:limit]
    )
    deliverable_records = list(
        Deliverable.history.filter(activity_id=activity.pk)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    entries = entries_for(
        activity_records, subject_of=lambda r: "Fiche du chantier", object_key=lambda r: r.id
    )
    entries += entries_for(
        deliverable_records,
        subject_of=lambda r: f"Livrable : {r.title}",
        object_key=lambda r: r.id,
    )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
