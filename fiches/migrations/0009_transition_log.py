# The step's log becomes a core.workflow.TransitionLog: same rows and column names.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("fiches", "0008_chooser_purpose_duty_domain"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="steptransition",
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
            model_name="steptransition",
            name="at",
            field=models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="le"),
        ),
        migrations.AlterField(
            model_name="steptransition",
            name="from_state",
            field=models.CharField(blank=True, max_length=30, verbose_name="de"),
        ),
        migrations.AlterField(
            model_name="steptransition",
            name="to_state",
            field=models.CharField(max_length=30, verbose_name="vers"),
        ),
    ]
