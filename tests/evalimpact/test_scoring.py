"""Scoring rules as plain functions (no database)."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from evalimpact.services import scoring

DEFAULT = [-5, 2, 10, 25]


@dataclass
class FakeIndicator:
    code: str
    kind: str = "quantitative"
    direction: str = "higher"
    thresholds: list = None
    weight: Decimal = Decimal("1")
    axis_id: int = 1
    pk: int = 0
    label: str = "indicateur"

    def __post_init__(self):
        self.thresholds = self.thresholds or list(DEFAULT)

    @property
    def is_quantitative(self):
        return self.kind == "quantitative"


@dataclass
class FakeAnswer:
    baseline: Decimal | None = None
    value: Decimal | None = None
    level: int | None = None
    not_applicable: bool = False


@dataclass
class FakeAxis:
    pk: int
    code: int
    weight: Decimal = Decimal("1")


@pytest.mark.parametrize(
    "change,expected",
    [
        (-30, 0),
        (-5.01, 0),
        (-5, 1),
        (0, 1),
        (1.99, 1),
        (2, 2),
        (9.99, 2),
        (10, 3),
        (24.9, 3),
        (25, 4),
        (300, 4),
    ],
)
def test_thresholds_place_a_change_on_the_0_to_4_scale(change, expected):
    assert scoring.score_from_change(change, DEFAULT) == expected


def test_custom_thresholds_from_the_catalogue_are_used():
    assert scoring.score_from_change(4, [0, 5, 10, 20]) == 1
    assert scoring.score_from_change(4, DEFAULT) == 2


def test_higher_is_better_rewards_a_rise():
    # F3: 120 → 150 consultations = +25 % → 4
    result = scoring.score_answer(FakeIndicator("F3"), FakeAnswer(Decimal(120), Decimal(150)))
    assert result.change == pytest.approx(25)
    assert result.score == 4


def test_lower_is_better_rewards_a_fall_and_punishes_a_rise():
    absenteeism = FakeIndicator("T1", direction="lower")
    # 10 % → 9 %: a 10 % fall, which is a +10 % improvement → 3
    fall = scoring.score_answer(absenteeism, FakeAnswer(Decimal(10), Decimal(9)))
    assert fall.change == pytest.approx(10)
    assert fall.score == 3
    # 10 % → 11 %: a 10 % rise is a −10 % change once signed → 0
    rise = scoring.score_answer(absenteeism, FakeAnswer(Decimal(10), Decimal(11)))
    assert rise.change == pytest.approx(-10)
    assert rise.score == 0


def test_a_zero_baseline_is_not_scored_on_a_relative_scale_but_is_on_an_absolute_one():
    relative = FakeIndicator("E3")
    result = scoring.score_answer(relative, FakeAnswer(Decimal(0), Decimal(900000)))
    assert result.score is None and result.missing and "référence nulle" in result.problem
    assert scoring.score_answer(relative, FakeAnswer(Decimal(0), Decimal(0))).score == 1
    absolute = FakeIndicator("E3", thresholds=[-1, 1, 100000, 500000])
    absolute.scale, absolute.unit = "absolute", "€ par an"
    result = scoring.score_answer(absolute, FakeAnswer(Decimal(0), Decimal(900000)))
    assert (result.score, result.change, result.absolute) == (4, 900000, True)
    layout = {0: [(None, FakeAnswer(Decimal(0), Decimal(5)))]}
    missing = scoring.evaluate([FakeAxis(1, 1)], [relative], layout).missing
    assert missing == ["E3 — indicateur (la coopération) : " + scoring.ZERO_BASELINE]


def test_missing_and_not_applicable_answers_have_no_score():
    indicator = FakeIndicator("F2", direction="lower")
    assert scoring.score_answer(indicator, None).missing
    assert scoring.score_answer(indicator, FakeAnswer(Decimal(10), None)).missing
    na = scoring.score_answer(indicator, FakeAnswer(not_applicable=True))
    assert na.not_applicable and na.score is None and not na.missing


def test_qualitative_score_is_the_chosen_level():
    indicator = FakeIndicator("F5", kind="qualitative", direction="")
    assert scoring.score_answer(indicator, FakeAnswer(level=3)).score == 3
    assert scoring.score_answer(indicator, FakeAnswer(level=None)).missing


def test_axis_score_is_the_weighted_mean_of_applicable_indicators_times_25():
    a = FakeIndicator("A", weight=Decimal(2), pk=1)
    b = FakeIndicator("B", kind="qualitative", pk=2)
    c = FakeIndicator("C", pk=3)
    layout = {
        1: [(None, FakeAnswer(Decimal(100), Decimal(130)))],  # +30 % → 4, weight 2
        2: [(None, FakeAnswer(level=1))],  # 1
        3: [(None, FakeAnswer(not_applicable=True))],  # left out
    }
    result = scoring.evaluate([FakeAxis(1, 1)], [a, b, c], layout)
    axis = result.axes[0]
    # (4 × 2 + 1 × 1) ÷ 3 = 3 → 75
    assert axis.score == pytest.approx(75)
    assert result.missing == []
    text = scoring.axis_method_text(axis)
    assert "(4 × 2 (A) + 1 × 1 (B)) ÷ (2 + 1) = 3 sur 4, × 25 = 75 sur 100." in text
    assert "Non comptés (non applicables ou sans réponse) : C." in text


def test_an_indicator_answered_per_member_scores_the_mean_of_its_members():
    ipdms = FakeIndicator("E5", direction="lower", pk=1)
    layout = {
        1: [
            (None, FakeAnswer(Decimal("1.10"), Decimal("0.99"))),  # −10 % → +10 → 3
            (None, FakeAnswer(Decimal("1.00"), Decimal("1.01"))),  # +1 % → −1 → 1
        ]
    }
    result = scoring.evaluate([FakeAxis(1, 1)], [ipdms], layout)
    assert result.axes[0].indicators[0].score == pytest.approx(2)
    assert result.axes[0].score == pytest.approx(50)


def test_an_axis_with_nothing_scored_has_no_score_and_missing_rows_are_named():
    indicator = FakeIndicator("F2", pk=1)
    result = scoring.evaluate([FakeAxis(1, 1)], [indicator], {1: [(None, None)]})
    assert result.axes[0].score is None
    assert result.overall is None
    assert result.missing == ["F2 — indicateur (la coopération)"]


def test_overall_score_weights_the_axes():
    axes = [FakeAxis(1, 1, Decimal(3)), FakeAxis(2, 2, Decimal(1))]
    a = FakeIndicator("A", axis_id=1, pk=1)
    b = FakeIndicator("B", axis_id=2, pk=2, kind="qualitative")
    layout = {1: [(None, FakeAnswer(Decimal(100), Decimal(130)))], 2: [(None, FakeAnswer(level=0))]}
    result = scoring.evaluate(axes, [a, b], layout)
    assert result.overall == pytest.approx((100 * 3 + 0 * 1) / 4)


@pytest.mark.parametrize("thresholds", [[1, 2, 3], [10, 5, 20, 30], "abc", [1, 2, 3, True]])
def test_bad_thresholds_are_refused_in_french(thresholds):
    with pytest.raises(ValidationError) as error:
        scoring.validate_thresholds(thresholds)
    assert "seuils" in error.value.messages[0]
