from django.db import migrations

from cooperations.reference import LEGAL_FORMS, THEMES, TYPOLOGIES


def load(apps, schema_editor):
    LegalForm = apps.get_model("cooperations", "LegalForm")
    Theme = apps.get_model("cooperations", "Theme")
    Typology = apps.get_model("cooperations", "Typology")
    for order, row in enumerate(LEGAL_FORMS):
        code, short, name, basis, personality, approval, minimum, historical, rule, text = row
        LegalForm.objects.update_or_create(
            code=code,
            defaults={
                "short_name": short, "name": name, "legal_basis": basis,
                "has_legal_personality": personality, "requires_approval": approval,
                "min_members": minimum, "is_historical": historical,
                "members_rule": rule, "description": text, "order": order,
            },
        )
    for code, name in THEMES:
        Theme.objects.update_or_create(code=code, defaults={"name": name})
    for code, name, description in TYPOLOGIES:
        Typology.objects.update_or_create(code=code, defaults={"name": name, "description": description})


class Migration(migrations.Migration):
    dependencies = [("cooperations", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
