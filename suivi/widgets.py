"""Blocks shown outside the tracker: the cooperation page summary and the home widget.

Constant queries: the summary runs the tracker's fixed set of queries, the home widget
one query for late deliverables and one for reports due.
"""

from datetime import date

from accounts.models import Role
from cooperations import scoping
from cooperations.models import Cooperation
from suivi import reminders, selectors
from suivi.models import CURRENT_DUE, Deliverable

HOME_LIMIT = 5


def section_context(request, cooperation) -> dict:
    data = selectors.tracker(cooperation)
    return {"tracker": data, "rule": data.rule}


def home_visible(user) -> bool:
    return user.is_authenticated and user.role in {Role.REFERENT, Role.ARS_AGENT}


def late_deliverables(user, today: date):
    """Open deliverables past their current due date, in the user's scope."""
    return (
        Deliverable.objects.visible_to(user)
        .filter(done_on__isnull=True)
        .annotate(current_due=CURRENT_DUE)
        .filter(current_due__lt=today)
        .select_related("activity__cooperation")
        .order_by("current_due", "pk")
    )


def home_context(request) -> dict:
    today = date.today()
    user = request.user
    late = list(late_deliverables(user, today)[: HOME_LIMIT + 1])
    for item in late:
        item.days_late = (today - item.current_due).days
    in_scope = Cooperation.objects.filter(pk__in=scoping.cooperation_ids_visible_to(user))
    due = reminders.reports_due(in_scope, today, within_days=None, limit=HOME_LIMIT)
    return {
        "late": late[:HOME_LIMIT],
        "more_late": len(late) > HOME_LIMIT,
        "due_reports": due,
        "today": today,
    }
