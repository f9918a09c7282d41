# The convention's log becomes a core.workflow.TransitionLog: same rows, shared column names.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("conventions", "0009_merge_20261130_0958"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("transition", "from_status", "from_state"),
        migrations.RenameField("transition", "to_status", "to_state"),
        migrations.RenameField("transition", "by", "actor"),
        migrations.AlterField(
            model_name="transition",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="par",
            ),
        ),
        migrations.AlterField(
            model_name="transition",
            name="at",
            field=models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="le"),
        ),
        migrations.AlterField(
            model_name="transition",
            name="comment",
            field=models.TextField(blank=True, verbose_name="commentaire"),
        ),
        migrations.AlterField(
            model_name="transition",
            name="from_state",
            field=models.CharField(blank=True, max_length=30, verbose_name="de"),
        ),
        migrations.AlterField(
            model_name="transition",
            name="to_state",
            field=models.CharField(max_length=30, verbose_name="vers"),
        ),
    ]
