"""KIT 1 answers follow the input normalisation rule (issue 14, classes 5 and 7)."""

import pytest
from django.core.exceptions import ValidationError

from fiches.models import Question
from fiches.services.questions import clean_answer
from tests.fiches.helpers import steps_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(world):
    steps = steps_of(world.coop_ara)
    return (
        Question.objects.get(fiche=steps[1].fiche, code="population"),
        Question.objects.get(fiche=steps[2].fiche, code="date_accord"),
    )


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("1 200", "1200"),
        ("1 200,5", "1200.5"),
        ("1\u00a0200,5", "1200.5"),
        ("12\u202f500", "12500"),
    ],
)
def test_french_number_formats(questions, typed, stored):
    number, _date = questions
    assert clean_answer(number, typed) == stored


@pytest.mark.parametrize("typed", ["1e400", "9" * 100_000, "1e999999", "Infinity", "NaN"])
def test_numbers_are_bounded(questions, typed):
    number, _date = questions
    with pytest.raises(ValidationError) as error:
        clean_answer(number, typed)
    assert any(
        m.startswith(("Ce nombre est trop", "Saisissez un nombre")) for m in error.value.messages
    )


@pytest.mark.parametrize("typed", ["0001-01-01", "9999-12-31", "0026-06-30", "31/12/2101"])
def test_dates_have_a_plausible_range(questions, typed):
    _number, day = questions
    with pytest.raises(ValidationError, match="entre le 01/01/1950 et le 31/12/2100"):
        clean_answer(day, typed)


def test_the_date_picker_states_the_range(world, login):
    step = steps_of(world.coop_ara)[2]
    html = login(world.referent_a).get(f"/kit1/etapes/{step.pk}/").content.decode()
    tag = (
        html.split('name="q_date_accord"')[0].rsplit("<input", 1)[1]
        + html.split('name="q_date_accord"')[1].split(">", 1)[0]
    )
    assert 'min="1950-01-01"' in tag and 'max="2100-12-31"' in tag
