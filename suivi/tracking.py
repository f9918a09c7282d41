"""The cooperation's tracking dates (suivi.models.TrackingDates), kept at write time.

`refresh(ids)` recomputes them from the activities and status reports, in the caller's
transaction. It runs on every save of an Activity or a StatusReport and once per delete
(receivers connected by SuiviConfig.ready: the services, the admin, the demo loaders and the
test factories all go through save/delete) and must be called by hand after a bulk_create or a
queryset.update() of those rows (demo/synthetic.py does).
"""

from django.db import transaction
from django.db.models import Exists, Max, Min, OuterRef, Subquery

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
    rows = Cooperation.objects.select_for_update().filter(pk__in=ids)
    if not create:
        rows = rows.filter(Exists(TrackingDates.objects.filter(cooperation=OuterRef("pk"))))
    rows = (
        rows.annotate(
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
    # One upsert for the whole chunk (only existing rows when not `create`: the filter above).
    TrackingDates.objects.bulk_create(
        dates,
        update_conflicts=True,
        unique_fields=["cooperation"],
        update_fields=["started_at", "last_report_end"],
    )


def _saved(sender, instance, **kwargs) -> None:
    refresh([instance.cooperation_id])


# Rows on their way out, by deletion. Django's Collector sends pre_delete for every row it
# will delete before deleting anything, then, model by model, deletes the batch and sends
# post_delete row by row (with the same `origin`: the instance or queryset whose delete()
# was called). The cooperations are gathered on the way in and refreshed once, on the
# first post_delete of each batch: a queryset delete of many rows costs one refresh, not
# one per row. Cooperations deleted by the same delete are left out (their dates go with
# them, CASCADE): deleting a cooperation refreshes nothing. Keyed by id(origin), with the
# origin kept alive until its entry is popped so that the id is not reused meanwhile; a
# delete failing half-way leaves its entry behind, which only costs memory.
_pending: dict[tuple[int, type], tuple[object, set[int]]] = {}


def _deleting(sender, instance, origin=None, **kwargs) -> None:
    if origin is None:  # a signal sent by hand: refreshed row by row in _deleted
        return
    pk = instance.pk if sender is Cooperation else instance.cooperation_id
    _pending.setdefault((id(origin), sender), (origin, set()))[1].add(pk)


def _deleted(sender, instance, origin=None, **kwargs) -> None:
    if sender is Cooperation:
        _pending.pop((id(origin), Cooperation), None)
        return
    if origin is None:
        refresh([instance.cooperation_id], create=False)
        return
    _origin, ids = _pending.pop((id(origin), sender), (None, set()))
    dropped = _pending.get((id(origin), Cooperation), (None, set()))[1]
    if ids - dropped:
        refresh(ids - dropped, create=False)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save, pre_delete

    for model in (Activity, StatusReport):
        post_save.connect(_saved, sender=model, dispatch_uid=f"tracking_saved_{model.__name__}")
    for model in (Activity, StatusReport, Cooperation):
        pre_delete.connect(
            _deleting, sender=model, dispatch_uid=f"tracking_deleting_{model.__name__}"
        )
        post_delete.connect(
            _deleted, sender=model, dispatch_uid=f"tracking_deleted_{model.__name__}"
        )
