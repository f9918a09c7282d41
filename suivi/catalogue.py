"""Catalogue of KIT 3: the risk categories (``risk_categories.yaml``, a list)."""

from core.catalogues import Rows, register, rows_catalogue
from suivi.models import RiskCategory


def register_catalogues() -> None:
    risks = Rows(RiskCategory, "risk_categories.yaml")
    register(rows_catalogue("risk_categories", "Catégories de risque (KIT 3)", 60, risks))
