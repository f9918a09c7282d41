"""Domain events that other modules (notifications) listen to.

`cooperation_event` is sent with: cooperation (Cooperation), kind (str, one of EVENT_KINDS),
actor (User or None), target (the object the event is about, or None), message (str, French).
"""

from django.db import transaction
from django.dispatch import Signal

EVENT_KINDS = (
    "step_comment",
    "convention_comment",
    "convention_all_signed",
    "convention_approved",
    "convention_refused",
    "convention_sent_back",
    "convention_tacit_approval",
    "cooperation_moved",
    "member_added",
    "deliverable_overdue",
    "report_overdue",
)

cooperation_event = Signal()


def send_event(sender, cooperation, kind: str, *, actor=None, target=None, message: str) -> None:
    """Send `cooperation_event` now: its receivers write within the caller's transaction.
    For what already happened (a daily scan, an on_commit callback); a service announcing
    its own write uses `announce`."""
    cooperation_event.send(
        sender=sender,
        cooperation=cooperation,
        kind=kind,
        actor=actor,
        target=target,
        message=message,
    )


def announce(sender, cooperation, kind: str, *, actor=None, target=None, message: str) -> None:
    """Send `cooperation_event` once the current transaction commits: a write rolled back
    announces nothing (outside a transaction, it is sent at once)."""
    transaction.on_commit(
        lambda: send_event(sender, cooperation, kind, actor=actor, target=target, message=message)
    )
