"""The 4-axis radar (matplotlib, Agg), potential and effective overlaid, cached by content.

The figure is drawn from a RadarData, the same object the data table beside it is rendered
from. The cache key is a hash of the plotted data, so an unchanged evaluation is never
redrawn (whatever process asks for it: the cache is Django's, Redis in production).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from dataclasses import dataclass

from django.core.cache import cache

from evalimpact.services.scoring import format_number

CACHE_SECONDS = 60 * 60 * 24 * 30
SERIES_STYLE = {
    "potential": {"color": "#000091", "linestyle": "--", "marker": "o"},
    "effective": {"color": "#18753c", "linestyle": "-", "marker": "s"},
}


@dataclass(frozen=True)
class Series:
    key: str  # potential / effective
    label: str  # "Impact potentiel (12/03/2024)"
    values: tuple  # one score 0–100 (or None) per axis

    @property
    def short_label(self) -> str:
        """ "Potentiel 10/01/2026": fits a table column header."""
        kind = "Potentiel" if self.key == "potential" else "Effectif"
        return f"{kind} {self.label.rsplit('(', 1)[-1].rstrip(')')}"


@dataclass(frozen=True)
class RadarData:
    axis_labels: tuple
    series: tuple

    def fingerprint(self) -> str:
        payload = json.dumps(
            {"axes": self.axis_labels, "series": [(s.key, s.label, s.values) for s in self.series]},
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    def alt_text(self) -> str:
        parts = []
        for series in self.series:
            scores = " ; ".join(
                f"{label} {format_number(v) if v is not None else 'non calculé'}"
                for label, v in zip(self.axis_labels, series.values, strict=True)
            )
            parts.append(f"{series.label} : {scores}")
        return "Radar à quatre axes, notes sur 100. " + ". ".join(parts) + "."


def radar_data(axes, evaluations) -> RadarData:
    """axes: catalogue axes (ordered); evaluations: up to one per kind, with axis_scores."""
    series = []
    for evaluation in evaluations:
        if evaluation is None:
            continue
        values = tuple(
            (
                round(float(v), 1)
                if (v := evaluation.axis_scores.get(str(a.code))) is not None
                else None
            )
            for a in axes
        )
        label = f"{evaluation.get_kind_display()} ({evaluation.evaluated_on:%d/%m/%Y})"
        series.append(Series(evaluation.kind, label, values))
    return RadarData(tuple(a.short_label for a in axes), tuple(series))


def draw(data: RadarData, fmt: str = "svg") -> bytes:
    import math

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    settings = {
        "svg.fonttype": "none",  # keep text as text: searchable and testable
        "svg.hashsalt": "kitcoop",  # stable ids: same data, same bytes
        "font.family": "DejaVu Sans",
    }
    with matplotlib.rc_context(settings):
        return _draw(data, fmt, plt, math)


def _draw(data, fmt, plt, math) -> bytes:
    count = len(data.axis_labels)
    angles = [2 * math.pi * i / count for i in range(count)]
    fig = plt.figure(figsize=(5.6, 5.2), dpi=110)
    try:
        ax = fig.add_subplot(projection="polar")
        # First axis at the top, then clockwise, as radars are usually read.
        ax.set_theta_offset(math.pi / 2)
        ax.set_theta_direction(-1)
        ax.set_thetalim(0, 2 * math.pi)
        ax.set_ylim(0, 100)
        ax.set_yticks([25, 50, 75, 100])
        ax.set_yticklabels(["25", "50", "75", "100"], fontsize=7, color="#666")
        ax.set_xticks(angles)
        ax.set_xticklabels([_wrap(label) for label in data.axis_labels], fontsize=9)
        ax.set_rlabel_position(45)
        ax.tick_params(axis="x", pad=10)
        ax.grid(color="#ccc")
        close = _close_spokes(data)
        unknown = sorted({i for s in data.series for i, v in enumerate(s.values) if v is None})
        for index in unknown:
            _draw_gap(ax, angles[index], index, math)
        for series in data.series:
            style = SERIES_STYLE.get(series.key, {"color": "#666", "linestyle": "-", "marker": "o"})
            _draw_series(ax, series, style, angles, close, math)
        if unknown:
            # Say in the legend what a gap means, so that nobody reads it as a zero.
            ax.plot([], [], color=GAP_COLOR, linestyle="--", linewidth=1.2, label=GAP_LEGEND)
        fig.subplots_adjust(left=0.19, right=0.81, top=0.9, bottom=0.2)
        if data.series:
            fig.legend(loc="lower center", ncol=1, fontsize=8, frameon=False)
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
        return buffer.getvalue()
    finally:
        plt.close(fig)


GAP_LEGEND = "n.c. : axe non calculé (ni point ni trait : ce n'est pas un zéro)"
GAP_COLOR = "#666666"


def _draw_gap(ax, angle, index, math) -> None:
    """The sector of an unknown axis outlined in grey dashes: its spoke and an arc."""
    half = math.pi / 6
    steps = [angle - half + k * (2 * half) / 24 for k in range(25)]
    (outline,) = ax.plot(
        [angle - half] + steps + [angle + half],
        [0] + [100] * len(steps) + [0],
        color=GAP_COLOR,
        linestyle="--",
        linewidth=1,
    )
    outline.set_gid(f"radar-gap-{index}")
    ax.fill(
        [angle - half] + steps + [angle + half],
        [0] + [100] * len(steps) + [0],
        color=GAP_COLOR,
        alpha=0.06,
    )


# Bumped whenever the drawing changes, so that cached images of the old drawing are not served.
DRAW_VERSION = 2
CLOSE_POINTS = 12  # two series closer than this on a spoke get their labels pulled apart


def _wrap(label: str, width: int = 14) -> str:
    """An axis label on two lines when long, so that it stays inside the figure."""
    import textwrap

    return "\n".join(textwrap.wrap(label, width)) or label


def _close_spokes(data: RadarData) -> set:
    """Spokes where two series' values are so close that their labels would overlap."""
    close = set()
    for index in range(len(data.axis_labels)):
        values = sorted(
            s.values[index] if s.values[index] is not None else -100 for s in data.series
        )
        if any(b - a < CLOSE_POINTS for a, b in zip(values, values[1:], strict=False)):
            close.add(index)
    return close


def _draw_series(ax, series, style, angles, close, math) -> None:
    """One series: its line only between neighbouring known axes, points on known axes, an
    "n.c." label on an unknown one (no point, no line to the centre: it is not a 0)."""
    count = len(angles)
    known = [i for i in range(count) if series.values[i] is not None]
    line_style = {k: v for k, v in style.items() if k != "marker"}
    first = True
    for i in range(count):
        j = (i + 1) % count
        a, b = series.values[i], series.values[j]
        if a is not None and b is not None:
            (line,) = ax.plot(
                [angles[i], angles[j] if j else 2 * math.pi],
                [a, b],
                linewidth=2,
                label=series.label if first else None,
                **line_style,
            )
            line.set_gid(f"radar-{series.key}-{i}")
            first = False
    if first:
        # No two neighbouring axes known: the legend still names the series.
        ax.plot([], [], linewidth=2, label=series.label, **line_style)
    if known:
        ax.plot(
            [angles[i] for i in known],
            [series.values[i] for i in known],
            linestyle="none",
            marker=style["marker"],
            color=style["color"],
        )
    if len(known) == count:
        # Filled only when complete: a polygon closed across an unknown axis would pass
        # near the centre and read as "no impact".
        ax.fill(
            angles + angles[:1],
            list(series.values) + [series.values[0]],
            color=style["color"],
            alpha=0.10,
        )
    side = 1 if series.key == "potential" else -1
    for index, (angle, value) in enumerate(zip(angles, series.values, strict=True)):
        if value is None:
            # Near the rim of the grey gap sector (away from any other series' point),
            # each series on its own side of the spoke.
            position = (angle, 90)
            text_value = "n.c."
        else:
            position = (angle, value)
            text_value = format_number(value)
        # Potential labels on one side of the spoke, effective on the other; where the two
        # scores are close, also one outwards and one inwards, so that both stay readable.
        radial = (10 if side == 1 else -10) if index in close and value is not None else 0
        dx = side * 18 * math.cos(angle) + (4 + radial) * math.sin(angle)
        dy = -side * 18 * math.sin(angle) + (4 + radial) * math.cos(angle)
        text = ax.annotate(
            text_value,
            position,
            textcoords="offset points",
            xytext=(dx, dy),
            ha="center",
            va="center",
            fontsize=8,
            fontweight="bold",
            color=style["color"],
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
            zorder=5,
        )
        text.set_gid(f"value-{series.key}-{index}")


def render(data: RadarData, fmt: str = "svg") -> bytes:
    key = f"evalimpact:radar:v{DRAW_VERSION}:{fmt}:{data.fingerprint()}"
    return cache.get_or_set(key, lambda: draw(data, fmt), CACHE_SECONDS)


def data_uri(data: RadarData, fmt: str = "svg") -> str:
    mime = "image/svg+xml" if fmt == "svg" else "image/png"
    return f"data:{mime};base64,{base64.b64encode(render(data, fmt)).decode()}"
