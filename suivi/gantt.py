"""Server-side Gantt geometry: every x is a linear function of a date, so tests can check it.

The SVG itself is written in templates/suivi/_gantt.svg.html, from this geometry only,
so the same drawing appears in the page and in the COPIL PDF.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from core.text import is_plausible

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
    lines: list = field(default_factory=list)  # the full label, wrapped
    height: float = ROW_HEIGHT
    # An open deliverable past its due date with no revision: the bar runs on to today.
    overdue_x: float | None = None
    overdue_width: float | None = None
    # Activity rows: the span of its deliverables (start of the first, end of the last).
    span_x: float | None = None
    span_end_x: float | None = None
    activity_id: int | None = None


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
    arrows: list = field(default_factory=list)  # dependencies between activities

    def x(self, day: date) -> float:
        return round(self.label_width + (day - self.start).days * self.px_per_day, 2)


def _day(value: date | None) -> date | None:
    """A date the chart can draw: legacy rows outside the plausible range (year 1, 9999,
    a typo like 0026) are left out of the drawing, not allowed to stretch it to 2 000 years
    or overflow the date arithmetic (they are listed, with their date, in the table)."""
    return value if value is not None and is_plausible(value) else None


def _bounds(tracker) -> tuple[date, date]:
    days = [tracker.today]
    for row in tracker.deliverables:
        planned = _day(row.planned_on)
        days += [d for d in (planned, _day(row.revised_on), _day(row.done_on)) if d]
        if planned:
            days.append(planned - timedelta(days=DEFAULT_BAR_DAYS))
    start = min(days).replace(day=1)
    last = max(days)
    end = (last.replace(day=1) + timedelta(days=32)).replace(day=1)
    return start, end


# Deliverables have no start date: a bar starts where the previous deliverable of the same
# activity was planned to end (work is sequenced), or this many days before its own date.
DEFAULT_BAR_DAYS = 30


# Labels are written in full: the label column widens up to this, then lines wrap.
MAX_LABEL_WIDTH = 380
CHAR_WIDTH = 5.4  # average width of a 10 px Marianne character
LINE_HEIGHT = 12


def _wrap(text: str, width_px: float, indent: float) -> list[str]:
    import textwrap

    chars = max(int((width_px - indent - 6) / CHAR_WIDTH), 12)
    return textwrap.wrap(text, chars, break_long_words=True) or [""]


def _label_width(tracker) -> int:
    labels = [a.activity.title for a in tracker.activities] + [
        r.title for r in tracker.deliverables
    ]
    longest = max((len(label) for label in labels), default=0)
    return int(min(max(LABEL_WIDTH, longest * CHAR_WIDTH + 20), MAX_LABEL_WIDTH))


def build(tracker, *, chart_width: int = CHART_WIDTH) -> Gantt | None:
    if not any(r.planned_on or r.revised_on for r in tracker.deliverables):
        return None
    start, end = _bounds(tracker)
    span = max((end - start).days, 1)
    label_width = _label_width(tracker)
    gantt = Gantt(
        start=start,
        end=end,
        px_per_day=chart_width / span,
        width=label_width + chart_width + 10,
        height=0,
        label_width=label_width,
    )
    y = HEADER_HEIGHT
    activity_bars = {}
    for activity_row in tracker.activities:
        lines = _wrap(activity_row.activity.title, label_width, 4)
        activity_bar = Bar(
            y=y,
            label=activity_row.activity.title,
            kind="activity",
            rag=activity_row.rag,
            is_activity=True,
            lines=lines,
            height=max(ACTIVITY_ROW_HEIGHT, len(lines) * LINE_HEIGHT + 6),
            activity_id=activity_row.activity.pk,
        )
        gantt.rows.append(activity_bar)
        activity_bars[activity_row.activity.pk] = activity_bar
        y += activity_bar.height
        previous_planned = None
        for row in activity_row.deliverables:
            planned, revised, done = _day(row.planned_on), _day(row.revised_on), _day(row.done_on)
            lines = _wrap(row.title, label_width, 12)
            bar = Bar(
                y=y,
                label=row.title,
                kind=row.kind,
                rag=row.status.effective,
                lines=lines,
                height=max(ROW_HEIGHT, len(lines) * LINE_HEIGHT + 6),
            )
            if row.kind == "jalon":
                if planned:
                    bar.planned_x = gantt.x(planned)
                if revised and revised != planned:
                    bar.milestone_x = gantt.x(revised)
            elif planned:
                begin = planned - timedelta(days=DEFAULT_BAR_DAYS)
                if previous_planned and previous_planned < planned:
                    begin = previous_planned
                bar.planned_x = gantt.x(begin)
                bar.planned_width = round(gantt.x(planned) - bar.planned_x, 2)
                if revised and revised != planned:
                    bar.revised_x = bar.planned_x
                    bar.revised_width = max(round(gantt.x(revised) - bar.revised_x, 2), 2)
            due = revised or planned
            if not done and due and due < tracker.today and bar.planned_x is not None:
                # Late and still open, revised or not: drawn red up to today.
                begin = gantt.x(due)
                bar.overdue_x = begin
                bar.overdue_width = max(round(gantt.x(tracker.today) - begin, 2), 2)
                bar.rag = "late"
            if planned:
                previous_planned = planned
            if done:
                bar.done_x = gantt.x(done)
            xs = [v for v in (bar.planned_x, bar.revised_x, bar.milestone_x) if v is not None]
            ends = [
                v
                for v in (
                    (bar.planned_x or 0) + (bar.planned_width or 0) if bar.planned_x else None,
                    (bar.revised_x or 0) + (bar.revised_width or 0) if bar.revised_x else None,
                    bar.milestone_x,
                    bar.planned_x if row.kind == "jalon" else None,
                )
                if v is not None
            ]
            if xs:
                activity_bar.span_x = min(xs + [activity_bar.span_x or xs[0]])
            if ends:
                activity_bar.span_end_x = max(ends + [activity_bar.span_end_x or ends[0]])
            gantt.rows.append(bar)
            y += bar.height
    gantt.height = int(y + 8)
    for activity_row in tracker.activities:
        target = activity_bars[activity_row.activity.pk]
        for predecessor in activity_row.activity.depends_on.all():
            source = activity_bars.get(predecessor.pk)
            if source is None or source.span_end_x is None or target.span_x is None:
                continue
            gantt.arrows.append(
                {
                    "x1": source.span_end_x,
                    "y1": source.y + 9,
                    "x2": target.span_x,
                    "y2": target.y + 9,
                    "label": f"« {activity_row.activity.title} » dépend de « {predecessor.title} »",
                }
            )
    month = start
    while month < end:
        gantt.months.append({"x": gantt.x(month), "label": f"{month:%m/%y}"})
        month = (month + timedelta(days=32)).replace(day=1)
    if start <= tracker.today <= end:
        gantt.today_x = gantt.x(tracker.today)
    return gantt
