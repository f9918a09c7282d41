"""Catalogue of Eval'Impact: the axes, the 0–4 scale and the indicators in force.

Files (under ``settings.CATALOGUES_DIR``): ``evalimpact/indicators.yaml`` (the hospital set)
and ``evalimpact/indicators-medico-social.yaml`` (the medico-social set, same four axes),
one per ``CatalogueVariant``. Each describes the catalogue version *in force* of its
variant, with its activities (which Hospi Diag codes measure each indicator for an
activity); when it differs and that version is already used by an
evaluation, loading copies it into a new version first
(``core.catalogue_versions.copy_version``), so past evaluations keep their scale.
"""

from pathlib import Path

from core import catalogues

INDICATORS = catalogues.Catalogue("indicators", "Indicateurs Eval'Impact", 50)

PATH = ("evalimpact", "indicators.yaml")
FILES = {
    "sanitaire": ("evalimpact", "indicators.yaml"),
    "medico_social": ("evalimpact", "indicators-medico-social.yaml"),
}


def _file(version) -> dict:
    axes = {a.pk: a.code for a in version.axes.all()}
    return {
        "version": {"number": version.number, "note": version.note},
        "axes": [catalogues.dump_fields(a) for a in version.axes.order_by("code")],
        "levels": [catalogues.dump_fields(lvl) for lvl in version.levels.order_by("score")],
        "activities": [
            catalogues.dump_fields(a, exclude=("version",))
            for a in version.activities.order_by("order", "code")
        ],
        "indicators": [
            catalogues.dump_fields(i, axis=axes[i.axis_id])
            for i in version.indicators.order_by("axis__code", "order", "code")
        ],
    }


def _comparable(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "version"}


def _check_activities(name: str, activities: list, indicators: list) -> None:
    """Each activity maps only activity-dependent indicators to codes those indicators list."""
    codes = {i["code"]: i for i in indicators}
    for activity in activities:
        for code, mapped in (activity.get("hospidiag") or {}).items():
            indicator = codes.get(code)
            if indicator is None or not indicator.get("by_activity"):
                raise catalogues.CatalogueError(
                    f"{name} : activité {activity['code']}, l'indicateur {code} n'existe pas ou "
                    "ne dépend pas de l'activité (by_activity)"
                )
            unknown = set(mapped) - set(indicator.get("hospidiag_codes") or [])
            if unknown:
                raise catalogues.CatalogueError(
                    f"{name} : activité {activity['code']}, indicateur {code} : code(s) "
                    f"{', '.join(sorted(unknown))} absent(s) de ses codes Hospi Diag"
                )


@INDICATORS.loader
def load_indicators(root: Path, report: catalogues.LoadReport) -> None:
    for variant, path in FILES.items():
        if root.joinpath(*path).exists():
            _load_variant(root, path, variant, report)


def _load_variant(root: Path, path, variant: str, report: catalogues.LoadReport) -> None:
    from evalimpact.models import (
        Activity,
        Axis,
        CatalogueVariant,
        CatalogueVersion,
        Indicator,
        ScoreLevel,
    )

    data = catalogues.read_yaml(root.joinpath(*path)) or {}
    _check_activities("/".join(path), data.get("activities") or [], data.get("indicators") or [])
    version = catalogues.version_to_load(
        CatalogueVersion,
        data.get("version") or {},
        report,
        unchanged=lambda current: _comparable(_file(current)) == _comparable(data),
        who=f"Eval'Impact ({CatalogueVariant(variant).label})",
        used_by="des évaluations",
        series={"variant": variant},
    )
    if version is None:
        return
    axes = {}
    for item in data.get("axes") or []:
        item = dict(item)
        code = item.pop("code")
        axes[code], _ = catalogues.sync_row(Axis, {"version": version, "code": code}, item, report)
    for item in data.get("levels") or []:
        item = dict(item)
        score = item.pop("score")
        catalogues.sync_row(ScoreLevel, {"version": version, "score": score}, item, report)
    activity_codes = []
    for item in data.get("activities") or []:
        item = dict(item)
        code = item.pop("code")
        catalogues.sync_row(Activity, {"version": version, "code": code}, item, report)
        activity_codes.append(code)
    codes = []
    for item in data.get("indicators") or []:
        item = dict(item)
        code = item.pop("code")
        axis_code = item.pop("axis")
        if axis_code not in axes:
            raise catalogues.CatalogueError(
                f"{'/'.join(path)} : indicateur {code}, axe {axis_code} inconnu"
            )
        catalogues.sync_row(
            Indicator,
            {"version": version, "code": code},
            item,
            report,
            relations={"axis": axes[axis_code]},
            source=f"{'/'.join(path)} ({code})",
        )
        codes.append(code)
    if not report.missing_only:
        version.indicators.exclude(code__in=codes).delete()
        version.activities.exclude(code__in=activity_codes).delete()


HEADERS = {
    "sanitaire": "Catalogue Eval'Impact en vigueur : axes, échelle 0–4, activités et indicateurs.",
    "medico_social": "Catalogue Eval'Impact médico-social en vigueur (GCSMS, GTSMS, EHPAD) : "
    "axes, échelle 0–4, activités et indicateurs.\nChoisi automatiquement pour une "
    "coopération médico-sociale (evalimpact/services/catalogue.variant_for).",
}


@INDICATORS.exporter
def export_indicators(root: Path) -> None:
    from evalimpact.models import CatalogueVersion

    for version in CatalogueVersion.objects.filter(is_current=True):
        catalogues.write_yaml(
            root.joinpath(*FILES[version.variant]), _file(version), header=HEADERS[version.variant]
        )


def register_catalogues() -> None:
    catalogues.register(INDICATORS)
