from html import unescape

import pytest
from django.urls import reverse

from cooperations.models import Cooperation, LegalForm, RegionalObjective, Theme, Typology
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.queries import count_queries
from tests.territories.factories import ars, departement

pytestmark = pytest.mark.django_db


def make_rich_cooperations(n: int):
    themes = list(Theme.objects.all()[:3])
    typologies = list(Typology.objects.all())
    for _ in range(n):
        coop = CooperationFactory(gcs=True, members=3)
        coop.themes.set(themes)
        coop.typologies.set(typologies)


def test_portfolio_runs_a_constant_number_of_queries(world, login):
    client = login(world.admin)
    gcs = LegalForm.objects.get(code="gcs-moyens")
    url = reverse("cooperations:list") + f"?legal_form={gcs.pk}"
    make_rich_cooperations(2)
    few = count_queries(client, url)
    make_rich_cooperations(18)
    many = count_queries(client, url)
    assert few == many


def test_detail_runs_a_constant_number_of_queries(world, login):
    client = login(world.agent_ara)
    url = reverse("cooperations:detail", args=[world.coop_ara.pk])
    few = count_queries(client, url)
    for _ in range(10):
        MembershipFactory(cooperation=world.coop_ara)
    for index in range(5):
        world.coop_ara.title = f"Titre {index}"
        world.coop_ara.save()
    world.coop_ara.themes.set(Theme.objects.all()[:4])
    many = count_queries(client, url)
    assert few == many


def test_filters_narrow_the_portfolio(world, login):
    client = login(world.admin)
    imaging = Theme.objects.get(code="imagerie")
    world.coop_ara.themes.add(imaging)
    world.coop_occ.typologies.add(Typology.objects.get(code="isolement"))
    cases = {
        f"?theme={imaging.pk}": ["Imagerie partagée de l'Ain"],
        f"?typology={Typology.objects.get(code='isolement').pk}": ["Biologie Haute-Garonne"],
        f"?departement={departement('31').pk}": ["Biologie Haute-Garonne"],
        "?phase=decider": [],
        f"?establishment={world.et_c.finess}": ["Biologie Haute-Garonne"],
        "?establishment=beta": ["Imagerie partagée de l'Ain"],
        "?q=biologie": ["Biologie Haute-Garonne"],
        f"?pilot_ars={world.coop_ara.pilot_ars_id}": ["Imagerie partagée de l'Ain"],
    }
    for query, expected in cases.items():
        rows = client.get(reverse("cooperations:list") + query).context["rows"]
        assert [r.cooperation.title for r in rows] == expected, query


def test_portfolio_is_paginated(world, login):
    for _ in range(25):
        CooperationFactory()
    client = login(world.agent_ara)
    first = client.get(reverse("cooperations:list"))
    assert len(first.context["rows"]) == 20
    assert "26 coopérations dans votre périmètre" in first.content.decode()
    second = client.get(reverse("cooperations:list") + "?page=2")
    assert len(second.context["rows"]) == 6


def test_detail_shows_members_and_readable_history(world, login):
    client = login(world.referent_a)
    url = reverse("cooperations:edit", args=[world.coop_ara.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        title="Imagerie partagée de l'Ain et du Jura",
        departements=[d.pk for d in world.coop_ara.departements.all()],
        typologies=[],
        themes=[],
        pilot_ars=world.coop_ara.pilot_ars_id,
        legal_form=world.coop_ara.legal_form_id,
        version=1,
        phase="decider",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    page = client.get(reverse("cooperations:detail", args=[world.coop_ara.pk])).content.decode()
    assert "CH ALPHA" in page and "CLINIQUE BETA" in page
    assert "Intitulé" in page and "Imagerie partagée de l&#x27;Ain et du Jura" in page
    assert "Décider (faisabilité)" in page  # the phase's label, not its code
    assert world.referent_a.get_full_name() in page


def test_stale_edit_is_refused_and_the_input_is_kept(world, login):
    client = login(world.referent_a)
    url = reverse("cooperations:edit", args=[world.coop_ara.pk])
    Cooperation.objects.filter(pk=world.coop_ara.pk).update(version=2)  # someone saved meanwhile
    response = client.post(
        url,
        {
            "title": "Mon titre non perdu",
            "pilot_ars": world.coop_ara.pilot_ars_id,
            "departements": [departement("01").pk],
            "phase": "comprendre",
            "version": 1,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Quelqu&#x27;un d&#x27;autre a enregistré cette fiche" in html
    assert 'value="Mon titre non perdu"' in html
    world.coop_ara.refresh_from_db()
    assert world.coop_ara.title == "Imagerie partagée de l'Ain"


def test_adding_a_member_by_finess_explains_errors_in_french(world, login):
    client = login(world.referent_a)
    url = reverse("cooperations:member_add", args=[world.coop_ara.pk])
    html = client.post(url, {"finess": "010000025", "role": "membre"}).content.decode()
    assert "La clé de contrôle du numéro FINESS « 010000025 » est fausse" in html
    html = client.post(url, {"finess": "750712184", "role": "membre"}).content.decode()
    assert "Aucun établissement ni entité juridique n&#x27;a le numéro FINESS 750712184" in html
    html = client.post(url, {"finess": world.et_a.finess, "role": "membre"}).content.decode()
    assert "déjà membre" in html
    response = client.post(url, {"finess": world.et_c.finess, "role": "associe"})
    assert response.status_code == 302
    assert world.coop_ara.memberships.filter(establishment=world.et_c, role="associe").exists()


def test_establishment_search_by_name_and_finess(world, login):
    client = login(world.copil)
    url = reverse("territories:search")
    assert [e.name for e in client.get(url + "?q=alpha").context["page_obj"]] == ["CH ALPHA"]
    found = client.get(url + f"?q={world.et_c.finess}").context["page_obj"]
    assert [e.finess for e in found] == [world.et_c.finess]


def test_detail_shows_the_latest_changes_and_the_history_page_shows_them_all(world, login):
    for index in range(14):
        world.coop_ara.objectives = f"Objectif révisé n° {index}"
        world.coop_ara.save()
    client = login(world.agent_ara)
    detail = client.get(reverse("cooperations:detail", args=[world.coop_ara.pk])).content.decode()
    assert "Objectif révisé n° 13" in detail
    assert "<ins>Objectif révisé n° 2</ins>" not in detail  # beyond the latest ten
    assert reverse("cooperations:history", args=[world.coop_ara.pk]) in detail
    history = client.get(reverse("cooperations:history", args=[world.coop_ara.pk]))
    html = history.content.decode()
    assert "<ins>Objectif révisé n° 2</ins>" in html and "<ins>Objectif révisé n° 13</ins>" in html
    assert html.index("n° 13</ins>") < html.index("n° 2</ins>")  # newest first
    # Out of scope: 404, like the cooperation itself.
    other = login(world.agent_occ)
    assert other.get(reverse("cooperations:history", args=[world.coop_ara.pk])).status_code == 404


def test_history_names_a_member_that_is_a_legal_entity(world, login):
    from tests.territories.factories import LegalEntityFactory

    entity = LegalEntityFactory(name="CH DU HAUT BUGEY")
    MembershipFactory(cooperation=world.coop_ara, establishment=None, legal_entity=entity)
    html = login(world.agent_ara).get(reverse("cooperations:history", args=[world.coop_ara.pk]))
    assert "Création (Membre : CH DU HAUT BUGEY)" in html.content.decode()


def test_a_plan_objective_is_saved_through_save_versioned_and_a_refusal_keeps_the_input(
    world, login
):
    """objective_edit: saved → the list with the French message naming the code; refused →
    the form again, the French error shown and the typed values kept, nothing written."""
    client = login(world.agent_ara)
    typed = {
        "ars": ars("84").pk,
        "kind": "srs",
        "code": "SRS-4.1",
        "title": "Coordonner l'imagerie",
        "parent": "",
        "starts_year": "2028",
        "ends_year": "2023",
        "order": "0",
    }
    refused = client.post("/cooperations/plan-regional/nouveau/", typed)
    html = unescape(refused.content.decode())
    assert refused.status_code == 200
    assert "La fin de la période précède son début." in html
    assert 'value="Coordonner l\'imagerie"' in html
    assert not RegionalObjective.objects.filter(code="SRS-4.1").exists()

    saved = client.post(
        "/cooperations/plan-regional/nouveau/", {**typed, "ends_year": "2030"}, follow=True
    )
    assert "L'objectif SRS-4.1 est enregistré." in unescape(saved.content.decode())
    assert RegionalObjective.objects.get(code="SRS-4.1").ends_year == 2030
