"""CSV and XLSX exports of the deliverables and risks tables, with French headers.

Cells that a spreadsheet would read as a formula (= + - @, tab, carriage return) get a
leading apostrophe, so that an exported text can never run as a formula.
"""

import csv
import io
from datetime import date

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from suivi import selectors

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _day(value):
    return value.strftime("%d/%m/%Y") if value else ""


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
            _day(row.planned_on),
            _day(row.revised_on),
            _day(row.done_on),
            row.progress,
            row.weight,
            row.status.slippage if row.status.slippage is not None else "",
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
            _day(risk.review_on),
        ]
        for risk in selectors.risks(cooperation)
    ]


TABLES = {
    "livrables": ("Livrables et jalons", DELIVERABLE_HEADERS, deliverable_rows),
    "risques": ("Risques et obstacles", RISK_HEADERS, risk_rows),
}
FORMATS = {"csv", "xlsx"}


def export_response(cooperation, table: str, fmt: str) -> HttpResponse:
    title, headers, build = TABLES[table]
    rows = [[neutralise(cell) for cell in row] for row in build(cooperation)]
    filename = f"{table}-cooperation-{cooperation.pk}-{date.today():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        # Semicolons and a BOM: what French spreadsheet software opens without an import wizard.
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(headers)
        writer.writerows(rows)
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
    else:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = title[:31]
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width, 10), 60)
        output = io.BytesIO()
        workbook.save(output)
        response = HttpResponse(
            output.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
