"""Catalogue of Eval'Impact: the axes, the 0–4 scale and the indicators in force.

File (under ``settings.CATALOGUES_DIR``): ``evalimpact/indicators.yaml``. It describes the
catalogue version *in force*; when it differs and that version is already used by an
evaluation, loading copies it into a new version first
(``evalimpact.services.catalogue.catalogue_copy``), so past evaluations keep their scale.
"""

from pathlib import Path

from core.catalogues import (
    Catalogue,
    CatalogueError,
    LoadReport,
    dump_fields,
    read_yaml,
    register,
    sync_row,
    write_yaml,
)

PATH = ("evalimpact", "indicators.yaml")


def _file(version) -> dict:
    axes = {a.pk: a.code for a in version.axes.all()}
    return {
        "version": {"number": version.number, "note": version.note},
        "axes": [dump_fields(a) for a in version.axes.order_by("code")],
        "levels": [dump_fields(lvl) for lvl in version.levels.order_by("score")],
        "indicators": [
            dump_fields(i, axis=axes[i.axis_id])
            for i in version.indicators.order_by("axis__code", "order", "code")
        ],
    }


def _comparable(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "version"}


def load_indicators(root: Path, report: LoadReport) -> None:
    from evalimpact.models import Axis, CatalogueVersion, Indicator, ScoreLevel
    from evalimpact.services.catalogue import catalogue_copy, is_frozen

    data = read_yaml(root.joinpath(*PATH)) or {}
    header = data.get("version") or {}
    version = CatalogueVersion.objects.filter(is_current=True).first()
    if version is None:
        version, _ = sync_row(
            CatalogueVersion,
            {"number": int(header.get("number", 1))},
            {"is_current": True, "note": header.get("note", "")},
            report,
        )
    elif report.missing_only or _comparable(_file(version)) == _comparable(data):
        report.count("unchanged", CatalogueVersion)
        return
    elif is_frozen(version):
        version = catalogue_copy(
            source=version, note=header.get("note") or "Chargement du catalogue (fichiers)"
        )
        report.note(
            f"Eval'Impact : la version en vigueur était utilisée par des évaluations ; les "
            f"fichiers ont été chargés dans une nouvelle version v{version.number}."
        )
    axes = {}
    for item in data.get("axes") or []:
        item = dict(item)
        code = item.pop("code")
        axes[code], _ = sync_row(Axis, {"version": version, "code": code}, item, report)
    for item in data.get("levels") or []:
        item = dict(item)
        score = item.pop("score")
        sync_row(ScoreLevel, {"version": version, "score": score}, item, report)
    codes = []
    for item in data.get("indicators") or []:
        item = dict(item)
        code = item.pop("code")
        axis_code = item.pop("axis")
        if axis_code not in axes:
            raise CatalogueError(
                f"evalimpact/indicators.yaml : indicateur {code}, axe {axis_code} inconnu"
            )
        sync_row(
            Indicator,
            {"version": version, "code": code},
            item,
            report,
            relations={"axis": axes[axis_code]},
            source=f"evalimpact/indicators.yaml ({code})",
        )
        codes.append(code)
    if not report.missing_only:
        version.indicators.exclude(code__in=codes).delete()


def export_indicators(root: Path) -> None:
    from evalimpact.models import CatalogueVersion

    version = CatalogueVersion.objects.filter(is_current=True).first()
    if version is not None:
        write_yaml(
            root.joinpath(*PATH),
            _file(version),
            header="Catalogue Eval'Impact en vigueur : axes, échelle 0–4 et indicateurs.",
        )


def register_catalogues() -> None:
    register(
        Catalogue(
            name="indicators",
            label="Indicateurs Eval'Impact",
            order=50,
            load=load_indicators,
            export=export_indicators,
        )
    )
