"""Helpers for KIT 1 tests: steps of a cooperation, filled answers, small valid files."""

from django.core.files.uploadedfile import SimpleUploadedFile

from demo.fiches import DEMO_PDF, fill_mandatory, walk  # noqa: F401 - re-exported for tests
from fiches.models import Step


def steps_of(cooperation) -> dict[int, Step]:
    """The steps created with the cooperation (fiches/receivers.py), by number."""
    return {
        s.number: s for s in Step.objects.filter(cooperation=cooperation).select_related("fiche")
    }


def pdf(name="note.pdf", content=DEMO_PDF):
    return SimpleUploadedFile(name, content, "application/pdf")


def fresh(step) -> Step:
    return Step.objects.select_related("cooperation", "fiche").get(pk=step.pk)
