"""Identifiers as spreadsheets damage them: one normaliser each."""

import pytest

from territories.identifiers import (
    finess_suggestion,
    format_phone,
    normalise_commune_code,
    normalise_finess_number,
    normalise_phone,
    normalise_postcode,
    normalise_siren,
    normalise_siret,
)


def test_a_finess_without_its_leading_zero_is_restored_when_the_key_proves_it():
    result = normalise_finess_number("10780054")
    assert result.value == "010780054"
    assert (
        result.note
        == "FINESS « 10780054 » complété en 010780054 (zéro initial perdu par un tableur)"
    )
    assert finess_suggestion("10780054") == "010780054"
    assert finess_suggestion("10780055") is None  # no valid number behind it
    assert normalise_finess_number("010780054").note is None
    assert normalise_finess_number("010 780 054").value == "010780054"
    assert normalise_finess_number("10780054.0").value == "010780054"  # read back from Excel


@pytest.mark.parametrize(
    "raw,message",
    [
        ("10780055", "doit comporter 9 caractères (il en a 8)"),
        ("1,0780054E+8", "notation scientifique"),
        ("", "vide"),
        ("010780055", "clé de contrôle"),
    ],
)
def test_a_finess_that_cannot_be_proved_is_refused(raw, message):
    result = normalise_finess_number(raw)
    assert not result.ok and result.value == "" and message in result.error


def test_a_siret_in_scientific_notation_is_refused_never_repaired():
    result = normalise_siret("2,601E+13")
    assert not result.ok and result.value == ""
    assert "notation scientifique" in result.error and "n'est pas enregistré" in result.error
    assert normalise_siret("2.60100045000120E+13").error
    assert normalise_siret("26010004500012").value == "26010004500012"
    assert normalise_siret("260 100 045 00012").value == "26010004500012"
    assert normalise_siret("").ok


def test_a_siret_or_siren_that_lost_its_leading_zero_comes_back_only_with_a_valid_key():
    # 077220148900022 style numbers are rare; use a SIREN starting with 0 with a valid key.
    from territories.finess import luhn_ok

    siren = next(f"0{n:08d}" for n in range(10000000, 10000100) if luhn_ok(f"0{n:08d}"))
    assert normalise_siren(siren[1:]).value == siren
    assert "complété" in normalise_siren(siren[1:]).note
    assert not normalise_siren("12345678").ok or normalise_siren("12345678").value == "012345678"
    assert normalise_siren("2,6E+8").error


@pytest.mark.parametrize(
    "raw,value,noted",
    [
        ("1053", "01053", True),
        ("01053", "01053", False),
        ("2A004", "2A004", False),
        ("2b033", "2B033", False),
        ("97411", "97411", False),
        ("1053.0", "01053", True),
    ],
)
def test_commune_codes_get_their_leading_zero_and_corsica_is_kept(raw, value, noted):
    result = normalise_commune_code(raw)
    assert result.value == value and bool(result.note) == noted


def test_postcodes_and_phones():
    assert normalise_postcode("1440").value == "01440"
    assert normalise_postcode("20000").value == "20000"  # Ajaccio
    assert normalise_postcode("ABCDE").error
    assert normalise_phone("474454647").value == "0474454647"
    assert normalise_phone("+33 4 74 45 46 47").value == "0474454647"
    assert normalise_phone("04.74.45.46.47").value == "0474454647"
    assert normalise_phone("+262 262 90 50 50").value == "+262262905050"
    assert format_phone("0474454647") == "04 74 45 46 47"
