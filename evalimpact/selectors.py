"""Read-side helpers: latest evaluations per kind, radar data, compare rows, export rows."""

from __future__ import annotations

from django.db.models import Prefetch

from evalimpact.models import Axis, CatalogueVersion, Evaluation, EvaluationKind
from evalimpact.services import radar
from evalimpact.services.scoring import format_number


def pick_latest(evaluations) -> dict:
    """{kind: evaluation}: the latest final one of each kind, else the latest draft."""
    chosen = {}
    ordered = sorted(evaluations, key=lambda e: (e.is_final, e.evaluated_on, e.pk), reverse=True)
    for evaluation in ordered:
        chosen.setdefault(evaluation.kind, evaluation)
    return chosen


def axes_for(evaluations) -> list:
    """Axes of the newest catalogue among the evaluations (the current one if none)."""
    versions = [e.catalogue_id for e in evaluations if e is not None]
    if versions:
        version_id = max(versions)
    else:
        version_id = (
            CatalogueVersion.objects.filter(is_current=True).values_list("pk", flat=True).first()
        )
    return list(Axis.objects.filter(version_id=version_id).order_by("code"))


def summary_for(cooperation) -> dict:
    """What the cooperation page, the COPIL pack and the PDF show; 2 queries."""
    evaluations = list(
        Evaluation.objects.filter(cooperation=cooperation)
        .select_related("catalogue")
        .order_by("-evaluated_on", "-pk")
    )
    latest = pick_latest(evaluations)
    pair = [latest.get(EvaluationKind.POTENTIAL), latest.get(EvaluationKind.EFFECTIVE)]
    axes = axes_for(pair) if evaluations else []
    data = radar.radar_data(axes, pair) if evaluations else None
    return {
        "evaluations": evaluations,
        "potential": pair[0],
        "effective": pair[1],
        "evaluations_shown": [e for e in pair if e],
        "axes": axes,
        "radar": data,
        "table": score_table(axes, [e for e in pair if e]) if evaluations else [],
        "overall": [
            format_number(round(float(e.overall_score), 1))
            if e.overall_score is not None
            else "n.c."
            for e in pair
            if e
        ],
    }


def indicator_rows(evaluations) -> list:
    """The summary's detail: one row per indicator of the newest catalogue, one 0–4 score
    per evaluation (matched by code), as the evaluation page computes them."""
    from evalimpact.services.evaluations import load_evaluation
    from evalimpact.services.scoring import format_number as number

    loaded = [load_evaluation(e) for e in evaluations]
    if not loaded:
        return []
    newest = max(loaded, key=lambda d: d.evaluation.catalogue_id)
    by_code = []
    for data in loaded:
        scores = {}
        for axis in data.result.axes:
            for result in axis.indicators:
                if result.not_applicable:
                    scores[result.indicator.code] = "n.a."
                elif result.score is None:
                    scores[result.indicator.code] = "n.c."
                else:
                    scores[result.indicator.code] = number(result.score, 1)
        by_code.append(scores)
    axes = {a.pk: a for a in newest.axes}
    return [
        {
            "axis": axes[i.axis_id],
            "indicator": i,
            "cells": [scores.get(i.code, "—") for scores in by_code],
        }
        for i in newest.indicators
    ]


def score_table(axes, evaluations) -> list:
    """One row per axis, one cell per evaluation: the numbers radar_data() plots."""
    rows = []
    for axis in axes:
        cells = []
        for evaluation in evaluations:
            value = evaluation.axis_scores.get(str(axis.code))
            cells.append(format_number(round(float(value), 1)) if value is not None else "n.c.")
        rows.append({"axis": axis, "cells": cells})
    return rows


def compare_queryset(cooperations):
    """Cooperations with their evaluations prefetched (one extra query per page)."""
    return cooperations.select_related("pilot_ars", "legal_form").prefetch_related(
        Prefetch(
            "evaluations",
            queryset=Evaluation.objects.order_by("-evaluated_on", "-pk"),
            to_attr="all_evaluations",
        )
    )


def compare_rows(cooperations, axes) -> list:
    rows = []
    for cooperation in cooperations:
        latest = pick_latest(cooperation.all_evaluations)
        row = {"cooperation": cooperation, "kinds": []}
        for kind in (EvaluationKind.POTENTIAL, EvaluationKind.EFFECTIVE):
            evaluation = latest.get(kind)
            scores = [
                evaluation.axis_scores.get(str(axis.code)) if evaluation else None for axis in axes
            ]
            row["kinds"].append(
                {
                    "kind": kind,
                    "label": EvaluationKind(kind).label,
                    "evaluation": evaluation,
                    "scores": [format_number(s) if s is not None else "n.c." for s in scores],
                }
            )
        rows.append(row)
    return rows


def pdf_section_context(summary) -> dict:
    """The radar as PNG (sharp enough at print size, lighter than SVG in WeasyPrint)."""
    data = summary["radar"]
    return {**summary, "radar_uri": radar.data_uri(data, "png"), "radar_alt": data.alt_text()}


def evaluation_history(evaluation, limit: int = 40) -> list:
    """Who changed what in the evaluation and its answers, newest first (3 queries)."""
    from core.history import entries_for
    from evalimpact.models import Answer

    own = list(evaluation.history.select_related("history_user").order_by("-history_date")[:limit])
    answers = list(
        Answer.history.filter(evaluation_id=evaluation.pk)
        .select_related(
            "history_user", "indicator", "membership__establishment", "membership__legal_entity"
        )
        .order_by("-history_date")[:limit]
    )

    def answer_subject(record) -> str:
        code = record.indicator.code if record.indicator else "?"
        who = record.membership.member_name if record.membership_id and record.membership else ""
        return f"Réponse {code}" + (f" ({who})" if who else "")

    # core.history links each record to its predecessor from the list (no query per record).
    entries = entries_for(own, subject_of=lambda r: "Évaluation", object_key=lambda r: r.id)
    entries += entries_for(answers, subject_of=answer_subject, object_key=lambda r: r.id)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
