"""Formerly loaded the initial catalogue from a live module.

Catalogues now live in reviewable files (catalogues/) loaded by `manage.py load_catalogues`
(core/catalogues.py): a migration never imports live catalogue modules. Databases migrated
before this change already hold the data; new ones get it from the command (make run, the
container entrypoint, the test setup). Kept as a no-op so the migration graph is unchanged.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cooperations", "0001_initial")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
