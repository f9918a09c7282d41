"""Catalogue of the SI checklist (ANAP study on cooperations' information systems).

Files (under ``settings.CATALOGUES_DIR``):
- ``si/index.yaml``: the KIT 1 fiche that hosts the checklist (``fiche_number``), the
  introduction shown above it, and the five modes of working together (``modes``);
- ``si/themes/<theme code>.yaml``: for one theme of cooperation (code of ``themes.yaml``),
  its SI stakes (``summary``), how the modes apply (``modes_note``) and the points to
  examine (``items``: ``code``, ``category``, ``label``, ``guidance``), in order.

A point removed from a file is not deleted: it is marked inactive (no longer added to new
checklists; the checklists that hold it keep it with its answers).
"""

from pathlib import Path

from core import catalogues

CHECKLIST = catalogues.Catalogue("si_checklist", "Check-list SI des coopérations (ANAP)", 35)


@CHECKLIST.loader
def load(root: Path, report: catalogues.LoadReport) -> None:
    from cooperations.models import Theme
    from si.models import Category, ChecklistSettings, GuideItem, Mode, ThemeGuide

    index = catalogues.read_yaml(root / "si" / "index.yaml") or {}
    modes = index.pop("modes", [])
    settings_row = ChecklistSettings.objects.order_by("pk").first()
    catalogues.sync_row(
        ChecklistSettings,
        {"pk": settings_row.pk} if settings_row else {},
        index,
        report,
        source="si/index.yaml",
    )
    for position, mode in enumerate(modes, start=1):
        mode = dict(mode)
        code = mode.pop("code")
        mode.setdefault("order", position)
        catalogues.sync_row(Mode, {"code": code}, mode, report, source="si/index.yaml")

    for data in catalogues.read_dir(root / "si" / "themes"):
        data = dict(data)
        theme_code = data.pop("theme")
        where = f"si/themes/{theme_code}.yaml"
        theme = catalogues.by_code(Theme, [theme_code], where=where)[0]
        items = data.pop("items", []) or []
        guide, _state = catalogues.sync_row(
            ThemeGuide, {"theme": theme}, data, report, source=where
        )
        seen = set()
        for position, item in enumerate(items, start=1):
            item = dict(item)
            code = item.pop("code")
            if code in seen:
                raise catalogues.CatalogueError(f"{where} : le point « {code} » figure deux fois")
            if item.get("category") not in Category.values:
                raise catalogues.CatalogueError(
                    f"{where} : point « {code} », dimension « {item.get('category')} » inconnue "
                    f"({', '.join(Category.values)})"
                )
            seen.add(code)
            item.setdefault("order", position)
            item.setdefault("is_active", True)
            catalogues.sync_row(
                GuideItem, {"guide": guide, "code": code}, item, report, source=where
            )
        if not report.missing_only:
            for gone in guide.items.filter(is_active=True).exclude(code__in=seen):
                gone.is_active = False
                gone._change_reason = "chargement du catalogue"
                gone.save()
                report.count("updated", GuideItem)


def _dump_item(item) -> dict:
    # Defaults stay out of the file (order = position, active, no guidance) to keep it short.
    exclude = ["order"]
    if item.is_active:
        exclude.append("is_active")
    if not item.guidance:
        exclude.append("guidance")
    return catalogues.dump_fields(item, exclude=exclude)


@CHECKLIST.exporter
def export(root: Path) -> None:
    from si.models import ChecklistSettings, Mode, ThemeGuide

    settings_row = ChecklistSettings.current()
    index = catalogues.dump_fields(settings_row)
    index["modes"] = [catalogues.dump_fields(m, exclude=["order"]) for m in Mode.objects.all()]
    catalogues.write_yaml(
        root / "si" / "index.yaml",
        index,
        header="Check-list SI des coopérations (d'après l'étude de l'ANAP sur les systèmes "
        "d'information des\ncoopérations, reformulée). Étape KIT 1 qui accueille la check-list "
        "et modes de travail en commun.",
    )
    files = {}
    for guide in ThemeGuide.objects.select_related("theme").prefetch_related("items"):
        files[guide.theme.code] = {
            "theme": guide.theme.code,
            **catalogues.dump_fields(guide),
            "items": [_dump_item(i) for i in guide.items.order_by("order", "code")],
        }
    catalogues.write_dir(root / "si" / "themes", files)


def register_catalogues() -> None:
    catalogues.register(CHECKLIST)
