"""core.charts: one worker draws a missing chart; the others wait for it or do without."""

from django.core.cache import cache

from core import charts

PAIRS = [("Comprendre", 3), ("Décider", 1)]


def test_a_missing_chart_is_drawn_once_then_read(monkeypatch):
    cache.clear()
    drawn = []
    monkeypatch.setattr(charts, "_draw", lambda title, pairs: drawn.append(title) or b"<svg/>")
    assert charts.bar_chart("Phases", PAIRS) == b"<svg/>"
    assert charts.bar_chart_uris([("Phases", PAIRS)]) == ["data:image/svg+xml;base64,PHN2Zy8+"]
    assert drawn == ["Phases"]
    assert cache.get(charts._key("Phases", PAIRS) + ":drawing") is None  # lock released


def test_a_chart_another_worker_draws_is_awaited_or_left_out(monkeypatch):
    cache.clear()
    monkeypatch.setattr(charts, "_draw", lambda title, pairs: b"<svg>mine</svg>")
    monkeypatch.setattr(charts, "POLL_SECONDS", 0.001)
    key = charts._key("Phases", PAIRS)
    assert cache.add(key + ":drawing", 1)  # another worker is drawing it
    assert charts.bar_chart("Phases", PAIRS, wait=0.01) is None

    def finished_meanwhile(seconds):
        cache.set(key, b"<svg>theirs</svg>")

    monkeypatch.setattr(charts.time, "sleep", finished_meanwhile)
    assert charts.bar_chart("Phases", PAIRS, wait=5) == b"<svg>theirs</svg>"  # not drawn again


class CountingCache:
    """The cache, counting its reads (get and get_many)."""

    def __init__(self):
        self.reads = 0

    def get(self, *args, **kwargs):
        self.reads += 1
        return cache.get(*args, **kwargs)

    def get_many(self, *args, **kwargs):
        self.reads += 1
        return cache.get_many(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(cache, name)


def test_a_missing_chart_costs_one_read_and_one_check_under_its_lock(monkeypatch):
    cache.clear()
    monkeypatch.setattr(charts, "_draw", lambda title, pairs: b"<svg/>")
    counting = CountingCache()
    monkeypatch.setattr(charts, "cache", counting)
    assert charts.bar_chart("Phases", PAIRS) == b"<svg/>"
    assert counting.reads == 2  # the fast path's read, the re-check once the lock is taken
    counting.reads = 0
    assert charts.bar_chart("Phases", PAIRS) == b"<svg/>"
    assert counting.reads == 1
    counting.reads = 0
    uris = charts.bar_chart_uris([("Phases", PAIRS), ("Régions", PAIRS)])
    assert uris == ["data:image/svg+xml;base64,PHN2Zy8+"] * 2
    assert counting.reads == 2  # one get_many for both, the missing one re-checked under its lock
