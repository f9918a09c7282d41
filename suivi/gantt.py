"""Server-side Gantt geometry: every x is a linear function of a date, so tests can check it.

The SVG itself is written in templates/suivi/_gantt.svg.html, from this geometry only,
so the same drawing appears in the page and in the COPIL PDF.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

LABEL_WIDTH = 230
CHART_WIDTH = 620
ROW_HEIGHT = 22
HEADER_HEIGHT = 28
ACTIVITY_ROW_HEIGHT = 20


@dataclass
class Bar:
    y: float
    label: str
    kind: str
    planned_x: float | None = None
    planned_width: float | None = None
    revised_x: float | None = None
    revised_width: float | None = None
    milestone_x: float | None = None
    done_x: float | None = None
    rag: str | None = None
    is_activity: bool = False


@dataclass
class Gantt:
    start: date
    end: date
    px_per_day: float
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    rows: list = field(default_factory=list)
    months: list = field(default_factory=list)
    today_x: float | None = None

    def x(self, day: date) -> float:
        return round(self.label_width + (day - self.start).days * self.px_per_day, 2)


def _bounds(tracker) -> tuple[date, date]:
    days = [tracker.today]
    for row in tracker.deliverables:
        days += [d for d in (row.planned_on, row.revised_on, row.done_on) if d]
        if row.planned_on:
            days.append(row.planned_on - timedelta(days=DEFAULT_BAR_DAYS))
    start = min(days).replace(day=1)
    last = max(days)
    end = (last.replace(day=1) + timedelta(days=32)).replace(day=1)
    return start, end


# Deliverables have no start date: a bar starts where the previous deliverable of the same
# activity was planned to end (work is sequenced), or this many days before its own date.
DEFAULT_BAR_DAYS = 30


def build(tracker, *, chart_width: int = CHART_WIDTH) -> Gantt | None:
    if not any(r.planned_on or r.revised_on for r in tracker.deliverables):
        return None
    start, end = _bounds(tracker)
    span = max((end - start).days, 1)
    gantt = Gantt(
        start=start,
        end=end,
        px_per_day=chart_width / span,
        width=LABEL_WIDTH + chart_width + 10,
        height=0,
    )
    y = HEADER_HEIGHT
    for activity_row in tracker.activities:
        gantt.rows.append(
            Bar(
                y=y,
                label=activity_row.activity.title,
                kind="activity",
                rag=activity_row.rag,
                is_activity=True,
            )
        )
        y += ACTIVITY_ROW_HEIGHT
        previous_planned = None
        for row in activity_row.deliverables:
            bar = Bar(y=y, label=row.title, kind=row.kind, rag=row.status.effective)
            if row.kind == "jalon":
                if row.planned_on:
                    bar.planned_x = gantt.x(row.planned_on)
                if row.revised_on and row.revised_on != row.planned_on:
                    bar.milestone_x = gantt.x(row.revised_on)
            elif row.planned_on:
                begin = row.planned_on - timedelta(days=DEFAULT_BAR_DAYS)
                if previous_planned and previous_planned < row.planned_on:
                    begin = previous_planned
                bar.planned_x = gantt.x(begin)
                bar.planned_width = round(gantt.x(row.planned_on) - bar.planned_x, 2)
                if row.revised_on and row.revised_on != row.planned_on:
                    bar.revised_x = bar.planned_x
                    bar.revised_width = max(round(gantt.x(row.revised_on) - bar.revised_x, 2), 2)
            if row.planned_on:
                previous_planned = row.planned_on
            if row.done_on:
                bar.done_x = gantt.x(row.done_on)
            gantt.rows.append(bar)
            y += ROW_HEIGHT
    gantt.height = int(y + 8)
    month = start
    while month < end:
        gantt.months.append({"x": gantt.x(month), "label": f"{month:%m/%y}"})
        month = (month + timedelta(days=32)).replace(day=1)
    if start <= tracker.today <= end:
        gantt.today_x = gantt.x(tracker.today)
    return gantt
