"""Reference tables read on nearly every page (ARS, départements, catalogues), cached.

They change a few times a year, through the admin. Their (pk, label) lists are kept in the
shared cache (Redis in production) and dropped whenever a row of the table is saved or
deleted, so every worker sees an admin's change on its next request. A filter built on
these lists renders without a query and without building a model instance per option.
"""

from django.apps import apps
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

_BY_MODEL: dict[str, list["Reference"]] = {}


class Reference:
    """The (pk, label) list of one reference model, in the model's default ordering."""

    def __init__(self, model_label: str, label=str, name: str = "str"):
        self.model_label = model_label
        self.label = label
        self.key = f"refcache:{model_label.lower()}:{name}"
        _BY_MODEL.setdefault(model_label.lower(), []).append(self)

    def choices(self) -> list[tuple[int, str]]:
        rows = cache.get(self.key)
        if rows is None:
            model = apps.get_model(self.model_label)
            rows = [(obj.pk, self.label(obj)) for obj in model._default_manager.all()]
            cache.set(self.key, rows, timeout=24 * 3600)
        return rows

    def labels(self) -> dict[int, str]:
        return dict(self.choices())

    def __call__(self) -> list[tuple[int, str]]:
        # Callable choices: a form field built now reads the list at that moment.
        return self.choices()


def _drop(sender, **kwargs) -> None:
    references = _BY_MODEL.get(sender._meta.label_lower)
    if references:
        cache.delete_many([reference.key for reference in references])


post_save.connect(_drop, dispatch_uid="core.refcache.save")
post_delete.connect(_drop, dispatch_uid="core.refcache.delete")
