"""The legal-form chooser (issue 12, item 11): the cases a lawyer or an ARS would check, each a
test; answers pre-filled from what KitCoop knows; scores in words; forms with no argument
left out."""

import pytest
from django.urls import reverse

from fiches import chooser
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.territories.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def answers(**overrides):
    base = {
        "members_status": "public", "sectors": "sanitaire", "ght_context": "no",
        "legal_personality": "yes", "employ_staff": "no", "authorisation": "none",
        "capital": "no", "duration": "long", "economic": "no", "purpose": "efficience",
        "esms_duty": "no", "domain": "none",
    }  # fmt: skip
    base.update(overrides)
    return base


def codes(ranking):
    return [r.legal_form.code for r in ranking if not r.excluded]


def test_two_public_hospitals_sharing_heavy_equipment_get_a_gcs_de_moyens():
    ranking = chooser.rank_legal_forms(answers(authorisation="equipment", employ_staff="yes"))
    assert codes(ranking)[0] == "gcs-moyens"
    assert ranking[0].verdict == "La plus adaptée"
    assert "Le GCS de moyens peut détenir des autorisations d'équipements lourds." in (
        ranking[0].reasons_for
    )
    excluded = {r.legal_form.code for r in ranking if r.excluded}
    assert {"convention", "gcs-es"} <= excluded


def test_a_public_hospital_and_a_private_clinic_sharing_a_scanner_get_a_gcs_de_moyens():
    ranking = chooser.rank_legal_forms(answers(members_status="mixed", authorisation="equipment"))
    assert codes(ranking)[0] == "gcs-moyens"
    assert any("choisissent sa nature juridique" in r for r in ranking[0].reasons_for)


def test_pooled_staff_between_ehpad_gets_a_gcsms():
    ranking = chooser.rank_legal_forms(
        answers(
            members_status="mixed", sectors="medico_social", employ_staff="yes", purpose="isolement"
        )
    )
    assert codes(ranking)[0] == "gcsms"
    excluded = {r.legal_form.code for r in ranking if r.excluded}
    assert {"gcs-moyens", "gcs-es", "convention", "gtsms"} <= excluded


def test_a_public_autonomous_ehpad_in_2026_must_join_a_ght_or_a_gtsms():
    ranking = chooser.rank_legal_forms(
        answers(sectors="medico_social", legal_personality="unsure", esms_duty="yes")
    )
    assert codes(ranking)[:2] == ["gtsms", "ght"]
    assert any("Obligation légale" in r for r in ranking[0].reasons_for)
    assert any("Obligation légale" in r for r in ranking[1].reasons_for)
    gcsms = next(r for r in ranking if r.legal_form.code == "gcsms")
    assert any("ne satisfait pas l'obligation" in r for r in gcsms.reasons_against)


def test_an_es_esms_care_pathway_without_a_legal_person_starts_with_a_convention():
    ranking = chooser.rank_legal_forms(
        answers(members_status="mixed", sectors="both", legal_personality="no", purpose="parcours")
    )
    assert codes(ranking)[0] == "convention"


def test_public_hospitals_running_a_shared_dialysis_unit_get_a_gcs_es_then_a_gcs_exploitant():
    ranking = chooser.rank_legal_forms(answers(authorisation="care_activity", employ_staff="yes"))
    assert codes(ranking)[:2] == ["gcs-es", "gcs-exploitant"]
    assert ranking[1].verdict == "Très adaptée aussi"
    convention = next(r for r in ranking if r.legal_form.code == "convention")
    assert convention.excluded and convention.verdict == "Écartée"


def test_forms_with_no_argument_are_not_listed_and_historical_ones_never():
    ranking = chooser.rank_legal_forms(answers())
    listed = {r.legal_form.code for r in ranking}
    # No answer speaks of mental health, primary care or clinical services here.
    assert not {"cpt", "cpts", "reseau", "cht"} & listed
    assert all(r.reasons_for or r.excluded for r in ranking)
    mental = chooser.rank_legal_forms(answers(domain="mental_health", legal_personality="no"))
    assert codes(mental)[0] == "cpt"
    primary = chooser.rank_legal_forms(
        answers(
            domain="primary_care",
            members_status="private",
            legal_personality="unsure",
            purpose="parcours",
        )
    )
    assert codes(primary)[0] == "cpts"


def test_what_kitcoop_knows_prefills_the_answers(world):
    coop = CooperationFactory()
    hospital = MembershipFactory(cooperation=coop, role="porteur")
    ehpad = MembershipFactory(
        cooperation=coop, establishment=EstablishmentFactory(ehpad=True, name="EHPAD DES TILLEULS")
    )
    ght = CooperationFactory(ght=True, title="GHT Bresse")
    MembershipFactory(cooperation=ght, establishment=hospital.establishment)

    facts = chooser.known_facts(coop)

    assert facts.initial == {
        "members_status": "public",
        "sectors": "both",
        "esms_duty": "yes",
    }
    text = " ".join(facts.notes)
    assert "est partie au GHT « GHT Bresse »" in text
    assert f"{ehpad.establishment.name} : ESMS public sans GHT" in text


def test_the_page_shows_the_known_facts_and_no_raw_score(world, login):
    url = reverse("fiches:legal_form_chooser", args=[world.coop_ara.pk])
    html = login(world.referent_a).get(url, answers(members_status="mixed")).content.decode()
    assert "Ce que KitCoop sait déjà des membres" in html
    assert "CLINIQUE BETA" in html
    assert "La plus adaptée" in html and "score" not in html
