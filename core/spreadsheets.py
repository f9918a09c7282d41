"""CSV and XLSX exports, one way for every kit (tracker, risks, Eval'Impact, portfolio).

- French headers, semicolon-separated UTF-8 CSV with a BOM (what French spreadsheet
  software opens without an import wizard), dates written dd/mm/yyyy;
- XLSX with real Excel dates shown dd/mm/yyyy, a bold frozen header row and an autofilter
  over the whole table, written by openpyxl in write-only mode (constant memory);
- a text cell that a spreadsheet would read as a formula (= + - @, tab, carriage return)
  gets a leading apostrophe, so that an exported text can never run as a formula;
- the file is named after its content (see `export_filename`);
- control characters (rows stored before input was normalised, see `core.text`) are
  dropped from every cell: openpyxl refuses them and a spreadsheet would show garbage.
"""

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterable

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify

from core.text import printable

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    value = printable(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_filename(*parts: str, extension: str, day: dt.date | None = None) -> str:
    """ "livrables-ght-bresse-haut-bugey-2026-11-30.xlsx": content, subject, day."""
    day = day or timezone.localdate()
    stem = "-".join(slugify(p) for p in parts if p and slugify(p))
    return f"{stem}-{day:%Y-%m-%d}.{extension}"


def _local(value):
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    return value


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return _local(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return neutralise(value)


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_lines(headers, rows: Iterable[list]):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")

    def line(values):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield "\ufeff" + line(headers)
    for row in rows:
        yield line([csv_cell(value) for value in row])


def csv_response(*, filename: str, headers, rows: Iterable[list]) -> StreamingHttpResponse:
    """Streamed: the first bytes leave before the last row is read from the database."""
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in csv_lines(headers, rows)),
        content_type="text/csv; charset=utf-8",
    )
    return _attachment(response, filename)


def write_xlsx(handle, *, title: str, headers, rows: Iterable[list], widths=None) -> int:
    """Write the workbook to `handle`; returns the number of data rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=printable(title)[:31])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        width = (widths or {}).get(index) or min(max(len(header) + 4, 12), 60)
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=printable(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        cells = []
        for value in row:
            value = neutralise(_local(value))
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, dt.datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            cells.append(cell)
        sheet.append(cells)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(headers), 1))}{count + 1}"
    workbook.save(handle)
    return count


def xlsx_bytes(*, title: str, headers, rows: Iterable[list], widths=None) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, title=title, headers=headers, rows=rows, widths=widths)
    return buffer.getvalue()


def xlsx_response(*, filename: str, title: str, headers, rows: Iterable[list], widths=None):
    """Written to a temporary file (a zip cannot be streamed as it is built), then sent in
    blocks: memory stays flat for a region's thousands of rows."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    write_xlsx(handle, title=title, headers=headers, rows=rows, widths=widths)
    handle.seek(0)
    response = FileResponse(handle, content_type=XLSX_TYPE)
    return _attachment(response, filename)
