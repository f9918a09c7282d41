"""KIT 1 demo: the three showcase cooperations at realistic points of their 15 steps.

Everything goes through the services (transitions logged, notifications created), as a
real team and ARS agent would. Idempotent: a cooperation whose steps already moved is
left as it is.
"""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from fiches.models import QuestionKind, Step, StepState
from fiches.services.answers import attachment_add, step_save_answers
from fiches.services.questions import applicable_questions
from fiches.services.workflow import step_return, step_submit, step_validate

DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# The imaging GCS's answers; the other showcase cooperations get their own (load below).
TEXTS = {
    "besoins": "Délais d'accès à l'IRM supérieurs à 45 jours ; fuite de patients vers la métropole.",
    "offre": "Deux IRM au CHU, un scanner au CH ; aucune permanence des soins en imagerie la nuit.",
    "porteur": "L'établissement porteur désigné lors du premier comité de direction commun.",
    "contact_ars": "Référente coopérations de la délégation départementale.",
    "objectifs": "Ramener le délai d'IRM sous 20 jours ; couvrir la permanence des soins 24 h/24.",
}
GHT_TEXTS = {
    **TEXTS,
    "besoins": "Population vieillissante du Bugey ; passages aux urgences en hausse de 8 % ; "
    "filière gériatrique et cancérologie dispersées entre les sites.",
    "offre": "Urgences à Bourg-en-Bresse et Oyonnax ; gériatrie sur quatre sites sans équipe "
    "mobile commune ; un SIH différent par établissement.",
    "objectifs": "Un projet médical partagé en cinq filières ; un dossier patient commun ; "
    "achats et DIM mutualisés par l'établissement support.",
}
GCSMS_TEXTS = {
    **TEXTS,
    "besoins": "Résidents hospitalisés la nuit faute d'infirmière : 40 transferts évitables "
    "par an ; achats de petit matériel négociés séparément par chaque EHPAD.",
    "offre": "Trois EHPAD sans infirmière de nuit ; astreinte téléphonique du médecin "
    "coordonnateur ; trois marchés de fournitures distincts.",
    "objectifs": "Une infirmière de nuit partagée entre les trois EHPAD ; un groupement "
    "d'achats commun ; moins de transferts de nuit aux urgences.",
}


def answer_for(question, cooperation, texts: dict | None = None) -> str:
    if question.kind == QuestionKind.YESNO:
        return "oui"
    if question.kind == QuestionKind.CHOICE:
        return question.choice_list[0]
    if question.kind == QuestionKind.DATE:
        return date(2026, 2, 2).isoformat()
    if question.kind == QuestionKind.NUMBER:
        low = question.min_value or 0
        high = question.max_value
        return str(min(high, low + 40) if high is not None else low + 40)
    return (texts or TEXTS).get(
        question.code, f"{question.label} : voir le compte rendu du COPIL ({cooperation.title})."
    )


def fill_mandatory(step: Step, user, texts: dict | None = None) -> Step:
    """Answer every applicable mandatory question and attach the mandatory files."""
    step = Step.objects.select_related("cooperation", "fiche").get(pk=step.pk)
    questions = applicable_questions(step)
    values = {q.code: answer_for(q, step.cooperation, texts) for q in questions if q.mandatory}
    step_save_answers(step=step, user=user, values=values, version=step.version)
    for question in questions:
        if question.kind == QuestionKind.FILE and question.mandatory:
            upload = SimpleUploadedFile(f"{question.code}.pdf", DEMO_PDF, "application/pdf")
            attachment_add(step=step, user=user, uploaded=upload, question=question)
    step.refresh_from_db()
    return step


def walk(step: Step, team, agent, target: str, reason: str = "", texts: dict | None = None) -> Step:
    """Drive a step from not started to `target` through the real services."""
    step = fill_mandatory(step, team, texts)
    if target == StepState.IN_PROGRESS:
        return step
    step_submit(step=step, user=team)
    step.refresh_from_db()
    if target == StepState.SUBMITTED:
        return step
    if target == StepState.RETURNED:
        step_return(step=step, user=agent, reason=reason)
    else:
        step_validate(step=step, user=agent)
    step.refresh_from_db()
    return step


def _play(cooperation, team, agent, plan: dict, stdout, texts: dict | None = None) -> None:
    # The steps were created with the cooperation (fiches/receivers.py).
    steps = {s.number: s for s in cooperation.kit1_steps.all()}
    if any(s.state != StepState.NOT_STARTED for s in steps.values()):
        return
    for number in sorted(plan):
        target, reason = plan[number] if isinstance(plan[number], tuple) else (plan[number], "")
        walk(steps[number], team, agent, target, reason, texts)
    if stdout:
        stdout.write(f"KIT 1 : étapes de démonstration pour « {cooperation.title} »")


def load(base: dict, stdout=None) -> None:
    accounts = base["accounts"]
    validated = StepState.VALIDATED
    _play(
        base["ght"],
        accounts["directeur.fleyriat"],
        accounts["agent.ara"],
        {**dict.fromkeys(range(1, 14), validated), 14: StepState.IN_PROGRESS},
        stdout,
        GHT_TEXTS,
    )
    _play(
        base["gcs"],
        accounts["directeur.chu-toulouse"],
        accounts["agent.occitanie"],
        {
            **dict.fromkeys(range(1, 5), validated),
            5: StepState.SUBMITTED,
            6: (
                StepState.RETURNED,
                "La composition du COPIL ne mentionne pas les représentants médicaux de la clinique : "
                "complétez-la et joignez l'avis de la CME du CHU.",
            ),
        },
        stdout,
    )
    _play(
        base["gcsms"],
        accounts["directrice.ehpad"],
        accounts["agent.bretagne"],
        {1: validated, 2: StepState.IN_PROGRESS},
        stdout,
        GCSMS_TEXTS,
    )
