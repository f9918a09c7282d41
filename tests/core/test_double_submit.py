"""Identical submissions twice (double click, two tabs, a network retry) never answer 500
and never create duplicates (issue 14, class 8)."""

import re
import uuid

import pytest
from django.core.exceptions import ValidationError

from cooperations.models import Membership
from core.idempotency import ALREADY_SENT, save_unique
from fiches.models import StepComment, StepState
from suivi.models import Activity, Risk
from tests.fiches.helpers import steps_of, walk
from tests.territories.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def _says(html: str, text: str) -> bool:
    return text in html or text.replace("'", "&#x27;") in html


def _key(html: str) -> str:
    match = re.search(r'name="submission_key" value="([0-9a-f-]{36})"', html)
    assert match, "the create form carries no submission key"
    return match.group(1)


def _risk(key, title="Départ du radiologue"):
    return {
        "submission_key": key,
        "title": title,
        "category": "",
        "probability": "2",
        "impact": "3",
        "owner": "Direction",
        "mitigation": "Recruter",
        "status": "ouvert",
    }


def test_the_same_risk_form_sent_twice_creates_one_risk(world, login):
    from suivi.models import RiskCategory

    client = login(world.referent_a)
    url = f"/suivi/{world.coop_ara.pk}/risques/nouveau/"
    key = _key(client.get(url).content.decode())
    data = _risk(key) | {"category": str(RiskCategory.objects.first().pk)}
    first = client.post(url, data)
    assert first.status_code == 302, first.content.decode()[:2000]
    second = client.post(url, data, follow=True)
    assert second.status_code == 200
    assert second.redirect_chain[0][0] == first["Location"]
    assert _says(second.content.decode(), ALREADY_SENT)
    assert Risk.objects.filter(cooperation=world.coop_ara).count() == 1


def test_a_refused_form_keeps_its_key_and_can_be_sent_again(world, login):
    client = login(world.referent_a)
    url = f"/suivi/{world.coop_ara.pk}/chantiers/nouveau/"
    key = _key(client.get(url).content.decode())
    refused = client.post(url, {"submission_key": key, "title": ""})
    assert refused.status_code == 200
    assert _key(refused.content.decode()) == key
    accepted = client.post(
        url,
        {
            "submission_key": key,
            "title": "Plateau d'imagerie",
            "lead_name": "Dr Martin",
            "order": "1",
        },
    )
    assert accepted.status_code == 302, accepted.content.decode()[:3000]
    assert Activity.objects.filter(cooperation=world.coop_ara).count() == 1


def test_the_same_activity_from_two_tabs_gets_a_french_error(world, login):
    client = login(world.referent_a)
    url = f"/suivi/{world.coop_ara.pk}/chantiers/nouveau/"
    data = {"title": "Plateau d'imagerie", "lead_name": "Dr Martin", "order": "1"}
    tab_1 = _key(client.get(url).content.decode())
    tab_2 = _key(client.get(url).content.decode())
    assert tab_1 != tab_2
    assert client.post(url, data | {"submission_key": tab_1}).status_code == 302
    second = client.post(url, data | {"submission_key": tab_2})
    assert second.status_code == 200
    assert _says(second.content.decode(), "Un chantier porte déjà cet intitulé dans ce projet.")
    assert Activity.objects.filter(cooperation=world.coop_ara).count() == 1


def test_adding_the_same_member_twice(world, login):
    client = login(world.agent_ara)
    url = f"/cooperations/{world.coop_ara.pk}/membres/ajouter/"
    newcomer = EstablishmentFactory(name="CH DELTA")
    key = _key(client.get(url).content.decode())
    data = {"submission_key": key, "finess": newcomer.finess, "role": "membre"}
    assert client.post(url, data).status_code == 302
    again = client.post(url, data, follow=True)
    assert _says(again.content.decode(), ALREADY_SENT)
    other_tab = client.post(url, data | {"submission_key": str(uuid.uuid4())})
    assert other_tab.status_code == 200
    assert "CH DELTA est déjà membre de cette coopération." in other_tab.content.decode()
    assert world.coop_ara.memberships.filter(establishment=newcomer).count() == 1


def test_a_concurrent_duplicate_member_is_a_french_error_not_a_500(world):
    existing = world.coop_ara.memberships.get(establishment=world.et_a)
    twin = Membership(
        cooperation=world.coop_ara, establishment=world.et_a, role="membre", joined_on=None
    )
    with pytest.raises(ValidationError, match="déjà membre"):
        save_unique(twin, f"{existing.member_name} est déjà membre de cette coopération.")
    assert world.coop_ara.memberships.filter(establishment=world.et_a).count() == 1


def test_the_same_comment_sent_twice_is_published_once(world, login):
    step = steps_of(world.coop_ara)[1]
    client = login(world.referent_a)
    key = _key(client.get(f"/kit1/etapes/{step.pk}/").content.decode().split("commentaires")[-1])
    data = {"submission_key": key, "body": "Nous relançons le CH Beta."}
    url = f"/kit1/etapes/{step.pk}/commentaires/"
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert StepComment.objects.filter(step=step).count() == 1


def test_a_second_ars_decision_says_the_step_is_already_decided(world, login):
    step = walk(steps_of(world.coop_ara)[1], world.referent_a, world.agent_ara, "submitted")
    client = login(world.agent_ara)
    url = f"/kit1/etapes/{step.pk}/valider/"
    assert client.post(url, {"comment": ""}).status_code == 302
    again = client.post(url, {"comment": ""}, follow=True)
    assert again.redirect_chain[-1][0] == f"/kit1/etapes/{step.pk}/"
    html = again.content.decode()
    assert "Cette étape a déjà été validée le " in html
    assert _says(html, "aucune nouvelle décision n'a été enregistrée")
    step.refresh_from_db()
    assert step.state == StepState.VALIDATED
    assert step.transitions.filter(to_state=StepState.VALIDATED).count() == 1
