"""Server-rendered bar charts (matplotlib, Agg, SVG with text kept as text).

Each chart is drawn from the very (label, value) pairs that the table beside it lists,
writes each value at the end of its bar (gid "value-<index>", so tests compare chart and
table) and is cached by a fingerprint of its data: the same counts give the same bytes.
"""

import base64
import hashlib
import io
import json
import time

from django.core.cache import cache

CACHE_SECONDS = 24 * 3600
# One worker draws a missing chart (~0.1 s) while the others wait for its bytes this long,
# then serve the page without the picture (the table beside it says the same numbers).
LOCK_SECONDS = 30
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.05
BAR_COLOR = "#000091"


def preload() -> None:
    """Import matplotlib (Agg) and load its font list once per web process, at start
    (config/wsgi.py): a worker's first chart then costs its drawing (~0.1 s on the bench
    machine), not the ~0.4 s of importing matplotlib inside a request (the regional
    dashboard's p95 tail in bench/results/2026-11-30.md). Celery workers preload it too
    (config/celery.py)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager, pyplot  # noqa: F401

    font_manager.findfont("DejaVu Sans")


def _draw(title: str, pairs: list[tuple[str, int]]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    settings = {"svg.fonttype": "none", "svg.hashsalt": "kitcoop", "font.family": "DejaVu Sans"}
    with matplotlib.rc_context(settings):
        height = 0.9 + 0.32 * max(len(pairs), 1)
        fig = plt.figure(figsize=(6.2, height), dpi=100)
        try:
            ax = fig.add_subplot()
            labels = [label if len(label) <= 42 else label[:41] + "…" for label, _v in pairs]
            values = [value for _label, value in pairs]
            positions = list(range(len(pairs)))
            ax.barh(positions, values, color=BAR_COLOR, height=0.6)
            ax.set_yticks(positions)
            ax.set_yticklabels(labels, fontsize=8)
            ax.invert_yaxis()
            ax.set_title(title, fontsize=10, loc="left")
            ax.spines[["top", "right"]].set_visible(False)
            ax.tick_params(axis="x", labelsize=7)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts: whole numbers
            top = max(values, default=0)
            ax.set_xlim(0, max(top * 1.15, 1))
            for index, value in enumerate(values):
                text = ax.annotate(
                    str(value),
                    (value, index),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=8,
                    color="#161616",
                )
                text.set_gid(f"value-{index}")
            fig.tight_layout()
            buffer = io.BytesIO()
            fig.savefig(buffer, format="svg", metadata={"Date": None})
            return buffer.getvalue()
        finally:
            plt.close(fig)


def _key(title: str, pairs: list[tuple[str, int]]) -> str:
    fingerprint = hashlib.sha256(
        json.dumps([title, pairs], ensure_ascii=False).encode()
    ).hexdigest()[:32]
    return f"core:bar-chart:{fingerprint}"


def bar_chart(title: str, pairs: list[tuple[str, int]], *, wait: float | None = None):
    """The chart's SVG bytes, or None when another worker is drawing it and has not
    finished within `wait` seconds. A lock (cache.add) makes one worker draw a missing
    chart: several workers drew the same one at once before, each paying the drawing."""
    key = _key(title, pairs)
    svg = cache.get(key)  # the fast path: one read
    return svg if svg is not None else _draw_missing(key, title, pairs, wait)


def _draw_missing(key: str, title: str, pairs: list[tuple[str, int]], wait: float | None):
    """The chart that the caller's read did not find: drawn by whoever takes its lock.

    Once the lock is taken, the cache is read once more, and this re-check is needed: the
    lock's previous holder may have stored the chart and released the lock between the
    caller's read and our cache.add, and without it the chart would be drawn twice. While
    another worker holds the lock, each poll reads whether it has finished."""
    lock = f"{key}:drawing"
    deadline = time.monotonic() + (WAIT_SECONDS if wait is None else wait)
    while not cache.add(lock, 1, LOCK_SECONDS):
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL_SECONDS)
        svg = cache.get(key)
        if svg is not None:
            return svg
    try:
        svg = cache.get(key)
        if svg is None:
            svg = _draw(title, pairs)
            cache.set(key, svg, CACHE_SECONDS)
        return svg
    finally:
        cache.delete(lock)


def _uri(svg: bytes | None) -> str:
    if svg is None:
        return ""
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def bar_chart_uri(title: str, pairs: list[tuple[str, int]]) -> str:
    """A data: URI, or "" while another worker draws the chart (see bar_chart)."""
    return _uri(bar_chart(title, pairs))


def bar_chart_uris(charts: list[tuple[str, list[tuple[str, int]]]]) -> list[str]:
    """bar_chart_uri() of each (title, pairs), the drawn ones read in one cache round trip
    (a page of six charts made six); a missing one is not read again before its lock."""
    keys = [_key(title, pairs) for title, pairs in charts]
    found = cache.get_many(keys)
    return [
        _uri(found[key] if key in found else _draw_missing(key, title, pairs, None))
        for key, (title, pairs) in zip(keys, charts, strict=True)
    ]


def alt_text(title: str, pairs: list[tuple[str, int]], unit: str = "coopération") -> str:
    """ "Coopérations par phase : Comprendre, 3 ; Décider, 0." (the table beside says it too)."""
    if not pairs:
        return f"{title} : aucune donnée."
    return f"{title} : " + " ; ".join(f"{label}, {value}" for label, value in pairs) + "."
