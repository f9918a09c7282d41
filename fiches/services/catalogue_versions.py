"""KIT 1 catalogue versions: the version in force, copy-on-write of a version already
answered (``core.catalogue_versions``: a whole copy of its fiches, questions and links)."""

from django.core.exceptions import ValidationError

from core.catalogue_versions import version_for_edit
from fiches.models import CatalogueVersion


def current_version() -> CatalogueVersion:
    """The version in force; ValidationError (French) when there is none."""
    version = CatalogueVersion.objects.current()
    if version is None:
        raise ValidationError("Aucune version du catalogue KIT 1 n'est en vigueur.")
    return version


def catalogue_version_for_edit(*, version: CatalogueVersion, actor=None) -> CatalogueVersion:
    """Copy-on-write: a version already answered is frozen, so edits go to a fresh copy.

    Only the version in force is edited (ValidationError otherwise); the copy becomes it.
    """
    if not version.is_current:
        raise ValidationError(
            "Seule la version en vigueur du catalogue peut être modifiée ; "
            "les versions précédentes restent figées pour les étapes qui les utilisent."
        )
    target, _copied = version_for_edit(
        version, note=f"Modification de la v{version.number} par l'administration", actor=actor
    )
    return target
