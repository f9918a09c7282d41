"""Initial catalogue of risk categories (editable afterwards in the admin). Idempotent."""

from django.db import migrations

CATEGORIES = [
    ("gouvernance", "Gouvernance et décision", 10),
    ("juridique", "Juridique et conventionnel", 20),
    ("rh", "Ressources humaines et adhésion des équipes", 30),
    ("financier", "Financement et budget", 40),
    ("si", "Système d'information et données", 50),
    ("activite", "Activité et organisation des soins", 60),
    ("calendrier", "Calendrier et dépendances", 70),
    ("patients", "Patients, usagers et qualité", 80),
]


def load(apps, schema_editor):
    RiskCategory = apps.get_model("suivi", "RiskCategory")
    for code, name, order in CATEGORIES:
        RiskCategory.objects.update_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("suivi", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
