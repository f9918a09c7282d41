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
        ax.set_xticklabels(data.axis_labels, fontsize=9)
        ax.set_rlabel_position(45)
        ax.tick_params(axis="x", pad=10)
        ax.grid(color="#ccc")
        for series in data.series:
            style = SERIES_STYLE.get(series.key, {"color": "#666", "linestyle": "-", "marker": "o"})
            values = [v if v is not None else 0 for v in series.values]
            closed_angles = angles + angles[:1]
            closed_values = values + values[:1]
            (line,) = ax.plot(
                closed_angles, closed_values, label=series.label, linewidth=2, **style
            )
            line.set_gid(f"radar-{series.key}")
            ax.fill(closed_angles, closed_values, color=style["color"], alpha=0.12)
            side = 1 if series.key == "potential" else -1
            for index, (angle, value) in enumerate(zip(angles, series.values, strict=True)):
                # Potential labels on one side of the spoke, effective on the other, so that
                # two close scores stay readable.
                dx = side * 16 * math.cos(angle) + 4 * math.sin(angle)
                dy = -side * 16 * math.sin(angle) + 4 * math.cos(angle)
                text = ax.annotate(
                    format_number(value) if value is not None else "n.c.",
                    (angle, values[index]),
                    textcoords="offset points",
                    xytext=(dx, dy),
                    ha="center",
                    va="center",
                    fontsize=8,
                    fontweight="bold",
                    color=style["color"],
                )
                text.set_gid(f"value-{series.key}-{index}")
        fig.subplots_adjust(left=0.19, right=0.81, top=0.9, bottom=0.2)
        if data.series:
            fig.legend(loc="lower center", ncol=1, fontsize=8, frameon=False)
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
        return buffer.getvalue()
    finally:
        plt.close(fig)


def render(data: RadarData, fmt: str = "svg") -> bytes:
    key = f"evalimpact:radar:{fmt}:{data.fingerprint()}"
    image = cache.get(key)
    if image is None:
        image = draw(data, fmt)
        cache.set(key, image, CACHE_SECONDS)
    return image


def data_uri(data: RadarData, fmt: str = "svg") -> str:
    mime = "image/svg+xml" if fmt == "svg" else "image/png"
    return f"data:{mime};base64,{base64.b64encode(render(data, fmt)).decode()}"
