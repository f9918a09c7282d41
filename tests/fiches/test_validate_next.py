"""The validation queue: waiting time, and "valider et passer à l'étape suivante à valider"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fiches.models import Step, StepState
from tests.cooperations.factories import CooperationFactory

pytestmark = pytest.mark.django_db


def _submitted(cooperation, days_ago: int) -> Step:
    step = Step.objects.get(cooperation=cooperation, number=1)
    Step.objects.filter(pk=step.pk).update(
        state=StepState.SUBMITTED, submitted_at=timezone.now() - timedelta(days=days_ago)
    )
    return step


def test_validate_and_go_to_the_next_step_waiting(world, login):
    first = _submitted(world.coop_ara, 20)
    second = _submitted(CooperationFactory(title="Deuxième projet"), 3)
    client = login(world.agent_ara)
    queue = client.get(reverse("fiches:queue")).content.decode()
    assert "20 j" in queue and "3 j" in queue
    response = client.post(reverse("fiches:step_validate", args=[first.pk]), {"suivante": "1"})
    assert response.status_code == 302 and response["Location"] == second.get_absolute_url()
    first.refresh_from_db()
    assert first.state == StepState.VALIDATED
    response = client.post(reverse("fiches:step_validate", args=[second.pk]), {"suivante": "1"})
    assert response["Location"] == reverse("fiches:queue")
    assert (
        "Plus aucune étape n'attend votre validation."
        in client.get(reverse("fiches:queue")).content.decode()
    )
