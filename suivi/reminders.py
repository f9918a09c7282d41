"""Status reports due soon: who must write one, and the e-mail reminder (Celery beat)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Case, DateField, DateTimeField, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from cooperations.models import Cooperation, Phase
from suivi.models import ProjectSettings, ReportReminder
from suivi.planning import period_bounds, previous_period


@dataclass
class DueReport:
    cooperation: Cooperation
    period_start: date
    period_end: date
    days_left: int


def _by_period(values: dict, output_field):
    """The value for the row's period length (annotation `period_months`), NULL for a
    length not in `values`: a condition on it is then false, as for an unknown length."""
    return Case(
        *[When(period_months=months, then=Value(value)) for months, value in values.items()],
        default=Value(None),
        output_field=output_field,
    )


def _period_columns(periods: dict) -> dict:
    """The annotations both lists compare to `periods` ({length in months: (start, end)}):
    the project's period length, the start of its period, the end of its last report."""
    return {
        "period_months": Coalesce(
            "suivi_settings__report_period_months",
            Value(ProjectSettings._meta.get_field("report_period_months").default),
        ),
        "period_start": _by_period({m: p[0] for m, p in periods.items()}, DateField()),
        "last_report_end": F("tracking_dates__last_report_end"),
    }


def missing_since(start_annotation: str) -> Q:
    """No report for the period starting at that annotation: none at all, or the latest
    one ends before it (annotation `last_report_end`)."""
    return Q(last_report_end__isnull=True) | Q(last_report_end__lt=F(start_annotation))


def reports_due(
    cooperations, today: date, *, within_days: int | None = None, limit: int | None = None
) -> list[DueReport]:
    """Tracked cooperations whose report for the current period is missing and due soon,
    soonest first.

    One query, filtered in the database: a region holds thousands of cooperations and the
    home page shows five. The few period lengths give as many (start, end) pairs, computed
    here; each project's period, reminder delay and last report are compared to them in SQL.
    "Tracked" and "last report" are the stored TrackingDates (suivi/tracking.py), not
    subqueries over the activities and reports: plain filters on one joined row.
    `within_days` None means "use each project's reminder delay".

    With `limit` (the home page), still one query, but the rows are read for the page's
    ids only (`WHERE pk IN (the first ids)`): the subquery sorts the scope's tracked
    cooperations on narrow rows (id, dates, settings), where joining every full cooperation
    row of a region to its dates before keeping five made PostgreSQL carry the whole rows
    through the hash joins and the sort.
    """
    periods = {months: period_bounds(today, months) for months in ProjectSettings.Period.values}
    days_left = {months: (end - today).days for months, (start, end) in periods.items()}
    queryset = _due(cooperations, periods, days_left, within_days)
    if limit is not None:
        page = queryset.values("pk")[:limit]
        queryset = _due(Cooperation.objects.filter(pk__in=page), periods, days_left, within_days)
    return [DueReport(c, *periods[c.period_months], days_left[c.period_months]) for c in queryset]


def _due(cooperations, periods: dict, days_left: dict, within_days: int | None):
    """`cooperations` filtered to those whose report is due, annotated, soonest first."""
    reminder = Coalesce(
        "suivi_settings__reminder_days",
        Value(ProjectSettings._meta.get_field("reminder_days").default),
    )
    if within_days is None:
        soon = Q(reminder_days_value__gte=F("days_left"))
    else:
        soon = Q(period_months__in=[m for m, d in days_left.items() if d <= within_days])
    return (
        cooperations.exclude(phase=Phase.CLOTUREE)
        .filter(tracking_dates__started_at__isnull=False)
        .annotate(
            **_period_columns(periods),
            reminder_days_value=reminder,
            days_left=_by_period(days_left, IntegerField()),
        )
        # One condition with the period's values picked by CASE, not an OR of one branch
        # per period length: PostgreSQL misjudged the OR as matching a few rows and hashed
        # every tracked cooperation of the country before applying the scope.
        .filter(missing_since("period_start"), soon)
        .order_by("days_left", "pk")
    )


@dataclass
class OverdueReport:
    cooperation: Cooperation
    period_start: date
    period_end: date
    days_late: int


def _overdue_queryset(cooperations, today: date):
    """Tracked cooperations whose report for the last finished period is missing: the
    period ended, the tracker existed before its end, and no report covers it."""
    periods = {months: previous_period(today, months) for months in ProjectSettings.Period.values}
    ends = {months: _day_after(end) for months, (start, end) in periods.items()}
    return (
        cooperations.exclude(phase=Phase.CLOTUREE)
        # Implied by the condition below; stated alone, PostgreSQL can apply it while
        # reading the tracking dates (projects tracked only since the last period's end
        # are dropped before the join).
        .filter(tracking_dates__started_at__lt=max(ends.values()))
        .annotate(
            **_period_columns(periods),
            # "Tracked before the period's end": the first activity was created before the
            # first instant of the next local day (TrackingDates.started_at).
            tracked_before=_by_period(ends, DateTimeField()),
        )
        .filter(missing_since("period_start"), tracking_dates__started_at__lt=F("tracked_before"))
    ), periods


def _day_after(day: date):
    """The first instant of the local day after `day` (project time zone)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def overdue_filter(cooperations, today: date):
    """The work list's flag: the same cooperations as reports_overdue, as a queryset."""
    queryset, _periods = _overdue_queryset(cooperations, today)
    return cooperations.filter(pk__in=queryset.values("pk"))


def reports_overdue(cooperations, today: date, *, limit: int | None = None) -> list:
    """Reports of the last finished period still missing, the longest overdue first."""
    queryset, periods = _overdue_queryset(cooperations, today)
    queryset = queryset.order_by("period_months", "pk")
    if limit is not None:
        queryset = queryset[: limit * 2]
    items = [
        OverdueReport(c, *periods[c.period_months], (today - periods[c.period_months][1]).days)
        for c in queryset
    ]
    items.sort(key=lambda item: (-item.days_late, item.cooperation.pk))
    return items[:limit] if limit is not None else items


def recipients(cooperation) -> list[str]:
    """Referents of the active members: the project team that writes the report."""
    active = Q(establishments__memberships__cooperation=cooperation) & Q(
        establishments__memberships__left_on__isnull=True
    )
    active_ej = Q(legal_entities__memberships__cooperation=cooperation) & Q(
        legal_entities__memberships__left_on__isnull=True
    )
    users = (
        User.objects.filter(is_active=True, role=Role.REFERENT)
        .filter(active | active_ej)
        .exclude(email="")
        .distinct()
    )
    return sorted(users.values_list("email", flat=True))


def send_report_reminders(today: date | None = None) -> int:
    """E-mail each project team once per due date; safe to run several times a day."""
    today = today or timezone.localdate()
    sent = 0
    for item in reports_due(Cooperation.objects.all(), today):
        emails = recipients(item.cooperation)
        try:
            with transaction.atomic():
                ReportReminder.objects.create(
                    cooperation=item.cooperation, due_on=item.period_end, recipients=len(emails)
                )
        except IntegrityError:
            continue  # already reminded for this due date
        if not emails:
            continue
        link = settings.SITE_URL.rstrip("/") + reverse(
            "suivi:report_create", args=[item.cooperation.pk]
        )
        body = (
            "Bonjour,\n\n"
            f"Le rapport d'avancement de « {item.cooperation.title} » pour la période du "
            f"{item.period_start:%d/%m/%Y} au {item.period_end:%d/%m/%Y} est attendu d'ici le "
            f"{item.period_end:%d/%m/%Y} ({item.days_left} jour(s)).\n\n"
            f"Vous pouvez le rédiger ici : {link}\n\n"
            "Ce rapport fige les chiffres du jour (avancement, respect du planning, risques) "
            "pour le comité de pilotage.\n\n— KitCoop"
        )
        send_mass_mail(
            [
                (
                    f"[KitCoop] Rapport d'avancement attendu — {item.cooperation.title}"[:200],
                    body,
                    settings.DEFAULT_FROM_EMAIL,
                    [email],
                )
                for email in emails
            ]
        )
        sent += len(emails)
    return sent
