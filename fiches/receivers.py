"""Create the KIT 1 steps of a cooperation when they become due (connected in apps.py).

`cooperations` does not know about the kits, so KIT 1 listens to Cooperation saves:
- a new cooperation gets the steps of the catalogue version in force;
- a cooperation whose legal form changed gets the steps of the fiches that now apply, and
  loses the untouched ones that no longer apply (services.steps.steps_sync_legal_form).

The steps are written in the transaction that saves the cooperation, so a cooperation
never exists without its steps. Saving a cooperation without changing its legal form costs
no query: the legal form loaded from the database is remembered on the instance.
"""

from fiches.services.steps import steps_ensure, steps_sync_legal_form

_LOADED = "_kit1_loaded_legal_form_id"
_UNKNOWN = object()


def remember_legal_form(sender, instance, **kwargs) -> None:
    """post_init: remember the legal form the instance was loaded with.

    Read from __dict__ so that an instance loaded without that field (.only()) is not
    fetched again here."""
    setattr(instance, _LOADED, instance.__dict__.get("legal_form_id", _UNKNOWN))


def create_due_steps(sender, instance, created, raw=False, update_fields=None, **kwargs) -> None:
    """post_save: the steps due after a creation or a change of legal form."""
    if raw:  # loaddata: fixtures bring their own steps
        return
    current = instance.__dict__.get("legal_form_id", _UNKNOWN)
    form_saved = update_fields is None or bool({"legal_form", "legal_form_id"} & update_fields)
    changed = current is _UNKNOWN or getattr(instance, _LOADED, _UNKNOWN) != current
    if created:
        steps_ensure(cooperation=instance)
    elif form_saved and changed:
        steps_sync_legal_form(cooperation=instance)
    setattr(instance, _LOADED, current)
