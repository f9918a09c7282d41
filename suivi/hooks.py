"""Blocks shown outside the tracker: the cooperation page summary and the home widget.

Constant queries: the summary runs the tracker's fixed set of queries, the home widget
one query for late deliverables and one for reports due.
"""

from datetime import date

from django.utils import timezone

from accounts.models import Role
from cooperations import scoping
from cooperations.models import Cooperation
from core.registry import CooperationSection, HomeWidget, signed_in
from suivi import portfolio, reminders, selectors
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
    today = timezone.localdate()
    user = request.user
    late = list(late_deliverables(user, today)[: HOME_LIMIT + 1])
    for item in late:
        item.days_late = (today - item.current_due).days
    in_scope = Cooperation.objects.filter(pk__in=scoping.cooperation_ids_visible_to(user))
    due = reminders.reports_due(in_scope, today, within_days=None, limit=HOME_LIMIT)
    overdue = reminders.reports_overdue(in_scope, today, limit=HOME_LIMIT)
    return {
        "overdue_reports": overdue,
        "late": late[:HOME_LIMIT],
        "more_late": len(late) > HOME_LIMIT,
        "due_reports": due,
        "today": today,
    }


GUEST_LIMIT = 6


def copil_guest_context(request) -> dict:
    """What a COPIL member comes for: the latest packs, the status reports and the next
    meetings of the cooperations they sit on (four queries)."""
    from django.utils import timezone

    from suivi.models import CopilMeeting, CopilPack, StatusReport

    today = timezone.localdate()
    ids = list(Cooperation.objects.visible_to(request.user).values_list("pk", flat=True)[:200])
    packs = (
        CopilPack.objects.filter(cooperation_id__in=ids, status=CopilPack.Status.DONE)
        .exclude(file="")
        .select_related("cooperation")
        .order_by("-finished_at", "-pk")[:GUEST_LIMIT]
    )
    reports = (
        StatusReport.objects.filter(cooperation_id__in=ids)
        .select_related("cooperation")
        .order_by("-period_end", "-pk")[:GUEST_LIMIT]
    )
    meetings = (
        CopilMeeting.objects.filter(cooperation_id__in=ids, held_on__gte=today)
        .select_related("cooperation")
        .order_by("held_on", "pk")[:GUEST_LIMIT]
    )
    return {"packs": list(packs), "reports": list(reports), "meetings": list(meetings)}


# What KIT 3 adds to the shared screens (registered by KitConfig.ready()).
REGISTRY = (
    CooperationSection(
        key="suivi",
        label="Suivi de projet (KIT 3)",
        url_name="suivi:tracker",
        order=40,
        summary_template="suivi/_section_summary.html",
        get_context=section_context,
    ),
    HomeWidget(
        key="suivi",
        template="suivi/_home_widget.html",
        get_context=home_context,
        order=40,
        visible=home_visible,
    ),
    portfolio.RAG_COLUMN,
    portfolio.COPIL_COLUMN,
    *portfolio.FLAGS,
    HomeWidget(
        key="suivi-copil-guest",
        template="suivi/_home_copil_guest.html",
        get_context=copil_guest_context,
        order=5,
        visible=signed_in("is_copil_guest"),
    ),
)
