"""The register's pages: establishment, legal entity, region GHT, suggestions, member form."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from cooperations.models import GHTExemption, Membership
from evalimpact.models import HospidiagValue
from territories.models import EstablishmentActivity
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.queries import count_queries
from tests.territories.factories import EstablishmentFactory, LegalEntityFactory, ars, departement

pytestmark = pytest.mark.django_db


def public_hospital(name, **kwargs):
    entity = LegalEntityFactory(name=name, legal_status_code="13", **kwargs)
    return EstablishmentFactory(legal_entity=entity, name=f"SITE {name}")


def test_the_establishment_page_shows_identity_legal_entity_ght_activities_and_hospidiag(
    world, login
):
    site = world.et_a
    EstablishmentFactory(legal_entity=site.legal_entity, name="AUTRE SITE DU CH")
    ght = CooperationFactory(ght=True, title="GHT de l'Ain")
    MembershipFactory(
        cooperation=ght, establishment=None, legal_entity=site.legal_entity, role="support"
    )
    EstablishmentActivity.objects.create(
        register_id="1", legal_entity=site.legal_entity, nature_code="ASR", arhgos_number="84-1"
    )
    HospidiagValue.objects.create(
        finess=site.legal_entity.finess, year=2022, code="P1", value=Decimal("1.108"),
        source="Hospi Diag 2022 (hd2022.csv)",
    )  # fmt: skip
    html = (
        login(world.referent_c)
        .get(reverse("registre:establishment", args=[site.finess]))
        .content.decode()
    )
    assert site.finess in html and site.legal_entity.finess in html
    assert "AUTRE SITE DU CH" in html
    assert "GHT de l&#x27;Ain" in html and "établissement support" in html
    assert "84-1" in html and "Activité de soins soumise à autorisation" in html
    assert "P1 — IP-DMS médecine" in html and "Hospi Diag 2022 (hd2022.csv)" in html
    # Scoped: referent_c may not see coop_ara, of which this site is a member.
    assert world.coop_ara.title not in html
    assert f'href="{ght.get_absolute_url()}"' not in html  # the GHT is named, not linked
    html = (
        login(world.referent_a)
        .get(reverse("registre:establishment", args=[site.finess]))
        .content.decode()
    )
    assert world.coop_ara.title.replace("'", "&#x27;") in html


def test_a_legal_entity_without_a_name_source_is_not_named_after_a_site(world, login):
    entity = LegalEntityFactory(name="")
    EstablishmentFactory(legal_entity=entity, name="CENTRE PSYCHOTHERAPIQUE DE L'AIN")
    html = (
        login(world.admin)
        .get(reverse("registre:legal_entity", args=[entity.finess]))
        .content.decode()
    )
    assert f"entité juridique {entity.finess} (nom inconnu)" in html
    assert '<h1 class="fr-h2">CENTRE PSYCHOTHERAPIQUE' not in html


def test_unknown_numbers_answer_404(world, login):
    client = login(world.admin)
    assert client.get(reverse("registre:establishment", args=["010000099"])).status_code == 404
    assert client.get(reverse("registre:legal_entity", args=["010000099"])).status_code == 404


def test_register_pages_run_a_constant_number_of_queries(world, login):
    client = login(world.referent_a)
    site = world.et_a
    urls = [
        reverse("registre:establishment", args=[site.finess]),
        reverse("registre:legal_entity", args=[site.legal_entity.finess]),
        reverse("registre:suggestions") + "?q=ch",
    ]
    few = [count_queries(client, url) for url in urls]
    for index in range(6):
        EstablishmentFactory(legal_entity=site.legal_entity, name=f"CH SITE {index}")
        coop = CooperationFactory(title=f"Coop {index}")
        MembershipFactory(cooperation=coop, establishment=site)
        EstablishmentActivity.objects.create(
            register_id=f"a{index}", establishment=site, nature_code="EML", exercised=True
        )
    many = [count_queries(client, url) for url in urls]
    assert few == many


def test_the_region_ght_page_flags_public_hospitals_in_no_ght_or_two(world, login):
    in_one = public_hospital("CH DE BOURG")
    in_two = public_hospital("CH DU BUGEY")
    alone = public_hospital("CH DE PONT DE VAUX")
    exempted = public_hospital("CH SPECIALISE")
    public_hospital("CH DE TOULOUSE", departement=departement("31"))  # another region
    first = CooperationFactory(ght=True, title="GHT Nord")
    second = CooperationFactory(ght=True, title="GHT Sud")
    MembershipFactory(
        cooperation=first, establishment=None, legal_entity=in_one.legal_entity, role="support"
    )
    MembershipFactory(cooperation=first, establishment=in_two)  # through a site
    MembershipFactory(
        cooperation=second, establishment=None, legal_entity=in_two.legal_entity, role="support"
    )
    GHTExemption.objects.create(
        legal_entity=exempted.legal_entity, ars=ars("84"), decided_on=date(2024, 1, 1),
        reference="Arrêté 2024-001", reason="Spécificité psychiatrique régionale",
    )  # fmt: skip
    client = login(world.agent_ara)
    url = reverse("registre:ght_region")
    html = client.get(url).content.decode()
    without = html[html.index('id="sans-ght"') : html.index('id="plusieurs-ght"')]
    several = html[html.index('id="plusieurs-ght"') :]
    assert "CH DE PONT DE VAUX" in without and "CH DE BOURG" not in without
    assert "CH SPECIALISE" not in without and "Arrêté 2024-001" in html
    assert "CH DU BUGEY" in several and "GHT Nord ; GHT Sud" in several
    assert "CH DE TOULOUSE" not in html
    assert alone.legal_entity.finess in html
    # An agent of Occitanie sees its own region, whatever the parameter says.
    html = login(world.agent_occ).get(url + "?region=84").content.decode()
    assert "GHT de la région Occitanie" in html and "CH DE BOURG" not in html
    # A national admin chooses the region.
    html = login(world.admin).get(url + "?region=76").content.decode()
    assert "CH DE TOULOUSE" in html
    few = count_queries(client, url)
    for index in range(5):
        MembershipFactory(cooperation=second, establishment=public_hospital(f"CH {index}"))
        public_hospital(f"CH SANS GHT {index}")  # listed with its département
    assert count_queries(login(world.agent_ara), url) == few


def test_suggestions_find_open_sites_by_name_commune_or_finess_and_show_their_ght(world, login):
    closed = EstablishmentFactory(name="CLINIQUE FERMEE DE L'AIN", is_closed=True)
    hospital = public_hospital("CENTRE HOSPITALIER DE BELLEY")
    ght = CooperationFactory(ght=True, title="GHT Savoie-Belley")
    MembershipFactory(cooperation=ght, establishment=None, legal_entity=hospital.legal_entity)
    client = login(world.referent_a)
    url = reverse("registre:suggestions")
    html = client.get(url, {"q": "belley"}).content.decode()
    assert 'role="option"' in html and hospital.finess in html
    assert "membre du GHT Savoie-Belley" in html
    assert closed.name not in client.get(url, {"q": "fermee"}).content.decode()
    html = client.get(url, {"q": "zzzz introuvable"}).content.decode()
    assert "Aucun établissement ouvert ne correspond" in html


def test_member_form_suggests_the_leading_zero_and_accepts_the_suggestion(world, login):
    from territories.finess import with_check_key

    number = with_check_key("01078005")
    site = EstablishmentFactory(finess=number, name="CH A ZERO")
    client = login(world.referent_a)
    url = reverse("cooperations:member_add", args=[world.coop_ara.pk])
    html = client.post(url, {"finess": number[1:], "role": "membre"}).content.decode()
    assert f"vouliez-vous dire {number} ?" in html
    assert f'name="finess_suggestion" value="{number}"' in html
    response = client.post(
        url, {"finess": number[1:], "finess_suggestion": number, "role": "membre"}
    )
    assert response.status_code == 302
    assert world.coop_ara.memberships.filter(establishment=site).exists()


def test_closed_sites_cannot_join_a_cooperation(world, login):
    closed = EstablishmentFactory(name="SITE FERME", is_closed=True, closed_on=date(2025, 6, 30))
    client = login(world.referent_a)
    url = reverse("cooperations:member_add", args=[world.coop_ara.pk])
    html = client.post(url, {"finess": closed.finess, "role": "membre"}).content.decode()
    assert "est fermé le 30/06/2025 selon le répertoire FINESS" in html
    assert not Membership.objects.filter(establishment=closed).exists()


def test_a_public_hospital_cannot_join_a_second_ght(world, login):
    hospital = public_hospital("CH DE BOURG")
    first = CooperationFactory(ght=True, title="GHT Bresse Haut-Bugey")
    MembershipFactory(cooperation=first, establishment=None, legal_entity=hospital.legal_entity)
    second = CooperationFactory(ght=True, title="GHT Dombes")
    client = login(world.admin)
    url = reverse("cooperations:member_add", args=[second.pk])
    page = client.get(url).content.decode()
    assert "ne peut être partie qu&#x27;à un seul GHT" in page or "qu'à un seul GHT" in page
    html = client.post(url, {"finess": hospital.finess, "role": "membre"}).content.decode()
    assert "déjà partie au GHT « GHT Bresse Haut-Bugey »" in html
    assert "CSP, art. L6132-1, I" in html
    assert not second.memberships.exists()
    # A private clinic may join several GHT as an associate; a non-GHT cooperation is free.
    clinic = EstablishmentFactory(private_clinic=True)
    MembershipFactory(cooperation=first, establishment=clinic)
    assert client.post(url, {"finess": clinic.finess, "role": "associe"}).status_code == 302
    gcs = CooperationFactory(gcs=True)
    response = client.post(
        reverse("cooperations:member_add", args=[gcs.pk]),
        {"finess": hospital.finess, "role": "membre"},
    )
    assert response.status_code == 302


def test_cooperation_members_link_to_the_register_and_say_an_incomplete_composition(world, login):
    from cooperations.models import RegisterGrouping

    RegisterGrouping.objects.create(
        cooperation=world.coop_ara, kind="ght", register_id="42", register_name="Ain",
        legal_form_reason="GHT (flux gcc du registre FINESS)", members_declared=9,
        members_unresolved=["pmSmsseId 1", "pmSmsseId 2"],
    )  # fmt: skip
    html = login(world.referent_a).get(world.coop_ara.get_absolute_url()).content.decode()
    assert f'href="/referentiel/etablissements/{world.et_a.finess}/"' in html
    assert "Le registre cite 9 membres, dont 2 absents du référentiel importé" in html
