"""The stored tracking dates (suivi.tracking): the "reports due / overdue" lists filter on
them instead of subqueries. The lists stay those of the former computation (kept below as
the reference), and the dates stay right on every write path."""

import importlib
from datetime import date, datetime, time, timedelta

import pytest
from django.apps import apps
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from cooperations.models import Cooperation, Phase
from suivi import reminders, services, tracking
from suivi.models import Activity, ProjectSettings, StatusReport, TrackingDates
from suivi.planning import period_bounds, previous_period
from tests.cooperations.factories import CooperationFactory
from tests.queries import count_queries
from tests.suivi.factories import ActivityFactory, StatusReportFactory

pytestmark = pytest.mark.django_db


# --- the former computation (correlated subqueries), as the reference ---------------------


def _period():
    return Coalesce(
        "suivi_settings__report_period_months",
        Value(ProjectSettings._meta.get_field("report_period_months").default),
    )


def _last_report():
    last = StatusReport.objects.filter(cooperation=OuterRef("pk")).order_by("-period_end")
    return Subquery(last.values("period_end")[:1])


def old_reports_due(cooperations, today, *, within_days=None, limit=None):
    periods = {m: period_bounds(today, m) for m in ProjectSettings.Period.values}
    reminder = Coalesce(
        "suivi_settings__reminder_days",
        Value(ProjectSettings._meta.get_field("reminder_days").default),
    )
    due_now, days_left = Q(pk__in=[]), {}
    for months, (start, end) in periods.items():
        days_left[months] = (end - today).days
        if within_days is not None and days_left[months] > within_days:
            continue
        missing = Q(last_report_end__isnull=True) | Q(last_report_end__lt=start)
        soon = Q() if within_days is not None else Q(reminder_days_value__gte=days_left[months])
        due_now |= Q(period_months=months) & missing & soon
    queryset = (
        cooperations.exclude(phase=Phase.CLOTUREE)
        .filter(Exists(Activity.objects.filter(cooperation=OuterRef("pk"))))
        .annotate(
            period_months=_period(),
            reminder_days_value=reminder,
            last_report_end=_last_report(),
            days_left=Case(
                *[When(period_months=m, then=Value(d)) for m, d in days_left.items()],
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .filter(due_now)
        .order_by("days_left", "pk")
    )
    if limit is not None:
        queryset = queryset[:limit]
    return [(c.pk, *periods[c.period_months], days_left[c.period_months]) for c in queryset]


def _day_after(day):
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def old_overdue_queryset(cooperations, today):
    periods = {m: previous_period(today, m) for m in ProjectSettings.Period.values}
    overdue = Q(pk__in=[])
    for months, (start, end) in periods.items():
        missing = Q(last_report_end__isnull=True) | Q(last_report_end__lt=start)
        tracked = Exists(
            Activity.objects.filter(cooperation=OuterRef("pk"), created_at__lt=_day_after(end))
        )
        overdue |= Q(period_months=months) & Q(tracked) & missing
    queryset = (
        cooperations.exclude(phase=Phase.CLOTUREE)
        .annotate(period_months=_period(), last_report_end=_last_report())
        .filter(overdue)
    )
    return queryset, periods


def old_reports_overdue(cooperations, today, *, limit=None):
    queryset, periods = old_overdue_queryset(cooperations, today)
    queryset = queryset.order_by("period_months", "pk")
    if limit is not None:
        queryset = queryset[: limit * 2]
    items = [
        (c.pk, *periods[c.period_months], (today - periods[c.period_months][1]).days)
        for c in queryset
    ]
    items.sort(key=lambda item: (-item[3], item[0]))
    return items[:limit] if limit is not None else items


def _due(items):
    return [(i.cooperation.pk, i.period_start, i.period_end, i.days_left) for i in items]


def _overdue(items):
    return [(i.cooperation.pk, i.period_start, i.period_end, i.days_late) for i in items]


# --- helpers --------------------------------------------------------------------------------


def _at(day, hour=10, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _activity(coop, created_at):
    """An activity created at a given instant (auto_now_add: set by update(), which sends
    no signal, hence the refresh by hand, as after any bulk write)."""
    activity = ActivityFactory(cooperation=coop)
    Activity.objects.filter(pk=activity.pk).update(created_at=created_at)
    tracking.refresh([coop.pk])
    return activity


def _report(coop, start, end):
    return StatusReportFactory(cooperation=coop, period_start=start, period_end=end)


def expected(coop):
    """(first activity's creation, latest report's period end), from the rows themselves."""
    first = Activity.objects.filter(cooperation=coop).order_by("created_at").first()
    last = StatusReport.objects.filter(cooperation=coop).order_by("-period_end").first()
    return (first.created_at if first else None, last.period_end if last else None)


def stored(coop):
    row = TrackingDates.objects.filter(cooperation=coop).first()
    return (row.started_at, row.last_report_end) if row else (None, None)


# --- same lists as before ---------------------------------------------------------------------


@pytest.fixture
def portfolio(world):
    """Every period length, reports on time, late, skipped or never written, an untracked
    cooperation with a report, a closed one, activities created at a period's last minute."""
    monthly = world.coop_ara  # no settings: monthly, 7 days' notice
    _activity(monthly, _at(date(2026, 1, 10)))
    for month in (1, 2, 3):
        start, end = period_bounds(date(2026, month, 1), 1)
        _report(monthly, start, end)

    quarterly = CooperationFactory(title="Trimestriel")
    ProjectSettings.objects.create(cooperation=quarterly, report_period_months=3, reminder_days=20)
    _activity(quarterly, _at(date(2026, 3, 15)))
    _report(quarterly, date(2026, 1, 1), date(2026, 3, 31))

    half_yearly = CooperationFactory(title="Semestriel")
    ProjectSettings.objects.create(
        cooperation=half_yearly, report_period_months=6, reminder_days=60
    )
    _activity(half_yearly, _at(date(2026, 5, 1)))

    bimonthly = CooperationFactory(title="Bimestriel")
    ProjectSettings.objects.create(cooperation=bimonthly, report_period_months=2, reminder_days=10)
    _activity(bimonthly, _at(date(2026, 6, 1)))
    _activity(bimonthly, _at(date(2026, 2, 1)))  # the first one is created second
    _report(bimonthly, date(2026, 1, 1), date(2026, 2, 28))
    _report(bimonthly, date(2026, 5, 1), date(2026, 6, 30))  # March-April skipped

    edge = CooperationFactory(title="Dernière minute")
    ProjectSettings.objects.create(cooperation=edge, report_period_months=1, reminder_days=0)
    _activity(edge, _at(date(2026, 4, 30), 23, 30))  # tracked before April's end, just

    untracked = CooperationFactory(title="Sans chantier")
    _report(untracked, date(2026, 1, 1), date(2026, 1, 31))

    closed = CooperationFactory(title="Close", phase=Phase.CLOTUREE)
    _activity(closed, _at(date(2026, 1, 5)))

    # Another region: in no list of the ARA agent's scope.
    _activity(world.coop_occ, _at(date(2026, 2, 14)))
    return world


def test_due_and_overdue_lists_are_those_of_the_former_computation(portfolio):
    everyone = Cooperation.objects.all()
    ara = Cooperation.objects.visible_to(portfolio.agent_ara)
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(0, 400, 3)]
    days += [period_bounds(date(2026, m, 1), 1)[1] for m in range(1, 13)]  # month ends
    seen_due = seen_overdue = 0
    for today in days:
        for scope in (everyone, ara):
            for limit in (None, 5, 1):
                due = _due(reminders.reports_due(scope, today, limit=limit))
                assert due == old_reports_due(scope, today, limit=limit), (today, limit)
                overdue = _overdue(reminders.reports_overdue(scope, today, limit=limit))
                assert overdue == old_reports_overdue(scope, today, limit=limit), (today, limit)
                seen_due += bool(due)
                seen_overdue += bool(overdue)
            assert _due(reminders.reports_due(scope, today, within_days=15)) == old_reports_due(
                scope, today, within_days=15
            ), today
            flagged = set(reminders.overdue_filter(scope, today).values_list("pk", flat=True))
            queryset, _periods = old_overdue_queryset(scope, today)
            assert flagged == set(queryset.values_list("pk", flat=True)), today
    # The fixture does exercise both lists, not only their empty case.
    assert seen_due > 100 and seen_overdue > 100


def test_the_last_minute_activity_counts_as_tracked_for_its_period(portfolio):
    edge = Cooperation.objects.get(title="Dernière minute")
    overdue = reminders.reports_overdue(Cooperation.objects.filter(pk=edge.pk), date(2026, 5, 3))
    assert [(i.period_start, i.period_end) for i in overdue] == [
        (date(2026, 4, 1), date(2026, 4, 30))
    ]


# --- write paths ------------------------------------------------------------------------------


def test_creating_activities_through_the_service_starts_tracking_once(world):
    coop = world.coop_ara
    assert stored(coop) == (None, None)
    assert reminders.reports_due(Cooperation.objects.all(), date(2026, 6, 28)) == []
    first = services.activity_create(cooperation=coop, data={"title": "Imagerie"})
    services.activity_create(cooperation=coop, data={"title": "Biologie"})
    assert stored(coop) == (first.created_at, None) == expected(coop)
    due = reminders.reports_due(Cooperation.objects.all(), date(2026, 6, 28))
    assert [d.cooperation for d in due] == [coop]


def test_writing_reports_through_the_service_keeps_the_latest_period_end(world):
    coop = world.coop_ara
    ActivityFactory(cooperation=coop)
    june = {"period_start": date(2026, 6, 1), "period_end": date(2026, 6, 30)}
    may = {"period_start": date(2026, 5, 1), "period_end": date(2026, 5, 31)}
    for period in (june, may):  # a late report for an earlier period comes second
        services.report_create(
            cooperation=coop,
            user=world.referent_a,
            data={**period, "achievements": "Recrutement commun."},
            today=date(2026, 7, 2),
        )
        assert stored(coop) == expected(coop)
    assert stored(coop)[1] == date(2026, 6, 30)
    assert reminders.reports_due(Cooperation.objects.all(), date(2026, 6, 28)) == []


def test_deleting_and_editing_reports_moves_the_date_back(world):
    coop = world.coop_ara
    ActivityFactory(cooperation=coop)
    may = _report(coop, date(2026, 5, 1), date(2026, 5, 31))
    june = _report(coop, date(2026, 6, 1), date(2026, 6, 30))
    assert stored(coop)[1] == date(2026, 6, 30)
    june.delete()  # the admin deletes one at a time
    assert stored(coop)[1] == date(2026, 5, 31) == expected(coop)[1]
    # The June report is due again.
    due = reminders.reports_due(Cooperation.objects.all(), date(2026, 6, 28))
    assert [d.cooperation for d in due] == [coop]
    may.period_start, may.period_end = date(2026, 6, 1), date(2026, 6, 30)
    may.save()  # edited in the admin
    assert stored(coop)[1] == date(2026, 6, 30)
    StatusReport.objects.filter(cooperation=coop).delete()  # a queryset delete sends signals
    assert stored(coop) == (expected(coop)[0], None)


def test_deleting_activities_moves_then_resets_the_start_of_tracking(world):
    coop = world.coop_ara
    first = _activity(coop, _at(date(2026, 1, 10)))
    _activity(coop, _at(date(2026, 3, 10)))
    first.delete()
    assert stored(coop)[0] == _at(date(2026, 3, 10)) == expected(coop)[0]
    # The January-February periods are no longer overdue: tracking started in March.
    overdue = reminders.reports_overdue(Cooperation.objects.all(), date(2026, 3, 5))
    assert overdue == []
    Activity.objects.filter(cooperation=coop).delete()  # tracking reset
    assert stored(coop) == (None, None)
    assert reminders.reports_due(Cooperation.objects.all(), date(2026, 6, 28)) == []
    assert reminders.reports_overdue(Cooperation.objects.all(), date(2026, 6, 28)) == []


def test_deleting_a_tracked_cooperation_takes_its_dates_with_it(world):
    coop = CooperationFactory()
    ActivityFactory(cooperation=coop)
    _report(coop, date(2026, 5, 1), date(2026, 5, 31))
    coop.delete()
    assert not TrackingDates.objects.exists()


def test_bulk_refresh_covers_many_cooperations_at_once(world, monkeypatch):
    coops = [CooperationFactory() for _ in range(5)]
    Activity.objects.bulk_create(  # no signal: the synthetic generator's path
        [Activity(cooperation=coop, title="Chantier") for coop in coops]
    )
    assert all(stored(coop) == (None, None) for coop in coops)
    monkeypatch.setattr(tracking, "CHUNK", 2)  # several statements
    tracking.refresh([coop.pk for coop in coops])
    assert all(stored(coop) == expected(coop) != (None, None) for coop in coops)


def test_the_data_migration_fills_existing_cooperations(world):
    tracked = _activity(world.coop_ara, _at(date(2026, 1, 10))).cooperation
    _report(tracked, date(2026, 1, 1), date(2026, 1, 31))
    reported_only = CooperationFactory()
    _report(reported_only, date(2026, 2, 1), date(2026, 2, 28))
    TrackingDates.objects.all().delete()
    migration = importlib.import_module("suivi.migrations.0008_tracking_dates")
    migration.fill(apps, None)
    assert stored(tracked) == expected(tracked) == (_at(date(2026, 1, 10)), date(2026, 1, 31))
    assert stored(reported_only) == (None, date(2026, 2, 28))
    assert TrackingDates.objects.count() == 2


def test_home_page_query_count_does_not_grow_with_tracked_cooperations(world, login):
    client = login(world.agent_ara)
    ActivityFactory(cooperation=world.coop_ara)
    small = count_queries(client, "/")
    for n in range(6):
        coop = CooperationFactory()
        ActivityFactory(cooperation=coop)
        if n % 2:
            _report(coop, date(2026, 1, 1), date(2026, 1, 31))
    html = client.get("/").content.decode()
    assert 'id="home-due"' in html or "Rapports d'avancement" in html
    assert count_queries(client, "/") == small


def test_the_admin_cannot_move_an_activity_or_a_report_to_another_cooperation(world, rf):
    from django.contrib import admin

    activity = ActivityFactory(cooperation=world.coop_ara)
    report = _report(world.coop_ara, date(2026, 5, 1), date(2026, 5, 31))
    request = rf.get("/")
    request.user = world.admin
    for obj in (activity, report):
        model_admin = admin.site._registry[type(obj)]
        assert "cooperation" in model_admin.get_readonly_fields(request, obj)
        assert "cooperation" not in model_admin.get_readonly_fields(request, None)


# --- deletes in bulk: a constant number of queries ---------------------------------------------


def _tracking_queries(action) -> int:
    """Queries of `action` that read or write the tracking dates: the refresh (the
    first/last subqueries) and the TrackingDates rows. The rest of a delete (one history
    row per deleted row, the cascade's collection) is not the tracker's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        action()
    return sum(
        "suivi_trackingdates" in sql or ("MIN(" in sql and "MAX(" in sql)
        for sql in (query["sql"] for query in queries.captured_queries)
    )


def _tracked(rows: int):
    coop = CooperationFactory()
    for n in range(rows):
        ActivityFactory(cooperation=coop)
        _report(coop, date(2026, 1 + n, 1), period_bounds(date(2026, 1 + n, 1), 1)[1])
    return coop


def test_deleting_a_cooperation_costs_the_same_queries_with_one_row_or_many(world):
    one, many = _tracked(1), _tracked(6)
    assert _tracking_queries(one.delete) == _tracking_queries(many.delete) <= 2
    assert not TrackingDates.objects.exists()


def test_deleting_many_activities_or_reports_refreshes_once(world):
    one, many = _tracked(1), _tracked(6)
    other = _tracked(2)  # deleted with `many`, in the same statement
    for model in (StatusReport, Activity):
        small = _tracking_queries(model.objects.filter(cooperation=one).delete)
        large = _tracking_queries(model.objects.filter(cooperation__in=[many, other]).delete)
        assert small == large == 2  # the refresh: read, then write
    for coop in (one, many, other):
        assert stored(coop) == expected(coop) == (None, None)
