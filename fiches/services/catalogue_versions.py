"""KIT 1 catalogue versions: the version in force, copy-on-write of a version already
answered (a whole copy of its fiches, questions and links)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from fiches.models import (
    CatalogueVersion,
    Fiche,
    Step,
)


def current_version() -> CatalogueVersion:
    version = CatalogueVersion.objects.current()
    if version is None:
        raise ValidationError("Aucune version du catalogue KIT 1 n'est en vigueur.")
    return version


def version_in_use(version: CatalogueVersion) -> bool:
    return Step.objects.filter(fiche__version=version).exists()


@transaction.atomic
def catalogue_clone_version(*, version: CatalogueVersion, note: str = "") -> CatalogueVersion:
    """Copy a whole catalogue version (fiches, questions, links) and make the copy current."""
    number = (CatalogueVersion.objects.aggregate(m=Max("number"))["m"] or 0) + 1
    CatalogueVersion.objects.filter(is_current=True).update(is_current=False)
    clone = CatalogueVersion.objects.create(number=number, is_current=True, note=note)
    fiches = list(
        version.fiches.prefetch_related(
            "legal_forms", "knowledge_pages", "prerequisites", "questions__legal_forms"
        )
    )
    by_number = {}
    for fiche in fiches:
        copy = Fiche.objects.create(
            version=clone,
            number=fiche.number,
            title=fiche.title,
            phase=fiche.phase,
            purpose=fiche.purpose,
            guidance=fiche.guidance,
            documents_expected=fiche.documents_expected,
            offers_legal_form_chooser=fiche.offers_legal_form_chooser,
        )
        copy.legal_forms.set(fiche.legal_forms.all())
        copy.knowledge_pages.set(fiche.knowledge_pages.all())
        questions = list(fiche.questions.all())
        code_by_pk = {q.pk: q.code for q in questions}
        copies = {}
        for question in questions:
            legal_forms = list(question.legal_forms.all())
            earlier_code = code_by_pk.get(question.not_before_id)
            question.pk = None
            question.id = None
            question.fiche = copy
            question.not_before = None
            question._state.adding = True
            question.save()
            question.legal_forms.set(legal_forms)
            copies[question.code] = (question, earlier_code)
        # Date-order links point inside the fiche: remap them to the copied questions.
        for question, earlier_code in copies.values():
            if earlier_code in copies:
                question.not_before = copies[earlier_code][0]
                question.save(update_fields=["not_before"])
        by_number[fiche.number] = copy
    for fiche in fiches:
        by_number[fiche.number].prerequisites.set(
            [by_number[p.number] for p in fiche.prerequisites.all() if p.number in by_number]
        )
    return clone


def catalogue_version_for_edit(*, version: CatalogueVersion) -> CatalogueVersion:
    """Copy-on-write: a version already answered is frozen, so edits go to a fresh copy."""
    if not version.is_current:
        raise ValidationError(
            "Seule la version en vigueur du catalogue peut être modifiée ; "
            "les versions précédentes restent figées pour les étapes qui les utilisent."
        )
    if version_in_use(version):
        return catalogue_clone_version(
            version=version, note=f"Modification de la v{version.number} par l'administration"
        )
    return version
