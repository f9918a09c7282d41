"""Hospi Diag files of other years and as spreadsheets leave them: one reading layer."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command

from evalimpact.models import HospidiagValue
from evalimpact.services.hospidiag import import_hospidiag, match_columns

pytestmark = pytest.mark.django_db


def test_a_2019_style_file_semicolons_windows_1252_title_lines_and_cr_only(tmp_path):
    lines = [
        "Hospi Diag 2019 – indicateurs des établissements (source ATIH/ANAP)",
        "",
        "FINESS;Raison sociale;P1 - IP-DMS Médecine;P2 - IP-DMS Chirurgie;RH8 - Absentéisme PNM",
        "010780054;CH BOURG EN BRESSE;1,108;1,123;9,4",
        "10780062;CH BUGEY SUD;0,95;;.z",  # a FINESS whose leading zero a spreadsheet dropped
    ]
    path = tmp_path / "hospidiag_2019.csv"
    path.write_bytes("\r".join(lines).encode("cp1252"))
    run = import_hospidiag(path)
    assert run.year == 2019 and run.lines_read == 2
    values = dict(HospidiagValue.objects.filter(finess="010780054").values_list("code", "value"))
    assert values["P1"] == Decimal("1.108") and values["RH8"] == Decimal("9.4")
    assert HospidiagValue.objects.get(finess="010780062", code="P1").value == Decimal("0.95")
    summary = run.report.summary()
    assert "séparateur point-virgule (;) détecté" in summary
    assert "Windows-1252" in summary and "CR seul" in summary
    assert "2 lignes de titre ignorées" in summary
    assert "Ligne 5 corrigée : FINESS « 10780062 » complété en 010780062" in summary
    # The catalogue uses RH9 and P3: this year's file has neither, and the report says so.
    assert "Colonne absente du fichier 2019 : RH9" in summary
    assert "Colonne absente du fichier 2019 : P3" in summary


def test_a_workbook_with_the_data_on_a_named_sheet(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Sommaire"
    sheet = workbook.create_sheet("hd2021")
    sheet.append(["finess", "rs", "P1", "P2", "P3", "RH8", "RH9"])
    sheet.append(["310781406", "CHU TOULOUSE", 0.856, 0.9, None, 8.5, ".z"])
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    out = io.StringIO()
    call_command("import_hospidiag", str(path), stdout=out)
    assert "fichier Excel : feuille « hd2021 » lue" in out.getvalue()
    assert "(indicateurs, 2021)" in out.getvalue()  # the year read from the sheet's name
    assert HospidiagValue.objects.get(finess="310781406", code="P1", year=2021).value == Decimal(
        "0.856"
    )


def test_a_tab_separated_2023_file_with_a_bom(tmp_path):
    path = tmp_path / "hd2023.txt"
    path.write_bytes("\ufefffiness\trs\tP1\n010780054\tCH\t1,05\n".encode())
    run = import_hospidiag(path)
    assert run.year == 2023 and HospidiagValue.objects.get(year=2023, code="P1").value == Decimal(
        "1.05"
    )


def test_a_newer_column_is_never_read_from_its_older_namesake(tmp_path):
    path = tmp_path / "hd2018.csv"
    path.write_text("finess,rs,CI_E4\n010780054,CH,3\n")
    from evalimpact.services import hospidiag

    report, values = hospidiag.parse_file(
        io.StringIO(path.read_text()), file_name=path.name, year=2018, codes={"CI_E4_v2"}
    )
    assert values == {}
    assert report.missing_columns[0][0] == "CI_E4_v2"
    assert "coronarographie" in report.missing_columns[0][1]


def test_columns_are_matched_by_code_not_by_prefix():
    header = ["finess", "P12", "P12_bis", "p1 : IP-DMS", "A1bis"]
    assert match_columns(header, {"P12", "P12_bis", "P1", "A1"}) == {
        "P12": 1,
        "P12_bis": 2,
        "P1": 3,
    }
