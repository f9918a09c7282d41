"""Optimistic locking: refuse a save made from a stale form, keep the user's input."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F

STALE_MESSAGE = (
    "Quelqu'un d'autre a enregistré cette fiche pendant que vous la modifiiez. "
    "Vos saisies sont conservées ci-dessous : vérifiez la version à jour "
    "(rechargez la page dans un autre onglet), puis enregistrez à nouveau."
)


def version_field() -> models.PositiveIntegerField:
    """The `version` of a row edited under optimistic locking: 1 for a new row, raised by one
    on each save_with_version; the edit form carries it hidden (core.forms.VersionedFormMixin).
    Not a document's version number (a convention's versions, a catalogue's editions)."""
    return models.PositiveIntegerField(default=1)


class StaleObjectError(ValidationError):
    def __init__(self, message: str = STALE_MESSAGE):
        super().__init__(message, code="stale")


def save_with_version(instance, expected_version: int, update_fields=None) -> None:
    """Save `instance` only if its stored version is still `expected_version`.

    The check and the increment are one UPDATE, so two concurrent saves cannot both win.
    """
    model = type(instance)
    updated = model.objects.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not updated:
        raise StaleObjectError()
    instance.version = expected_version + 1
    instance.save(update_fields=update_fields)
