"""Hospi Diag import on the real 2022 files, and the prefill of member establishments."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from evalimpact.models import Answer, HospidiagImport, HospidiagValue, Indicator
from evalimpact.services.hospidiag import (
    HospidiagFormatError,
    Prefill,
    import_hospidiag,
    parse_number,
)
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.evalimpact.factories import create_evaluation
from tests.territories.factories import EstablishmentFactory


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("        15,2", (Decimal("15.2"), None)),
        ("           0", (Decimal("0"), None)),
        ("       1,108", (Decimal("1.108"), None)),
        ("                                      .z", (None, ".z")),
        (".c", (None, ".c")),
        ("", (None, "")),
        ("   ", (None, "")),
    ],
)
def test_numbers_are_unpadded_and_decimal_commas_read(raw, expected):
    assert parse_number(raw) == expected


def test_an_unreadable_number_raises():
    with pytest.raises(ValueError, match="valeur illisible « 12,3x »"):
        parse_number(" 12,3x")


@pytest.mark.django_db
def test_real_hd2022_file_chosen_lines(shared_data):
    run = import_hospidiag(shared_data / "hospidiag-2022" / "hd2022.csv")
    assert run.year == 2022 and run.lines_read == 1490
    values = {
        (v.finess, v.code): v.value
        for v in HospidiagValue.objects.filter(finess__in=["010780054", "310781406", "010007300"])
    }
    # CH de Bourg-en-Bresse (line 6 of the file)
    assert values[("010780054", "P1")] == Decimal("1.108")
    assert values[("010780054", "P2")] == Decimal("1.123")
    assert values[("010780054", "P3")] == Decimal("1.014")
    assert values[("010780054", "RH8")] == Decimal("9.4")
    assert values[("010780054", "RH9")] == Decimal("12")
    # CHU de Toulouse
    assert values[("310781406", "P1")] == Decimal("0.856")
    assert values[("310781406", "RH8")] == Decimal("8.5")
    # A private clinic: no IP-DMS, RH8/RH9 marked ".z" (not applicable to the private sector)
    assert ("010007300", "RH8") not in values and ("010007300", "P1") not in values
    assert run.missing_values[".z"] == 663 * 2  # RH8 and RH9, OQN rows only
    stored = HospidiagValue.objects.get(finess="010780054", code="P1")
    assert stored.source == "Hospi Diag 2022 (hd2022.csv)"
    assert stored.entity_name == "CH BOURG EN BRESSE"


@pytest.mark.django_db
def test_real_market_share_file_keeps_only_each_establishments_own_zone(shared_data):
    run = import_hospidiag(shared_data / "hospidiag-2022" / "pdmza_2022.csv")
    assert run.file_kind == "parts de marché"
    assert run.report.other_zone_rows > 20000
    # Row "010780054,010780054,41,34,2,…": the CH's own share in its zone.
    assert HospidiagValue.objects.get(finess="010780054", code="A1").value == Decimal("41")
    assert HospidiagValue.objects.get(finess="010780054", code="A2").value == Decimal("34.2")
    assert HospidiagValue.objects.get(finess="010007300", code="A1").value == Decimal("8.7")
    assert not HospidiagValue.objects.filter(finess="010007300", code="A2").exists()  # blank


@pytest.mark.django_db
def test_real_regional_market_share_file_is_read_per_establishment(shared_data):
    run = import_hospidiag(shared_data / "hospidiag-2022" / "pdmreg_2022.csv")
    assert run.file_kind == "parts de marché régionales"
    assert run.report.other_zone_rows == 0 and not run.skipped
    # Row '010780054,84,"         1,2","         1,1","         2,2","         0,7",…'.
    assert HospidiagValue.objects.get(finess="010780054", code="A1bis").value == Decimal("1.2")
    assert HospidiagValue.objects.get(finess="010780054", code="A4bis").value == Decimal("0.7")
    # Row '970100020,01,"        16,4","         0,1",,…': the blank obstetrics share is absent.
    assert not HospidiagValue.objects.filter(finess="970100020", code="A3bis").exists()
    assert (
        "Hospi Diag 2022, A1bis (part de marché régionale en médecine)"
        in Prefill(Decimal("1.2"), "A1bis", 2022, "010780054", False, "").text
    )


@pytest.mark.django_db
def test_import_is_idempotent_and_reports_bad_lines(tmp_path):
    path = tmp_path / "hd2022.csv"
    path.write_text(
        "finess,rs,P1,RH8\n"
        '010780054,CH BOURG EN BRESSE,"       1,108","         9,4"\n'
        'ABC,MAUVAIS FINESS,"       1,0",\n'
        '310781406,CHR TOULOUSE,"  0,8x",\n'
        "010007300,CLINIQUE,,                .z\n"
        "010008407,TROP COURTE\n",
        encoding="utf-8",
    )
    first = import_hospidiag(path)
    second = import_hospidiag(path)
    assert HospidiagValue.objects.count() == 2 == second.values_stored
    assert [s["ligne"] for s in first.skipped] == [3, 4, 6]
    summary = first.report.summary()
    assert "Ligne 3 écartée : numéro FINESS invalide « ABC »." in summary
    assert "Ligne 4 écartée : valeur illisible « 0,8x » en colonne P1." in summary
    assert "Ligne 6 écartée : nombre de colonnes inattendu." in summary
    assert "Valeurs absentes « .z » (non concerné) : 1." in summary
    assert HospidiagImport.objects.count() == 2


@pytest.mark.django_db
def test_a_file_that_is_not_hospidiag_is_refused_and_nothing_is_written(tmp_path):
    path = tmp_path / "export2022.csv"
    path.write_text("nom;valeur\nA;1\n", encoding="utf-8")
    with pytest.raises(HospidiagFormatError, match="pas de colonne « finess »"):
        import_hospidiag(path)
    with pytest.raises(CommandError, match="pas de colonne « finess »"):
        call_command("import_hospidiag", str(path))
    assert not HospidiagImport.objects.exists()


@pytest.mark.django_db
def test_command_prints_the_report(shared_data):
    out = StringIO()
    call_command("import_hospidiag", str(shared_data / "hospidiag-2022" / "hd2022.csv"), stdout=out)
    assert "Fichier hd2022.csv (indicateurs, 2022) : 1490 lignes lues" in out.getvalue()
    assert "0 lignes écartées" in out.getvalue()


@pytest.mark.django_db
def test_member_establishments_are_prefilled_from_their_legal_entity(tmp_path):
    et = EstablishmentFactory(name="SITE DE BOURG")
    HospidiagValue.objects.create(
        finess=et.legal_entity.finess,
        year=2022,
        code="RH8",
        value=Decimal("9.4"),
        source="Hospi Diag 2022 (hd2022.csv)",
    )
    HospidiagValue.objects.create(
        finess=et.legal_entity.finess,
        year=2022,
        code="P2",
        value=Decimal("1.123"),
        source="Hospi Diag 2022 (hd2022.csv)",
    )
    cooperation = CooperationFactory()
    member = MembershipFactory(cooperation=cooperation, establishment=et)
    other = MembershipFactory(cooperation=cooperation)
    evaluation = create_evaluation(cooperation, activity="chirurgie")
    t1 = Answer.objects.get(evaluation=evaluation, indicator__code="T1", membership=member)
    assert t1.baseline == Decimal("9.4")
    assert t1.baseline_source == (
        f"Hospi Diag 2022, RH8 (absentéisme du personnel non médical), "
        f"valeur de l'entité juridique {et.legal_entity.finess}"
    )
    # E5 of a surgery evaluation takes the surgery IP-DMS, P2.
    e5 = Answer.objects.get(evaluation=evaluation, indicator__code="E5", membership=member)
    assert e5.baseline == Decimal("1.123") and "P2 (IP-DMS chirurgie)" in e5.baseline_source
    # Nothing for the other member, and nothing for indicators Hospi Diag does not feed.
    assert not Answer.objects.filter(evaluation=evaluation, membership=other).exists()
    assert Indicator.objects.filter(version=evaluation.catalogue, hospidiag_codes=[]).count() == 20
