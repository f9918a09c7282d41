"""The cooperation's tracking dates (suivi.models.TrackingDates), kept at write time.

`refresh(ids)` recomputes them from the activities and status reports, in the caller's
transaction. It runs on every save and delete of an Activity or a StatusReport (receivers
connected by SuiviConfig.ready: the services, the admin, the demo loaders and the test
factories all go through save/delete) and must be called by hand after a bulk_create or a
queryset.update() of those rows (demo/synthetic.py does).
"""

from django.db import transaction
from django.db.models import Max, Min, OuterRef, Subquery

from cooperations.models import Cooperation
from suivi.models import Activity, StatusReport, TrackingDates


def refresh(cooperation_ids, *, create: bool = True) -> None:
    """Recompute the tracking dates of these cooperations (an iterable of pks).

    Two or three queries per 2 000 cooperations. The cooperations' rows are locked first
    (PostgreSQL): two reports written at once for the same cooperation each recompute
    after the other's commit, so the later one sees both. With `create` False, only rows
    that exist are updated: a delete cascading from its cooperation must not create one.
    """
    ids = sorted({pk for pk in cooperation_ids if pk})
    # post_save runs after the row is written, outside any transaction when the caller
    # opened none (autocommit): select_for_update needs one, and its lock must be held
    # until the dates are written.
    with transaction.atomic(savepoint=False):
        for start in range(0, len(ids), CHUNK):
            _refresh(ids[start : start + CHUNK], create=create)


# Cooperations per statement: the synthetic generator refreshes thousands at once, and
# SQLite caps the number of parameters of a statement.
CHUNK = 2000


def _per_cooperation(model, aggregate):
    """Subquery: `aggregate` of `model`'s rows of the outer cooperation."""
    return Subquery(
        model.objects.filter(cooperation=OuterRef("pk"))
        .order_by()
        .values("cooperation")
        .annotate(value=aggregate)
        .values("value")
    )


def _refresh(ids: list[int], *, create: bool) -> None:
    rows = (
        Cooperation.objects.select_for_update()
        .filter(pk__in=ids)
        .annotate(
            first=_per_cooperation(Activity, Min("created_at")),
            last=_per_cooperation(StatusReport, Max("period_end")),
        )
        .order_by("pk")
        .values_list("pk", "first", "last")
    )
    dates = [
        TrackingDates(cooperation_id=pk, started_at=first, last_report_end=last)
        for pk, first, last in rows
    ]
    if create:
        TrackingDates.objects.bulk_create(
            dates,
            update_conflicts=True,
            unique_fields=["cooperation"],
            update_fields=["started_at", "last_report_end"],
        )
        return
    for item in dates:
        TrackingDates.objects.filter(cooperation_id=item.cooperation_id).update(
            started_at=item.started_at, last_report_end=item.last_report_end
        )


def _saved(sender, instance, raw=False, **kwargs) -> None:
    refresh([instance.cooperation_id])


def _deleted(sender, instance, **kwargs) -> None:
    refresh([instance.cooperation_id], create=False)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    for model in (Activity, StatusReport):
        post_save.connect(_saved, sender=model, dispatch_uid=f"tracking_saved_{model.__name__}")
        post_delete.connect(
            _deleted, sender=model, dispatch_uid=f"tracking_deleted_{model.__name__}"
        )
