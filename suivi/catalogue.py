"""Catalogue of KIT 3: the risk categories (``risk_categories.yaml``, a list)."""

from pathlib import Path

from core.catalogues import (
    Catalogue,
    LoadReport,
    dump_fields,
    read_yaml,
    register,
    sync_row,
    write_yaml,
)


def load_risk_categories(root: Path, report: LoadReport) -> None:
    from suivi.models import RiskCategory

    for item in read_yaml(root / "risk_categories.yaml") or []:
        item = dict(item)
        code = item.pop("code")
        sync_row(RiskCategory, {"code": code}, item, report, source="risk_categories.yaml")


def export_risk_categories(root: Path) -> None:
    from suivi.models import RiskCategory

    write_yaml(
        root / "risk_categories.yaml",
        [dump_fields(c) for c in RiskCategory.objects.order_by("order", "code")],
    )


def register_catalogues() -> None:
    register(
        Catalogue(
            name="risk_categories",
            label="Catégories de risque (KIT 3)",
            order=60,
            load=load_risk_categories,
            export=export_risk_categories,
        )
    )
