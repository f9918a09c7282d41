"""The establishment search reads a stored column instead of an expression.

`search_text` is a stored generated column: the database computes it on every write
(`UPPER(kc_unaccent(' ' || name || ' ' || long_name || ' ' || commune || ' '))`, the SQL of
models.EstablishmentSearchText), whatever the write path (save, the importers' COPY upsert
and bulk_create, queryset.update). The trigram index of migration 0005 was on that
expression: PostgreSQL then re-ran unaccent on every candidate row to recheck it (about
8 500 rows for a common word at 100 000 establishments). The index is now on the column, and
a recheck reads it. PostgreSQL only, as before: SQLite has no GIN index (and needs none at
its scale); there `kc_unaccent` is the Python function registered on each connection.
"""

import territories.models
from django.db import migrations, models

OLD_INDEX = "establishment_search_unaccent_trgm"
INDEX_NAME = "establishment_search_text_trgm"
CREATE = (
    f'CREATE INDEX IF NOT EXISTS "{INDEX_NAME}" ON "territories_establishment" '
    'USING gin ("search_text" gin_trgm_ops)'
)
OLD_CREATE = (
    f'CREATE INDEX IF NOT EXISTS "{OLD_INDEX}" ON "territories_establishment" USING gin '
    """((UPPER(kc_unaccent(' ' || "name" || ' ' || "long_name" || ' ' || "commune" || ' '))) """
    "gin_trgm_ops)"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE)
    schema_editor.execute(f'DROP INDEX IF EXISTS "{OLD_INDEX}"')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(OLD_CREATE)
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX_NAME}"')


class Migration(migrations.Migration):
    dependencies = [
        ("territories", "0007_import_permanent_failure"),
    ]

    operations = [
        migrations.AddField(
            model_name="establishment",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=territories.models.EstablishmentSearchText(),
                output_field=models.TextField(),
                verbose_name="texte de recherche (calculé)",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
