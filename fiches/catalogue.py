"""Catalogues of KIT 1: the knowledge base, the fiches repères and the chooser rules.

Files (under ``settings.CATALOGUES_DIR``):
- ``knowledge/<slug>.md``: one page of the knowledge base (front matter + Markdown body);
- ``kit1/version.yaml`` and ``kit1/fiches/<NN>.yaml``: the catalogue version in force and
  its fiches with their questions. The files describe the version *in force*: when they
  differ from it and that version is already used by a cooperation's steps, loading copies
  it into a new version (``core.catalogue_versions.copy_version``) and writes the change
  there, so steps opened earlier keep the text they were answered with;
- ``chooser/<legal form code>.yaml``: the rules of the legal-form chooser for that form.
"""

from pathlib import Path

from core import catalogues

KNOWLEDGE = catalogues.Catalogue("knowledge", "Base de connaissances", 20)
FICHES = catalogues.Catalogue("fiches", "Fiches repères (KIT 1)", 30)
CHOOSER = catalogues.Catalogue("chooser", "Règles de l'aide au choix de la forme juridique", 30)

# --- knowledge base --------------------------------------------------------------------


@KNOWLEDGE.loader
def load_knowledge(root: Path, report: catalogues.LoadReport) -> None:
    from cooperations.models import LegalForm
    from fiches.models import KnowledgePage

    for data in catalogues.read_dir(root / "knowledge", suffix=".md"):
        slug = data.pop("slug")
        code = data.pop("legal_form", None)
        form = (
            catalogues.by_code(LegalForm, [code], where=f"knowledge/{slug}.md")[0] if code else None
        )
        catalogues.sync_row(
            KnowledgePage,
            {"slug": slug},
            data,
            report,
            relations={"legal_form": form},
            source=f"knowledge/{slug}.md",
        )


@KNOWLEDGE.exporter
def export_knowledge(root: Path) -> None:
    from fiches.models import KnowledgePage

    pages = KnowledgePage.objects.select_related("legal_form").order_by("category", "order", "slug")
    catalogues.write_dir(
        root / "knowledge",
        {
            page.slug: catalogues.dump_fields(
                page,
                exclude=["body"],
                legal_form=page.legal_form.code if page.legal_form else None,
                body=page.body,
            )
            for page in pages
        },
        suffix=".md",
    )


# --- fiches repères --------------------------------------------------------------------


def _fiche_files(version) -> dict[str, dict]:
    fiches = version.fiches.prefetch_related(
        "legal_forms", "prerequisites", "knowledge_pages", "questions__legal_forms"
    ).order_by("number")
    out = {}
    for fiche in fiches:
        questions = []
        codes = {q.pk: q.code for q in fiche.questions.all()}
        for question in fiche.questions.all():
            questions.append(
                catalogues.dump_fields(
                    question,
                    legal_forms=sorted(f.code for f in question.legal_forms.all()),
                    not_before=codes.get(question.not_before_id),
                )
            )
        out[f"{fiche.number:02d}"] = catalogues.dump_fields(
            fiche,
            legal_forms=sorted(f.code for f in fiche.legal_forms.all()),
            prerequisites=sorted(p.number for p in fiche.prerequisites.all()),
            knowledge_pages=sorted(p.slug for p in fiche.knowledge_pages.all()),
            questions=questions,
        )
    return out


def _read_fiche_files(root: Path) -> tuple[dict, dict[str, dict]]:
    header = catalogues.read_yaml(root / "kit1" / "version.yaml") or {}
    files = {f"{int(d['number']):02d}": d for d in catalogues.read_dir(root / "kit1" / "fiches")}
    return header, files


@FICHES.loader
def load_fiches(root: Path, report: catalogues.LoadReport) -> None:
    from cooperations.models import LegalForm
    from fiches.models import CatalogueVersion, Fiche, KnowledgePage, Question

    header, files = _read_fiche_files(root)
    version = catalogues.version_to_load(
        CatalogueVersion,
        header,
        report,
        unchanged=lambda current: _fiche_files(current) == files,
        who="KIT 1",
        used_by="des étapes",
    )
    if version is None:
        return

    fiches = {}
    for name, data in files.items():
        data = dict(data)
        where = f"kit1/fiches/{name}.yaml"
        questions = data.pop("questions", []) or []
        forms = catalogues.by_code(LegalForm, data.pop("legal_forms", []), where=where)
        pages = catalogues.by_code(
            KnowledgePage, data.pop("knowledge_pages", []), field_name="slug", where=where
        )
        data.pop("prerequisites", None)
        number = int(data.pop("number"))
        fiche, _ = catalogues.sync_row(
            Fiche, {"version": version, "number": number}, data, report, source=where
        )
        catalogues.sync_m2m(fiche, "legal_forms", forms, report)
        catalogues.sync_m2m(fiche, "knowledge_pages", pages, report)
        fiches[number] = fiche
        seen = []
        for item in questions:
            item = dict(item)
            code = item.pop("code")
            qforms = catalogues.by_code(
                LegalForm, item.pop("legal_forms", []), where=f"{where} ({code})"
            )
            item.pop("not_before", None)
            question, _ = catalogues.sync_row(
                Question, {"fiche": fiche, "code": code}, item, report, source=f"{where} ({code})"
            )
            catalogues.sync_m2m(question, "legal_forms", qforms, report)
            seen.append(code)
        by_qcode = {q.code: q for q in fiche.questions.all()}
        for item in questions:
            earlier = by_qcode.get(item.get("not_before")) if item.get("not_before") else None
            if item.get("not_before") and earlier is None:
                raise catalogues.CatalogueError(
                    f"{where} : not_before « {item['not_before']} » inconnu"
                )
            question = by_qcode[item["code"]]
            if question.not_before_id != (earlier.pk if earlier else None) and not (
                report.missing_only and question.not_before_id
            ):
                question.not_before = earlier
                question.save(update_fields=["not_before"])
        if not report.missing_only:
            fiche.questions.exclude(code__in=seen).delete()
    for name, data in files.items():
        fiche = fiches[int(data["number"])]
        wanted = data.get("prerequisites", []) or []
        unknown = [n for n in wanted if n not in fiches]
        if unknown:
            raise catalogues.CatalogueError(
                f"kit1/fiches/{name}.yaml : prérequis inconnu(s) {unknown}"
            )
        catalogues.sync_m2m(fiche, "prerequisites", [fiches[n] for n in wanted], report)
    if not report.missing_only:
        version.fiches.exclude(number__in=list(fiches)).delete()


@FICHES.exporter
def export_fiches(root: Path) -> None:
    from fiches.models import CatalogueVersion

    version = CatalogueVersion.objects.current()
    if version is None:
        return
    catalogues.write_yaml(
        root / "kit1" / "version.yaml",
        {"number": version.number, "note": version.note},
        header="La version du catalogue KIT 1 en vigueur (fiches repères dans fiches/).",
    )
    catalogues.write_dir(root / "kit1" / "fiches", _fiche_files(version))


# --- chooser rules ---------------------------------------------------------------------


@CHOOSER.loader
def load_chooser(root: Path, report: catalogues.LoadReport) -> None:
    from cooperations.models import LegalForm
    from fiches.models import ChooserRule

    folder = root / "chooser"
    kept = []
    for path in sorted(folder.glob("*.yaml")):
        code = path.stem
        form = catalogues.by_code(LegalForm, [code], where=f"chooser/{path.name}")[0]
        for item in catalogues.read_yaml(path) or []:
            item = dict(item)
            key = {"criterion": item.pop("criterion"), "value": str(item.pop("value"))}
            rule, _ = catalogues.sync_row(
                ChooserRule,
                {**key, "legal_form": form},
                item,
                report,
                source=f"chooser/{path.name}",
            )
            kept.append(rule.pk)
    if not report.missing_only:
        ChooserRule.objects.exclude(pk__in=kept).delete()


@CHOOSER.exporter
def export_chooser(root: Path) -> None:
    from fiches.models import ChooserRule

    rules: dict[str, list] = {}
    for rule in ChooserRule.objects.select_related("legal_form").order_by(
        "legal_form__order", "legal_form__code", "criterion", "value"
    ):
        rules.setdefault(rule.legal_form.code, []).append(catalogues.dump_fields(rule))
    catalogues.write_dir(root / "chooser", rules)


def register_catalogues() -> None:
    catalogues.register(KNOWLEDGE, FICHES, CHOOSER)
