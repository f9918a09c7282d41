"""The follow-up demo: slipped and on-time deliverables, risks and two status reports per
showcase cooperation, loaded twice without a new row."""

import pytest
from django.utils import timezone

from demo import cooperations as base_demo
from demo import suivi as demo
from suivi import planning
from suivi.models import Activity, Deliverable, Risk, StatusReport

pytestmark = pytest.mark.django_db


def test_demo_loads_slipped_and_on_time_deliverables_and_is_idempotent():
    base = base_demo.load()
    demo.load(base)
    counts = (Deliverable.objects.count(), Risk.objects.count(), StatusReport.objects.count())
    demo.load(base)
    assert (
        Deliverable.objects.count(),
        Risk.objects.count(),
        StatusReport.objects.count(),
    ) == counts
    for key in ("ght", "gcs"):
        rags = {
            planning.deliverable_status(d, timezone.localdate()).effective
            for d in Deliverable.objects.filter(activity__cooperation=base[key])
        }
        assert {"on_time", "late"} <= rags, key
        # The tracking dates the home page filters on (suivi.tracking) follow the loader.
        dates = base[key].tracking_dates
        first = Activity.objects.filter(cooperation=base[key]).order_by("created_at").first()
        last = StatusReport.objects.filter(cooperation=base[key]).order_by("-period_end").first()
        assert (dates.started_at, dates.last_report_end) == (first.created_at, last.period_end)
        assert Risk.objects.filter(cooperation=base[key]).exists()
        reports = list(StatusReport.objects.filter(cooperation=base[key]).order_by("period_end"))
        assert len(reports) == 2
        # Each report froze the figures of its own date: older, lower.
        from suivi import selectors

        today_progress = selectors.tracker(base[key]).progress
        assert reports[0].snapshot["progress"] < reports[1].snapshot["progress"] < today_progress
