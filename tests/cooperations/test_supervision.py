"""Who supervises a cooperation (issue 14, items 1-2): the pilot ARS and the départements
are changed only by the pilot ARS or a national admin, or by a request the pilot ARS
accepts; every change is logged and both ARS are told."""

from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cooperations import services, supervision
from cooperations.models import Cooperation, SupervisionChange
from notifications.models import Notification
from tests.territories.factories import ars, departement

pytestmark = pytest.mark.django_db


def _edit_data(client, coop, **changes):
    form = client.get(reverse("cooperations:edit", args=[coop.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        departements=[d.pk for d in coop.departements.all()],
        typologies=[],
        themes=[],
        plan_objectives=[],
        pilot_ars=coop.pilot_ars_id,
        legal_form=coop.legal_form_id or "",
        version=coop.version,
    )
    data.update(changes)
    return data


def test_the_project_team_cannot_move_its_cooperation_through_the_edit_form(world, login):
    client = login(world.referent_a)
    coop = world.coop_ara
    page = unescape(client.get(reverse("cooperations:edit", args=[coop.pk])).content.decode())
    assert "Modifiable par l'ARS pilote ou un administrateur national" in page
    response = client.post(
        reverse("cooperations:edit", args=[coop.pk]),
        _edit_data(
            client, coop, title="Titre modifié", pilot_ars=ars("76").pk,
            departements=[departement("31").pk],
        ),
    )  # fmt: skip
    assert response.status_code == 302
    coop = Cooperation.objects.get(pk=coop.pk)
    assert coop.title == "Titre modifié"  # project content: the team edits it
    assert coop.pilot_ars == ars("84")  # supervision: unchanged
    assert set(coop.departements.values_list("code", flat=True)) == {"01", "71"}
    assert not SupervisionChange.objects.exists()
    # The service refuses it as well (a form is not the only way in).
    with pytest.raises(ValidationError, match="Seuls les agents de l'ARS pilote"):
        services.cooperation_update(
            cooperation=coop, user=world.referent_a, data={"pilot_ars": ars("76")},
            version=coop.version,
        )  # fmt: skip


def test_an_agent_of_a_concerned_ars_reads_and_comments_but_cannot_edit(world, login):
    client = login(world.agent_concerned)
    coop = world.coop_ara
    assert client.get(reverse("cooperations:detail", args=[coop.pk])).status_code == 200
    edit = client.get(reverse("cooperations:edit", args=[coop.pk]))
    assert edit.status_code == 403
    assert "lecture seule" in unescape(edit.content.decode())


def test_a_request_accepted_by_the_pilot_ars_moves_the_cooperation_and_tells_both_ars(
    world, login, django_capture_on_commit_callbacks
):
    coop = world.coop_ara
    team = login(world.referent_a)
    url = reverse("cooperations:supervision", args=[coop.pk])
    response = team.post(
        url,
        {
            "pilot_ars": ars("76").pk,
            "departements": [departement("31").pk, departement("01").pk],
            "reason": "Le CHU de Toulouse porte désormais le projet.",
        },
    )
    assert response.status_code == 302
    change = SupervisionChange.objects.get()
    assert change.status == "pending" and change.requested_by == world.referent_a
    # Nothing moves before the pilot ARS decides.
    assert Cooperation.objects.get(pk=coop.pk).pilot_ars == ars("84")
    # The team cannot decide; the concerned ARS neither.
    decide = reverse("cooperations:supervision_decide", args=[coop.pk, change.pk])
    assert team.post(decide, {"decision": "accept"}).status_code == 403
    assert login(world.agent_concerned).post(decide, {"decision": "accept"}).status_code == 403

    pilot = login(world.agent_ara)
    page = unescape(pilot.get(url).content.decode())
    assert "Demande en attente" in page and "Le CHU de Toulouse porte" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = pilot.post(decide, {"decision": "accept", "comment": "D'accord."})
    # Still in the ARA agent's region through the Ain: back to the supervision page.
    assert response.status_code == 302 and response["Location"] == url
    coop = Cooperation.objects.get(pk=coop.pk)
    assert coop.pilot_ars == ars("76")
    assert set(coop.departements.values_list("code", flat=True)) == {"31", "01"}
    change.refresh_from_db()
    assert change.status == "accepted" and change.decided_by == world.agent_ara
    assert change.from_departements == "01, 71"
    told = set(
        Notification.objects.filter(kind="cooperation_moved").values_list(
            "recipient__username", flat=True
        )
    )
    # The new pilot ARS, the project team; the former pilot ARS decided (the actor is not
    # notified of its own act).
    assert {"agent_occ", "referent_a"} <= told
    # The history of the cooperation records the move too.
    assert coop.history.filter(pilot_ars=ars("76")).exists()
    # Still in the ARA agent's scope through the Ain, read-only now.
    assert (
        login(world.agent_ara).get(reverse("cooperations:edit", args=[coop.pk])).status_code == 403
    )


def test_refusal_needs_a_reason_and_a_decided_request_says_so(world):
    change = supervision.supervision_request(
        cooperation=world.coop_ara, user=world.referent_a, pilot_ars=ars("84"),
        departements=[departement("01")], reason="Le 71 n'est plus concerné.",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="Expliquez le refus"):
        supervision.supervision_decide(change=change, user=world.agent_ara, accept=False)
    supervision.supervision_decide(
        change=change, user=world.agent_ara, accept=False, comment="Il l'est encore."
    )
    with pytest.raises(ValidationError, match="déjà été traitée"):
        supervision.supervision_decide(change=change, user=world.agent_ara, accept=True)
    assert set(world.coop_ara.departements.values_list("code", flat=True)) == {"01", "71"}
    with pytest.raises(PermissionDenied):
        supervision.supervision_decide(change=change, user=world.referent_a, accept=True)


def test_a_second_pending_request_is_refused_in_french(world):
    kwargs = {
        "cooperation": world.coop_ara, "user": world.referent_a, "pilot_ars": ars("84"),
        "departements": [departement("01")], "reason": "Recentrer.",
    }  # fmt: skip
    supervision.supervision_request(**kwargs)
    with pytest.raises(ValidationError, match="déjà en attente"):
        supervision.supervision_request(**kwargs)


def test_the_pilot_ars_moves_it_directly_logged_and_both_ars_told(
    world, login, django_capture_on_commit_callbacks
):
    coop = world.coop_ara
    client = login(world.agent_ara)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cooperations:edit", args=[coop.pk]),
            _edit_data(
                client, coop, pilot_ars=ars("76").pk,
                departements=[departement("31").pk, departement("01").pk],
            ),
        )  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    change = SupervisionChange.objects.get()
    assert change.status == "applied" and change.from_pilot_ars == ars("84")
    assert change.to_pilot_ars == ars("76") and change.decided_by == world.agent_ara
    told = set(
        Notification.objects.filter(kind="cooperation_moved").values_list(
            "recipient__username", flat=True
        )
    )
    assert "agent_occ" in told and "referent_a" in told
    assert Cooperation.objects.get(pk=coop.pk).pilot_ars == ars("76")


def test_a_move_tells_the_former_pilot_ars_when_someone_else_moves_it(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        supervision.supervision_apply(
            cooperation=world.coop_ara, user=world.admin, pilot_ars=ars("76"),
            departements=[departement("31"), departement("01")],
        )  # fmt: skip
    told = set(
        Notification.objects.filter(kind="cooperation_moved").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"agent_ara", "agent_occ"} <= told
    with pytest.raises(PermissionDenied):
        supervision.supervision_apply(
            cooperation=world.coop_ara, user=world.referent_a, pilot_ars=ars("84"),
            departements=[departement("01")],
        )  # fmt: skip
