"""The portfolio as an ARS work list: sorting, flags, filters, export, constant queries."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cooperations.models import Cooperation
from fiches.models import Step, StepState
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.queries import count_queries
from tests.suivi.factories import ActivityFactory, DeliverableFactory
from tests.territories.factories import departement

pytestmark = pytest.mark.django_db
LIST = reverse("cooperations:list")
EXPORT = reverse("cooperations:export")


def _submitted(cooperation, days_ago: int, number: int = 1) -> Step:
    step = Step.objects.get(cooperation=cooperation, number=number)
    Step.objects.filter(pk=step.pk).update(
        state=StepState.SUBMITTED, submitted_at=timezone.now() - timedelta(days=days_ago)
    )
    return step


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_agent_default_sort_is_the_longest_wait_for_the_ars(world, login):
    recent = CooperationFactory(title="Attend depuis 2 jours")
    old = CooperationFactory(title="Attend depuis 30 jours")
    CooperationFactory(title="Rien à valider")
    _submitted(recent, 2)
    _submitted(old, 30)
    response = login(world.agent_ara).get(LIST)
    titles = [r.cooperation.title for r in response.context["rows"]]
    assert titles[:2] == ["Attend depuis 30 jours", "Attend depuis 2 jours"]
    html = response.content.decode()
    assert "attend l'ARS depuis 30 j" in html and "attend l'ARS depuis 2 j" in html
    # Reversed on a second click: the longest wait goes down, cooperations without a wait last.
    reverse_titles = [
        r.cooperation.title for r in login(world.agent_ara).get(LIST + "?tri=-kit1").context["rows"]
    ]
    assert reverse_titles.index("Attend depuis 2 jours") < reverse_titles.index(
        "Attend depuis 30 jours"
    )


def test_sort_by_planning_puts_late_projects_first(world, login):
    on_time = CooperationFactory(title="À l'heure")
    late = CooperationFactory(title="En retard")
    DeliverableFactory(
        activity=ActivityFactory(cooperation=on_time),
        planned_on=timezone.localdate() + timedelta(30),
    )
    DeliverableFactory(
        activity=ActivityFactory(cooperation=late), planned_on=timezone.localdate() - timedelta(3)
    )
    rows = login(world.agent_ara).get(LIST + "?tri=planning").context["rows"]
    titles = [r.cooperation.title for r in rows]
    assert titles.index("En retard") < titles.index("À l'heure")
    assert titles.index("À l'heure") < titles.index(world.coop_ara.title)  # not tracked: last


def test_flags_stalled_and_waiting_for_validation(world, login, settings):
    stalled = CooperationFactory(title="Endormie")
    Cooperation.objects.filter(pk=stalled.pk).update(
        last_activity_at=timezone.now() - timedelta(weeks=settings.STALLED_WEEKS + 1)
    )
    waiting = CooperationFactory(title="Étape soumise")
    _submitted(waiting, 5)
    client = login(world.agent_ara)
    rows = client.get(LIST + "?a_traiter=a-l-arret").context["rows"]
    assert [r.cooperation.title for r in rows] == ["Endormie"]
    assert "À l'arrêt depuis" in client.get(LIST + "?a_traiter=a-l-arret").content.decode()
    rows = client.get(LIST + "?a_traiter=a-valider").context["rows"]
    assert [r.cooperation.title for r in rows] == ["Étape soumise"]


def test_activity_on_a_kit_object_bumps_last_activity(world):
    before = timezone.now() - timedelta(days=90)
    Cooperation.objects.filter(pk=world.coop_ara.pk).update(last_activity_at=before)
    ActivityFactory(cooperation=world.coop_ara)  # a KIT 3 write, with its history record
    world.coop_ara.refresh_from_db()
    assert world.coop_ara.last_activity_at > before + timedelta(days=89)


def test_agent_filter_offers_only_the_region_departements(world, login):
    form = login(world.agent_ara).get(LIST).context["filter"].form
    labels = [label for _value, label in form.fields["departement"].choices if _value]
    assert any(label.startswith("01 ") for label in labels)
    assert not any(label.startswith("31 ") for label in labels)
    assert len(labels) == 12  # Auvergne-Rhône-Alpes
    admin_form = login(world.admin).get(LIST).context["filter"].form
    assert len([v for v, _l in admin_form.fields["departement"].choices if v]) == 101


def test_csv_export_has_the_chosen_columns_and_the_filtered_rows(world, login):
    CooperationFactory(title="=Formule piégée", departements=[departement("38")])
    _submitted(world.coop_ara, 4)
    client = login(world.agent_ara)
    response = client.get(EXPORT, {"format": "csv", "colonnes": ["intitule", "kit1"], "q": "e"})
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="cooperations-ars-auvergne-rhone-alpes-')
    rows = list(
        csv.reader(io.StringIO(_body(response).decode("utf-8").lstrip("\ufeff")), delimiter=";")
    )
    assert rows[0][:3] == ["Coopération", "Nom court", "Lien"]
    assert rows[0][3:6] == [
        "Étapes KIT 1 validées",
        "Étapes KIT 1 ouvertes",
        "Étape attendant la validation de l'ARS",
    ]
    assert "ARS pilote" not in rows[0]  # a column the user did not choose
    by_title = {row[0]: row for row in rows[1:]}
    assert set(by_title) == {"Imagerie partagée de l'Ain", "'=Formule piégée"}
    ain = by_title["Imagerie partagée de l'Ain"]
    assert ain[2].endswith(f"/cooperations/{world.coop_ara.pk}/")
    assert ain[5] == "1" and ain[7] == "4"  # step 1 waiting for 4 days


def test_xlsx_export_real_dates_frozen_header_autofilter(world, login):
    response = login(world.admin).get(EXPORT, {"format": "xlsx"})
    assert 'filename="cooperations-national-' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(_body(response))).active
    headers = [c.value for c in sheet[1]]
    assert headers[0] == "Coopération" and "Dernière activité" in headers
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:") and sheet.auto_filter.ref.endswith("3")
    activity = sheet.cell(row=2, column=headers.index("Dernière activité") + 1)
    assert activity.is_date and activity.number_format == "DD/MM/YYYY"


def test_unknown_export_format_is_a_404(world, login):
    assert login(world.admin).get(EXPORT, {"format": "pdf"}).status_code == 404


def _grow(n: int):
    for index in range(n):
        cooperation = CooperationFactory(gcs=True)
        MembershipFactory(cooperation=cooperation)
        _submitted(cooperation, index + 1)
        DeliverableFactory(activity=ActivityFactory(cooperation=cooperation))


def test_worklist_runs_a_constant_number_of_queries(world, login):
    client = login(world.agent_ara)
    url = LIST + "?tri=kit1&a_traiter=a-valider"
    _grow(3)
    few = count_queries(client, url)
    _grow(12)
    assert count_queries(client, url) == few


def test_export_runs_a_constant_number_of_queries(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.agent_ara)

    def count():
        with CaptureQueriesContext(connection) as queries:
            _body(client.get(EXPORT, {"format": "csv"}))
        return len(queries)

    _grow(2)
    count()  # warm: session and reference lists
    few = count()
    _grow(10)
    assert count() == few
