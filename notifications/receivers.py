"""Listens to `cooperations.signals.cooperation_event` (sent by every module after commit)."""

import logging

from cooperations.signals import EVENT_KINDS

logger = logging.getLogger(__name__)


def on_cooperation_event(sender, *, cooperation, kind, actor=None, target=None, message="", **_):
    from notifications.services import notify_event

    if kind not in EVENT_KINDS:
        logger.warning("Événement inconnu ignoré : %s", kind)
        return
    notify_event(cooperation=cooperation, kind=kind, actor=actor, target=target, message=message)
