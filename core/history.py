"""Readable history (who, when, which fields, old → new) from django-simple-history."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst

from core.queries import union_all_tagged


@dataclass
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object
    who: str
    action: str
    subject: str
    changes: list


ACTIONS = {"+": "Création", "~": "Modification", "-": "Suppression"}


def _value(value) -> str:
    """A stored value as a French reader expects it: 12,5 · 15/01/2026 · Oui."""
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, float | Decimal):
        return number_format(value, decimal_pos=None if value % 1 else 0)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "d/m/Y H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "d/m/Y")
    if isinstance(value, dict):
        return " · ".join(f"{key} : {_value(item)}" for key, item in value.items()) or "—"
    if isinstance(value, list | tuple):
        return ", ".join(_value(item) for item in value) or "—"
    return str(value)


def _display(record, field_name: str, value) -> str:
    if value in (None, ""):
        return "—"
    try:
        field = record.instance_type._meta.get_field(field_name)
    except Exception:  # noqa: BLE001 - unknown history-only field
        return _value(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return _value(value)


def _label(record, field_name: str) -> str:
    try:
        return capfirst(str(record.instance_type._meta.get_field(field_name).verbose_name))
    except Exception:  # noqa: BLE001
        return field_name


IGNORED = {"version", "updated_at", "created_at"}


def m2m_snapshots(records, field_names) -> dict:
    """{field: {history_id: set(related ids)}} for the records, in one query (a UNION ALL
    of the fields' history tables)."""
    snapshots = {}
    if not records or not field_names:
        return snapshots
    model = type(records[0])
    history_ids = [r.pk for r in records]
    parts = []
    for name in field_names:
        through = getattr(records[0], name).model
        target = next(
            f.name
            for f in through._meta.fields
            if f.is_relation
            and f.name not in {"history", "m2m_history_id"}
            and f.related_model is not model
            and f.related_model is not records[0].instance_type
        )
        parts.append(
            (through.objects.filter(history__in=history_ids), ("history_id", f"{target}_id"))
        )
        snapshots[name] = {r.pk: set() for r in records}
    for field_index, history_id, related_id in union_all_tagged(parts):
        snapshots[field_names[field_index]][history_id].add(related_id)
    return snapshots


def previous_records(records, key=lambda record: 0) -> dict:
    """{history_id: the previous record of the same object}, from the list alone.

    simple-history's prev_record runs one query per record; a page lists dozens of them.
    Records whose predecessor is not in the list get None (shown as a plain entry).
    """
    previous, last_seen = {}, {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        object_key = key(record)
        previous[record.history_id] = last_seen.get(object_key)
        last_seen[object_key] = record
    return previous


def entries_for(
    records,
    subject_of=str,
    fk_labels: dict | None = None,
    m2m: dict | None = None,
    object_key=lambda record: 0,
) -> list[HistoryEntry]:
    """Turn historical records into readable entries, with no query per record."""
    fk_labels = fk_labels or {}
    m2m = m2m or {}
    previous_of = previous_records(records, object_key)
    entries = []
    for record in records:
        changes = []
        previous = previous_of[record.history_id]
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous, excluded_fields=list(m2m))
            for change in delta.changes:
                if change.field in IGNORED:
                    continue
                old, new = change.old, change.new
                if change.field in fk_labels:
                    old = fk_labels[change.field].get(old, old)
                    new = fk_labels[change.field].get(new, new)
                changes.append(
                    FieldChange(
                        _label(record, change.field),
                        _display(record, change.field, old),
                        _display(record, change.field, new),
                    )
                )
            for name, per_record in m2m.items():
                before, after = per_record.get(previous.pk, set()), per_record.get(record.pk, set())
                if before != after:
                    labels = fk_labels.get(name, {})
                    changes.append(
                        FieldChange(
                            _label(record, name),
                            ", ".join(sorted(str(labels.get(i, i)) for i in before)) or "—",
                            ", ".join(sorted(str(labels.get(i, i)) for i in after)) or "—",
                        )
                    )
            if not changes:
                continue
        user = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=(user.get_full_name() or user.username) if user else "Système",
                action=ACTIONS.get(record.history_type, record.history_type),
                subject=subject_of(record),
                changes=changes,
            )
        )
    return entries
