"""Tracker settings: optimistic lock and the cooperation's own "at risk" threshold."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.locking import STALE_MESSAGE
from suivi import planning, selectors, services
from suivi.models import ProjectSettings, Rag
from tests.suivi.factories import ActivityFactory, DeliverableFactory

pytestmark = pytest.mark.django_db

PLANNED = date(2026, 6, 30)


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _settings_url(coop) -> str:
    return f"/suivi/{coop.pk}/parametres/"


def _post(**overrides) -> dict:
    return {
        "report_period_months": "1",
        "reminder_days": "7",
        "at_risk_max_days": "30",
        "version": "1",
        **overrides,
    }


# --- planning rules, without HTTP ---------------------------------------------------------


@pytest.mark.parametrize(
    "threshold,slip,expected",
    [
        (10, 10, Rag.AT_RISK),
        (10, 11, Rag.LATE),
        (1, 1, Rag.AT_RISK),
        (1, 2, Rag.LATE),
        (365, 365, Rag.AT_RISK),
        (365, 366, Rag.LATE),
    ],
)
def test_computed_rag_uses_the_threshold_given(threshold, slip, expected):
    revised = PLANNED + timedelta(days=slip)
    assert (
        planning.computed_rag(
            planned_on=PLANNED,
            revised_on=revised,
            done_on=None,
            today=date(2026, 6, 1),
            at_risk_max_days=threshold,
        )
        == expected
    )


def test_deliverable_status_uses_the_threshold_given():
    class D:
        planned_on, revised_on, done_on, rag_override = PLANNED, PLANNED + timedelta(15), None, ""

    assert planning.deliverable_status(D, date(2026, 6, 1)).effective == Rag.AT_RISK
    assert planning.deliverable_status(D, date(2026, 6, 1), 14).effective == Rag.LATE


def test_rule_text_follows_the_threshold():
    assert "de 1 à 45 jours" in planning.rag_rule(45)
    assert "au-delà de 45 jours" in planning.rag_rule(45)
    one = planning.rag_rule(1)
    assert "glissement d'un jour" in one and "au-delà d'un jour" in one


def test_tracker_reads_the_cooperation_threshold(world):
    activity = ActivityFactory(cooperation=world.coop_ara)
    DeliverableFactory(activity=activity, planned_on=PLANNED, revised_on=PLANNED + timedelta(20))
    today = date(2026, 6, 1)
    data = selectors.tracker(world.coop_ara, today)
    assert data.at_risk_max_days == 30 and data.deliverables[0].status.effective == Rag.AT_RISK
    services.settings_update(cooperation=world.coop_ara, data={"at_risk_max_days": 15})
    data = selectors.tracker(world.coop_ara, today)
    assert data.deliverables[0].status.effective == Rag.LATE and data.rag == Rag.LATE
    assert "de 1 à 15 jours" in data.rule
    # Another cooperation keeps the default.
    assert selectors.tracker(world.coop_occ, today).at_risk_max_days == 30


# --- the settings page --------------------------------------------------------------------


def test_threshold_change_on_the_page_changes_a_deliverable_rag(world):
    today = timezone.localdate()
    activity = ActivityFactory(cooperation=world.coop_ara)
    DeliverableFactory(
        activity=activity,
        title="Convention de téléradiologie",
        planned_on=today + timedelta(days=10),
        revised_on=today + timedelta(days=30),  # 20 days of slippage, not due yet
    )
    client = _client(world.referent_a)
    tracker = f"/suivi/{world.coop_ara.pk}/"
    html = client.get(tracker).content.decode()
    assert "À risque" in html and "1 à 30 jours" in html
    response = client.post(_settings_url(world.coop_ara), _post(at_risk_max_days="15"))
    assert response.status_code == 302 and response["Location"] == tracker
    html = client.get(tracker).content.decode()
    assert "Les paramètres du suivi sont enregistrés." in html
    assert "1 à 15 jours" in html and "au-delà de 15 jours" in html
    activities = html[html.index('id="activities"') :]
    assert "En retard" in activities and "À risque" not in activities


def test_stale_settings_edit_by_two_users_is_refused_in_french_and_keeps_input(world):
    first, second = _client(world.referent_a), _client(world.agent_ara)
    url = _settings_url(world.coop_ara)
    # Both open the page while the cooperation still has the default settings.
    assert 'name="version" value="1"' in first.get(url).content.decode()
    assert 'name="version" value="1"' in second.get(url).content.decode()
    assert first.post(url, _post(at_risk_max_days="20")).status_code == 302
    response = second.post(url, _post(at_risk_max_days="45", reminder_days="12"))
    html = response.content.decode()
    assert response.status_code == 200
    assert STALE_MESSAGE.replace("'", "&#x27;") in html
    assert 'value="45"' in html and 'value="12"' in html  # the input is kept
    stored = ProjectSettings.objects.get(cooperation=world.coop_ara)
    assert (stored.at_risk_max_days, stored.reminder_days, stored.version) == (20, 7, 2)
    # Having seen the warning, the second user can save over it.
    assert 'name="version" value="2"' in html
    assert second.post(url, _post(at_risk_max_days="45", version="2")).status_code == 302
    assert ProjectSettings.objects.get(cooperation=world.coop_ara).at_risk_max_days == 45


@pytest.mark.parametrize("value", ["0", "366", "abc"])
def test_threshold_out_of_range_is_refused_in_french(world, value):
    response = _client(world.referent_a).post(
        _settings_url(world.coop_ara), _post(at_risk_max_days=value)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert any(
        message in html
        for message in (
            "supérieure ou égale à 1",
            "inférieure ou égale à 365",
            "Saisissez un nombre entier",
        )
    )
    assert not ProjectSettings.objects.filter(cooperation=world.coop_ara).exists()


def test_deliverable_form_states_the_cooperation_rule(world):
    services.settings_update(cooperation=world.coop_ara, data={"at_risk_max_days": 21})
    activity = ActivityFactory(cooperation=world.coop_ara)
    html = (
        _client(world.referent_a)
        .get(f"/suivi/chantiers/{activity.pk}/livrables/nouveau/")
        .content.decode()
    )
    assert "de 1 à 21 jours" in html
