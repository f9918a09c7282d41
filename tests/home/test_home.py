from django.urls import reverse
from django.utils.html import escape

from territories.choices import ARS_NAMES


def test_an_ars_agent_is_told_which_ars_it_follows(world, login):
    """The intro names the agent's ARS (read from the cached reference list, user.ars_name)."""
    name = ARS_NAMES.labels()[world.agent_ara.ars_id]
    html = login(world.agent_ara).get(reverse("home")).content.decode()
    assert escape(f"Vous suivez les coopérations de l'{name}.") in html


def test_the_home_counts_the_cooperations_of_the_scope_for_every_role(world, login):
    """The total is counted on the scope's ids (a UNION for an ARS agent): the same number
    as the scoped queryset, for every role."""
    from cooperations.models import Cooperation
    from tests.cooperations.factories import CooperationFactory
    from tests.territories.factories import ars, departement

    # Piloted elsewhere but in a département of ARA, and piloted by ARA with two of its
    # départements (counted once).
    CooperationFactory(pilot_ars=ars("76"), departements=[departement("01")])
    CooperationFactory(pilot_ars=ars("84"), departements=[departement("01"), departement("69")])
    for name, user in world.users().items():
        response = login(user).get(reverse("home"))
        assert response.context["total"] == Cooperation.objects.visible_to(user).count(), name
    assert login(world.agent_ara).get(reverse("home")).context["total"] == 3
