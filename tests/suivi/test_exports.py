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


def test_deliverables_csv_has_french_headers_and_neutralised_cells(data, login):
    response = login(data.referent_a).get(f"/suivi/{data.coop_ara.pk}/export/livrables.csv")
    assert response["Content-Disposition"].startswith('attachment; filename="livrables-')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == DELIVERABLE_HEADERS
    assert rows[1][0] == '\'=HYPERLINK("http://x")'
    assert rows[1][2] == "'+Étude SUM(A1)"
    assert rows[1][3:9] == ["01/03/2026", "", "11/03/2026", "100", "1", "10"]
    assert rows[1][9] == "À risque"


def test_risks_xlsx_has_french_headers_and_no_formula(data, login):
    response = login(data.referent_a).get(f"/suivi/{data.coop_ara.pk}/export/risques.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
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
