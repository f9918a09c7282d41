"""The cooperation's "last activity": bumped whenever a history record is written for it or
for anything of its kits (every domain model has a django-simple-history history).

The work list sorts on it and flags cooperations with no activity for STALLED_WEEKS
weeks. One UPDATE per write, never on a read.
"""

from django.utils import timezone

# How to reach the cooperation from an object of a kit, tried in this order.
_PATHS = ("step", "activity", "deliverable", "convention", "version", "membership", "evaluation")


def cooperation_id_of(instance, depth: int = 0) -> int | None:
    from cooperations.models import Cooperation

    if isinstance(instance, Cooperation):
        return instance.pk
    cooperation_id = getattr(instance, "cooperation_id", None)
    if cooperation_id:
        return cooperation_id
    if depth > 3:
        return None
    for name in _PATHS:
        if getattr(instance, f"{name}_id", None):
            try:
                related = getattr(instance, name)
            except Exception:  # noqa: BLE001 - a dangling reference: nothing to bump
                return None
            return cooperation_id_of(related, depth + 1)
    return None


def bump_last_activity(sender, instance, history_instance=None, **kwargs) -> None:
    from cooperations.models import Cooperation

    cooperation_id = cooperation_id_of(instance)
    if cooperation_id:
        when = getattr(history_instance, "history_date", None) or timezone.now()
        # update(): no history record, no version bump, no auto_now on updated_at.
        Cooperation.objects.filter(pk=cooperation_id, last_activity_at__lt=when).update(
            last_activity_at=when
        )
