"""Slippage, "respect du planning" and weighted progress at their boundaries (no database)."""

from datetime import date, timedelta

import pytest

from suivi import planning
from suivi.models import Rag

PLANNED = date(2026, 6, 30)


def status(*, revised=None, done=None, today=date(2026, 6, 1)):
    return (
        planning.slippage_days(planned_on=PLANNED, revised_on=revised, done_on=done, today=today),
        planning.computed_rag(planned_on=PLANNED, revised_on=revised, done_on=done, today=today),
    )


@pytest.mark.parametrize(
    "revised_offset,expected_slip,expected_rag",
    [
        (None, 0, Rag.ON_TIME),
        (-5, -5, Rag.ON_TIME),  # revised earlier than planned: ahead
        (0, 0, Rag.ON_TIME),
        (1, 1, Rag.AT_RISK),  # first day of slippage
        (30, 30, Rag.AT_RISK),  # last day still "at risk"
        (31, 31, Rag.LATE),  # one more day: late
    ],
)
def test_open_deliverable_slippage_and_rag_from_revised_date(
    revised_offset, expected_slip, expected_rag
):
    revised = PLANNED + timedelta(days=revised_offset) if revised_offset is not None else None
    assert status(revised=revised) == (expected_slip, expected_rag)


def test_done_deliverable_slippage_is_measured_at_delivery():
    assert status(done=PLANNED, today=date(2026, 12, 1)) == (0, Rag.ON_TIME)
    assert status(done=PLANNED + timedelta(days=30), today=date(2026, 12, 1)) == (30, Rag.AT_RISK)
    assert status(done=PLANNED + timedelta(days=31), today=date(2026, 12, 1)) == (31, Rag.LATE)
    assert status(done=PLANNED - timedelta(days=3), today=date(2026, 12, 1)) == (-3, Rag.ON_TIME)


def test_open_deliverable_past_its_due_date_is_late_even_with_small_slippage():
    # Due on the planned date, still open the day after: one day of slippage but already late.
    assert status(today=PLANNED) == (0, Rag.ON_TIME)
    assert status(today=PLANNED + timedelta(days=1)) == (1, Rag.LATE)
    # Revised to +10 days: on its due day it is at risk, the day after it is late.
    revised = PLANNED + timedelta(days=10)
    assert status(revised=revised, today=revised) == (10, Rag.AT_RISK)
    assert status(revised=revised, today=revised + timedelta(days=1)) == (11, Rag.LATE)


def test_no_baseline_means_no_slippage_and_no_rag():
    assert (
        planning.slippage_days(planned_on=None, revised_on=None, done_on=None, today=PLANNED)
        is None
    )
    assert (
        planning.computed_rag(planned_on=None, revised_on=None, done_on=None, today=PLANNED) is None
    )


def test_override_wins_and_is_flagged():
    class D:
        planned_on, revised_on, done_on = PLANNED, PLANNED + timedelta(days=60), None
        rag_override = Rag.AT_RISK

    result = planning.deliverable_status(D, date(2026, 6, 1))
    assert result.computed == Rag.LATE
    assert result.effective == Rag.AT_RISK
    assert result.overridden and result.label == "À risque" and result.badge == "warning"


def test_weighted_progress_uses_weights_and_rounds():
    assert planning.weighted_progress([]) is None
    assert planning.weighted_progress([(100, 1), (0, 1)]) == 50
    assert planning.weighted_progress([(100, 3), (0, 1)]) == 75
    assert planning.weighted_progress([(10, 1), (20, 2)]) == 17  # 50/3 = 16.67


def test_worst_rag():
    assert planning.worst_rag([Rag.ON_TIME, None, Rag.AT_RISK]) == Rag.AT_RISK
    assert planning.worst_rag([Rag.ON_TIME, Rag.LATE, Rag.AT_RISK]) == Rag.LATE
    assert planning.worst_rag([None]) is None


@pytest.mark.parametrize(
    "day,months,expected",
    [
        (date(2026, 2, 14), 1, (date(2026, 2, 1), date(2026, 2, 28))),
        (date(2028, 2, 14), 1, (date(2028, 2, 1), date(2028, 2, 29))),
        (date(2026, 5, 31), 3, (date(2026, 4, 1), date(2026, 6, 30))),
        (date(2026, 12, 1), 6, (date(2026, 7, 1), date(2026, 12, 31))),
        (date(2026, 4, 1), 2, (date(2026, 3, 1), date(2026, 4, 30))),
    ],
)
def test_reporting_periods(day, months, expected):
    assert planning.period_bounds(day, months) == expected


def test_rule_text_states_the_thresholds():
    rule = planning.rag_rule()  # the default threshold
    assert "1 à 30 jours" in rule and "au-delà de 30 jours" in rule
