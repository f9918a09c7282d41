from django.db import migrations

from fiches.reference import CHOOSER_RULES, FICHES, KNOWLEDGE_PAGES


def load(apps, schema_editor):
    """Idempotent: keyed by natural keys, so it can be replayed after a test flush."""
    LegalForm = apps.get_model("cooperations", "LegalForm")
    CatalogueVersion = apps.get_model("fiches", "CatalogueVersion")
    Fiche = apps.get_model("fiches", "Fiche")
    Question = apps.get_model("fiches", "Question")
    KnowledgePage = apps.get_model("fiches", "KnowledgePage")
    ChooserRule = apps.get_model("fiches", "ChooserRule")
    forms = {f.code: f for f in LegalForm.objects.all()}

    for slug, category, order, title, form_code, summary, body in KNOWLEDGE_PAGES:
        KnowledgePage.objects.update_or_create(
            slug=slug,
            defaults={
                "category": category, "order": order, "title": title, "summary": summary,
                "body": body, "legal_form": forms.get(form_code) if form_code else None,
            },
        )
    pages = {p.slug: p for p in KnowledgePage.objects.all()}

    version, _ = CatalogueVersion.objects.get_or_create(
        number=1, defaults={"note": "Catalogue initial (15 fiches repères)"}
    )
    if not CatalogueVersion.objects.filter(is_current=True).exists():
        version.is_current = True
        version.save()
    fiches = {}
    for data in FICHES:
        fiche, _ = Fiche.objects.update_or_create(
            version=version,
            number=data["number"],
            defaults={
                "title": data["title"], "phase": data["phase"], "purpose": data["purpose"],
                "guidance": data["guidance"], "documents_expected": data["documents"],
            },
        )
        fiche.knowledge_pages.set([pages[s] for s in data["pages"] if s in pages])
        fiches[data["number"]] = fiche
        for order, q in enumerate(data["questions"], start=1):
            question, _ = Question.objects.update_or_create(
                fiche=fiche,
                code=q["code"],
                defaults={
                    "order": order, "label": q["label"], "kind": q["kind"],
                    "mandatory": q["mandatory"], "choices": q["choices"],
                    "help_text": q["help_text"], "min_value": q["min_value"],
                    "max_value": q["max_value"],
                },
            )
            question.legal_forms.set([forms[c] for c in q["forms"] if c in forms])
    for data in FICHES:
        fiches[data["number"]].prerequisites.set([fiches[n] for n in data["prerequisites"]])

    for criterion, value, form_code, weight, excludes, reason in CHOOSER_RULES:
        if form_code not in forms:
            continue
        ChooserRule.objects.update_or_create(
            criterion=criterion,
            value=value,
            legal_form=forms[form_code],
            defaults={"weight": weight, "excludes": excludes, "reason": reason},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("fiches", "0001_initial"),
        ("cooperations", "0002_load_catalogues"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
