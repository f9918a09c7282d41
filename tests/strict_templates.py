"""Strict template rendering in tests: an undefined variable in one of our templates fails.

Django's `string_if_invalid` cannot do it: once set, `{{ x|default:"y" }}` prints the
marker instead of running the filters. Instead the template parser compiles every
variable into a `StrictFilterExpression` (Django's `FilterExpression` plus a check):

- each expression remembers, when compiled, the template file it comes from (the parser's
  origin), so a block inherited through `{% extends %}` is judged by its own file;
- `resolve(context)` raises `UndefinedTemplateVariable` (naming the variable and the file)
  when the variable does not exist, the call is not lenient (`{{ }}` output, `{% with %}`,
  `{% url %}` arguments, `{% include ... with %}`; `{% if %}`, `{% for %}` and `{% firstof %}`
  resolve with `ignore_failures=True` and stay lenient), no `default`/`default_if_none` filter
  is in the chain, and the file is one of ours: under the project's `templates/` or a
  `templates/` folder of an app inside the project (third-party templates such as
  django-dsfr's, crispy-forms', the admin's or DRF's keep Django's silent rendering).

Activated for the whole session by `tests/conftest.py` (`pytest_plugins`).
"""

from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

from django.template import defaultfilters
from django.template.base import FilterExpression, Parser, VariableDoesNotExist

_LENIENT_FILTERS = (defaultfilters.default, defaultfilters.default_if_none)


class UndefinedTemplateVariable(Exception):
    """A template of the project printed a variable that does not exist."""


@lru_cache(maxsize=1)
def _our_template_dirs() -> tuple[str, ...]:
    """Absolute template folders of the project: TEMPLATES DIRS and the project's apps."""
    from django.apps import apps
    from django.conf import settings

    base = Path(settings.BASE_DIR).resolve()
    dirs = [Path(d).resolve() for engine in settings.TEMPLATES for d in engine.get("DIRS", ())]
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(base) and "site-packages" not in path.parts:
            dirs.append(path / "templates")
    return tuple(f"{d}/" for d in dirs)


@lru_cache(maxsize=4096)
def _is_ours(origin_name: str) -> bool:
    if not origin_name or origin_name.startswith("<"):  # templates built from a string
        return False
    return str(Path(origin_name).resolve()).startswith(_our_template_dirs())


class StrictFilterExpression(FilterExpression):
    """A FilterExpression that knows its template file and refuses an undefined variable."""

    __slots__ = ("template_name",)

    def __init__(self, token, parser):
        super().__init__(token, parser)
        self.template_name = getattr(getattr(parser, "origin", None), "name", None) or ""

    def resolve(self, context, ignore_failures=False):
        if (
            ignore_failures
            or not self.is_var
            or any(func in _LENIENT_FILTERS for func, _ in self.filters)
            or not _is_ours(self.template_name)
        ):
            return super().resolve(context, ignore_failures)
        try:
            value = self.var.resolve(context)
        except VariableDoesNotExist as exc:
            raise UndefinedTemplateVariable(
                f"Variable de gabarit indéfinie « {self.var} » dans {self.template_name}"
            ) from exc
        # Apply the filters to the value with Django's own code (as for a literal).
        resolved = SimpleNamespace(is_var=False, var=value, filters=self.filters)
        return FilterExpression.resolve(resolved, context, ignore_failures)


_original_compile_filter = Parser.compile_filter


def _compile_filter(self, token):
    return StrictFilterExpression(token, self)


def install() -> None:
    Parser.compile_filter = _compile_filter


def uninstall() -> None:
    Parser.compile_filter = _original_compile_filter


def pytest_configure(config):
    install()


def pytest_unconfigure(config):
    uninstall()
