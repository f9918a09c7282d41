"""CSV / XLSX export of evaluations, with spreadsheet formula injection neutralised."""

from __future__ import annotations

import csv
import io

from evalimpact.services.scoring import format_number

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

HEADER = [
    "Coopération",
    "ARS pilote",
    "Forme juridique",
    "Type d'évaluation",
    "Date",
    "Statut",
    "Version du catalogue",
    "Axe 1 Filières de soins",
    "Axe 2 Qualité et sécurité",
    "Axe 3 Conditions de travail",
    "Axe 4 Efficience",
    "Note globale",
    "Commentaires",
]


def neutralise(value):
    """A text cell that a spreadsheet would read as a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def evaluation_rows(evaluations) -> list[list]:
    rows = []
    for e in evaluations:
        scores = [e.axis_scores.get(str(code)) for code in (1, 2, 3, 4)]
        rows.append(
            [
                e.cooperation.title,
                e.cooperation.pilot_ars.name,
                e.cooperation.legal_form.short_name if e.cooperation.legal_form else "",
                e.get_kind_display(),
                e.evaluated_on,
                e.get_status_display(),
                e.catalogue.label,
                *[float(s) if s is not None else None for s in scores],
                float(e.overall_score) if e.overall_score is not None else None,
                e.comments,
            ]
        )
    return rows


def _csv_cell(value):
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return format_number(value).replace("\u202f", "").replace(" ", "")
    return neutralise(value)


def to_csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    # BOM: Excel opens UTF-8 French text correctly only with it.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows) -> bytes:
    """Real dates (dd/mm/yyyy), frozen header, autofilter (core.spreadsheets)."""
    from core.spreadsheets import xlsx_bytes

    return xlsx_bytes(title="Évaluations", headers=HEADER, rows=rows)
