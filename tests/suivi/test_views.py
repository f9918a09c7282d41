from datetime import date, timedelta

import pytest
from django.utils import timezone

from suivi.models import Deliverable, Risk
from tests.queries import count_queries
from tests.suivi.factories import ActivityFactory, DeliverableFactory, RiskFactory

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    return count_queries(client, url)


def _grow(cooperation, activities, per_activity):
    for _a in range(activities):
        activity = ActivityFactory(cooperation=cooperation)
        for d in range(per_activity):
            DeliverableFactory(
                activity=activity,
                planned_on=date(2026, 1, 1) + timedelta(days=30 * d),
                revised_on=date(2026, 3, 1) if d % 2 else None,
            )
        RiskFactory(cooperation=cooperation)


@pytest.mark.parametrize(
    "url",
    [
        "/suivi/{pk}/",
        "/suivi/{pk}/risques/",
        "/suivi/{pk}/export/livrables.csv",
        "/suivi/{pk}/export/risques.xlsx",
        "/cooperations/{pk}/",
        "/",
    ],
)
def test_query_count_does_not_grow_with_the_data(world, login, url):
    client = login(world.referent_a)
    url = url.format(pk=world.coop_ara.pk)
    _grow(world.coop_ara, 1, 1)
    small = _count(client, url)
    _grow(world.coop_ara, 6, 5)
    assert _count(client, url) == small


def test_activity_sheet_query_count_is_constant(world, login):
    client = login(world.referent_a)
    activity = ActivityFactory(cooperation=world.coop_ara)
    DeliverableFactory(activity=activity)
    url = f"/suivi/chantiers/{activity.pk}/"
    small = _count(client, url)
    for _ in range(8):
        DeliverableFactory(activity=activity)
    assert _count(client, url) == small


def test_tracker_shows_computed_progress_rag_and_rule(world, login):
    activity = ActivityFactory(cooperation=world.coop_ara, title="Permanence des soins")
    today = timezone.localdate()
    DeliverableFactory(
        activity=activity,
        title="Tableau de garde",
        planned_on=today - timedelta(days=40),
        done_on=today - timedelta(days=30),
        progress=100,
        weight=1,
    )
    DeliverableFactory(
        activity=activity,
        title="Convention de téléradiologie",
        planned_on=today + timedelta(days=20),
        progress=20,
        weight=3,
    )
    html = login(world.referent_a).get(f"/suivi/{world.coop_ara.pk}/").content.decode()
    assert '<strong id="global-progress">40 %</strong>' in html  # (100×1 + 20×3) / 4
    # Done 10 days late: its delay shown, not "à risque" (issue 15).
    assert "+10 j" in html and "Réalisé (10 j de retard)" in html
    assert "À risque" not in html
    assert "Règle de calcul" in html
    assert "Nouveau chantier" in html


def test_no_slippage_reads_on_time_not_zero_days(world, login):
    activity = ActivityFactory(cooperation=world.coop_ara)
    today = timezone.localdate()
    DeliverableFactory(activity=activity, planned_on=today + timedelta(days=20))  # no slippage
    DeliverableFactory(activity=activity, planned_on=today, done_on=today - timedelta(days=5))
    html = login(world.referent_a).get(f"/suivi/{world.coop_ara.pk}/").content.decode()
    assert '<td class="kc-nowrap">À l&#x27;heure</td>' in html
    assert '<td class="kc-nowrap">-5 j (avance)</td>' in html
    assert "0 j<" not in html


def test_copil_guest_reads_without_edit_links(world, login):
    activity = ActivityFactory(cooperation=world.coop_ara)
    DeliverableFactory(activity=activity, title="Tableau de garde")
    html = login(world.copil).get(f"/suivi/{world.coop_ara.pk}/").content.decode()
    assert "Tableau de garde" in html
    assert "Nouveau chantier" not in html and "/modifier/" not in html


def test_counts_follow_the_french_plural(world, login):
    # French: 0 and 1 take the singular (Django's pluralize wrote "0 livrables").
    html = login(world.referent_a).get(f"/suivi/{world.coop_ara.pk}/").content.decode()
    assert "0 livrable en retard, 0 à risque." in html


def test_copil_guest_is_told_who_generates_the_pack(world, login):
    html = login(world.copil).get(f"/suivi/{world.coop_ara.pk}/copil/").content.decode()
    assert "Générer le dossier COPIL" not in html
    assert "dès que l'équipe projet l'aura généré" in html
    team = login(world.referent_a).get(f"/suivi/{world.coop_ara.pk}/copil/").content.decode()
    assert "Générer le dossier COPIL" in team and "dès que l'équipe projet" not in team


def test_deliverable_form_refuses_progress_out_of_range_and_keeps_input(world, login):
    activity = ActivityFactory(cooperation=world.coop_ara)
    response = login(world.referent_a).post(
        f"/suivi/chantiers/{activity.pk}/livrables/nouveau/",
        {
            "kind": "livrable",
            "title": "Étude juridique",
            "planned_on": "2026-09-01",
            "progress": "140",
            "weight": "1",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "L&#x27;avancement est un pourcentage entre 0 et 100." in html
    assert 'value="Étude juridique"' in html
    assert not Deliverable.objects.exists()


def test_deliverable_form_freezes_the_baseline_and_asks_a_reason(world, login):
    deliverable = DeliverableFactory(
        activity=ActivityFactory(cooperation=world.coop_ara), planned_on=date(2026, 6, 30)
    )
    client = login(world.referent_a)
    url = f"/suivi/livrables/{deliverable.pk}/modifier/"
    form_html = client.get(url).content.decode()
    assert "disabled" in form_html and "ne se modifie" in form_html
    post = {
        "kind": "livrable",
        "title": deliverable.title,
        "planned_on": "2027-01-01",
        "revised_on": "2026-08-15",
        "progress": "30",
        "weight": "1",
        "version": "1",
    }
    html = client.post(url, post).content.decode()
    assert "Indiquez le motif du changement de date révisée" in html
    deliverable.refresh_from_db()
    assert deliverable.revised_on is None and deliverable.planned_on == date(2026, 6, 30)
    response = client.post(url, {**post, "revision_reason": "Attente de l'avis de la CME"})
    assert response.status_code == 302
    deliverable.refresh_from_db()
    # The disabled baseline field ignored the posted value.
    assert deliverable.planned_on == date(2026, 6, 30) and deliverable.revised_on == date(
        2026, 8, 15
    )
    sheet = client.get(f"/suivi/chantiers/{deliverable.activity_id}/").content.decode()
    assert "Attente de l&#x27;avis de la CME" in sheet


def test_stale_risk_edit_keeps_the_input_and_warns(world, login):
    risk = RiskFactory(cooperation=world.coop_ara)
    client = login(world.referent_a)
    url = f"/suivi/risques/{risk.pk}/modifier/"
    data = {
        "title": "Risque renommé",
        "probability": "3",
        "impact": "4",
        "status": "ouvert",
        "version": "1",
    }
    assert client.post(url, data).status_code == 302
    html = client.post(url, {**data, "title": "Mon autre saisie"}).content.decode()
    assert "Quelqu&#x27;un d&#x27;autre a enregistré" in html
    assert 'value="Mon autre saisie"' in html
    assert Risk.objects.get(pk=risk.pk).title == "Risque renommé"


def test_risk_out_of_range_is_refused_in_french(world, login):
    html = (
        login(world.referent_a)
        .post(
            f"/suivi/{world.coop_ara.pk}/risques/nouveau/",
            {
                "title": "Départ du radiologue",
                "probability": "5",
                "impact": "2",
                "status": "ouvert",
            },
        )
        .content.decode()
    )
    assert "Sélectionnez un choix valide" in html
    assert not Risk.objects.exists()


def test_risk_matrix_places_open_risks_by_impact_and_probability(world, login):
    RiskFactory(cooperation=world.coop_ara, title="Panne IRM", probability=1, impact=4)
    RiskFactory(
        cooperation=world.coop_ara, title="Risque clos", probability=1, impact=4, status="clos"
    )
    html = login(world.referent_a).get(f"/suivi/{world.coop_ara.pk}/risques/").content.decode()
    matrix = html[
        html.index('id="risk-matrix"') : html.index("</table>", html.index('id="risk-matrix"'))
    ]
    first_row = matrix[matrix.index("Impact 4") : matrix.index("Impact 3")]
    assert "Panne IRM" in first_row and "Risque clos" not in matrix
    assert "<caption>" in matrix


def test_cooperation_page_shows_the_summary_block(world, login):
    DeliverableFactory(
        activity=ActivityFactory(cooperation=world.coop_ara),
        progress=70,
        planned_on=timezone.localdate() + timedelta(days=5),
    )
    html = login(world.referent_a).get(f"/cooperations/{world.coop_ara.pk}/").content.decode()
    assert "Suivi de projet (KIT 3)" in html and "Avancement global : <strong>70 %</strong>" in html


def test_home_widget_lists_late_deliverables_in_scope_only(world, login):
    today = timezone.localdate()
    DeliverableFactory(
        activity=ActivityFactory(cooperation=world.coop_ara),
        title="Étude en retard",
        planned_on=today - timedelta(days=12),
    )
    DeliverableFactory(
        activity=ActivityFactory(cooperation=world.coop_occ),
        title="Retard occitan",
        planned_on=today - timedelta(days=3),
    )
    html = login(world.referent_a).get("/").content.decode()
    assert "Étude en retard" in html and "dépassée de 12 j" in html
    # Overdue is not the tracker's « en retard » (slippage): the home says which one it lists.
    assert "Échéances dépassées" in html and "Livrables en retard" not in html
    assert "Retard occitan" not in html
    assert "Suivi de projet : à surveiller" not in login(world.copil).get("/").content.decode()


def test_home_widget_lists_reports_due_in_the_agents_region_only(world, login):
    from django.utils.html import escape

    from suivi.models import ProjectSettings

    for coop in (world.coop_ara, world.coop_occ):
        ActivityFactory(cooperation=coop)
        # Monthly reports, reminder 60 days ahead: always due while none is written.
        ProjectSettings.objects.create(cooperation=coop, report_period_months=1, reminder_days=60)
    ara, occ = escape(world.coop_ara.title), escape(world.coop_occ.title)
    html = login(world.agent_ara).get("/").content.decode()
    assert "Rapports d'avancement attendus" in html
    due = html[html.index('id="home-due"') :]
    assert ara in due and occ not in due
    html = login(world.agent_occ).get("/").content.decode()
    due = html[html.index('id="home-due"') :]
    assert occ in due and ara not in due


def test_activity_sheet_shows_who_changed_what(world, login):
    from suivi import services

    deliverable = DeliverableFactory(
        activity=ActivityFactory(cooperation=world.coop_ara), title="Étude", progress=10
    )
    services.deliverable_update(deliverable=deliverable, data={"progress": 35}, version=1)
    services.deliverable_update(deliverable=deliverable, data={"progress": 60}, version=2)
    html = (
        login(world.referent_a).get(f"/suivi/chantiers/{deliverable.activity_id}/").content.decode()
    )
    history = html[html.index('id="history"') :]
    assert "Avancement (%) : <del>10</del> → <ins>35</ins>" in history
    assert "Avancement (%) : <del>35</del> → <ins>60</ins>" in history
    assert "Livrable : Étude" in history
