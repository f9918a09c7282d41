"""KIT 1 comments on a step (sent to the cooperation's event feed after commit)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from cooperations import scoping
from cooperations.signals import announce
from core.text import required_text
from fiches.models import (
    Step,
    StepComment,
)


@transaction.atomic
def comment_add(*, step: Step, user, body: str) -> StepComment:
    if not scoping.can_comment(user, step.cooperation):
        raise PermissionDenied("Votre rôle ne permet pas de commenter cette coopération.")
    body = required_text(
        body,
        max_length=5000,
        empty="Le commentaire est vide.",
        too_long="Le commentaire est trop long (5 000 caractères au plus).",
    )
    comment = StepComment(step=step, author=user, body=body)
    comment.full_clean()
    comment.save()
    cooperation = step.cooperation
    message = (
        f"{user} a commenté l'étape {step.number} de « {cooperation.title} » :\n\n{body[:600]}"
    )
    announce(StepComment, cooperation, "step_comment", actor=user, target=step, message=message)
    return comment
