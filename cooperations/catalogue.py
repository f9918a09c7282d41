"""Catalogues of the cooperations app: legal forms, themes and typologies (files → database).

Files (under ``settings.CATALOGUES_DIR``): ``legal_forms/<code>.yaml`` (one per legal form:
its legal basis, who may be a member, approval…), ``themes.yaml`` and ``typologies.yaml``
(lists). See ``core/catalogues.py`` for the commands and the rules.
"""

from cooperations.models import LegalForm, Theme, Typology
from core.catalogues import Rows, register, rows_catalogue


def register_catalogues() -> None:
    register(
        rows_catalogue("legal_forms", "Formes juridiques", 10, Rows(LegalForm, "legal_forms")),
        rows_catalogue(
            "themes",
            "Thèmes et typologies de coopération",
            10,
            Rows(Theme, "themes.yaml", order_by=("pk",)),
            Rows(Typology, "typologies.yaml", order_by=("pk",)),
        ),
    )
