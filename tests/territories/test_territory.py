"""The territory of a register entry comes from its authoritative field, never from its FINESS."""

import io

import pytest

from territories.geography import TerritoryResolver
from territories.importers import import_finess
from territories.models import Departement, Establishment

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolver():
    return TerritoryResolver()


def code(departement_id):
    return Departement.objects.get(pk=departement_id).code if departement_id else None


@pytest.mark.parametrize(
    "commune,expected,note",
    [
        ("97105", "971", None),
        ("97209", "972", None),
        ("97302", "973", None),
        ("97411", "974", None),
        ("97611", "976", None),
        ("97502", None, "Saint-Pierre-et-Miquelon"),
        ("97701", "971", "Saint-Barthélemy"),
        ("97801", "971", "Saint-Martin"),
        ("98411", None, "Terres australes"),
        ("98501", None, "inconnu"),
        ("98613", None, "Wallis-et-Futuna"),
        ("98714", None, "Polynésie"),
        ("98818", None, "Nouvelle-Calédonie"),
        ("2A004", "2A", None),
        ("2B033", "2B", None),
        ("01053", "01", None),
        ("99123", None, "inconnu"),
        ("", None, "sans code commune"),
    ],
)
def test_json_territory_from_the_insee_commune_code(resolver, commune, expected, note):
    territory = resolver.from_commune(commune)
    assert code(territory.departement_id) == expected
    if note:
        assert note in territory.note
        if expected is None:
            assert territory.note.startswith("hors ARS")
    else:
        assert territory.note is None


@pytest.mark.parametrize(
    "finess_code,postcode,expected,note",
    [
        ("9A", "97100", "971", None),
        ("9A", "97133", "971", "Saint-Barthélemy"),
        ("9A", "97150", "971", "Saint-Martin"),
        ("9B", "", "972", None),
        ("9C", "", "973", None),
        ("9D", "", "974", None),
        ("9E", "", None, "Saint-Pierre-et-Miquelon"),
        ("9F", "", "976", None),
        ("9G", "", None, "inconnu"),
        ("9H", "", None, "inconnu"),
        ("9I", "", None, "inconnu"),
        ("9J", "", None, "Wallis-et-Futuna"),
        ("1", "", "01", "complété en 01"),
        ("2A", "", "2A", None),
        ("986", "", None, "Wallis-et-Futuna"),
    ],
)
def test_csv_territory_from_the_finess_departement_code(
    resolver, finess_code, postcode, expected, note
):
    territory = resolver.from_finess_code(finess_code, postcode)
    assert code(territory.departement_id) == expected
    assert (note in territory.note) if note else territory.note is None


HEADER = b"finess;etalab;3;2026-01-01\n"


def _line(et, ej, departement, routing):
    fields = ["structureet", et, ej, "SITE", "", "", "", "", "", "", "", "", "001", departement, "X",
              routing, "", "", "355", "CH", "1102", "CH", "", "", "03", "", "1", "", "", "", "", ""]  # fmt: skip
    return (";".join(fields) + "\n").encode()


def test_a_wallis_and_futuna_number_starting_9806_never_lands_in_mayotte():
    from territories.finess import with_check_key

    et, ej = with_check_key("98060001"), with_check_key("98060002")
    report = import_finess(io.BytesIO(HEADER + _line(et, ej, "9J", "98600 MATA UTU")))
    site = Establishment.objects.get(finess=et)
    assert site.departement is None  # "hors ARS", not ARS Mayotte
    assert report.without_ars == 1
    assert "hors ARS : Wallis-et-Futuna (code FINESS 9J)" in report.notes[0]["note"]
    # An unknown code is not guessed from the number either: reported, outside every ARS.
    et2 = with_check_key("97010009")
    report = import_finess(io.BytesIO(HEADER + _line(et2, ej, "9G", "97100 X")))
    assert Establishment.objects.get(finess=et2).departement is None
    assert "code de département « 9G » inconnu" in report.notes[0]["note"]
