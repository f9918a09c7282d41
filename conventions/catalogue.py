"""Catalogue of model conventions: one file per template, with its clauses.

File (under ``settings.CATALOGUES_DIR``): ``conventions/<template code>.yaml`` — the
template in force (legal form, title, checks) and its ordered clauses (key, title, body
with named fields, mandatory, article cited). When the file differs from the template in
force, loading archives the previous text exactly as an admin edit does
(``conventions.services.template_archive``), so a convention generated from an earlier
version keeps pointing at the text it was generated from.
"""

from pathlib import Path

from core import catalogues

TEMPLATES = catalogues.Catalogue("conventions", "Modèles de convention et clauses", 40)

MANAGED = ("version", "is_current")


def _template_file(template) -> dict:
    return catalogues.dump_fields(
        template,
        exclude=MANAGED,
        legal_form=template.legal_form.code,
        clauses=[catalogues.dump_fields(c) for c in template.clauses.order_by("order", "pk")],
    )


def _normalised(data: dict) -> dict:
    """A file's content in the same order as an export, to compare it with the database."""
    return {**data, "clauses": list(data.get("clauses") or [])}


@TEMPLATES.loader
def load_templates(root: Path, report: catalogues.LoadReport) -> None:
    from conventions import services
    from conventions.models import Clause, ConventionTemplate
    from cooperations.models import LegalForm

    for data in catalogues.read_dir(root / "conventions"):
        data = dict(data)
        code = data.pop("code")
        where = f"conventions/{code}.yaml"
        current = (
            ConventionTemplate.objects.current()
            .filter(code=code)
            .select_related("legal_form")
            .first()
        )
        if current is not None and (
            report.missing_only or _template_file(current) == _normalised({"code": code, **data})
        ):
            report.count("unchanged", ConventionTemplate)
            continue
        form = catalogues.by_code(LegalForm, [data.pop("legal_form")], where=where)[0]
        clauses = data.pop("clauses", None) or []
        keys = [c.get("key") for c in clauses]
        if len(set(keys)) != len(keys) or None in keys:
            raise catalogues.CatalogueError(
                f"{where} : chaque clause a besoin d'une clé « key » unique"
            )
        snapshot = services.template_snapshot(current) if current else None
        if current is None:
            template, _ = catalogues.sync_row(
                ConventionTemplate,
                {"code": code, "version": 1},
                {**data, "is_current": True},
                report,
                relations={"legal_form": form},
                source=where,
            )
        else:
            template, _ = catalogues.sync_row(
                ConventionTemplate,
                {"pk": current.pk},
                data,
                catalogues.LoadReport(),
                relations={"legal_form": form},
                source=where,
            )
            report.count("updated", ConventionTemplate)
        for item in clauses:
            item = dict(item)
            key = item.pop("key")
            catalogues.sync_row(
                Clause, {"template": template, "key": key}, item, report, source=f"{where} ({key})"
            )
        template.clauses.exclude(key__in=keys).delete()
        if snapshot is not None:
            services.template_archive(template=template, snapshot=snapshot)
            report.note(
                f"Modèle « {code} » : texte précédent archivé, version en vigueur "
                f"v{template.version}."
            )


@TEMPLATES.exporter
def export_templates(root: Path) -> None:
    from conventions.models import ConventionTemplate

    templates = (
        ConventionTemplate.objects.current().select_related("legal_form").order_by("order", "code")
    )
    catalogues.write_dir(root / "conventions", {t.code: _template_file(t) for t in templates})


def register_catalogues() -> None:
    catalogues.register(TEMPLATES)
