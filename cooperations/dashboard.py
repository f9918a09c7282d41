"""The regional dashboard: counts of a scope's cooperations by phase, typology, theme,
legal form, département and regional-plan objective, and a schematic map.

Each count is one GROUP BY query over the scope (a region: a few thousand rows), cached
under a version token of the region that writes replace (`numbers`, below); the charts are
drawn from the same pairs as the tables (core.charts).
"""

import dataclasses
import json
import math
import uuid
from functools import lru_cache
from pathlib import Path

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count

from cooperations.choices import LEGAL_FORMS, THEMES, TYPOLOGIES
from cooperations.models import Cooperation, Phase, RegionalObjective
from core import charts, refcache
from territories.choices import ARS_NAMES, DEPARTEMENT_ARS, DEPARTEMENT_CODES, DEPARTEMENTS

MAP_FILE = Path(__file__).parent / "data" / "departements_schematic.json"


@dataclasses.dataclass(frozen=True)
class Breakdown:
    """One count of the dashboard. Built once, never changed: the cached numbers hold
    them, and the charts fetched for a page come as copies (with_charts)."""

    key: str
    title: str
    pairs: list  # [(label, count)], in the catalogue's order
    link_param: str = ""
    link_values: list | None = None  # filter value per pair, for links to the work list
    uri: str | None = None  # the chart, when with_charts() fetched it with the others

    @property
    def total(self) -> int:
        return sum(v for _l, v in self.pairs)

    @property
    def chart_uri(self) -> str:
        if self.uri is not None:
            return self.uri
        return charts.bar_chart_uri(self.title, self.pairs)

    @property
    def alt(self) -> str:
        return charts.alt_text(self.title, self.pairs)

    @property
    def rows(self):
        values = self.link_values or [None] * len(self.pairs)
        return [
            (label, count, value) for (label, count), value in zip(self.pairs, values, strict=True)
        ]


def _through_counts(field: str, ids_query) -> dict[int, int]:
    through = Cooperation._meta.get_field(field).remote_field.through
    column = Cooperation._meta.get_field(field).m2m_reverse_name()
    rows = (
        through.objects.filter(cooperation_id__in=ids_query)
        .order_by()
        .values(column)
        .annotate(n=Count("cooperation_id"))
        .values_list(column, "n")
    )
    return dict(rows)


def breakdowns(scope, *, ars_id: int | None) -> list[Breakdown]:
    ids = scope.order_by().values("pk")
    phases = dict(
        scope.order_by().values("phase").annotate(n=Count("pk")).values_list("phase", "n")
    )
    forms = dict(
        scope.order_by()
        .values("legal_form_id")
        .annotate(n=Count("pk"))
        .values_list("legal_form_id", "n")
    )
    typologies = _through_counts("typologies", ids)
    themes = _through_counts("themes", ids)
    departements = _through_counts("departements", ids)
    objectives = _through_counts("plan_objectives", ids)

    result = [
        Breakdown(
            "phase",
            "Coopérations par phase",
            [(label, phases.get(value, 0)) for value, label in Phase.choices],
            "phase",
            list(Phase.values),
        ),
        Breakdown(
            "typologie",
            "Coopérations par typologie",
            [(label, typologies.get(pk, 0)) for pk, label in TYPOLOGIES.choices()],
            "typology",
            [pk for pk, _l in TYPOLOGIES.choices()],
        ),
        Breakdown(
            "theme",
            "Coopérations par thème",
            [(label, themes[pk]) for pk, label in THEMES.choices() if themes.get(pk)],
            "theme",
            [pk for pk, _l in THEMES.choices() if themes.get(pk)],
        ),
    ]
    form_pairs = [(label, forms[pk]) for pk, label in LEGAL_FORMS.choices() if forms.get(pk)]
    form_values = [pk for pk, _l in LEGAL_FORMS.choices() if forms.get(pk)]
    if forms.get(None):
        form_pairs.append(("Forme à choisir", forms[None]))
        form_values.append(None)
    result.append(
        Breakdown(
            "forme", "Coopérations par forme juridique", form_pairs, "legal_form", form_values
        )
    )
    region = departement_choices(ars_id)
    result.append(
        Breakdown(
            "departement",
            "Coopérations par département",
            [(label, departements.get(pk, 0)) for pk, label in region]
            if ars_id
            else [(label, departements[pk]) for pk, label in region if departements.get(pk)],
            "departement",
            [pk for pk, _l in region]
            if ars_id
            else [pk for pk, _l in region if departements.get(pk)],
        )
    )
    plan = RegionalObjective.objects.order_by("kind", "order", "code")
    plan = plan.filter(ars_id=ars_id) if ars_id else plan.filter(pk__in=list(objectives))
    plan = list(plan.values_list("pk", "code"))
    result.append(
        Breakdown(
            "objectif",
            "Coopérations par objectif du plan régional de santé",
            [(code, objectives.get(pk, 0)) for pk, code in plan],
            "objective",
            [pk for pk, _c in plan],
        )
    )
    return result


def with_charts(figures: list[Breakdown]) -> list[Breakdown]:
    """The breakdowns, those that show a chart (those with pairs) copied with it: the
    charts fetched in one cache round trip, the missing ones drawn."""
    shown = [b for b in figures if b.pairs]
    uris = iter(charts.bar_chart_uris([(b.title, b.pairs) for b in shown]))
    return [dataclasses.replace(b, uri=next(uris)) if b.pairs else b for b in figures]


def by_region(scope) -> Breakdown:
    counts = dict(
        scope.order_by()
        .values("pilot_ars_id")
        .annotate(n=Count("pk"))
        .values_list("pilot_ars_id", "n")
    )
    pairs = [(label, counts[pk]) for pk, label in ARS_NAMES.choices() if counts.get(pk)]
    values = [pk for pk, _l in ARS_NAMES.choices() if counts.get(pk)]
    return Breakdown("region", "Coopérations par ARS pilote", pairs, "pilot_ars", values)


def departement_choices(ars_id: int | None) -> list[tuple[int, str]]:
    if not ars_id:
        return DEPARTEMENTS.choices()
    region = {pk for pk, ars in DEPARTEMENT_ARS.choices() if ars == ars_id}
    return [(pk, label) for pk, label in DEPARTEMENTS.choices() if pk in region]


@lru_cache(maxsize=1)
def _map_source() -> dict:
    return json.loads(MAP_FILE.read_text(encoding="utf-8"))


SHADES = ["#f5f5fe", "#cacafb", "#8585f6", "#4747e5", "#000091"]


def map_tiles(breakdown: Breakdown, *, ars_id: int | None, width: int = 460) -> dict:
    """A schematic map: one square per département at its prefecture's (spread) position,
    shaded by its count; overseas départements in an inset row. Pure geometry, tested."""
    source = _map_source()
    codes = DEPARTEMENT_CODES.labels()
    counts = {
        pk: count
        for (_label, count), pk in zip(breakdown.pairs, breakdown.link_values, strict=True)
    }
    region = departement_choices(ars_id)
    items = []
    for pk, label in region:
        code = codes.get(pk, "")
        if code in source["points"]:
            items.append((pk, code, label, source["points"][code]))
    metro = [i for i in items if len(i[1]) <= 2]
    overseas = [i for i in items if len(i[1]) == 3]
    national = len(metro) > 20
    tile = 19 if national else 46
    if national:
        width = max(width, 640)  # the country needs room for 96 tiles
    tiles = []
    top = max(counts.values(), default=0)

    bounds = [math.ceil(top * k / 4) for k in (1, 2, 3)]

    def shade(count):
        if not count:
            return SHADES[0]
        return SHADES[1 + sum(1 for b in bounds if count > b)]

    height = 0
    if metro:
        lons = [p[3][0] for p in metro]
        lats = [p[3][1] for p in metro]
        min_lon, max_lon, min_lat, max_lat = min(lons), max(lons), min(lats), max(lats)
        span = max(max_lon - min_lon, (max_lat - min_lat) * 1.45, 0.5)
        scale = (width - tile - 20) / span
        for pk, code, label, (lon, lat) in metro:
            x = 10 + (lon - min_lon) * scale
            y = 10 + (max_lat - lat) * scale * 1.45
            count = counts.get(pk, 0)
            tiles.append(
                {
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "code": code,
                    "label": label,
                    "count": count,
                    "fill": shade(count),
                    "dark": shade(count) in SHADES[3:],
                }
            )
        height = int(max(t["y"] for t in tiles) + tile + 10)
    if overseas:
        y = height + 8
        for index, (pk, code, label, _point) in enumerate(overseas):
            count = counts.get(pk, 0)
            tiles.append(
                {
                    "x": 10 + index * (tile + 14),
                    "y": y,
                    "code": code,
                    "label": label,
                    "count": count,
                    "fill": shade(count),
                    "dark": shade(count) in SHADES[3:],
                }
            )
        height = y + tile + 10
    legend = [{"fill": SHADES[0], "label": "aucune"}]
    lows = [1] + [b + 1 for b in bounds]
    highs = [*bounds, top]
    for index, (low, high) in enumerate(zip(lows, highs, strict=True), start=1):
        if top and low <= high:
            legend.append(
                {"fill": SHADES[index], "label": f"{low}" if low == high else f"{low} à {high}"}
            )
    return {
        "tiles": tiles,
        "tile": tile,
        "font": 7 if national else 9,
        "code_dy": 8 if national else 10,
        "count_dy": 16 if national else 21,
        "width": width,
        "height": max(height, tile + 20),
        "legend": legend,
        "source": source["source"],
        "licence": source["licence"],
        "title": source["title"],
    }


# -- Cached numbers ------------------------------------------------------------------------
#
# The counts (and so the charts' inputs) are cached under a version token per region,
# replaced after the commit of any write that may change a count of that region: a
# cooperation created, saved or deleted, its départements, typologies, themes or plan
# objectives changed, a regional objective saved or deleted. Every such write also replaces
# the token of the national view ("all"). A region is the pilot ARS of the cooperation and
# the ARS of each of its départements, before and after the write (a cooperation that moves
# leaves the old region's numbers). Labels come from core.refcache: its version is in the key.
# Memberships do not enter any count (nor an ARS agent's or an admin's scope): no token.

DASHBOARD_SECONDS = 3600
_TOKEN = "kc:dashboard:version:{}"
NATIONAL = "all"


def _token(region) -> str:
    key = _TOKEN.format(region)
    token = cache.get(key)
    if token is None:
        # A fresh token, never an old one: a flushed cache must not revive stale numbers.
        cache.add(key, uuid.uuid4().hex, timeout=None)
        token = cache.get(key) or uuid.uuid4().hex
    return token


def bump(regions) -> None:
    """Replace the tokens of these ARS ids and of the national view."""
    names = {str(r) for r in regions if r} | {NATIONAL}
    cache.set_many({_TOKEN.format(name): uuid.uuid4().hex for name in names}, timeout=None)


def numbers(scope, *, ars_id: int | None, audience: str) -> dict:
    """{"total": int, "breakdowns": [Breakdown], "regions": Breakdown | None} of the scope,
    cached. `audience` ("admin" or "agent") and `ars_id` are what the scope depends on: an
    ARS agent's scope is its region (pilot or concerned, whoever the agent), an admin's the
    country or the region asked (?ars=). Six to eight GROUP BY queries on a miss, none on a
    hit."""
    region = ars_id or NATIONAL
    key = f"kc:dashboard:{audience}:{region}:{_token(region)}:{refcache.current_version()}"
    data = cache.get(key)
    if data is None:
        data = {
            "total": scope.count(),
            "breakdowns": breakdowns(scope, ars_id=ars_id),
            "regions": by_region(scope) if not ars_id else None,
        }
        cache.set(key, data, DASHBOARD_SECONDS)
    return data


def _regions_of(cooperation_ids) -> set[int]:
    """Pilot ARS and ARS of the départements of these cooperations (one query)."""
    ids = [pk for pk in cooperation_ids if pk]
    if not ids:
        return set()
    rows = Cooperation.objects.filter(pk__in=ids).values_list("pilot_ars_id", "departements")
    ars_of = dict(DEPARTEMENT_ARS.choices())
    regions = set()
    for pilot, departement_id in rows:
        regions.add(pilot)
        regions.add(ars_of.get(departement_id))
    return regions - {None}


def bump_after_commit(cooperation_ids=(), known=()) -> None:
    """After the commit (at once outside a transaction): readers in between would cache the
    old numbers under the new token."""
    ids, known = list(cooperation_ids), set(known)
    transaction.on_commit(lambda: bump(known | _regions_of(ids)))


_BEFORE = "_dashboard_regions_before"  # regions a write is about to leave (set in pre_*)


def _cooperation_pre_save(sender, instance, raw=False, **kwargs) -> None:
    if instance.pk and not raw:
        setattr(instance, _BEFORE, _regions_of([instance.pk]))


def _cooperation_post_save(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        bump_after_commit([instance.pk], instance.__dict__.pop(_BEFORE, set()))


def _cooperation_pre_delete(sender, instance, **kwargs) -> None:
    setattr(instance, _BEFORE, _regions_of([instance.pk]))


def _cooperation_post_delete(sender, instance, **kwargs) -> None:
    bump_after_commit((), instance.__dict__.pop(_BEFORE, set()))


def _links_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A link of a counted m2m added, removed or cleared from the cooperation's side. The
    other side (theme.cooperations.clear()…) is not a write path: simple_history records
    these m2m on Cooperation only and raises AttributeError on a write from the other side
    (tests/cooperations/test_dashboard_cache.py)."""
    if reverse:
        return
    through_departements = sender is Cooperation.departements.through
    if action == "pre_clear":
        if through_departements:
            setattr(instance, _BEFORE, _regions_of([instance.pk]))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    known = set(instance.__dict__.pop(_BEFORE, set()))
    if through_departements and pk_set:
        ars_of = dict(DEPARTEMENT_ARS.choices())
        known |= {ars_of.get(pk) for pk in pk_set}  # removed ones: no longer linked
    bump_after_commit([instance.pk], known - {None})


def _objective_pre_save(sender, instance, raw=False, **kwargs) -> None:
    # The form lets the ARS change: the region it leaves lists it too.
    if instance.pk and not raw:
        before = sender.objects.filter(pk=instance.pk).values_list("ars_id", flat=True)
        setattr(instance, _BEFORE, set(before))


def _objective_changed(sender, instance, **kwargs) -> None:
    if not kwargs.get("raw"):
        regions = {instance.ars_id} | instance.__dict__.pop(_BEFORE, set())
        transaction.on_commit(lambda: bump(regions))


_COUNTED_LINKS = ("departements", "typologies", "themes", "plan_objectives")


def connect_signals() -> None:
    """Called by CooperationsConfig.ready()."""
    from django.db.models.signals import (
        m2m_changed,
        post_delete,
        post_save,
        pre_delete,
        pre_save,
    )

    uid = "cooperations.dashboard"
    pre_save.connect(_cooperation_pre_save, sender=Cooperation, dispatch_uid=f"{uid}.pre_save")
    post_save.connect(_cooperation_post_save, sender=Cooperation, dispatch_uid=f"{uid}.save")
    pre_delete.connect(_cooperation_pre_delete, sender=Cooperation, dispatch_uid=f"{uid}.pre_del")
    post_delete.connect(_cooperation_post_delete, sender=Cooperation, dispatch_uid=f"{uid}.del")
    for field in _COUNTED_LINKS:
        through = Cooperation._meta.get_field(field).remote_field.through
        m2m_changed.connect(_links_changed, sender=through, dispatch_uid=f"{uid}.{field}")
    pre_save.connect(
        _objective_pre_save, sender=RegionalObjective, dispatch_uid=f"{uid}.objective_pre_save"
    )
    post_save.connect(
        _objective_changed, sender=RegionalObjective, dispatch_uid=f"{uid}.objective_save"
    )
    post_delete.connect(
        _objective_changed, sender=RegionalObjective, dispatch_uid=f"{uid}.objective_delete"
    )
