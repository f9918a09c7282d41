"""Writes on evaluations: create (with Hospi Diag prefill), save answers, finalise, reopen."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from cooperations.models import Membership
from core.locking import save_with_version
from core.workflow import check_transition, transition
from evalimpact.models import (
    Activity,
    Answer,
    Axis,
    Evaluation,
    EvaluationKind,
    EvaluationStatus,
    Indicator,
    ScoreLevel,
)
from evalimpact.services import hospidiag, scoring
from evalimpact.services.catalogue import current_catalogue, variant_for

FINAL_LOCKED = "Cette évaluation est définitive : repassez-la en brouillon pour la modifier."


@dataclass
class EvaluationData:
    """Everything a page needs about one evaluation, loaded in a fixed number of queries."""

    evaluation: Evaluation
    axes: list
    indicators: list
    levels: list
    memberships: list
    answers: dict  # (indicator_id, membership_id or None) -> Answer
    layout: dict  # indicator_id -> [(membership or None, answer or None)]
    result: scoring.EvaluationResult
    activity: Activity | None = None
    hospidiag_notes: dict | None = None  # indicator_id -> why Hospi Diag gives no value
    legacy: bool = False  # catalogue version from before activities (see per_member)


def per_member(indicator, activity=None, *, legacy: bool = False) -> bool:
    """Indicators fed by Hospi Diag are answered member by member, the others once.

    An activity-dependent indicator is fed only when the evaluation's activity has codes
    for it (imaging has no Hospi Diag market share: F1 is then answered once, for the
    cooperation; so is it when no activity was chosen). `legacy`: the evaluation's
    catalogue version predates activities, and keeps the member rows it was answered with.
    """
    if not (indicator.is_quantitative and indicator.hospidiag_codes):
        return False
    if getattr(indicator, "by_activity", False) and not legacy:
        return bool(hospidiag.codes_for(indicator, activity))
    return True


def _membership_queryset(cooperation, answered_ids):
    from django.db.models import Q

    return (
        Membership.objects.filter(cooperation=cooperation)
        .filter(Q(left_on__isnull=True) | Q(pk__in=answered_ids))
        .select_related("establishment__legal_entity", "legal_entity")
        .by_rank()
    )


def build_layout(indicators, memberships, answers, activity=None, *, legacy=False) -> dict:
    layout = {}
    for indicator in indicators:
        if per_member(indicator, activity, legacy=legacy) and memberships:
            layout[indicator.pk] = [(m, answers.get((indicator.pk, m.pk))) for m in memberships]
        else:
            layout[indicator.pk] = [(None, answers.get((indicator.pk, None)))]
    return layout


def load_evaluation(evaluation: Evaluation) -> EvaluationData:
    axes = list(Axis.objects.filter(version_id=evaluation.catalogue_id).order_by("code"))
    indicators = list(
        Indicator.objects.filter(version_id=evaluation.catalogue_id).order_by(
            "axis__code", "order", "code"
        )
    )
    levels = list(ScoreLevel.objects.filter(version_id=evaluation.catalogue_id).order_by("score"))
    answers = {(a.indicator_id, a.membership_id): a for a in evaluation.answers.all()}
    memberships = list(
        _membership_queryset(evaluation.cooperation_id, {m for (_i, m) in answers if m})
    )
    activity = activity_of(evaluation)
    legacy = not Activity.objects.filter(version_id=evaluation.catalogue_id).exists()
    layout = build_layout(indicators, memberships, answers, activity, legacy=legacy)
    result = scoring.evaluate(axes, indicators, layout)
    return EvaluationData(
        evaluation,
        axes,
        indicators,
        levels,
        memberships,
        answers,
        layout,
        result,
        activity,
        hospidiag.activity_notes(indicators, activity),
        legacy,
    )


def activity_of(evaluation: Evaluation) -> Activity | None:
    if not evaluation.activity:
        return None
    return Activity.objects.filter(
        version_id=evaluation.catalogue_id, code=evaluation.activity
    ).first()


def check_activity(evaluation: Evaluation) -> None:
    """The activity must be one of the evaluation's catalogue (blank only if it has none)."""
    codes = set(
        Activity.objects.filter(version_id=evaluation.catalogue_id).values_list("code", flat=True)
    )
    if evaluation.activity and evaluation.activity not in codes:
        raise ValidationError(
            {"activity": "Cette activité n'existe pas dans le catalogue de l'évaluation."}
        )


def _store_scores(evaluation: Evaluation) -> scoring.EvaluationResult:
    result = load_evaluation(evaluation).result
    evaluation.axis_scores = result.axis_scores()
    evaluation.overall_score = (
        Decimal(str(round(result.overall, 1))) if result.overall is not None else None
    )
    Evaluation.objects.filter(pk=evaluation.pk).update(
        axis_scores=evaluation.axis_scores, overall_score=evaluation.overall_score
    )
    _warm_radars_after_commit(evaluation.pk)
    return result


def _warm_radars_after_commit(evaluation_id: int) -> None:
    """Draw the radars in the background once the scores are committed (a broker that is
    down must not undo the save: the pages then draw them on first view)."""
    from evalimpact.tasks import warm_radars

    transaction.on_commit(lambda: warm_radars.delay(evaluation_id), robust=True)


def _baselines_from_potential(evaluation, data) -> dict:
    """An effective evaluation starts from the baselines of the latest potential one, so
    that "after" is measured against the same "before" (matched by indicator code)."""
    if evaluation.kind != EvaluationKind.EFFECTIVE:
        return {}
    potential = (
        Evaluation.objects.filter(
            cooperation_id=evaluation.cooperation_id,
            kind=EvaluationKind.POTENTIAL,
            catalogue__variant=evaluation.catalogue.variant,
        )
        .order_by("-status", "-evaluated_on", "-pk")  # "final" sorts after "draft"
        .first()
    )
    if potential is None:
        return {}
    codes = {i.code: i.pk for i in data.indicators}
    allowed = {(i, m.pk if m else None) for i, rows in data.layout.items() for m, _a in rows}
    copied = {}
    source = f"reprise de l'impact potentiel du {potential.evaluated_on:%d/%m/%Y}"
    for answer in potential.answers.select_related("indicator").filter(baseline__isnull=False):
        if answer.indicator.by_activity and potential.activity != evaluation.activity:
            continue  # a market share of another activity is not this one's "before"
        key = (codes.get(answer.indicator.code), answer.membership_id)
        if key in allowed:
            origin = f" ({answer.baseline_source})" if answer.baseline_source else ""
            copied[key] = Answer(
                evaluation=evaluation,
                indicator_id=key[0],
                membership_id=key[1],
                baseline=answer.baseline,
                baseline_source=f"{source}{origin}"[:255],
            )
    return copied


def check_dates(evaluation: Evaluation) -> None:
    """An effective evaluation cannot be dated before a potential one of the same project."""
    others = Evaluation.objects.filter(cooperation_id=evaluation.cooperation_id).exclude(
        pk=evaluation.pk
    )
    if evaluation.kind == EvaluationKind.EFFECTIVE:
        earlier = (
            others.filter(kind=EvaluationKind.POTENTIAL, evaluated_on__gt=evaluation.evaluated_on)
            .order_by("-evaluated_on")
            .first()
        )
        if earlier:
            raise ValidationError(
                {
                    "evaluated_on": f"L'impact effectif ne peut pas être daté avant l'évaluation "
                    f"de l'impact potentiel du {earlier.evaluated_on:%d/%m/%Y}."
                }
            )
    else:
        later = (
            others.filter(kind=EvaluationKind.EFFECTIVE, evaluated_on__lt=evaluation.evaluated_on)
            .order_by("evaluated_on")
            .first()
        )
        if later:
            raise ValidationError(
                {
                    "evaluated_on": f"L'impact potentiel ne peut pas être daté après l'évaluation "
                    f"de l'impact effectif du {later.evaluated_on:%d/%m/%Y}."
                }
            )


@transaction.atomic
def evaluation_create(
    *, cooperation, user, kind, evaluated_on, comments="", activity=""
) -> Evaluation:
    """A new evaluation on the current catalogue of the cooperation's variant (hospital or
    medico-social, see services.catalogue.variant_for), prefilled from Hospi Diag for the
    chosen `activity` (an Activity code of that catalogue) and from the latest potential
    evaluation's baselines."""
    evaluation = Evaluation(
        cooperation=cooperation,
        catalogue=current_catalogue(variant_for(cooperation)),
        kind=kind,
        activity=activity or "",
        evaluated_on=evaluated_on,
        comments=comments,
        created_by=user,
    )
    evaluation.full_clean()
    check_activity(evaluation)
    check_dates(evaluation)
    evaluation.save()
    data = load_evaluation(evaluation)
    answers = _baselines_from_potential(evaluation, data)
    found = hospidiag.prefills(data.indicators, data.memberships, data.activity)
    for (indicator_id, membership_id), prefill in found.items():
        answers.setdefault(
            (indicator_id, membership_id),
            Answer(
                evaluation=evaluation,
                indicator_id=indicator_id,
                membership_id=membership_id,
                baseline=prefill.value,
                baseline_source=prefill.text,
            ),
        )
    bulk_create_with_history(list(answers.values()), Answer, default_user=user)
    _store_scores(evaluation)
    return evaluation


def validate_row(indicator, row: dict) -> dict:
    """French errors for one answer row, keyed by field name."""
    errors = {}
    if row.get("not_applicable"):
        if not (row.get("not_applicable_reason") or "").strip():
            errors["not_applicable_reason"] = "Indiquez pourquoi l'indicateur ne s'applique pas."
        return errors
    if indicator.is_quantitative:
        if indicator.is_percentage:
            for name in ("baseline", "value"):
                value = row.get(name)
                if value is not None and not (0 <= value <= 100):
                    errors[name] = "Un pourcentage doit être compris entre 0 et 100."
    else:
        level = row.get("level")
        if level is not None and not (0 <= level <= 4):
            errors["level"] = "Le niveau doit être compris entre 0 et 4."
        if level is not None and not (row.get("justification") or "").strip():
            errors["justification"] = "Justifiez le niveau choisi en une phrase au moins."
    return errors


ROW_FIELDS = [
    "baseline",
    "value",
    "level",
    "justification",
    "not_applicable",
    "not_applicable_reason",
]


@transaction.atomic
def evaluation_save(*, evaluation, user, header: dict, rows: dict, version: int) -> Evaluation:
    """header: kind, evaluated_on, comments; rows: {(indicator_id, membership_id): row dict}."""
    if evaluation.is_final:
        raise ValidationError(FINAL_LOCKED)
    data = load_evaluation(evaluation)
    indicators = {i.pk: i for i in data.indicators}
    allowed = {(i, m.pk if m else None) for i, row in data.layout.items() for m, _a in row}
    errors = {}
    for key, row in rows.items():
        if key not in allowed:
            raise ValidationError("Cette ligne ne correspond à aucun indicateur de l'évaluation.")
        for name, message in validate_row(indicators[key[0]], row).items():
            errors[f"{key[0]}-{key[1] or 0}-{name}"] = message
    if errors:
        raise ValidationError(errors)
    for name, value in header.items():
        setattr(evaluation, name, value)
    evaluation.full_clean()
    check_dates(evaluation)
    save_with_version(evaluation, version)
    for (indicator_id, membership_id), row in rows.items():
        answer = data.answers.get((indicator_id, membership_id)) or Answer(
            evaluation=evaluation, indicator_id=indicator_id, membership_id=membership_id
        )
        changed = answer.pk is None
        for name in ROW_FIELDS:
            value = row.get(name)
            if name in ("justification", "not_applicable_reason"):
                value = (value or "").strip()
            if name == "not_applicable":
                value = bool(value)
            if getattr(answer, name) != value:
                if name == "baseline" and answer.baseline_source:
                    answer.baseline_source += " — corrigée à la main"
                setattr(answer, name, value)
                changed = True
        if changed:
            answer.full_clean(exclude=["evaluation", "indicator", "membership"])
            answer.save()
    _store_scores(evaluation)
    return evaluation


def missing_answers(evaluation) -> list[str]:
    return load_evaluation(evaluation).result.missing


# The French reason of a refused move, by target status (the only other status is the
# evaluation's current one).
REFUSALS = {
    EvaluationStatus.FINAL: "Cette évaluation est déjà définitive.",
    EvaluationStatus.DRAFT: "Cette évaluation est déjà en brouillon.",
}


@transaction.atomic
def evaluation_finalize(*, evaluation, user, version: int) -> Evaluation:
    # Refused before the completeness check: a final evaluation is not judged again.
    check_transition(evaluation, EvaluationStatus.FINAL, refusal=REFUSALS[EvaluationStatus.FINAL])
    data = load_evaluation(evaluation)
    missing = data.result.missing
    if missing:
        raise ValidationError(
            [
                f"Impossible de rendre l'évaluation définitive : {len(missing)} réponse(s) "
                "manquante(s). Répondez ou marquez l'indicateur « non applicable » avec un motif :"
            ]
            + missing
        )
    return _transition(evaluation, user, EvaluationStatus.FINAL, version)


@transaction.atomic
def evaluation_reopen(*, evaluation, user, version: int) -> Evaluation:
    return _transition(evaluation, user, EvaluationStatus.DRAFT, version)


def _transition(evaluation, user, to_status, version) -> Evaluation:
    transition(
        evaluation,
        to_status,
        actor=user,
        refusal=REFUSALS[to_status],
        expected_version=version,
    )
    _store_scores(evaluation)
    return evaluation
