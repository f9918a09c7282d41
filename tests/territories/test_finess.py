import csv

import pytest
from django.core.exceptions import ValidationError

from territories.finess import finess_error, validate_finess, with_check_key


@pytest.mark.parametrize("number", ["010000024", "750712184", "2A0000030", "010780054"])
def test_real_finess_numbers_are_valid(number):
    assert finess_error(number) is None


def test_corsican_prefixes_count_as_21_and_22():
    # The same digits with 21 instead of 2A give the same key: the check treats them alike.
    assert finess_error(with_check_key("2B000003")) is None
    assert with_check_key("2A000003")[-1] == with_check_key("21000003")[-1]


@pytest.mark.parametrize(
    "number,message",
    [
        ("010000025", "La clé de contrôle du numéro FINESS « 010000025 » est fausse"),
        ("01000002", "doit comporter 9 caractères (il en a 8)"),
        ("AB0000024", "doit commencer par un code de département"),
        ("2C0000030", "doit commencer par un code de département"),
        ("", "Le numéro FINESS est vide."),
        ("000000018", "code de département inexistant"),
    ],
)
def test_invalid_finess_numbers_get_a_french_reason(number, message):
    with pytest.raises(ValidationError) as error:
        validate_finess(number)
    assert message in error.value.messages[0]


def test_every_finess_of_the_sae_2022_file_is_valid(shared_data):
    with open(shared_data / "sae-2022" / "ID_2022r.csv", encoding="latin-1") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert len(rows) > 3900
    invalid = [r["fi"] for r in rows if finess_error(r["fi"])]
    invalid += [r["fi_ej"] for r in rows if finess_error(r["fi_ej"])]
    assert invalid == []


def test_sae_files_are_windows_1252_and_read_as_such(shared_data):
    # 0x8C is « Œ » in Windows-1252 (a control character in Latin-1).
    raw = (shared_data / "sae-2022" / "GHT_2022r.csv").read_bytes()
    assert b"C\x8cUR" in raw
    assert "CŒUR D'OCCITANIE" in raw.decode("cp1252")


def _sae_rows(shared_data):
    with open(shared_data / "sae-2022" / "ID_2022r.csv", encoding="cp1252") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_categories_said_public_are_public_in_the_sae(shared_data):
    from territories.classification import PUBLIC_CATEGORIES

    statuses = {r["catr"][:3] for r in _sae_rows(shared_data) if r["cat"] in PUBLIC_CATEGORIES}
    assert statuses == {"PUB"}


def test_category_labels_match_the_sites_that_carry_them(shared_data):
    from territories.classification import category_label

    names = {}
    for row in _sae_rows(shared_data):
        names.setdefault(row["cat"], []).append(row["rs"].upper())
    # 362 are long-stay units (USLD), 131 the cancer centres (CLCC), 696 the GCS-ES.
    assert "longue durée" in category_label("362")
    assert sum("USLD" in n or "LONG" in n for n in names["362"]) > len(names["362"]) / 2
    assert "cancer" in category_label("131")
    assert all("USLD" not in n for n in names["131"])
    assert "coopération sanitaire" in category_label("696")
    assert all(n.startswith("GCS") or "GCS" in n or "CTRE" in n for n in names["696"])
