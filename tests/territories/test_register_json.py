"""The FINESS 2026 "Structures" JSON flux: the real ANS sample, and files built in its format."""

import gzip
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cooperations.models import Cooperation, Membership, RegisterGrouping
from territories.importers import NotAFinessFile, import_register_file
from territories.models import Establishment, LegalEntity, LegalStatus

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "finess-2026"
SAMPLE = FIXTURES / "finess-structures-sample-20260309.json"


def test_the_real_sample_imports_legal_entities_with_names_and_their_sites():
    report = import_register_file(SAMPLE)
    assert report.kind == "finess-structures"
    assert "format JSON FINESS 2026" in report.format_description
    assert (report.entities_created, report.created) == (23, 27)
    assert report.rejected == 0
    convert = LegalEntity.objects.get(finess="010000156")
    assert convert.name == "CLINIQUE CONVERT"  # from the EJ record, not from a site
    assert convert.siren == "" or len(convert.siren) == 9
    assert convert.legal_status_code == "73"
    assert convert.legal_status == LegalStatus.PRIVATE_FOR_PROFIT
    assert convert.register_id == "2"
    assert convert.departement.code == "01"
    assert not convert.is_closed
    # Trailing spaces of the register are gone.
    assert LegalEntity.objects.get(finess="010000164").name == "POLYCLINIQUE D'AMBERIEU"
    site = Establishment.objects.get(finess="010780195")
    assert site.legal_entity == convert
    assert (site.category_code, site.siret) == ("365", "77220148900022")
    assert site.register_id == "799"
    assert site.latitude is not None and site.longitude is not None
    assert site.departement.code == "01"


def test_closed_entities_and_sites_are_kept_and_marked_closed():
    import_register_file(SAMPLE)
    closed = LegalEntity.objects.get(finess="010000016")  # etatObjet I, closed 2019-03-03
    assert closed.is_closed and str(closed.closed_on) == "2019-03-03"
    assert closed.name == "MAISON DE RETRAITE - DIVONNE-LES-BAINS"
    smur = Establishment.objects.get(finess="010787190")  # etatObjet I
    assert smur.is_closed
    assert Establishment.objects.get(finess="010780906").is_closed is False


def test_wallis_and_futuna_is_outside_every_ars_and_reported():
    report = import_register_file(SAMPLE)
    agency = LegalEntity.objects.get(finess="980600019")
    assert agency.departement is None
    assert Establishment.objects.get(finess="980600027").departement is None
    assert report.without_ars == 2
    notes = [n["note"] for n in report.notes if n.get("ref") == "ET 980600027"]
    assert any("hors ARS : Wallis-et-Futuna" in n for n in notes)


def test_the_samples_ght_are_created_with_their_ars_and_say_their_members_are_missing():
    report = import_register_file(SAMPLE)
    ght = Cooperation.objects.get(external_code="GHT-27103")
    assert ght.legal_form.code == "ght"
    assert ght.pilot_ars.region_code == "27"  # read from the SAE GHT code: no member known
    grouping = ght.register_grouping
    assert grouping.members_declared == 9 and len(grouping.members_unresolved) == 9
    assert not grouping.composition_known
    assert RegisterGrouping.objects.filter(kind="ght").count() == 5
    assert report.counts["groupements_in_file"] == 14
    assert any("GHT : 5 dans le fichier ; créés : 5" in line for line in report.summary_lines())
    # The groupements' own legal entities are not in the sample either: said, not invented.
    assert report.counts["register_groupements_unresolved"] == 14


def test_reimport_updates_and_never_duplicates():
    import_register_file(SAMPLE)
    report = import_register_file(SAMPLE)
    assert (report.entities_created, report.created) == (0, 0)
    assert (report.entities_updated, report.updated) == (23, 27)
    assert Cooperation.objects.filter(external_code__startswith="GHT-").count() == 5


def test_gzipped_flux_is_read(tmp_path):
    path = tmp_path / "finess-structures.json.gz"
    path.write_bytes(gzip.compress(SAMPLE.read_bytes()))
    report = import_register_file(path)
    assert "gzip" in report.format_description
    assert report.created == 27


def test_a_truncated_file_changes_nothing(tmp_path):
    path = tmp_path / "cut.json"
    path.write_bytes(SAMPLE.read_bytes()[:60000])
    with pytest.raises(NotAFinessFile, match="tronqué ou mal formé"):
        import_register_file(path)
    assert not LegalEntity.objects.exists() and not Cooperation.objects.exists()


def test_json_without_legal_entities_is_refused(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"gcc": [], "pmej": []}))
    with pytest.raises(NotAFinessFile, match="aucune entité juridique"):
        import_register_file(path)


def test_command_detects_the_json_flux(capsys):
    out = io.StringIO()
    call_command("import_finess", str(SAMPLE), "--quiet-progress", stdout=out)
    text = out.getvalue()
    assert "ceci est le format JSON FINESS 2026" in text
    assert "Entités juridiques créées : 23" in text


def test_activities_command_refuses_the_structures_file():
    with pytest.raises(CommandError, match="n'est pas le flux JSON FINESS « Activités »"):
        call_command("import_finess_activities", str(SAMPLE), "--quiet-progress")


# --- A complete GHT and groupements, built in the flux's own format ----------------------


def _entity(pm_id, finess, name, statut, commune, sites=(), state="A"):
    return {
        "informationsGeneralesPMEJ": {
            "pmSmsseId": pm_id,
            "numFinessPm": finess,
            "denominationPm": name + "   ",
            "denominationLonguePmSmsse": name,
            "statutJuridique": statut,
            "siren": "260100045",
            "dateCreation": "1970-01-01",
        },
        "adresse": [
            {"cogCommune": commune, "codePostal": commune[:2] + "000", "ligneAcheminement": "VILLE"}
        ],
        "evenement": [],
        "etatObjet": state,
        "dateDerniereMaj": "2026-01-01 00:00:00",
        "ege": [
            {
                "informationsGeneralesEGE": {
                    "egeId": ege_id,
                    "numFinessEge": ege_finess,
                    "nomEgeCourt": ege_name,
                    "nomEgeLong": ege_name,
                    "dateOuverture": "1970-01-01",
                    "datePremiereAutorisation": "1970-01-01",
                },
                "categorieentiteGeographiqueExercice": "355",
                "adresse": [{"cogCommune": commune, "codePostal": commune[:2] + "000"}],
                "etatObjet": "A",
                "dateDerniereMaj": "2026-01-01 00:00:00",
            }
            for ege_id, ege_finess, ege_name in sites
        ],
    }


def _flux(tmp_path, ght_members, groupements=(), extra_ght=()):
    from territories.finess import with_check_key

    entities = [
        _entity("501", "010780054", "CENTRE HOSPITALIER DE BOURG-EN-BRESSE", "13", "01053",
                [("9501", "010000024", "CH DE FLEYRIAT")]),
        _entity("502", "010008407", "CENTRE HOSPITALIER DU HAUT BUGEY", "14", "01283",
                [("9502", "010005239", "CH DU HAUT BUGEY - GEOVREISSET")]),
        _entity("503", "010780138", "CENTRE HOSPITALIER DE PONT DE VAUX", "13", "01305"),
        _entity("504", "010780120", "CENTRE HOSPITALIER DE MEXIMIEUX", "13", "01244"),
        _entity("601", with_check_key("01900001"), "GCS IMAGERIE DE L'AIN", "29", "01053"),
        _entity("602", with_check_key("01900002"), "GCSMS DES EHPAD DE LA BRESSE", "30", "01053"),
        _entity("603", with_check_key("01900003"), "GCS SITE DE RADIOTHERAPIE", "89", "01053"),
        _entity("604", with_check_key("01900004"), "CPTS DU BUGEY", "60", "01283"),
    ]  # fmt: skip
    data = {
        "schemaVersion": "v1.0.0",
        "generatedAt": "2026-06-01T05:00:00Z",
        "gcc": [
            {
                "gccId": "42",
                "nomGcc": "Bresse Haut-Bugey",
                "typeGcc": "001",
                "gccIdentifiantExterne": "84103",
                "pmejDuGcc": [
                    {"pmSmsseId": pm, "typeRoleEntiteGroupe": role} for pm, role in ght_members
                ],
                "egeDuGcc": [],
                "etatObjet": "A",
                "dateDerniereMaj": "2026-01-01 00:00:00",
            },
            *extra_ght,
        ],
        "gco": list(groupements),
        "pmej": entities,
    }
    path = tmp_path / "finess-structures.json"
    path.write_text(json.dumps(data, ensure_ascii=False))
    return path


GHT_MEMBERS = [("501", "S"), ("502", "M"), ("503", "M")]


def test_a_complete_ght_becomes_a_cooperation_with_its_support_and_members(tmp_path):
    report = import_register_file(_flux(tmp_path, GHT_MEMBERS))
    ght = Cooperation.objects.get(external_code="GHT-84103")
    assert ght.title == "GHT Bresse Haut-Bugey"
    assert ght.pilot_ars.region_code == "84"  # the support establishment's commune is in the Ain
    roles = {
        m.legal_entity.finess: m.role
        for m in ght.memberships.active().select_related("legal_entity")
    }
    assert roles == {"010780054": "support", "010008407": "membre", "010780138": "membre"}
    assert ght.register_grouping.composition_known
    assert {d.code for d in ght.departements.all()} == {"01"}
    assert report.counts["register_ght_created"] == 1
    assert ght.history.exists()  # traceable creation


def test_reimport_keeps_users_work_and_withdraws_only_what_the_register_dropped(tmp_path):
    import_register_file(_flux(tmp_path, GHT_MEMBERS))
    ght = Cooperation.objects.get(external_code="GHT-84103")
    ght.title = "GHT Bresse Haut-Bugey : projet médical partagé"
    ght.objectives = "Texte écrit par le directeur."
    ght.save()
    user_member = Membership.objects.create(
        cooperation=ght, legal_entity=LegalEntity.objects.get(finess="010780120"), role="associe"
    )
    # Pont-de-Vaux leaves the GHT in the register; Meximieux joins it.
    import_register_file(_flux(tmp_path, [("501", "S"), ("502", "M"), ("504", "M")]))
    ght.refresh_from_db()
    assert ght.title == "GHT Bresse Haut-Bugey : projet médical partagé"
    assert ght.objectives == "Texte écrit par le directeur."
    pont_de_vaux = ght.memberships.get(legal_entity__finess="010780138")
    assert pont_de_vaux.left_on is not None  # withdrawn, not deleted
    user_member.refresh_from_db()
    assert user_member.left_on is None and user_member.role == "associe"  # the user's member stays
    assert ght.memberships.active().count() == 3
    assert Cooperation.objects.filter(external_code="GHT-84103").count() == 1


def test_an_existing_ght_of_the_same_sae_code_is_completed_not_duplicated(tmp_path):
    from tests.cooperations.factories import CooperationFactory

    existing = CooperationFactory(title="GHT de démonstration", external_code="GHT-84103")
    import_register_file(_flux(tmp_path, GHT_MEMBERS))
    assert Cooperation.objects.filter(external_code="GHT-84103").get() == existing
    assert (
        existing.memberships.active().count()
        == 3 + existing.memberships.filter(legal_entity__isnull=True).count()
    )


@pytest.mark.parametrize(
    "pm_id,gco_type,form",
    [
        ("601", "003", "gcs-moyens"),
        ("602", "", "gcsms"),
        ("603", "002", "gcs-es"),
        ("604", "001", "cpts"),
    ],
)
def test_groupements_get_the_legal_form_of_their_legal_status(tmp_path, pm_id, gco_type, form):
    groupement = {
        "pmSmsseId": pm_id,
        "typeGco": gco_type,
        "pmejDuGco": [{"pmSmsseId": "501", "typeRoleEntiteGroupe": "M"}],
        "egeDuGco": [{"egeId": "9502", "typeRoleEntiteGroupe": "M"}],
    }
    import_register_file(_flux(tmp_path, GHT_MEMBERS, groupements=[groupement]))
    grouping = RegisterGrouping.objects.get(kind="gco", register_id=pm_id)
    cooperation = grouping.cooperation
    assert cooperation.legal_form.code == form
    assert cooperation.title == grouping.legal_entity.name
    assert grouping.legal_form_reason  # said on the pages
    members = {
        (m.legal_entity_id is not None, m.member.finess) for m in cooperation.memberships.all()
    }
    assert members == {(True, "010780054"), (False, "010005239")}


def test_a_public_hospital_in_two_register_ght_is_flagged(tmp_path):
    from cooperations.ght import region_overview

    other = {
        "gccId": "43",
        "nomGcc": "Autre GHT",
        "typeGcc": "001",
        "gccIdentifiantExterne": "84199",
        "pmejDuGcc": [{"pmSmsseId": "502", "typeRoleEntiteGroupe": "S"}],
        "etatObjet": "A",
        "dateDerniereMaj": "2026-01-01",
    }
    import_register_file(_flux(tmp_path, GHT_MEMBERS, extra_ght=[other]))
    ars = Cooperation.objects.get(external_code="GHT-84103").pilot_ars
    overview = region_overview(ars, Cooperation.objects.all())
    assert [(e.finess, titles) for e, titles in overview.in_several] == [
        ("010008407", ["GHT Autre GHT", "GHT Bresse Haut-Bugey"])
    ]
    assert [e.finess for e in overview.without_ght] == ["010780120"]  # Meximieux


def test_a_ght_created_by_the_import_shows_on_its_regional_dashboard(
    tmp_path, django_capture_on_commit_callbacks
):
    """Bulk inserts send no signal: the import replaces the region's dashboard token itself."""
    from cooperations import dashboard
    from territories.models import ARS

    region = ARS.objects.get(region_code="84").pk
    before = dashboard._token(region)
    with django_capture_on_commit_callbacks(execute=True):
        import_register_file(_flux(tmp_path, GHT_MEMBERS))
    assert dashboard._token(region) != before
