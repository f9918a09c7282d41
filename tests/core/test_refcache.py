"""Cached reference lists follow the admin's changes at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperations.choices import THEMES
from cooperations.filters import CooperationFilter
from cooperations.models import Cooperation, Theme
from territories.choices import DEPARTEMENT_CODES

pytestmark = pytest.mark.django_db


def test_a_cached_list_is_read_once_then_served_without_query():
    first = THEMES.choices()
    with CaptureQueriesContext(connection) as queries:
        assert THEMES.choices() == first
    assert len(queries) == 0
    assert ("2A" in DEPARTEMENT_CODES.labels().values()) and len(DEPARTEMENT_CODES.labels()) == 101


def test_saving_or_deleting_a_row_refreshes_the_list():
    THEMES.choices()
    theme = Theme.objects.create(code="telesante", name="Télésanté")
    assert (theme.pk, "Télésanté") in THEMES.choices()
    theme.name = "Télésanté et télé-expertise"
    theme.save()
    assert (theme.pk, "Télésanté et télé-expertise") in THEMES.choices()
    theme.delete()
    assert theme.name not in dict(THEMES.choices()).values()


def test_portfolio_filter_offers_a_theme_created_in_the_admin_and_filters_on_it(world):
    theme = Theme.objects.create(code="achats-test", name="Achats groupés (test)")
    world.coop_ara.themes.add(theme)
    visible = Cooperation.objects.all()
    options = dict(CooperationFilter(queryset=visible).form.fields["theme"].choices)
    assert options[theme.pk] == "Achats groupés (test)"
    filtered = CooperationFilter({"theme": str(theme.pk)}, queryset=visible).qs
    assert list(filtered) == [world.coop_ara]
    # An id that is not in the catalogue is a form error, not a 500 nor an empty page.
    bad = CooperationFilter({"theme": "999999"}, queryset=visible)
    assert not bad.form.is_valid()


def test_a_change_made_by_another_worker_is_seen_on_the_next_request(client, world):
    """Each process keeps the lists in memory; the shared version token tells it when an
    admin changed a row through another process (which this one never hears about)."""
    from django.core.cache import cache

    from core import refcache

    theme = Theme.objects.create(code="rh-test", name="Ressources humaines (test)")
    client.force_login(world.agent_ara)
    assert "Ressources humaines (test)" in client.get("/cooperations/").content.decode()
    # Another worker renames the row: no signal reaches this process, only the new token.
    Theme.objects.filter(pk=theme.pk).update(name="Gestion des compétences (test)")
    assert "Ressources humaines (test)" in client.get("/cooperations/").content.decode()
    cache.set(refcache.VERSION_KEY, "version-from-another-worker", timeout=None)
    page = client.get("/cooperations/").content.decode()
    assert "Gestion des compétences (test)" in page and "Ressources humaines (test)" not in page


def test_a_request_reads_the_shared_version_once(client, world, monkeypatch):
    from core import refcache

    client.force_login(world.agent_ara)
    client.get("/cooperations/")
    reads = []
    original = refcache._shared_version
    monkeypatch.setattr(refcache, "_shared_version", lambda: reads.append(1) or original())
    client.get("/cooperations/?phase=emergence")
    assert len(reads) == 1
