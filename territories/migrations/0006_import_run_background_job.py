"""ImportRun becomes a core.models.BackgroundJob (heartbeat, reaper, "Relancer").

Existing rows keep everything; their `updated_at` is their last known date. A run left
unfinished by the previous code is given its last attempt: the reaper fails it in French
instead of importing an old file again over a newer register.
"""

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def dates_and_attempts(apps, schema_editor):
    ImportRun = apps.get_model("territories", "ImportRun")
    ImportRun.objects.update(updated_at=models.functions.Coalesce("finished_at", "created_at"))
    ImportRun.objects.filter(status__in=["pending", "running"]).update(attempts=3)


class Migration(migrations.Migration):
    dependencies = [
        ("territories", "0005_search_unaccent"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="tentatives"),
        ),
        migrations.AddField(
            model_name="importrun",
            name="generation",
            field=models.PositiveIntegerField(default=1, verbose_name="génération"),
        ),
        migrations.AddField(
            model_name="importrun",
            name="progress",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="avancement (%)"),
        ),
        migrations.AddField(
            model_name="importrun",
            name="updated_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="mis à jour le"
            ),
        ),
        migrations.AlterField(
            model_name="importrun",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="demandé le"),
        ),
        migrations.AlterField(
            model_name="importrun",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="terminé le"),
        ),
        migrations.AlterField(
            model_name="importrun",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "En attente"),
                    ("running", "En cours"),
                    ("done", "Terminé"),
                    ("failed", "Échec"),
                ],
                default="pending",
                max_length=10,
                verbose_name="statut",
            ),
        ),
        migrations.AddIndex(
            model_name="importrun",
            index=models.Index(fields=["status", "updated_at"], name="importrun_status_updated"),
        ),
        migrations.RunPython(dates_and_attempts, migrations.RunPython.noop),
    ]
