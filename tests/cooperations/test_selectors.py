"""The cooperation's history says which départements, typologies and themes changed."""

import pytest

from cooperations import selectors, services
from cooperations.models import Theme, Typology
from tests.territories.factories import departement

pytestmark = pytest.mark.django_db


def test_history_shows_m2m_changes_with_their_labels(world):
    coop = world.coop_ara
    ain, rhone = departement("01"), departement("69")
    coop.departements.set([ain])
    typology = Typology.objects.order_by("pk").first()
    theme = Theme.objects.order_by("pk").first()
    services.cooperation_update(
        cooperation=coop,
        user=world.agent_ara,
        data={"departements": [ain, rhone], "typologies": [typology], "themes": [theme]},
        version=coop.version,
    )
    entries = selectors.cooperation_history(coop)
    changes = {}
    for entry in entries:  # newest first: keep each field's latest change
        for change in entry.changes:
            changes.setdefault(change.field, (change.old, change.new))
    assert changes["Départements concernés"] == ("01", "01, 69")
    assert typology.name in changes[next(k for k in changes if k.startswith("Typolog"))][1]
    assert theme.name in changes[next(k for k in changes if k.startswith("Th"))][1]


def test_cooperation_page_lists_in_catalogue_order_in_one_query(world, django_assert_num_queries):
    coop = world.coop_ara
    coop.departements.set([departement("69"), departement("01")])
    typology = Typology.objects.order_by("pk").first()
    coop.typologies.set([typology])
    coop.themes.clear()
    selectors.m2m_labels(coop)  # reference lists cached
    with django_assert_num_queries(1):
        lists = selectors.m2m_labels(coop)
    assert lists == {
        "departements": ["01 – Ain", "69 – Rhône"],
        "typologies": [typology.name],
        "themes": [],
    }


def test_the_cached_recent_history_shows_each_new_change(world, login):
    """The cooperation page's history block is cached, yet a member added or a field edited
    after a first view shows on the next view."""
    from cooperations.services import cooperation_update, membership_add
    from tests.territories.factories import EstablishmentFactory

    coop = world.coop_ara
    client = login(world.agent_ara)
    url = f"/cooperations/{coop.pk}/"
    first = client.get(url).content.decode()
    newcomer = EstablishmentFactory(
        name="Clinique du Renouveau", departement=world.et_a.departement
    )
    assert "Clinique du Renouveau" not in first

    membership_add(cooperation=coop, establishment=newcomer, actor=world.agent_ara)
    assert "Membre : Clinique du Renouveau" in client.get(url).content.decode()

    coop.refresh_from_db()
    cooperation_update(
        cooperation=coop,
        user=world.agent_ara,
        data={"title": "Titre revu après la première visite"},
        version=coop.version,
    )
    page = client.get(url).content.decode()
    # The history entry itself: the title alone shows in the heading even with a stale block.
    assert "<ins>Titre revu après la première visite</ins>" in page
