"""Write docs/GLOSSARY.md: French term ↔ class ↔ stored value, from the models themselves.

Run: `DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python scripts/glossary.py`.
The terms are the models' `verbose_name` and the choices' labels, so the glossary says what
the screens say; regenerate it after adding a model or a choice.
"""

import inspect
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import models  # noqa: E402

APPS = settings.PROJECT_APPS

INTRO = """# Glossary — French term ↔ class ↔ stored value

The screens speak French, the code English. This table says which class holds a term the users
read and, for a closed list, which value is stored in the database (what an export, the API or
a SQL query shows). Generated from the models' `verbose_name` and choices by
`scripts/glossary.py`; regenerate it after adding a model or a choice.

A few terms kept in French in the code too (see the developers' guide): FINESS (ET =
établissement, EJ = entité juridique), GCS, GHT, GIP, ARS, COPIL, SAE, Hospi Diag.

| French term (domain) | where in the code |
|---|---|
| coopération territoriale | `cooperations.Cooperation` |
| porteur (du projet) | `cooperations.Membership` with `role="porteur"` (`MemberRole.PORTEUR`) |
| ARS pilote | `Cooperation.pilot_ars` (`territories.ARS`) |
| référent (d'un établissement) | `accounts.User` with `role="referent"` |
| invité COPIL | `accounts.User` with `role="invite_copil"`, listed in `Cooperation.copil_guests` |
| KIT 1 — fiches repères, étapes | `fiches` (`Fiche`, `Step`) |
| Conventions | `conventions` |
| KIT 2 — Eval'Impact | `evalimpact` |
| KIT 3 — suivi (tracker), pack COPIL | `suivi` |
| état, changement d'état, journal | `core.workflow` (`Workflow`, `transition()`); logs subclass `TransitionLog`: `fiches.StepTransition`, `conventions.Transition`, `evalimpact.EvaluationTransition`; allowed moves in `STEP_MOVES`, `CONVENTION_MOVES`, `EVALUATION_MOVES` |
| référentiel, catalogue | files in `catalogues/`, loaded by `manage.py load_catalogues` |
"""


def _models():
    rows = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical") or model._meta.auto_created:
                continue
            rows.append(
                (str(model._meta.verbose_name), f"`{label}.{model.__name__}`", model._meta.db_table)
            )
    return rows


def _choices():
    seen = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            holder = inspect.getmodule(model)
            for name, value in vars(holder).items():
                if (
                    inspect.isclass(value)
                    and issubclass(value, models.Choices)
                    and value.__module__ == holder.__name__
                ):
                    seen.setdefault(f"{label}.{name}", value)
            # Inherited lists too (the status of a core.models.BackgroundJob is stored on
            # each job's table).
            inherited = [vars(base) for base in model.__mro__ if issubclass(base, models.Model)]
            for namespace in inherited:
                for name, value in namespace.items():
                    if inspect.isclass(value) and issubclass(value, models.Choices):
                        seen.setdefault(f"{label}.{model.__name__}.{name}", value)
    return seen


def render() -> str:
    """The whole GLOSSARY.md text (a test compares it with the file)."""
    lines = [INTRO, "## Models\n", "| French term | class | table |", "|---|---|---|"]
    lines += [f"| {term} | {cls} | `{table}` |" for term, cls, table in _models()]
    lines += ["", "## Closed lists (stored values)\n"]
    for dotted, enum in sorted(_choices().items()):
        lines += [f"### `{dotted}`\n", "| French label | member | stored value |", "|---|---|---|"]
        for member in enum:
            lines.append(f"| {member.label} | `{member.name}` | `{member.value}` |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    (ROOT / "docs" / "GLOSSARY.md").write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    main()
