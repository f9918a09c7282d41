from django.db import migrations

from conventions.reference import TEMPLATES


def load(apps, schema_editor):
    """Idempotent: replays leave admin edits alone (a template edited in the admin has
    version > 1 and is not touched)."""
    LegalForm = apps.get_model("cooperations", "LegalForm")
    ConventionTemplate = apps.get_model("conventions", "ConventionTemplate")
    Clause = apps.get_model("conventions", "Clause")
    forms = {f.code: f for f in LegalForm.objects.all()}
    for code, form_code, name, title, order, description, checks, clauses in TEMPLATES:
        if form_code not in forms:
            continue
        current = ConventionTemplate.objects.filter(code=code, is_current=True).first()
        if current is not None and current.version > 1:
            continue
        template, _ = ConventionTemplate.objects.update_or_create(
            code=code,
            version=1,
            defaults={
                "legal_form": forms[form_code],
                "name": name,
                "document_title": title,
                "order": order,
                "description": description,
                "is_current": True,
                "check_public_law": checks.get("check_public_law", False),
                "check_public_majority": checks.get("check_public_majority", False),
                "check_support_establishment": checks.get("check_support_establishment", False),
            },
        )
        for position, (key, clause_title, body, mandatory, reference) in enumerate(clauses):
            Clause.objects.update_or_create(
                template=template,
                key=key,
                defaults={
                    "order": (position + 1) * 10,
                    "title": clause_title,
                    "body": body,
                    "mandatory": mandatory,
                    "legal_reference": reference,
                },
            )


class Migration(migrations.Migration):
    dependencies = [
        ("conventions", "0001_initial"),
        ("cooperations", "0002_load_catalogues"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
