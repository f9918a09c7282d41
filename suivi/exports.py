"""CSV and XLSX exports of the deliverables and risks tables, with French headers.

Written through core.spreadsheets: real dates (dd/mm/yyyy), frozen header, autofilter,
formula injection neutralised, files named after the cooperation's short name.
"""

from datetime import date

from core import spreadsheets
from core.spreadsheets import neutralise  # noqa: F401 - kept for the callers of this module
from suivi import selectors

DELIVERABLE_HEADERS = [
    "Chantier",
    "Type",
    "Livrable ou jalon",
    "Date planifiée",
    "Date révisée",
    "Date de réalisation",
    "Avancement (%)",
    "Poids",
    "Glissement (jours)",
    "Respect du planning",
    "Forçage justifié",
]

RISK_HEADERS = [
    "Risque ou obstacle",
    "Catégorie",
    "Probabilité (1-4)",
    "Impact (1-4)",
    "Criticité",
    "Responsable",
    "Solutions préconisées",
    "Statut",
    "Prochaine revue",
]


def deliverable_rows(cooperation, today: date | None = None) -> list[list]:
    data = selectors.tracker(cooperation, today)
    return [
        [
            row.activity.title,
            row.deliverable.get_kind_display(),
            row.title,
            row.planned_on,
            row.revised_on,
            row.done_on,
            row.progress,
            row.weight,
            row.status.slippage,
            row.status.label,
            row.rag_override_reason if row.status.overridden else "",
        ]
        for row in data.deliverables
    ]


def risk_rows(cooperation) -> list[list]:
    return [
        [
            risk.title,
            risk.category.name if risk.category else "",
            risk.probability,
            risk.impact,
            risk.criticity,
            risk.owner,
            risk.mitigation,
            risk.get_status_display(),
            risk.review_on,
        ]
        for risk in selectors.risks(cooperation)
    ]


TABLES = {
    "livrables": ("Livrables et jalons", DELIVERABLE_HEADERS, deliverable_rows),
    "risques": ("Risques et obstacles", RISK_HEADERS, risk_rows),
}
FORMATS = {"csv", "xlsx"}


def export_response(cooperation, table: str, fmt: str):
    title, headers, build = TABLES[table]
    rows = build(cooperation)
    filename = spreadsheets.export_filename(table, cooperation.file_stem, extension=fmt)
    if fmt == "csv":
        return spreadsheets.csv_response(filename=filename, headers=headers, rows=rows)
    return spreadsheets.xlsx_response(filename=filename, title=title, headers=headers, rows=rows)
