from datetime import date

import pytest
from django.core import mail

from config.celery import app as celery_app
from cooperations.models import Phase
from suivi import reminders
from suivi.models import ProjectSettings, ReportReminder
from tests.suivi.factories import ActivityFactory, StatusReportFactory

pytestmark = pytest.mark.django_db


def test_beat_schedule_is_registered():
    entry = celery_app.conf.beat_schedule["suivi-report-reminders"]
    assert entry["task"] == "suivi.tasks.send_report_reminders"
    # Every scheduled task exists (the schedule lives in settings, the tasks in the apps).
    celery_app.loader.import_default_modules()
    for name, entry in celery_app.conf.beat_schedule.items():
        assert entry["task"] in celery_app.tasks, name


def test_reminder_sent_once_to_the_project_team_before_the_due_date(world):
    ActivityFactory(cooperation=world.coop_ara)
    ProjectSettings.objects.create(cooperation=world.coop_ara, reminder_days=7)
    # Monthly period ends 30/06: 8 days before, nothing; 7 days before, the reminder.
    assert reminders.send_report_reminders(date(2026, 6, 22)) == 0
    assert reminders.send_report_reminders(date(2026, 6, 23)) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.referent_a.email]
    assert "Imagerie partagée de l'Ain" in message.subject
    assert "du 01/06/2026 au 30/06/2026" in message.body
    # The beat task may run again the same day or the next: no second e-mail.
    assert reminders.send_report_reminders(date(2026, 6, 24)) == 0
    assert len(mail.outbox) == 1
    assert ReportReminder.objects.get().due_on == date(2026, 6, 30)


def test_no_reminder_when_the_report_exists_or_the_project_is_not_tracked(world):
    ActivityFactory(cooperation=world.coop_ara)
    StatusReportFactory(
        cooperation=world.coop_ara, period_start=date(2026, 6, 1), period_end=date(2026, 6, 30)
    )
    assert reminders.send_report_reminders(date(2026, 6, 28)) == 0
    # coop_occ has no activity: the tracker is not in use there.
    assert all(
        d.cooperation != world.coop_occ
        for d in reminders.reports_due(type(world.coop_occ).objects.all(), date(2026, 6, 28))
    )


def test_quarterly_period_and_closed_projects(world):
    ActivityFactory(cooperation=world.coop_ara)
    ProjectSettings.objects.create(
        cooperation=world.coop_ara, report_period_months=3, reminder_days=10
    )
    due = reminders.reports_due(type(world.coop_ara).objects.all(), date(2026, 9, 21))
    assert [(d.period_start, d.period_end, d.days_left) for d in due] == [
        (date(2026, 7, 1), date(2026, 9, 30), 9)
    ]
    world.coop_ara.phase = Phase.CLOTUREE
    world.coop_ara.save()
    assert reminders.reports_due(type(world.coop_ara).objects.all(), date(2026, 9, 21)) == []


def test_home_lists_the_reports_due_soonest_first_and_skips_those_written(world):
    from cooperations.models import Cooperation
    from tests.cooperations.factories import CooperationFactory

    monthly_default = world.coop_ara  # no settings: monthly, 7 days' notice
    quarterly = CooperationFactory(title="Stérilisation commune")
    half_yearly = CooperationFactory(title="Achats groupés")
    written = CooperationFactory(title="Rapport déjà rendu")
    for coop in (monthly_default, quarterly, half_yearly, written):
        ActivityFactory(cooperation=coop)
    ProjectSettings.objects.create(cooperation=quarterly, report_period_months=3, reminder_days=20)
    ProjectSettings.objects.create(
        cooperation=half_yearly, report_period_months=6, reminder_days=60
    )
    StatusReportFactory(
        cooperation=written, period_start=date(2026, 12, 1), period_end=date(2026, 12, 31)
    )
    today = date(2026, 12, 20)  # 11 days before the end of December, quarter and half-year
    due = reminders.reports_due(Cooperation.objects.all(), today)
    # 11 days left everywhere, but 7 days' notice only for the monthly one: not yet due.
    assert [d.cooperation.title for d in due] == ["Stérilisation commune", "Achats groupés"]
    assert due[1].period_start == date(2026, 7, 1) and due[1].days_left == 11
    later = reminders.reports_due(Cooperation.objects.all(), date(2026, 12, 26), limit=2)
    assert [d.cooperation for d in later] == [monthly_default, quarterly]
    assert later[0].period_start == date(2026, 12, 1) and later[0].days_left == 5


def test_the_home_page_of_reports_due_is_the_head_of_the_full_list_for_every_role(world):
    """With a limit (the home page), the rows are read for the first ids only: the same
    reports, in the same order, as the head of the unlimited list, whatever the scope."""
    from cooperations import scoping
    from cooperations.models import Cooperation
    from tests.cooperations.factories import CooperationFactory
    from tests.territories.factories import ars, departement

    coops = [world.coop_ara, world.coop_occ]
    for index, (months, days) in enumerate([(1, 7), (3, 20), (6, 60), (1, 15), (3, 40)]):
        coop = CooperationFactory(
            title=f"Suivie {index}",
            pilot_ars=ars("84" if index % 2 else "76"),
            departements=[departement("01" if index % 2 else "31"), departement("71")],
        )
        ProjectSettings.objects.create(
            cooperation=coop, report_period_months=months, reminder_days=days
        )
        coops.append(coop)
    for coop in coops:
        ActivityFactory(cooperation=coop)
    StatusReportFactory(
        cooperation=coops[3], period_start=date(2026, 11, 1), period_end=date(2026, 11, 30)
    )
    today = date(2026, 11, 26)  # 4 days before the month's end, 35 before the quarter's
    for name, user in world.users().items():
        in_scope = Cooperation.objects.filter(pk__in=scoping.cooperation_ids_visible_to(user))
        full = reminders.reports_due(in_scope, today)
        for limit in (1, 2, 5):
            head = reminders.reports_due(in_scope, today, limit=limit)
            assert [(d.cooperation, d.period_start, d.period_end, d.days_left) for d in head] == [
                (d.cooperation, d.period_start, d.period_end, d.days_left) for d in full[:limit]
            ], (name, limit)
    everything = reminders.reports_due(Cooperation.objects.all(), today)
    # The comparison above saw a real list: due in 4 days (monthly) and in 35 (long notice).
    assert len(everything) >= 5 and {d.days_left for d in everything} == {4, 35}
