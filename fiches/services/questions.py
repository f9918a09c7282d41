"""KIT 1 questions: which ones apply to a step (legal form), the cleaning of a raw answer
to its stored text, the plan objectives offered, and the mandatory answers still missing.
Reads and pure checks; no write."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

from core.text import parse_number, validate_plausible_date
from fiches.models import (
    Answer,
    Fiche,
    Question,
    QuestionKind,
    Step,
)

MANDATORY_MESSAGE = "Réponse obligatoire avant de soumettre l'étape."
YES, NO = "oui", "non"


def question_applies(question: Question, legal_form_id) -> bool:
    """A question restricted to some legal forms is asked only once such a form is chosen."""
    forms = [f.pk for f in question.legal_forms.all()]
    return not forms or legal_form_id in forms


def fiche_applies(fiche: Fiche, legal_form_id) -> bool:
    forms = [f.pk for f in fiche.legal_forms.all()]
    return not forms or legal_form_id in forms


def applicable_questions(step: Step) -> list[Question]:
    return [
        q for q in step.fiche.questions.all() if question_applies(q, step.cooperation.legal_form_id)
    ]


def _fr(number: Decimal) -> str:
    return format(number.normalize(), "f").replace(".", ",")


def clean_answer(question: Question, raw) -> str:
    """Normalise a raw answer to its stored text, or refuse it with a French message."""
    value = "" if raw is None else str(raw).strip()
    if value == "":
        return ""
    if question.kind == QuestionKind.YESNO:
        if value.lower() not in (YES, NO):
            raise ValidationError("Répondez par oui ou par non.")
        return value.lower()
    if question.kind == QuestionKind.CHOICE:
        if value not in question.choice_list:
            raise ValidationError(f"« {value} » ne fait pas partie des choix proposés.")
        return value
    if question.kind == QuestionKind.DATE:
        # The date picker sends aaaa-mm-jj; without one (an older browser, a script), people
        # type the jj/mm/aaaa that the error message shows.
        try:
            if "/" in value:
                day = datetime.strptime(value, "%d/%m/%Y").date()  # noqa: DTZ007 (a calendar date, no time)
            else:
                day = date.fromisoformat(value)
        except ValueError:
            raise ValidationError("Saisissez une date valide (jj/mm/aaaa).") from None
        validate_plausible_date(day)
        return day.isoformat()
    if question.kind == QuestionKind.NUMBER:
        # French formats ("1 200,5", non-breaking spaces), bounded length and exponent.
        number = parse_number(value)
        if question.min_value is not None and number < question.min_value:
            raise ValidationError(
                f"La valeur doit être supérieure ou égale à {_fr(question.min_value)}."
            )
        if question.max_value is not None and number > question.max_value:
            raise ValidationError(
                f"La valeur doit être inférieure ou égale à {_fr(question.max_value)}."
            )
        return format(number, "f")
    if question.kind == QuestionKind.FILE:
        return ""  # a file question is answered by an attachment, not by text
    if len(value) > 20000:
        raise ValidationError("La réponse est trop longue (20 000 caractères au plus).")
    return value


def plan_objective_choices(step: Step) -> list[tuple[str, str]]:
    """(code, label) of the pilot ARS's plan objectives: current ones, and historical ones
    the cooperation already serves."""
    from django.db.models import Q as _Q

    from cooperations.models import HISTORICAL_PLAN_KINDS, RegionalObjective

    objectives = (
        RegionalObjective.objects.filter(ars_id=step.cooperation.pilot_ars_id)
        .filter(~_Q(kind__in=HISTORICAL_PLAN_KINDS) | _Q(cooperations=step.cooperation_id))
        .distinct()
        .order_by("kind", "order", "code")
    )
    return [(o.code, f"{o.code} — {o.title}") for o in objectives]


def _clean_plan_objectives(step: Step, raw) -> tuple[str, list]:
    """The chosen objective codes, checked against the pilot ARS's plan; stored as
    "CODE, CODE" (the answer) and linked to the cooperation (the portfolio counts them)."""
    from cooperations.models import RegionalObjective

    if isinstance(raw, list | tuple):
        codes = [str(c).strip() for c in raw if str(c).strip()]
    else:
        codes = [c.strip() for c in str(raw or "").split(",") if c.strip()]
    found = {
        o.code: o
        for o in RegionalObjective.objects.filter(
            ars_id=step.cooperation.pilot_ars_id, code__in=codes
        )
    }
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError(
            "Ces objectifs ne figurent pas dans le plan régional de l'ARS pilote : "
            + ", ".join(unknown)
            + "."
        )
    ordered = sorted(found.values(), key=lambda o: (o.kind, o.order, o.code))
    return ", ".join(o.code for o in ordered), ordered


def _free_text_answer(step: Step, question: Question) -> bool:
    """True when the stored answer is free text from before KIT 1 offered the plan's
    objectives (not a list of objective codes)."""
    from cooperations.models import RegionalObjective

    value = Answer.objects.filter(step=step, question=question).values_list("value", flat=True)
    value = value.first() or ""
    codes = [c.strip() for c in value.split(",") if c.strip()]
    if not codes:
        return False
    known = RegionalObjective.objects.filter(
        ars_id=step.cooperation.pilot_ars_id, code__in=codes
    ).count()
    return known != len(set(codes))


def missing_answers(step: Step) -> dict[str, str]:
    """{question code: message} for the mandatory questions still unanswered."""
    answered = {a.question_id for a in step.answers.all() if a.value}
    with_file = {a.question_id for a in step.attachments.all() if a.question_id}
    missing = {}
    for question in applicable_questions(step):
        if not question.mandatory:
            continue
        done = (
            question.pk in with_file
            if question.kind == QuestionKind.FILE
            else question.pk in answered
        )
        if not done:
            missing[question.code] = MANDATORY_MESSAGE
    return missing


def _date_order_errors(step: Step, questions: dict, cleaned: dict) -> dict:
    """Dates that must not precede another date of the same fiche (data: Question.not_before)."""
    values = dict(Answer.objects.filter(step=step).values_list("question__code", "value"))
    values.update({q.code: v for q, v in cleaned.items()})
    by_pk = {q.pk: q for q in questions.values()}
    errors = {}
    for question in questions.values():
        earlier = by_pk.get(question.not_before_id)
        if question.kind != QuestionKind.DATE or earlier is None:
            continue
        later_value, earlier_value = values.get(question.code), values.get(earlier.code)
        if later_value and earlier_value and later_value < earlier_value:
            shown = date.fromisoformat(earlier_value).strftime("%d/%m/%Y")
            errors[question.code] = [
                f"Cette date ne peut pas précéder « {earlier.label} » ({shown})."
            ]
    return errors
