from datetime import date

import pytest

from suivi import gantt, selectors
from tests.suivi.factories import ActivityFactory, DeliverableFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)


@pytest.fixture
def chart(world):
    activity = ActivityFactory(cooperation=world.coop_ara, title="Imagerie")
    DeliverableFactory(
        activity=activity,
        title="Étude",
        planned_on=date(2026, 3, 1),
        done_on=date(2026, 3, 5),
        progress=100,
    )
    DeliverableFactory(
        activity=activity,
        title="Salle IRM",
        planned_on=date(2026, 5, 1),
        revised_on=date(2026, 7, 31),
    )
    DeliverableFactory(
        activity=activity,
        title="Mise en service",
        kind="jalon",
        planned_on=date(2026, 9, 1),
        revised_on=date(2026, 10, 1),
    )
    return gantt.build(selectors.tracker(world.coop_ara, TODAY))


def test_bars_are_placed_at_their_dates(chart):
    # The chart starts on the first of the month of the earliest bar start (1 March - 30 days).
    assert chart.start == date(2026, 1, 1)
    assert chart.end == date(2026, 11, 1)
    per_day = chart.px_per_day
    assert per_day == pytest.approx(gantt.CHART_WIDTH / (chart.end - chart.start).days)

    rows = {r.label: r for r in chart.rows if not r.is_activity}
    study, room, milestone = rows["Étude"], rows["Salle IRM"], rows["Mise en service"]

    def x(day):
        return gantt.LABEL_WIDTH + (day - chart.start).days * per_day

    # First deliverable: a 30-day bar ending on its planned date.
    assert study.planned_x == pytest.approx(x(date(2026, 1, 30)), abs=0.01)
    assert study.planned_x + study.planned_width == pytest.approx(x(date(2026, 3, 1)), abs=0.02)
    assert study.done_x == pytest.approx(x(date(2026, 3, 5)), abs=0.01)
    # Next one starts where the previous was planned to end; the revised bar ends on the revised date.
    assert room.planned_x == pytest.approx(x(date(2026, 3, 1)), abs=0.01)
    assert room.planned_x + room.planned_width == pytest.approx(x(date(2026, 5, 1)), abs=0.02)
    assert room.revised_x + room.revised_width == pytest.approx(x(date(2026, 7, 31)), abs=0.02)
    # Revised bar longer than planned by exactly the slippage (91 days).
    assert room.revised_width - room.planned_width == pytest.approx(91 * per_day, abs=0.03)
    # Milestones: a diamond at the planned date and one at the revised date.
    assert milestone.planned_x == pytest.approx(x(date(2026, 9, 1)), abs=0.01)
    assert milestone.milestone_x == pytest.approx(x(date(2026, 10, 1)), abs=0.01)
    assert chart.today_x == pytest.approx(x(TODAY), abs=0.01)
    assert room.rag == "late"


def test_svg_in_the_page_carries_the_same_positions(world, login, chart):
    expected = gantt.build(selectors.tracker(world.coop_ara))  # the page uses today's date
    rows = {r.label: r for r in expected.rows if not r.is_activity}
    html = login(world.referent_a).get(f"/suivi/{world.coop_ara.pk}/").content.decode()
    assert 'role="img"' in html and '<title id="gantt-title">' in html
    room = rows["Salle IRM"]
    assert f'class="gantt-planned" x="{room.planned_x}"' in html
    assert f'width="{room.revised_width}"' in html
    assert f'data-x="{rows["Mise en service"].milestone_x}"' in html
    # The table alternative gives the same dates in text.
    assert "Alternative textuelle du diagramme de Gantt" in html
    assert "31/07/2026" in html


def test_no_dated_deliverable_means_no_chart(world):
    ActivityFactory(cooperation=world.coop_ara)
    assert gantt.build(selectors.tracker(world.coop_ara, TODAY)) is None
