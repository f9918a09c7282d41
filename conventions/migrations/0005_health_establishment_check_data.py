from django.db import migrations


def load(apps, schema_editor):
    """Turn the new check on for the seeded GCS templates (idempotent; archived rows kept)."""
    ConventionTemplate = apps.get_model("conventions", "ConventionTemplate")
    ConventionTemplate.objects.filter(code__in=["gcs-moyens", "gcs-es"], is_current=True).update(
        check_health_establishment=True
    )


class Migration(migrations.Migration):
    dependencies = [("conventions", "0004_template_health_establishment_check")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
