"""Catalogue versions: a version used by an evaluation is frozen; editing it makes a copy."""

from django.db import transaction
from django.db.models import Max

from evalimpact.models import Axis, CatalogueVersion, Indicator, ScoreLevel


def current_catalogue() -> CatalogueVersion:
    return CatalogueVersion.objects.get(is_current=True)


def is_frozen(version: CatalogueVersion) -> bool:
    return version.evaluations.exists()


@transaction.atomic
def catalogue_copy(*, source: CatalogueVersion, note: str = "") -> CatalogueVersion:
    """A new current version holding the same axes, scale and indicators as `source`."""
    number = (CatalogueVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    CatalogueVersion.objects.filter(is_current=True).update(is_current=False)
    copy = CatalogueVersion.objects.create(
        number=number,
        is_current=True,
        note=note or f"Copie de la v{source.number} modifiée dans l'administration",
    )
    axes = {}
    for axis in source.axes.all():
        old_pk = axis.pk
        axis.pk = None
        axis.version = copy
        axis.save()
        axes[old_pk] = axis
    for level in source.levels.all():
        level.pk = None
        level.version = copy
        level.save()
    for indicator in source.indicators.all():
        indicator.pk = None
        indicator.version = copy
        indicator.axis = axes[indicator.axis_id]
        indicator.save()
    return copy


def version_for_edit(version: CatalogueVersion) -> tuple[CatalogueVersion, bool]:
    """The version an admin edit must be written to, and whether it was just created."""
    if is_frozen(version):
        return catalogue_copy(source=version), True
    return version, False


def retarget(obj, version: CatalogueVersion) -> None:
    """Point an unsaved admin edit of `obj` at its twin row in `version`.

    The twin is found by the natural key the row had before the edit (an admin may be
    changing the code itself).
    """
    model = type(obj)
    original = model.objects.filter(pk=obj.pk).first() if obj.pk else None
    twin = None
    if original is not None:
        key = {"score": original.score} if model is ScoreLevel else {"code": original.code}
        twin = model.objects.filter(version=version, **key).first()
    if model is Indicator and obj.axis_id:
        obj.axis = Axis.objects.get(version=version, code=obj.axis.code)
    obj.version = version
    obj.pk = twin.pk if twin else None
    obj._state.adding = twin is None
