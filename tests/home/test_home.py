from django.urls import reverse
from django.utils.html import escape

from territories.choices import ARS_NAMES


def test_an_ars_agent_is_told_which_ars_it_follows(world, login):
    """The intro names the agent's ARS (read from the cached reference list, user.ars_name)."""
    name = ARS_NAMES.labels()[world.agent_ara.ars_id]
    html = login(world.agent_ara).get(reverse("home")).content.decode()
    assert escape(f"Vous suivez les coopérations de l'{name}.") in html
