"""Daily scan (Celery beat): late deliverables and overdue status reports become
`deliverable_overdue` / `report_overdue` events (cooperations.signals). The notification
engine sends each once per deliverable or cooperation while it stays open, and settles it
when the deliverable is done or re-dated, or the report written."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from cooperations.models import Cooperation
from cooperations.signals import send_event
from suivi import reminders
from suivi.models import CURRENT_DUE, Deliverable


def late_open_deliverables(today: date):
    return (
        Deliverable.objects.filter(done_on__isnull=True)
        .annotate(current_due=CURRENT_DUE)
        .filter(current_due__lt=today)
        .select_related("activity__cooperation")
        .order_by("current_due", "pk")
    )


def scan(today: date | None = None) -> dict:
    today = today or timezone.localdate()
    counts = {"deliverables": 0, "reports": 0}
    for deliverable in late_open_deliverables(today).iterator(chunk_size=500):
        cooperation = deliverable.activity.cooperation
        days = (today - deliverable.current_due).days
        with transaction.atomic():
            send_event(
                Deliverable,
                cooperation,
                "deliverable_overdue",
                target=deliverable,
                message=(
                    f"Le livrable « {deliverable.title} » (chantier « {deliverable.activity.title} ») "
                    f"de « {cooperation.title} » est en retard : échéance du "
                    f"{deliverable.current_due:%d/%m/%Y} dépassée de {days} jour{'s' if days > 1 else ''}."
                ),
            )
        counts["deliverables"] += 1
    for item in reminders.reports_overdue(Cooperation.objects.all(), today):
        with transaction.atomic():
            send_event(
                Cooperation,
                item.cooperation,
                "report_overdue",
                message=(
                    f"Le rapport d'avancement de « {item.cooperation.title} » pour la période du "
                    f"{item.period_start:%d/%m/%Y} au {item.period_end:%d/%m/%Y} est en retard "
                    f"de {item.days_late} jour{'s' if item.days_late > 1 else ''}."
                ),
            )
        counts["reports"] += 1
    return counts
