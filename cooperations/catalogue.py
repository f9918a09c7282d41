"""Catalogues of the cooperations app: legal forms, themes and typologies (files → database).

Files (under ``settings.CATALOGUES_DIR``): ``legal_forms/<code>.yaml`` (one per legal form:
its legal basis, who may be a member, approval…), ``themes.yaml`` and ``typologies.yaml``
(lists). See ``core/catalogues.py`` for the commands and the rules.
"""

from pathlib import Path

from core.catalogues import (
    Catalogue,
    LoadReport,
    dump_fields,
    read_dir,
    read_yaml,
    register,
    sync_row,
    write_dir,
    write_yaml,
)


def load_legal_forms(root: Path, report: LoadReport) -> None:
    from cooperations.models import LegalForm

    for data in read_dir(root / "legal_forms"):
        code = data.pop("code")
        sync_row(LegalForm, {"code": code}, data, report, source=f"legal_forms/{code}.yaml")


def export_legal_forms(root: Path) -> None:
    from cooperations.models import LegalForm

    write_dir(
        root / "legal_forms",
        {form.code: dump_fields(form) for form in LegalForm.objects.order_by("order", "code")},
    )


def _load_list(model, path: Path, report: LoadReport) -> None:
    for data in read_yaml(path) or []:
        data = dict(data)
        code = data.pop("code")
        sync_row(model, {"code": code}, data, report, source=path.name)


def load_themes(root: Path, report: LoadReport) -> None:
    from cooperations.models import Theme, Typology

    _load_list(Theme, root / "themes.yaml", report)
    _load_list(Typology, root / "typologies.yaml", report)


def export_themes(root: Path) -> None:
    from cooperations.models import Theme, Typology

    write_yaml(root / "themes.yaml", [dump_fields(t) for t in Theme.objects.order_by("pk")])
    write_yaml(root / "typologies.yaml", [dump_fields(t) for t in Typology.objects.order_by("pk")])


def register_catalogues() -> None:
    register(
        Catalogue(
            name="legal_forms",
            label="Formes juridiques",
            order=10,
            load=load_legal_forms,
            export=export_legal_forms,
        )
    )
    register(
        Catalogue(
            name="themes",
            label="Thèmes et typologies de coopération",
            order=10,
            load=load_themes,
            export=export_themes,
        )
    )
