"""Versioned catalogues: one abstract version model and one copy helper for every kit.

A *catalogue version* is a frozen edition of reference data that users' work points to (the
KIT 1 fiches and their questions, the Eval'Impact axes, scale and indicators). Once a version
is used (a step opened, an evaluation made) it is never changed in place: an edit, by an
admin or by ``load_catalogues``, goes to a copy that becomes the version in force, so earlier
work keeps the text it was answered with.

A kit's version model subclasses :class:`CatalogueVersion` and declares:

- ``copy_scope``: the fields that split versions into separate series (Eval'Impact's
  ``variant``); numbers and "in force" are per series;
- ``copied_rows()``: the rows hanging off a version, in creation order, as
  ``(model, path to the version)`` pairs (``(Question, "fiche__version")``); a row's
  foreign keys and many-to-many links to rows copied before it are remapped to the copies,
  other links are kept;
- ``in_use()``: whether users' work points to the version (then it is frozen).

:func:`copy_version` copies a version and its rows; :func:`version_for_edit` applies the
copy-on-write rule.
"""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import Max

COPY_REASON = "copie de la version du catalogue"


class CatalogueVersionQuerySet(models.QuerySet):
    def current(self, **scope):
        """The version in force (of the series ``scope``, e.g. ``variant="sanitaire"``), or None."""
        return self.filter(is_current=True, **scope).order_by("-number").first()


class CatalogueVersion(models.Model):
    """Abstract: a numbered edition of a catalogue; at most one in force per series."""

    number = models.PositiveIntegerField("numéro")
    is_current = models.BooleanField("version en vigueur", default=False, db_index=True)
    published_at = models.DateTimeField("publiée le", auto_now_add=True)
    note = models.CharField("note de version", max_length=255, blank=True)

    objects = CatalogueVersionQuerySet.as_manager()

    # Fields whose values split the versions into series numbered on their own.
    copy_scope: tuple[str, ...] = ()

    class Meta:
        abstract = True
        verbose_name = "version du catalogue"
        verbose_name_plural = "versions du catalogue"
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Catalogue {self.label}" + (" (en vigueur)" if self.is_current else "")

    @property
    def label(self) -> str:
        """How pages cite the version: "v3"."""
        return f"v{self.number}"

    @property
    def series(self) -> dict:
        """The values of ``copy_scope`` for this version (``{"variant": "sanitaire"}``)."""
        return {name: getattr(self, name) for name in self.copy_scope}

    @classmethod
    def copied_rows(cls) -> list[tuple[type[models.Model], str]]:
        """``(model, path to the version)`` of the rows a copy takes, parents first."""
        raise NotImplementedError

    def in_use(self) -> bool:
        """True when users' work points to this version (it is then frozen)."""
        raise NotImplementedError


def _save(obj: models.Model, actor, reason: str, **kwargs) -> None:
    obj._change_reason = reason
    if actor is not None:
        obj._history_user = actor
    obj.save(**kwargs)


@transaction.atomic
def copy_version(source: CatalogueVersion, *, note: str = "", actor=None) -> CatalogueVersion:
    """Copy ``source`` and its rows (``copied_rows()``) into a new version in force.

    The copy takes the next number of its series and replaces the series' current version
    (which stays as it is otherwise); ``source`` and its rows are not changed. Foreign keys
    and many-to-many links between copied rows point to the copies; links to anything else
    (legal forms, knowledge pages) are kept. Every write is a history record with the reason
    « copie de la version du catalogue » and ``actor`` as its user (default: the request's).
    ``note`` defaults to "Copie de la vN". Returns the new version.
    """
    model = type(source)
    series = model.objects.filter(**source.series)
    number = (series.aggregate(n=Max("number"))["n"] or 0) + 1
    for previous in series.filter(is_current=True):
        previous.is_current = False
        _save(previous, actor, COPY_REASON, update_fields=["is_current"])
    copy = model.objects.get(pk=source.pk)
    copy.pk = copy.id = None
    copy._state.adding = True
    copy.number, copy.is_current = number, True
    copy.note = note or f"Copie de la v{source.number}"
    _save(copy, actor, COPY_REASON)

    copies: dict[type[models.Model], dict] = {model: {source.pk: copy}}
    later = []  # (copy, field, original target pk): links to a row copied after it
    links = []  # (copy, m2m field, original target pks)
    for row_model, path in source.copied_rows():
        copies[row_model] = {}
        m2m = [f for f in row_model._meta.many_to_many if f.remote_field.through._meta.auto_created]
        rows = row_model.objects.filter(**{path: source}).order_by("pk")
        for row in rows.prefetch_related(*(f.name for f in m2m)):
            old_pk = row.pk
            targets = {f: [t.pk for t in getattr(row, f.name).all()] for f in m2m}
            # The prefetched links are the source row's: a stale cache would make set() skip them.
            row._prefetched_objects_cache = {}
            for field in row_model._meta.concrete_fields:
                if not field.is_relation or field.related_model not in copies:
                    continue
                value = getattr(row, field.attname)
                mapped = copies[field.related_model].get(value)
                if mapped is not None:
                    setattr(row, field.name, mapped)
                elif value is not None and field.related_model is row_model:
                    # Points to a row of the same table not copied yet: set once it is.
                    later.append((row, field, value))
                    setattr(row, field.attname, None)
            row.pk = row.id = None
            row._state.adding = True
            _save(row, actor, COPY_REASON)
            copies[row_model][old_pk] = row
            links += [(row, f, pks) for f, pks in targets.items() if pks]
    for row, field, value in later:
        setattr(row, field.name, copies[field.related_model].get(value))
        _save(row, actor, COPY_REASON, update_fields=[field.name])
    for row, field, pks in links:
        mapped = copies.get(field.related_model, {})
        getattr(row, field.name).set([mapped[pk].pk if pk in mapped else pk for pk in pks])
    return copy


def version_for_edit(
    version: CatalogueVersion, *, note: str = "", actor=None
) -> tuple[CatalogueVersion, bool]:
    """Copy-on-write: the version an edit of ``version`` must go to, and whether it is a copy.

    A version in use is frozen, so the edit goes to a copy (:func:`copy_version`) that becomes
    the version in force; otherwise to ``version`` itself.
    """
    if version.in_use():
        return copy_version(version, note=note, actor=actor), True
    return version, False
