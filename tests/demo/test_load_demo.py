import io

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.models import User
from cooperations.models import Cooperation


def row_counts() -> dict:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.managed and m._meta.app_label not in {"sessions", "axes", "admin"}
    }


@pytest.mark.django_db
def test_demo_loads_twice_without_duplicates_and_gives_each_role_its_scope(settings, tmp_path):
    # A lone clone: no shared data folder beside it, only the repository's fixtures/.
    settings.SHARED_DATA_DIR = tmp_path / "empty"
    settings.SHARED_DATA_DIR.mkdir()
    call_command("load_demo", stdout=io.StringIO())
    first = row_counts()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert row_counts() == first, "un second chargement de la démo a créé ou modifié des lignes"
    assert "KitCoop-demo-2026" in out.getvalue()

    def visible(username):
        user = User.objects.get(username=username)
        return set(Cooperation.objects.visible_to(user).values_list("external_code", flat=True))

    assert first["territories.Establishment"] >= 300
    assert {"GHT-84103", "DEMO-GCS-IMAGERIE-31", "DEMO-GCSMS-EHPAD-35"} <= visible("admin")
    assert "GHT-84103" in visible("agent.ara") and "DEMO-GCS-IMAGERIE-31" not in visible(
        "agent.ara"
    )
    assert "DEMO-GCS-IMAGERIE-31" in visible("agent.occitanie")
    assert "DEMO-GCSMS-EHPAD-35" in visible("agent.bretagne")
    assert visible("directeur.fleyriat") >= {"GHT-84103"}
    assert "DEMO-GCS-IMAGERIE-31" not in visible("directeur.fleyriat")
    assert visible("directeur.chu-toulouse") >= {"DEMO-GCS-IMAGERIE-31"}
    assert "DEMO-GCSMS-EHPAD-35" in visible("directrice.ehpad")
    assert not {"GHT-84103", "DEMO-GCS-IMAGERIE-31"} & visible("directrice.ehpad")
    assert visible("copil.invite") == {"GHT-84103"}


@pytest.mark.django_db
def test_demo_names_legal_entities_from_legal_entity_sources_only(settings, tmp_path):
    from cooperations.models import RegisterGrouping
    from territories.models import EstablishmentActivity, LegalEntity

    settings.SHARED_DATA_DIR = tmp_path  # empty
    call_command("load_demo", stdout=io.StringIO())
    # From the EJ records of the FINESS 2026 JSON sample.
    convert = LegalEntity.objects.get(finess="010000156")
    assert convert.name == "CLINIQUE CONVERT" and "FINESS" in convert.name_source
    # From the Hospi Diag line of the legal entity's number.
    bourg = LegalEntity.objects.get(finess="010780054")
    assert bourg.name == "CH BOURG EN BRESSE" and bourg.name_source.startswith("Hospi Diag 2022")
    # An association running a psychiatric centre: no legal-entity source, so no site's name.
    association = LegalEntity.objects.get(finess="010783009")
    assert association.name == ""
    assert association.display_name == "entité juridique 010783009 (nom inconnu)"
    # The register's GHT (real names, members not in the sample: said, not invented).
    assert RegisterGrouping.objects.filter(kind="ght").count() == 5
    assert Cooperation.objects.filter(external_code="GHT-11109").exists()
    # Every GHT of the three demo regions, from the SAE list.
    assert (
        Cooperation.objects.filter(legal_form__code="ght", pilot_ars__region_code="53").count() >= 4
    )
    assert EstablishmentActivity.objects.exists()


def test_ght_names_from_the_sae_capitals_read_as_french():
    from demo.cooperations import ght_name

    assert ght_name("EST HÉRAULT ET SUD AVEYRON") == "GHT Est Hérault et Sud Aveyron"
    assert ght_name("ALLIER PUY-DE-DÔME") == "GHT Allier Puy-de-Dôme"
    assert ght_name("21-52 CÔTE D'OR-HAUTE-MARNE") == "GHT 21-52 Côte d'Or-Haute-Marne"
    # The name already starts with GHT, and Latin-1 lost the Œ of CŒUR.
    assert ght_name("GHT DES CH DE") == "GHT des CH de"
    assert ght_name("TARN REVELOIS - CUR D'OCCITANIE") == "GHT Tarn Revelois - Cœur d'Occitanie"
