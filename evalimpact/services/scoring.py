"""Scoring, as plain functions: indicator → 0–4, axis → weighted mean × 25 on 0–100.

The method (explained in French by `method_text`) is the one an ARS agent can redo by hand:
1. quantitative: change between the baseline and the target/observed value — relative (in %
   of the baseline) or, for an indicator whose baseline can be 0, absolute (in its unit) —
   sign flipped when "lower is better", then placed between the indicator's own four
   thresholds (catalogue, with their reason); a relative change from a baseline of 0 has no
   meaning and is not scored (the answer asks for a correction);
2. qualitative: the level the evaluator chose;
3. an indicator answered for several members scores the mean of its members' scores;
4. an axis scores the weighted mean of its applicable, answered indicators, × 25.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

AXIS_SCALE = 25  # 0–4 → 0–100


def validate_thresholds(thresholds) -> None:
    if (
        not isinstance(thresholds, list)
        or len(thresholds) != 4
        or not all(isinstance(t, int | float) and not isinstance(t, bool) for t in thresholds)
    ):
        raise ValidationError(
            "Indiquez exactement quatre seuils numériques, par exemple [-5, 2, 10, 25]."
        )
    if any(a >= b for a, b in zip(thresholds, thresholds[1:], strict=False)):
        raise ValidationError("Les seuils doivent être rangés du plus petit au plus grand.")


def relative_change(baseline, value) -> float | None:
    """Change in % from baseline to value; ±inf when the baseline is 0 and the value is not."""
    if baseline is None or value is None:
        return None
    baseline, value = float(baseline), float(value)
    if baseline == 0:
        if value == 0:
            return 0.0
        return float("inf") if value > 0 else float("-inf")
    return (value - baseline) / abs(baseline) * 100


def signed_change(change: float, direction: str) -> float:
    """Positive when the change goes the right way."""
    return -change if direction == "lower" else change


def score_from_change(change: float, thresholds) -> int:
    """[-inf, t1) → 0, [t1, t2) → 1, [t2, t3) → 2, [t3, t4) → 3, [t4, +inf] → 4."""
    score = 0
    for threshold in thresholds:
        if change >= threshold:
            score += 1
    return score


def absolute_change(baseline, value) -> float | None:
    """value − baseline, in the indicator's unit."""
    if baseline is None or value is None:
        return None
    return float(value) - float(baseline)


ZERO_BASELINE = (
    "référence nulle : une variation en % n'a pas de sens ; corrigez la référence ou marquez "
    "l'indicateur non applicable"
)


@dataclass
class AnswerScore:
    score: int | None  # None: missing or not applicable
    change: float | None = None  # signed change (in % or in the unit), quantitative answers
    not_applicable: bool = False
    missing: bool = False
    absolute: bool = False  # change in the indicator's unit rather than in %
    unit: str = ""
    problem: str = ""  # why an answered row cannot be scored (French)


def score_answer(indicator, answer) -> AnswerScore:
    if answer is None:
        return AnswerScore(None, missing=True)
    if answer.not_applicable:
        return AnswerScore(None, not_applicable=True)
    if indicator.kind == "qualitative":
        if answer.level is None:
            return AnswerScore(None, missing=True)
        return AnswerScore(int(answer.level))
    absolute = getattr(indicator, "scale", "relative") == "absolute"
    if absolute:
        change = absolute_change(answer.baseline, answer.value)
    else:
        change = relative_change(answer.baseline, answer.value)
    if change is None:
        return AnswerScore(None, missing=True)
    if change in (float("inf"), float("-inf")):
        return AnswerScore(None, missing=True, problem=ZERO_BASELINE)
    signed = signed_change(change, indicator.direction)
    return AnswerScore(
        score_from_change(signed, indicator.thresholds),
        change=signed,
        absolute=absolute,
        unit=getattr(indicator, "unit", ""),
    )


@dataclass
class IndicatorResult:
    indicator: object
    rows: list  # [(membership or None, answer or None, AnswerScore)]
    score: float | None = None
    not_applicable: bool = False
    missing: bool = False


@dataclass
class AxisResult:
    axis: object
    indicators: list = field(default_factory=list)
    score: float | None = None  # 0–100

    @property
    def scored(self):
        return [i for i in self.indicators if i.score is not None]

    @property
    def weight_sum(self):
        return sum(Decimal(i.indicator.weight) for i in self.scored)


@dataclass
class EvaluationResult:
    axes: list
    overall: float | None

    @property
    def missing(self) -> list:
        """French lines naming each missing answer, in catalogue order."""
        lines = []
        for axis in self.axes:
            for result in axis.indicators:
                for membership, _answer, score in result.rows:
                    if score.missing:
                        who = membership.member_name if membership else "la coopération"
                        why = f" : {score.problem}" if score.problem else ""
                        lines.append(
                            f"{result.indicator.code} — {result.indicator.label} ({who}){why}"
                        )
        return lines

    def axis_scores(self) -> dict:
        return {
            str(a.axis.code): (round(a.score, 1) if a.score is not None else None)
            for a in self.axes
        }


def indicator_result(indicator, rows) -> IndicatorResult:
    """rows: [(membership or None, answer or None)] as the form lays them out."""
    scored_rows = [(m, a, score_answer(indicator, a)) for m, a in rows]
    result = IndicatorResult(indicator, scored_rows)
    scores = [s.score for _m, _a, s in scored_rows if s.score is not None]
    if scored_rows and all(s.not_applicable for _m, _a, s in scored_rows):
        result.not_applicable = True
    elif scores:
        result.score = sum(scores) / len(scores)
    result.missing = any(s.missing for _m, _a, s in scored_rows)
    return result


def axis_score(indicator_results) -> float | None:
    """Weighted mean of the scored indicators × 25; None when nothing is scored yet."""
    scored = [r for r in indicator_results if r.score is not None]
    total_weight = sum(float(r.indicator.weight) for r in scored)
    if not scored or total_weight == 0:
        return None
    mean = sum(float(r.indicator.weight) * r.score for r in scored) / total_weight
    return mean * AXIS_SCALE


def overall_score(axis_results) -> float | None:
    scored = [a for a in axis_results if a.score is not None]
    total_weight = sum(float(a.axis.weight) for a in scored)
    if not scored or total_weight == 0:
        return None
    return sum(float(a.axis.weight) * a.score for a in scored) / total_weight


def evaluate(axes, indicators, layout) -> EvaluationResult:
    """axes, indicators: catalogue rows; layout: {indicator_id: [(membership, answer)]}."""
    results = []
    for axis in axes:
        axis_result = AxisResult(axis)
        for indicator in indicators:
            if indicator.axis_id == axis.pk:
                axis_result.indicators.append(indicator_result(indicator, layout[indicator.pk]))
        axis_result.score = axis_score(axis_result.indicators)
        results.append(axis_result)
    return EvaluationResult(results, overall_score(results))


def format_number(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def format_change(change: float | None, unit: str | None = None) -> str:
    """ "+5 %" (relative), or "+18 jours par an" when `unit` is given (absolute scale)."""
    if change is None:
        return "—"
    if change == float("inf"):
        return "hausse favorable depuis une référence nulle"
    if change == float("-inf"):
        return "baisse défavorable depuis une référence nulle"
    sign = "+" if change > 0 else ""
    suffix = "%" if unit is None else (_points(unit) or "")
    digits = 1 if unit is None else 2
    return f"{sign}{format_number(change, digits)} {suffix}".rstrip()


def _points(unit: str) -> str:
    """The unit of an absolute change: a difference of percentages is in points."""
    return "point(s)" if unit.strip() == "%" else unit


def thresholds_text(thresholds, unit: str | None = None) -> str:
    """French reading of four thresholds; `unit` for an absolute scale (else %)."""
    if not thresholds:
        return "aucun indicateur quantitatif"
    u = "%" if unit is None else _points(unit)
    t = [f"{format_number(x, 2)} {u}".rstrip() for x in thresholds]
    return (
        f"moins de {t[0]} → 0 ; de {t[0]} à moins de {t[1]} → 1 ; "
        f"de {t[1]} à moins de {t[2]} → 2 ; de {t[2]} à moins de {t[3]} → 3 ; "
        f"{t[3]} ou plus → 4"
    )


def indicator_scale_text(indicator) -> str:
    """How one quantitative indicator is scored, in French, with the reason of its scale."""
    if getattr(indicator, "scale", "relative") == "absolute":
        how = (
            f"écart absolu (valeur − référence, en {_points(indicator.unit) or 'unités'}"
            f"{', signe inversé car une baisse est souhaitable' if indicator.direction == 'lower' else ''}) : "
            + thresholds_text(indicator.thresholds, indicator.unit)
        )
    else:
        how = (
            "variation relative (en % de la référence"
            f"{', signe inversé car une baisse est souhaitable' if indicator.direction == 'lower' else ''}) : "
            + thresholds_text(indicator.thresholds)
        )
    reason = getattr(indicator, "thresholds_reason", "")
    return f"{how}. {reason}" if reason else f"{how}."


def axis_method_text(axis_result: AxisResult) -> str:
    """The arithmetic of one axis, written so that it can be checked with a pencil."""
    scored = axis_result.scored
    if not scored:
        return "Aucun indicateur noté pour l'instant : la note de l'axe n'est pas calculée."
    terms = " + ".join(
        f"{format_number(r.score, 2)} × {format_number(r.indicator.weight, 2)} ({r.indicator.code})"
        for r in scored
    )
    weights = " + ".join(format_number(r.indicator.weight, 2) for r in scored)
    mean = axis_result.score / AXIS_SCALE
    skipped = [r.indicator.code for r in axis_result.indicators if r.score is None]
    text = (
        f"({terms}) ÷ ({weights}) = {format_number(mean, 2)} sur 4, "
        f"× 25 = {format_number(axis_result.score)} sur 100."
    )
    if skipped:
        text += " Non comptés (non applicables ou sans réponse) : " + ", ".join(skipped) + "."
    return text
