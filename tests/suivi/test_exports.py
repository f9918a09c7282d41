import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from suivi.exports import DELIVERABLE_HEADERS, RISK_HEADERS, neutralise
from tests.suivi.factories import ActivityFactory, DeliverableFactory, RiskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):
    activity = ActivityFactory(cooperation=world.coop_ara, title='=HYPERLINK("http://x")')
    DeliverableFactory(
        activity=activity,
        title="+Étude SUM(A1)",
        planned_on=date(2026, 3, 1),
        done_on=date(2026, 3, 11),
        progress=100,
    )
    RiskFactory(
        cooperation=world.coop_ara, title="@risque", owner="-1+1", mitigation="Former les équipes"
    )
    return world


@pytest.mark.parametrize(
    "value,expected",
    [
        ("=1+1", "'=1+1"),
        ("+33", "'+33"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("Texte", "Texte"),
        (12, 12),
        ("", ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_deliverables_csv_has_french_headers_and_neutralised_cells(data, login):
    response = login(data.referent_a).get(f"/suivi/{data.coop_ara.pk}/export/livrables.csv")
    # Named after the cooperation, not its id.
    assert response["Content-Disposition"].startswith(
        'attachment; filename="livrables-imagerie-partagee-de-lain-'
    )
    text = _body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == DELIVERABLE_HEADERS
    assert rows[1][0] == '\'=HYPERLINK("http://x")'
    assert rows[1][2] == "'+Étude SUM(A1)"
    assert rows[1][3:9] == ["01/03/2026", "", "11/03/2026", "100", "1", "10"]
    # Done 10 days late: history, not "à risque".
    assert rows[1][9] == "Réalisé (10 j de retard)"


def test_deliverables_xlsx_real_dates_frozen_header_autofilter(data, login):
    data.coop_ara.short_name = "Imagerie Ain"
    data.coop_ara.save()
    response = login(data.referent_a).get(f"/suivi/{data.coop_ara.pk}/export/livrables.xlsx")
    assert 'filename="livrables-imagerie-ain-' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(_body(response))).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:K2"
    planned = sheet.cell(row=2, column=4)
    assert planned.is_date and planned.value.date() == date(2026, 3, 1)
    assert planned.number_format == "DD/MM/YYYY"
    assert sheet.cell(row=1, column=1).font.bold


def test_risks_xlsx_has_french_headers_and_no_formula(data, login):
    response = login(data.referent_a).get(f"/suivi/{data.coop_ara.pk}/export/risques.xlsx")
    sheet = load_workbook(io.BytesIO(_body(response))).active
    values = list(sheet.values)
    assert list(values[0]) == RISK_HEADERS
    assert values[1][0] == "'@risque" and values[1][5] == "'-1+1"
    assert values[1][4] == 6  # criticity 2 × 3
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_unknown_export_is_a_404(data, login):
    assert (
        login(data.referent_a).get(f"/suivi/{data.coop_ara.pk}/export/membres.csv").status_code
        == 404
    )
    assert (
        login(data.referent_a).get(f"/suivi/{data.coop_ara.pk}/export/risques.pdf").status_code
        == 404
    )
