"""Status reports due soon: who must write one, and the e-mail reminder (Celery beat)."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse

from accounts.models import Role, User
from cooperations.models import Cooperation, Phase
from suivi.models import Activity, ProjectSettings, ReportReminder
from suivi.planning import period_bounds


@dataclass
class DueReport:
    cooperation: Cooperation
    period_start: date
    period_end: date
    days_left: int


def reports_due(cooperations, today: date, *, within_days: int | None = None) -> list[DueReport]:
    """Tracked cooperations whose report for the current period is missing and due soon.

    One query: settings come through select_related, the last report through an aggregate.
    `within_days` None means "use each project's reminder delay".
    """
    queryset = (
        cooperations.exclude(phase=Phase.CLOTUREE)
        .filter(Exists(Activity.objects.filter(cooperation=OuterRef("pk"))))
        .select_related("suivi_settings")
        .annotate(last_report_end=Max("status_reports__period_end"))
        .order_by("pk")
    )
    due = []
    for cooperation in queryset:
        try:
            project = cooperation.suivi_settings
        except ProjectSettings.DoesNotExist:
            project = ProjectSettings(cooperation=cooperation)
        start, end = period_bounds(today, project.report_period_months)
        if cooperation.last_report_end and cooperation.last_report_end >= start:
            continue
        days_left = (end - today).days
        limit = project.reminder_days if within_days is None else within_days
        if days_left <= limit:
            due.append(DueReport(cooperation, start, end, days_left))
    return due


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
    today = today or date.today()
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
