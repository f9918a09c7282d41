"""The version's date is the common catalogue version's `published_at` (renamed, data kept)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evalimpact", "0006_merge_20261130_1021"),
    ]

    operations = [
        migrations.RenameField(
            model_name="catalogueversion", old_name="created_at", new_name="published_at"
        ),
        migrations.RenameField(
            model_name="historicalcatalogueversion", old_name="created_at", new_name="published_at"
        ),
        migrations.AlterField(
            model_name="catalogueversion",
            name="published_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="publiée le"),
        ),
        migrations.AlterField(
            model_name="historicalcatalogueversion",
            name="published_at",
            field=models.DateTimeField(blank=True, editable=False, verbose_name="publiée le"),
        ),
    ]
