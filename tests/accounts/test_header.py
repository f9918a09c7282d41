"""The header names the signed-in user, their role and, for an ARS agent, their ARS."""

import pytest

pytestmark = pytest.mark.django_db


def test_header_names_the_agent_and_their_ars(world, login):
    html = login(world.agent_ara).get("/").content.decode()
    header = html[html.index('id="current-user"') :][:300]
    assert world.agent_ara.get_full_name() in header
    assert "ARS Auvergne-Rhône-Alpes" in header


def test_header_of_a_director_names_no_ars(world, login):
    html = login(world.referent_a).get("/").content.decode()
    header = html[html.index('id="current-user"') :][:300]
    assert "ARS" not in header.split("</span>")[0]
