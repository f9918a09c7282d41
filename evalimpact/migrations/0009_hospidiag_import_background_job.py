"""HospidiagImport becomes a core.models.BackgroundJob. The runs recorded so far were
imports that succeeded (the command records a run only then): they are done."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def existing_runs_are_done(apps, schema_editor):
    HospidiagImport = apps.get_model("evalimpact", "HospidiagImport")
    HospidiagImport.objects.update(
        status="done",
        progress=100,
        finished_at=models.F("created_at"),
        updated_at=models.F("created_at"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("evalimpact", "0008_merge_20261130_1227"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="hospidiagimport",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="tentatives"),
        ),
        migrations.AddField(
            model_name="hospidiagimport",
            name="error",
            field=models.TextField(blank=True, verbose_name="erreur"),
        ),
        migrations.AddField(
            model_name="hospidiagimport",
            name="file",
            field=models.FileField(
                blank=True, max_length=255, upload_to="imports/hospidiag/%Y/%m/"
            ),
        ),
        migrations.AddField(
            model_name="hospidiagimport",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="terminé le"),
        ),
        migrations.AddField(
            model_name="hospidiagimport",
            name="generation",
            field=models.PositiveIntegerField(default=1, verbose_name="génération"),
        ),
        migrations.AddField(
            model_name="hospidiagimport",
            name="progress",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="avancement (%)"),
        ),
        migrations.AddField(
            model_name="hospidiagimport",
            name="started_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="hospidiagimport",
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
        migrations.AddField(
            model_name="hospidiagimport",
            name="summary",
            field=models.TextField(blank=True, verbose_name="compte rendu"),
        ),
        migrations.AddField(
            model_name="hospidiagimport",
            name="updated_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="mis à jour le"
            ),
        ),
        migrations.AlterField(
            model_name="hospidiagimport",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="demandé le"),
        ),
        migrations.AlterField(
            model_name="hospidiagimport",
            name="file_kind",
            field=models.CharField(blank=True, max_length=40, verbose_name="type de fichier"),
        ),
        migrations.AlterField(
            model_name="hospidiagimport",
            name="year",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="année"),
        ),
        migrations.AddIndex(
            model_name="hospidiagimport",
            index=models.Index(
                fields=["status", "updated_at"], name="hospidiagimport_status_updated"
            ),
        ),
        migrations.RunPython(existing_runs_are_done, migrations.RunPython.noop),
    ]
