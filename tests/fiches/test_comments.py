"""KIT 1 comments (fiches/services/comments.py): what the service refuses, in French."""

import pytest
from django.core.exceptions import ValidationError

from fiches.models import StepComment
from fiches.services.comments import comment_add
from tests.fiches.helpers import steps_of


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   \n ", "Le commentaire est vide."),
        ("x" * 5001, "Le commentaire est trop long (5 000 caractères au plus)."),
    ],
)
def test_an_empty_or_overlong_comment_is_refused_in_french(world, body, message):
    step = steps_of(world.coop_ara)[1]
    with pytest.raises(ValidationError) as refused:
        comment_add(step=step, user=world.referent_a, body=body)
    assert refused.value.message_dict == {"body": [message]}
    assert not StepComment.objects.filter(step=step).exists()


def test_a_comment_is_stored_without_its_surrounding_blanks(world):
    step = steps_of(world.coop_ara)[1]
    comment = comment_add(step=step, user=world.referent_a, body="  Une question.\n ")
    assert StepComment.objects.get(pk=comment.pk).body == "Une question."
