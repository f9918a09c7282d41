"""The work list's SQL planning status agrees with suivi/planning.py at its boundaries,
on SQLite and PostgreSQL; the tracker says "réalisé (n j de retard)"; the COPIL guest home."""

from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from cooperations.models import Cooperation
from suivi import planning, selectors
from suivi.models import CopilMeeting, ProjectSettings
from suivi.portfolio import RAG_OF_RANK, annotate_rag
from tests.cooperations.factories import CooperationFactory
from tests.suivi.factories import ActivityFactory, DeliverableFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)
D = timedelta

CASES = [
    # (planned, revised, done, override, threshold)
    (TODAY + D(10), None, None, "", 30),  # on time
    (TODAY - D(1), None, None, "", 30),  # due yesterday, open: late
    (TODAY, None, None, "", 30),  # due today: on time
    (TODAY + D(1), TODAY + D(5), None, "", 30),  # revised +4: at risk
    (TODAY + D(1), TODAY + D(31), None, "", 30),  # revised +30: still at risk
    (TODAY + D(1), TODAY + D(32), None, "", 30),  # revised +31: late
    (TODAY + D(1), TODAY + D(4), None, "", 2),  # +3 beyond a threshold of 2: late
    (TODAY - D(20), None, TODAY - D(5), "", 30),  # done late: history, on time now
    (TODAY + D(10), None, None, "late", 30),  # forced late
    (TODAY - D(10), None, None, "on_time", 30),  # forced on time
    (None, None, None, "", 30),  # not planned: no status
    (None, None, None, "at_risk", 30),  # not planned but forced
    (TODAY + D(3), TODAY - D(2), None, "", 30),  # revised earlier and now past: late
]


@pytest.mark.parametrize("planned,revised,done,override,threshold", CASES)
def test_sql_rank_matches_the_python_rules(world, planned, revised, done, override, threshold):
    cooperation = CooperationFactory()
    ProjectSettings.objects.create(cooperation=cooperation, at_risk_max_days=threshold)
    DeliverableFactory(
        activity=ActivityFactory(cooperation=cooperation),
        planned_on=planned,
        revised_on=revised,
        done_on=done,
        rag_override=override,
        rag_override_reason="Justifié" if override else "",
        progress=100 if done else 10,
    )
    expected = selectors.tracker(cooperation, TODAY).rag
    row = annotate_rag(Cooperation.objects.filter(pk=cooperation.pk), TODAY).get()
    assert RAG_OF_RANK.get(row.pf_rag_rank) == expected


def test_project_rank_is_the_worst_deliverable(world):
    cooperation = CooperationFactory()
    activity = ActivityFactory(cooperation=cooperation)
    DeliverableFactory(activity=activity, planned_on=TODAY + D(5))
    DeliverableFactory(activity=activity, planned_on=TODAY + D(5), revised_on=TODAY + D(9))
    row = annotate_rag(Cooperation.objects.filter(pk=cooperation.pk), TODAY).get()
    assert RAG_OF_RANK[row.pf_rag_rank] == "at_risk" == selectors.tracker(cooperation, TODAY).rag


def test_deliverable_done_late_reads_realise_with_its_delay(world, login):
    activity = ActivityFactory(cooperation=world.coop_ara, title="Imagerie")
    DeliverableFactory(
        activity=activity,
        title="Étude de faisabilité",
        planned_on=date(2026, 3, 1),
        done_on=date(2026, 3, 6),
        progress=100,
    )
    status = selectors.tracker(world.coop_ara).deliverables[0].status
    assert status.label == "Réalisé (5 j de retard)"
    assert status.effective == "on_time"  # no longer makes the project "at risk"
    html = login(world.agent_ara).get(reverse("suivi:tracker", args=[world.coop_ara.pk]))
    assert "Réalisé (5 j de retard)" in html.content.decode()
    assert (
        planning.computed_rag(
            planned_on=date(2026, 3, 1), revised_on=None, done_on=date(2026, 3, 6), today=TODAY
        )
        == "at_risk"
    )  # the planning respected at delivery stays known


def test_gantt_colours_late_items_red_without_a_revised_date_and_draws_dependencies(world):
    from suivi import gantt

    first = ActivityFactory(cooperation=world.coop_ara, title="Préparer les locaux", order=1)
    second = ActivityFactory(cooperation=world.coop_ara, title="Ouvrir le plateau", order=2)
    second.depends_on.add(first)
    DeliverableFactory(activity=first, title="Travaux terminés", planned_on=TODAY - D(20))
    long_title = "Recrutement et formation des manipulateurs en électroradiologie médicale de nuit"
    DeliverableFactory(activity=second, title=long_title, planned_on=TODAY + D(40))
    chart = gantt.build(selectors.tracker(world.coop_ara, TODAY))
    rows = {r.label: r for r in chart.rows}
    late = rows["Travaux terminés"]
    assert late.rag == "late" and late.overdue_x is not None  # red without any revision
    assert late.overdue_x + late.overdue_width == pytest.approx(chart.x(TODAY), abs=0.02)
    assert " ".join(rows[long_title].lines) == long_title  # full label, wrapped
    assert len(chart.arrows) == 1
    arrow = chart.arrows[0]
    assert arrow["x1"] == rows["Préparer les locaux"].span_end_x
    assert arrow["x2"] == rows["Ouvrir le plateau"].span_x


def test_copil_guest_home_shows_next_meetings_reports_and_packs(world, login):
    from suivi.models import CopilPack, StatusReport

    today = timezone.localdate()
    CopilMeeting.objects.create(cooperation=world.coop_ara, held_on=today + D(12), location="Visio")
    CopilMeeting.objects.create(cooperation=world.coop_occ, held_on=today + D(5))  # not theirs
    StatusReport.objects.create(
        cooperation=world.coop_ara,
        period_start=date(2026, 9, 1),
        period_end=date(2026, 9, 30),
        achievements="Équipe recrutée.",
    )
    pack = CopilPack.objects.create(cooperation=world.coop_ara, status=CopilPack.Status.DONE)
    pack.file.save("dossier.pdf", ContentFile(b"%PDF-1.7"), save=False)
    pack.finished_at = pack.created_at
    pack.save()
    html = login(world.copil).get(reverse("home")).content.decode()
    assert "Mes comités de pilotage" in html
    assert (today + D(12)).strftime("%d/%m/%Y") in html
    assert (today + D(5)).strftime("%d/%m/%Y") not in html
    assert "Rapport du 01/09/2026 au 30/09/2026" in html
    assert reverse("suivi:copil_download", args=[pack.pk]) in html
