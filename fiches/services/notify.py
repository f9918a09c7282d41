"""KIT 1 notifications: step events handed to the notification engine
(notifications.services) and the recipients it uses."""

from cooperations.models import Cooperation
from fiches.models import (
    Step,
)


def _notify(recipients, step: Step, subject: str, message: str, *, kind: str, actor=None):
    """Step events go to the notification engine (notifications.services), which settles
    what they answer (a decision settles the "submitted" notifications of the step)."""
    from notifications import services as notifications

    return notifications.notify(
        cooperation=step.cooperation,
        kind=kind,
        recipients=recipients,
        subject=subject,
        message=message,
        url=step.get_absolute_url(),
        target=step,
        actor=actor,
    )


def ars_agents_of(cooperation: Cooperation):
    from notifications.services import pilot_ars_agents

    return pilot_ars_agents(cooperation)


def project_team_of(cooperation: Cooperation):
    from notifications.services import project_team

    return project_team(cooperation)
