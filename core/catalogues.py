"""Catalogues as reviewable files: one registry, YAML/Markdown I/O, plain-field sync.

A *catalogue* is reference data that national admins and lawyers review and edit: the
territories (ARS, départements), legal forms, themes, typologies, the KIT 1 fiches and
knowledge base, the legal-form chooser rules, the convention templates and their clauses,
the Eval'Impact indicators, the risk categories… Its source of truth for a new deployment
is a set of text files under ``settings.CATALOGUES_DIR`` (the repository's ``catalogues/``
folder): YAML, or Markdown with a YAML front matter for long texts. A lawyer reviews a
change as a diff of those files.

- ``manage.py load_catalogues`` reads the files and brings the database in line
  (idempotent: a second run changes nothing; ``--missing-only`` only creates what is
  absent and never overwrites an admin's edit). Versioned catalogues (KIT 1 fiches,
  Eval'Impact indicators, convention templates) follow their own copy-on-write rule: a
  version already used by a cooperation is frozen, a changed text goes into a new version.
- ``manage.py export_catalogues`` writes the database back to the files, so edits made in
  the Django admin can be exported, reviewed and committed.

Each app declares its catalogues in ``<app>/catalogue.py`` and registers them from its
``AppConfig.ready()`` with :func:`register`. ``core`` imports nothing from the apps.

Migrations never import these modules: catalogues are loaded by the command (``make run``,
the container entrypoint with ``--missing-only``, and the test setup).

How to write a catalogue (``<app>/catalogue.py``). Plain rows keyed by a code, in one list
file or one file per row, need no code::

    register(rows_catalogue("risk_categories", "Catégories de risque", 60,
                            Rows(RiskCategory, "risk_categories.yaml")))

Anything else declares the catalogue and decorates its two functions::

    GUIDES = catalogues.Catalogue("guides", "Guides", 70)

    @GUIDES.loader
    def load_guides(root: Path, report: LoadReport) -> None:
        for data in read_dir(root / "guides"):   # or read_yaml(root / "x.yaml")
            sync_row(Guide, {"code": data.pop("code")}, data, report)

    @GUIDES.exporter
    def export_guides(root: Path) -> None:
        write_dir(root / "guides", {g.code: dump_fields(g) for g in Guide.objects.all()})

    def register_catalogues() -> None:   # called from AppConfig.ready()
        catalogues.register(GUIDES)

A versioned catalogue (a ``core.catalogue_versions.CatalogueVersion`` subclass) asks
:func:`version_to_load` which version its files go to (copy-on-write of a version in use).

``dump_fields``/``sync_row`` handle every plain (non-relational) field generically, so a
field added to a model later travels through the files without touching the catalogue
code; relations are written by natural key (codes, numbers), never by database id.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.db import models

# Fields that the database fills in itself and that a reviewer never edits.
AUTO_FIELDS = frozenset({"id", "created_at", "updated_at", "published_at", "archived_at"})


class CatalogueError(Exception):
    """A catalogue file cannot be read or contradicts the data model (French message)."""


@dataclass
class LoadReport:
    """What a load did, counted per model: created, updated, unchanged; plus warnings."""

    missing_only: bool = False
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def count(self, bucket: str, model: type[models.Model]) -> None:
        counts = getattr(self, bucket)
        label = str(model._meta.verbose_name_plural)
        counts[label] = counts.get(label, 0) + 1

    def note(self, message: str) -> None:
        self.notes.append(message)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def lines(self) -> list[str]:
        out = []
        labels = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        for label in labels:
            out.append(
                f"{label} : {self.created.get(label, 0)} créé(s), "
                f"{self.updated.get(label, 0)} modifié(s), "
                f"{self.unchanged.get(label, 0)} inchangé(s)"
            )
        return out + self.notes


@dataclass
class Catalogue:
    """One catalogue: how to load it from files and write it back.

    ``order`` sets the load order (a catalogue that refers to another loads after it).
    ``load``/``export`` are given here or attached by decorating them::

        KNOWLEDGE = Catalogue("knowledge", "Base de connaissances", 20)

        @KNOWLEDGE.loader
        def load_knowledge(root: Path, report: LoadReport) -> None: ...
    """

    name: str
    label: str
    order: int
    load: Callable[[Path, LoadReport], None] | None = None
    export: Callable[[Path], None] | None = None

    def loader(self, function: Callable[[Path, LoadReport], None]):
        """Decorator: ``function(root, report)`` loads this catalogue."""
        self.load = function
        return function

    def exporter(self, function: Callable[[Path], None]):
        """Decorator: ``function(root)`` exports this catalogue."""
        self.export = function
        return function


_REGISTRY: dict[str, Catalogue] = {}


def register(*catalogues: Catalogue) -> None:
    """Register catalogues (from an ``AppConfig.ready()``); a name registered again replaces."""
    for catalogue in catalogues:
        if catalogue.load is None or catalogue.export is None:
            raise CatalogueError(f"Catalogue {catalogue.name} : chargement ou export manquant")
        _REGISTRY[catalogue.name] = catalogue


def registered(names: Iterable[str] | None = None) -> list[Catalogue]:
    """The registered catalogues in load order; ``names`` restricts them (unknown → error)."""
    names = list(names or [])
    unknown = [n for n in names if n not in _REGISTRY]
    if unknown:
        raise CatalogueError(
            f"Catalogue(s) inconnu(s) : {', '.join(unknown)}. "
            f"Catalogues : {', '.join(sorted(_REGISTRY))}."
        )
    chosen = [_REGISTRY[n] for n in names] if names else list(_REGISTRY.values())
    return sorted(chosen, key=lambda c: (c.order, c.name))


def catalogues_dir() -> Path:
    return Path(settings.CATALOGUES_DIR)


def load_all(
    names: Iterable[str] | None = None, *, root: Path | None = None, missing_only: bool = False
) -> LoadReport:
    """Load the catalogues (all, or ``names``) from ``root`` in one transaction.

    Raises CatalogueError (nothing written) when a file is missing or malformed.
    """
    from django.db import transaction

    root = Path(root or catalogues_dir())
    if not root.is_dir():
        raise CatalogueError(f"Dossier des catalogues introuvable : {root}")
    report = LoadReport(missing_only=missing_only)
    with transaction.atomic():
        for catalogue in registered(names):
            catalogue.load(root, report)
    return report


def export_all(names: Iterable[str] | None = None, *, root: Path | None = None) -> list[str]:
    """Write the catalogues (all, or ``names``) to ``root``; returns their names."""
    root = Path(root or catalogues_dir())
    done = []
    for catalogue in registered(names):
        catalogue.export(root)
        done.append(catalogue.name)
    return done


# --- YAML and Markdown files -----------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Readable YAML: multi-line texts as literal blocks, keys in model order, UTF-8."""


def _str_representer(dumper, value: str):
    # A literal block cannot hold trailing spaces on a line nor a leading blank line
    # faithfully; such rare texts stay quoted.
    if "\n" in value and not re.search(r"[ \t]\n|^\n| $", value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(data) -> str:
    # No folding: a changed word changes one line of the diff a lawyer reviews.
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**9)


def read_yaml(path: Path):
    """Parse one YAML file; CatalogueError with the file name and line on a syntax error."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise CatalogueError(f"Fichier de catalogue introuvable : {path}") from error
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise CatalogueError(f"{path} : YAML illisible ({error})") from error


def write_yaml(path: Path, data, *, header: str = "") -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = dump_yaml(data)
    if header:
        text = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) + text
    path.write_text(text, encoding="utf-8")


FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n?(.*)\Z", re.S)


def read_markdown(path: Path, body_field: str = "body") -> dict:
    """A Markdown file with a YAML front matter → the front matter dict + its body."""
    text = Path(path).read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    if not match:
        raise CatalogueError(f"{path} : en-tête YAML (entre deux lignes « --- ») manquant")
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise CatalogueError(f"{path} : en-tête YAML illisible ({error})") from error
    data[body_field] = match.group(2).removeprefix("\n").rstrip("\n")
    return data


def write_markdown(path: Path, data: Mapping, body_field: str = "body") -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    front = {k: v for k, v in data.items() if k != body_field}
    body = data.get(body_field, "") or ""
    path.write_text(f"---\n{dump_yaml(front)}---\n\n{body}\n", encoding="utf-8")


def _file_key(path: Path) -> str:
    return path.name.split(".", 1)[0]


def read_dir(folder: Path, *, suffix: str = ".yaml", body_field: str = "body") -> list[dict]:
    """Every file of ``folder`` (sorted by name), parsed; Markdown when suffix is ``.md``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CatalogueError(f"Dossier de catalogue introuvable : {folder}")
    out = []
    for path in sorted(folder.glob(f"*{suffix}")):
        data = read_markdown(path, body_field) if suffix == ".md" else read_yaml(path)
        if not isinstance(data, dict):
            raise CatalogueError(f"{path} : un objet (clé: valeur) est attendu")
        out.append(data)
    return out


def write_dir(
    folder: Path, files: Mapping[str, object], *, suffix: str = ".yaml", body_field: str = "body"
) -> None:
    """Write one file per entry (``name → data``, a mapping or a list) and remove the files of
    removed entries."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(f"*{suffix}"):
        if _file_key(stale) not in files:
            stale.unlink()
    for name, data in files.items():
        path = folder / f"{name}{suffix}"
        if suffix == ".md":
            write_markdown(path, data, body_field)
        else:
            write_yaml(path, data)


# --- Plain fields: model ⇄ dict -------------------------------------------------------


def plain_fields(model: type[models.Model], exclude: Iterable[str] = ()) -> list[models.Field]:
    """Concrete, editable, non-relational fields (the ones a reviewer reads), model order."""
    skip = set(exclude) | AUTO_FIELDS
    return [
        f
        for f in model._meta.concrete_fields
        if not f.is_relation and not f.primary_key and f.editable and f.name not in skip
    ]


def _to_file(value):
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        # PostgreSQL's jsonb keeps an object's keys in its own order (shortest first), SQLite
        # in insertion order: files carry them sorted, so both export the same bytes.
        return {key: _to_file(value[key]) for key in sorted(value)}
    return value


def dump_fields(obj: models.Model, exclude: Iterable[str] = (), **extra) -> dict:
    """The plain fields of ``obj`` as a file-ready dict, then ``extra`` (relations by key)."""
    data = {f.name: _to_file(getattr(obj, f.name)) for f in plain_fields(type(obj), exclude)}
    data.update(extra)
    return data


def _from_file(model_field: models.Field, value):
    if value is None and not model_field.null:
        return model_field.get_default()
    if isinstance(model_field, models.DecimalField) and value is not None:
        return decimal.Decimal(str(value)).quantize(
            decimal.Decimal(1).scaleb(-model_field.decimal_places)
        )
    if isinstance(model_field, models.CharField | models.TextField) and value is not None:
        return str(value)
    return model_field.to_python(value) if value is not None else None


def sync_row(
    model: type[models.Model],
    lookup: Mapping,
    data: Mapping,
    report: LoadReport,
    *,
    exclude: Iterable[str] = (),
    relations: Mapping | None = None,
    source: str = "",
):
    """Create or update the row of ``model`` found by ``lookup`` so it matches ``data``.

    ``data`` holds plain fields (keys unknown to the model are refused, so a typo in a file
    is reported rather than ignored); ``relations`` sets foreign keys (``{"legal_form":
    obj}``). Only the fields present in ``data`` are compared and written, so an older file
    without a new field leaves that field as it is. In missing-only mode an existing row is
    left untouched. Returns ``(obj, state)``, state in {"created", "updated", "unchanged"}.
    History records carry the reason « chargement du catalogue ».
    """
    fields = {f.name: f for f in plain_fields(model, exclude)}
    relations = dict(relations or {})
    unknown = [k for k in data if k not in fields and k not in lookup and k not in exclude]
    if unknown:
        where = f" ({source})" if source else ""
        raise CatalogueError(
            f"{model._meta.verbose_name}{where} : champ(s) inconnu(s) {', '.join(unknown)}"
        )
    values = {name: _from_file(fields[name], data[name]) for name in data if name in fields}
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values, **relations)
        obj._change_reason = "chargement du catalogue"
        obj.save()
        report.count("created", model)
        return obj, "created"
    if report.missing_only:
        report.count("unchanged", model)
        return obj, "unchanged"
    changed = [n for n, v in values.items() if getattr(obj, n) != v]
    changed += [n for n, v in relations.items() if getattr(obj, f"{n}_id") != (v.pk if v else None)]
    if not changed:
        report.count("unchanged", model)
        return obj, "unchanged"
    for name, value in {**values, **relations}.items():
        setattr(obj, name, value)
    obj._change_reason = "chargement du catalogue"
    obj.save()
    report.count("updated", model)
    return obj, "updated"


def sync_m2m(obj: models.Model, name: str, targets: Iterable[models.Model], report) -> bool:
    """Set a many-to-many relation if it differs (respecting missing-only); True if changed."""
    wanted = {t.pk for t in targets}
    manager = getattr(obj, name)
    current = set(manager.values_list("pk", flat=True))
    if wanted == current or (report.missing_only and current):
        return False
    manager.set(list(wanted))
    return True


def by_code(model: type[models.Model], codes: Iterable[str], *, field_name: str = "code", where=""):
    """Rows of ``model`` for ``codes`` (natural keys), in that order; unknown → CatalogueError."""
    codes = list(codes or [])
    found = {
        getattr(o, field_name): o for o in model.objects.filter(**{f"{field_name}__in": codes})
    }
    missing = [c for c in codes if c not in found]
    if missing:
        suffix = f" ({where})" if where else ""
        raise CatalogueError(
            f"{model._meta.verbose_name}{suffix} : code(s) inconnu(s) {', '.join(map(str, missing))}"
        )
    return [found[c] for c in codes]


# --- Catalogues of plain rows keyed by a code -------------------------------------------


@dataclass(frozen=True)
class Rows:
    """Rows of ``model`` found by their ``key`` field, in one place under the catalogues root.

    ``path`` ending in ``.yaml``: one file holding the list of rows; otherwise a folder
    holding one ``<key>.yaml`` file per row. Exports are ordered by ``order_by``.
    """

    model: type[models.Model]
    path: str
    order_by: tuple[str, ...] = ("order", "code")
    key: str = "code"

    @property
    def is_list(self) -> bool:
        return self.path.endswith(".yaml")

    def load(self, root: Path, report: LoadReport) -> None:
        if self.is_list:
            items = [dict(item) for item in read_yaml(root / self.path) or []]
        else:
            items = read_dir(root / self.path)
        for data in items:
            value = data.pop(self.key)
            where = self.path if self.is_list else f"{self.path}/{value}.yaml"
            sync_row(self.model, {self.key: value}, data, report, source=where)

    def export(self, root: Path) -> None:
        rows = self.model.objects.order_by(*self.order_by)
        if self.is_list:
            write_yaml(root / self.path, [dump_fields(row) for row in rows])
        else:
            write_dir(root / self.path, {getattr(r, self.key): dump_fields(r) for r in rows})


def rows_catalogue(name: str, label: str, order: int, *rows: Rows) -> Catalogue:
    """A catalogue made only of :class:`Rows` (legal forms, themes, risk categories…)."""

    def load(root: Path, report: LoadReport) -> None:
        for part in rows:
            part.load(root, report)

    def export(root: Path) -> None:
        for part in rows:
            part.export(root)

    return Catalogue(name, label, order, load, export)


# --- Versioned catalogues --------------------------------------------------------------


def version_to_load(
    model,
    header: Mapping,
    report: LoadReport,
    *,
    unchanged: Callable[[models.Model], bool],
    who: str,
    used_by: str,
    series: Mapping | None = None,
):
    """The version of ``model`` (a ``core.catalogue_versions.CatalogueVersion``) to load the
    files into, or None when there is nothing to load.

    ``header`` is the files' version block (``number``, ``note``); ``series`` the version's
    series (``{"variant": "sanitaire"}``). No version in force: one is created from the
    header. Files equal to the version in force (``unchanged(version)``), or missing-only
    mode: None. Version in force used (``in_use()``): the files go to a copy
    (``core.catalogue_versions.version_for_edit``), and the report says so (« {who} : la
    version en vigueur était utilisée par {used_by} … »). Otherwise the version in force.
    """
    from core.catalogue_versions import version_for_edit

    series = dict(series or {})
    version = model.objects.current(**series)
    if version is None:
        version, _ = sync_row(
            model,
            {**series, "number": int(header.get("number", 1))},
            {"is_current": True, "note": header.get("note", "")},
            report,
        )
        return version
    if report.missing_only or unchanged(version):
        report.count("unchanged", model)
        return None
    version, copied = version_for_edit(
        version, note=header.get("note") or "Chargement du catalogue (fichiers)"
    )
    if copied:
        report.count("created", model)
        report.note(
            f"{who} : la version en vigueur était utilisée par {used_by} ; les fichiers ont été "
            f"chargés dans une nouvelle version v{version.number}."
        )
    return version
