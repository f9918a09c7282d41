"""Evaluation services: saving answers, French refusals, finalising, versions, history."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.locking import StaleObjectError
from evalimpact.models import Answer, Evaluation, EvaluationTransition
from evalimpact.services import evaluations as services
from tests.cooperations.factories import CooperationFactory
from tests.evalimpact.factories import complete_rows, create_evaluation, empty_row, indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation():
    return create_evaluation(CooperationFactory(members=2))


def _save(evaluation, rows, **header):
    evaluation.refresh_from_db()
    return services.evaluation_save(
        evaluation=evaluation, user=None, header=header, rows=rows, version=evaluation.version
    )


def test_saving_answers_computes_and_stores_axis_scores(evaluation):
    # Every quantitative row +10 % (→ 3 when higher is better, 0 when lower is better),
    # every qualitative level 3.
    _save(evaluation, complete_rows(evaluation))
    evaluation.refresh_from_db()
    # Axis 1: F1 ↑3, F2 ↓0, F3 ↑3, F4 ↓0, F5 3, F6 3 → 12/6 = 2 → 50
    assert evaluation.axis_scores["1"] == 50.0
    # Axis 3: T1–T4 are all "lower is better" → 0; T5–T7 → 3: 9/7 × 25 = 32.1
    assert evaluation.axis_scores["3"] == 32.1
    # No activity chosen: F1, E2 and E5 are answered once like 20 others (no Hospi Diag
    # code to feed them); T1 and T4 (RH8, RH9) for each of the 2 members.
    assert Answer.objects.filter(evaluation=evaluation).count() == 23 + 2 * 2
    assert evaluation.history.count() >= 2


def test_percentages_outside_0_100_are_refused_and_nothing_is_saved(evaluation):
    rows = complete_rows(evaluation, {"T1": {"baseline": 9, "value": 140}})
    with pytest.raises(ValidationError) as error:
        _save(evaluation, rows)
    t1 = indicator(evaluation, "T1")
    messages = error.value.message_dict
    member_keys = [k for k in messages if k.startswith(f"{t1.pk}-")]
    assert member_keys and all(k.endswith("-value") for k in member_keys)
    assert messages[member_keys[0]] == ["Un pourcentage doit être compris entre 0 et 100."]
    assert not Answer.objects.filter(evaluation=evaluation, level__isnull=False).exists()


def test_not_applicable_needs_a_reason_and_a_level_needs_a_justification(evaluation):
    f2, f5 = indicator(evaluation, "F2"), indicator(evaluation, "F5")
    rows = {
        (f2.pk, None): empty_row(not_applicable=True),
        (f5.pk, None): empty_row(level=2),
    }
    with pytest.raises(ValidationError) as error:
        _save(evaluation, rows)
    assert error.value.message_dict == {
        f"{f2.pk}-0-not_applicable_reason": ["Indiquez pourquoi l'indicateur ne s'applique pas."],
        f"{f5.pk}-0-justification": ["Justifiez le niveau choisi en une phrase au moins."],
    }


def test_a_final_evaluation_is_refused_while_answers_are_missing(evaluation):
    rows = complete_rows(evaluation)
    f2, q5 = indicator(evaluation, "F2"), indicator(evaluation, "Q5")
    rows[(f2.pk, None)] = empty_row(baseline=30)  # no target yet
    rows[(q5.pk, None)] = empty_row()
    _save(evaluation, rows)
    evaluation.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.evaluation_finalize(evaluation=evaluation, user=None, version=evaluation.version)
    assert error.value.messages == [
        "Impossible de rendre l'évaluation définitive : 2 réponse(s) manquante(s). Répondez ou "
        "marquez l'indicateur « non applicable » avec un motif :",
        "F2 — Délai d'accès au service (la coopération)",
        "Q5 — Sécurité des processus (la coopération)",
    ]
    evaluation.refresh_from_db()
    assert evaluation.status == "draft"


def test_not_applicable_with_a_reason_lets_the_evaluation_become_final(evaluation):
    rows = complete_rows(
        evaluation,
        {"F4": {"not_applicable": True, "not_applicable_reason": "Pas d'hospitalisation."}},
    )
    _save(evaluation, rows)
    evaluation.refresh_from_db()
    services.evaluation_finalize(evaluation=evaluation, user=None, version=evaluation.version)
    evaluation.refresh_from_db()
    assert evaluation.status == "final"
    # F4 left out: F1 3, F2 0, F3 3, F5 3, F6 3 → 12/5 × 25 = 60
    assert evaluation.axis_scores["1"] == 60.0
    log = EvaluationTransition.objects.get(evaluation=evaluation)
    assert (log.from_state, log.to_state) == ("draft", "final")
    with pytest.raises(ValidationError, match="repassez-la en brouillon"):
        _save(evaluation, rows)
    services.evaluation_reopen(evaluation=evaluation, user=None, version=evaluation.version)
    assert EvaluationTransition.objects.filter(evaluation=evaluation).count() == 2


def test_a_stale_version_is_refused(evaluation):
    stale = evaluation.version
    _save(evaluation, complete_rows(evaluation))
    with pytest.raises(StaleObjectError):
        services.evaluation_save(
            evaluation=evaluation, user=None, header={"comments": "autre"}, rows={}, version=stale
        )
    evaluation.refresh_from_db()
    assert evaluation.comments == ""


def test_effective_cannot_be_dated_before_potential():
    cooperation = CooperationFactory()
    create_evaluation(cooperation, kind="potential", on=date(2026, 3, 1))
    with pytest.raises(ValidationError) as error:
        create_evaluation(cooperation, kind="effective", on=date(2026, 2, 1))
    assert error.value.message_dict["evaluated_on"] == [
        "L'impact effectif ne peut pas être daté avant l'évaluation de l'impact potentiel du "
        "01/03/2026."
    ]
    assert Evaluation.objects.filter(cooperation=cooperation).count() == 1


def test_a_corrected_prefill_says_so(evaluation):
    t1 = indicator(evaluation, "T1")
    membership = evaluation.cooperation.memberships.first()
    Answer.objects.create(
        evaluation=evaluation,
        indicator=t1,
        membership=membership,
        baseline=Decimal("9.4"),
        baseline_source="Hospi Diag 2022, RH8",
    )
    _save(evaluation, {(t1.pk, membership.pk): empty_row(baseline=Decimal("8.9"), value=8)})
    answer = Answer.objects.get(evaluation=evaluation, indicator=t1, membership=membership)
    assert answer.baseline == Decimal("8.9")
    assert answer.baseline_source == "Hospi Diag 2022, RH8 — corrigée à la main"


def test_effective_evaluation_starts_from_the_potential_baselines():
    from evalimpact.models import HospidiagValue

    cooperation = CooperationFactory(members=1)
    membership = cooperation.memberships.get()
    HospidiagValue.objects.create(
        finess=membership.establishment.legal_entity.finess,
        year=2022,
        code="RH8",
        value=Decimal("9.4"),
        source="Hospi Diag 2022 (hd2022.csv)",
    )
    potential = create_evaluation(cooperation, kind="potential", on=date(2026, 1, 10))
    f2, t1 = indicator(potential, "F2"), indicator(potential, "T1")
    _save(
        potential,
        {
            (f2.pk, None): empty_row(baseline=Decimal(40), value=Decimal(25)),
            (t1.pk, membership.pk): empty_row(baseline=Decimal("9.1"), value=Decimal(8)),
        },
    )
    effective = create_evaluation(cooperation, kind="effective", on=date(2026, 12, 1))
    f2_after = Answer.objects.get(evaluation=effective, indicator__code="F2")
    assert (f2_after.baseline, f2_after.value) == (40, None)
    assert f2_after.baseline_source == "reprise de l'impact potentiel du 10/01/2026"
    # The baseline corrected by hand in the potential evaluation wins over Hospi Diag.
    t1_after = Answer.objects.get(evaluation=effective, indicator__code="T1")
    assert t1_after.baseline == Decimal("9.1")
    assert t1_after.baseline_source.startswith("reprise de l'impact potentiel du 10/01/2026 (")
    assert t1_after.history.count() == 1
