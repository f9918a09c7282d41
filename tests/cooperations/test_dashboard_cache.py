"""The regional dashboard's cached numbers: a write shows on the next view, in every region
it touches (before and after the write); the chart lock serves the table without a picture."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from cooperations import dashboard
from cooperations.models import Phase, Theme
from core import charts
from tests.cooperations.factories import CooperationFactory
from tests.queries import count_queries
from tests.territories.factories import ars, departement

pytestmark = pytest.mark.django_db

URL = reverse("cooperations:dashboard")


def _client(user) -> Client:
    """One client per user (the `login` fixture signs its one client in again)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _numbers(client, key: str) -> dict:
    response = client.get(URL)
    assert response.status_code == 200
    return dict(next(b for b in response.context["breakdowns"] if b.key == key).pairs)


def _total(client, **params) -> int:
    return client.get(URL, params).context["total"]


def test_a_phase_change_shows_on_the_next_view(world, django_capture_on_commit_callbacks):
    pilot, concerned = _client(world.agent_ara), _client(world.agent_concerned)
    decide = Phase.DECIDER.label
    before = _numbers(pilot, "phase")[decide]
    assert _numbers(concerned, "phase")[decide] == 0  # coop_ara touches its département 71
    _numbers(pilot, "phase")  # cached now
    with django_capture_on_commit_callbacks(execute=True):
        world.coop_ara.phase = Phase.DECIDER
        world.coop_ara.save()
    assert _numbers(pilot, "phase")[decide] == before + 1
    assert _numbers(concerned, "phase")[decide] == 1


def test_the_cached_numbers_wait_for_the_commit(world, django_capture_on_commit_callbacks):
    """Replacing the token before the commit would let a reader cache the old numbers under
    the new token: the bump runs on commit."""
    client = _client(world.agent_ara)
    before = _numbers(client, "phase")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        world.coop_ara.phase = Phase.EVALUER
        world.coop_ara.save()
    assert _numbers(client, "phase") == before  # not committed: the old token
    for callback in callbacks:
        callback()
    assert _numbers(client, "phase")[Phase.EVALUER.label] == before[Phase.EVALUER.label] + 1


def test_a_cooperation_moved_to_another_pilot_leaves_the_old_region(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        coop = CooperationFactory(departements=[departement("71")])  # piloted by ARA
    ara, occ, admin = _client(world.agent_ara), _client(world.agent_occ), _client(world.admin)
    before_ara, before_occ = _total(ara), _total(occ)
    before_regions = dict(admin.get(URL).context["regions"].pairs)
    with django_capture_on_commit_callbacks(execute=True):
        coop.pilot_ars = ars("76")
        coop.save()
    assert _total(ara) == before_ara - 1
    assert _total(occ) == before_occ + 1
    regions = dict(admin.get(URL).context["regions"].pairs)
    assert regions["ARS Occitanie"] == before_regions["ARS Occitanie"] + 1
    assert _total(admin, ars=ars("84").pk) == before_ara - 1


def test_links_changed_show_on_the_next_view(world, django_capture_on_commit_callbacks):
    pilot, concerned = _client(world.agent_ara), _client(world.agent_concerned)
    theme = Theme.objects.first()
    before = _numbers(pilot, "theme").get(str(theme), 0)
    assert _total(concerned) == 1
    with django_capture_on_commit_callbacks(execute=True):
        world.coop_ara.themes.add(theme)
    assert _numbers(pilot, "theme")[str(theme)] == before + 1
    with django_capture_on_commit_callbacks(execute=True):
        world.coop_ara.departements.remove(departement("71"))
    assert _total(concerned) == 0  # no longer concerned: the removed département's region
    with django_capture_on_commit_callbacks(execute=True):
        world.coop_ara.departements.add(departement("71"))
    assert _total(concerned) == 1
    with django_capture_on_commit_callbacks(execute=True):
        world.coop_ara.departements.clear()
    assert _total(concerned) == 0


def test_created_and_deleted_cooperations_show_on_the_next_view(
    world, django_capture_on_commit_callbacks
):
    client = _client(world.agent_ara)
    before = _total(client)
    with django_capture_on_commit_callbacks(execute=True):
        coop = CooperationFactory()
    assert _total(client) == before + 1
    with django_capture_on_commit_callbacks(execute=True):
        coop.delete()
    assert _total(client) == before


def test_a_cold_dashboard_runs_a_constant_number_of_queries(world):
    """The numbers recomputed (tokens replaced before each count), at two sizes."""
    client = _client(world.agent_ara)

    def cold() -> int:
        client.get(URL)
        dashboard.bump({ars("84").pk})
        return count_queries_cold(client)

    few = cold()
    for _ in range(6):
        CooperationFactory(members=2, departements=[departement("01")]).themes.add(
            Theme.objects.first()
        )
    assert cold() == few
    assert count_queries(client, URL) < few  # warm: the numbers from the cache


def count_queries_cold(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_a_chart_drawn_by_another_worker_leaves_its_table(world, monkeypatch):
    client = _client(world.agent_ara)
    monkeypatch.setattr(charts, "WAIT_SECONDS", 0)
    cache.clear()

    class LockedByAnotherWorker:
        """The cache as charts sees it: every drawing lock is held, no chart is stored."""

        def get(self, key, default=None):
            return default

        def get_many(self, keys):
            return {}

        def add(self, *args, **kwargs):
            return False

    monkeypatch.setattr(charts, "cache", LockedByAnotherWorker())
    page = client.get(URL).content.decode()
    assert 'data-chart="phase"' not in page
    assert 'data-chart-pending="phase"' in page
    assert "Graphique en cours de préparation" in page
    assert 'data-table="phase"' in page  # the numbers stay beside it


def test_links_are_written_from_the_cooperation_side_only(world):
    """dashboard._links_changed ignores writes from the other side: simple_history (m2m
    history on Cooperation) refuses them. If this starts passing, the dashboard must
    bump the regions of theme.cooperations.clear() and the like again."""
    theme = Theme.objects.first()
    world.coop_ara.themes.add(theme)
    with pytest.raises(AttributeError):
        theme.cooperations.clear()


def test_an_objective_moved_to_another_region_replaces_both_tokens(
    world, django_capture_on_commit_callbacks
):
    from cooperations.models import RegionalObjective

    objective = RegionalObjective.objects.create(
        ars=ars("84"), kind="srs", code="SRS-M1", title="Objet", starts_year=2023, ends_year=2028
    )
    old, new = ars("84").pk, ars("76").pk
    before = {old: dashboard._token(old), new: dashboard._token(new)}
    with django_capture_on_commit_callbacks(execute=True):
        objective.ars_id = new
        objective.save()
    assert dashboard._token(old) != before[old]
    assert dashboard._token(new) != before[new]


def test_charts_come_on_copies_and_leave_the_breakdowns_as_built(monkeypatch):
    import dataclasses

    monkeypatch.setattr(charts, "_draw", lambda title, pairs: b"<svg/>")
    cache.clear()
    figures = [
        dashboard.Breakdown("phase", "Coopérations par phase", [("Comprendre", 2)]),
        dashboard.Breakdown("theme", "Coopérations par thème", []),  # no chart
    ]
    shown = dashboard.with_charts(figures)
    assert [b.uri for b in shown] == ["data:image/svg+xml;base64,PHN2Zy8+", None]
    assert shown[0].chart_uri == shown[0].uri and shown[1] is figures[1]
    assert [b.uri for b in figures] == [None, None]  # the cached numbers' objects untouched
    with pytest.raises(dataclasses.FrozenInstanceError):
        figures[0].uri = "data:"
