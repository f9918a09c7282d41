"""Accent-insensitive establishment search on PostgreSQL (the index of models.EstablishmentSearchText).

`unaccent()` is only STABLE (it reads a dictionary), so an index cannot use it directly:
`kc_unaccent(text)` wraps it with the dictionary named explicitly and is declared IMMUTABLE,
the usual way to index unaccented text. The trigram index of migration 0003 is replaced by
one on `UPPER(kc_unaccent(' ' || name || ' ' || long_name || ' ' || commune || ' '))`.
Nothing on SQLite: there `kc_unaccent` is a Python function registered on each connection.
Both extensions are trusted (PostgreSQL ≥ 13): the database owner may create them.
"""

from django.db import migrations

OLD_INDEX = "establishment_search_trgm"
INDEX_NAME = "establishment_search_unaccent_trgm"
FUNCTION = """
CREATE OR REPLACE FUNCTION kc_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
"""
CREATE = (
    f'CREATE INDEX IF NOT EXISTS "{INDEX_NAME}" ON "territories_establishment" USING gin '
    """((UPPER(kc_unaccent(' ' || "name" || ' ' || "long_name" || ' ' || "commune" || ' '))) """
    "gin_trgm_ops)"
)
OLD_CREATE = (
    f'CREATE INDEX IF NOT EXISTS "{OLD_INDEX}" ON "territories_establishment" USING gin '
    """((UPPER(' ' || "name" || ' ' || "long_name" || ' ' || "commune" || ' ')) gin_trgm_ops)"""
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public")
    schema_editor.execute(FUNCTION)
    schema_editor.execute(CREATE)
    schema_editor.execute(f'DROP INDEX IF EXISTS "{OLD_INDEX}"')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(OLD_CREATE)
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX_NAME}"')


class Migration(migrations.Migration):
    dependencies = [("territories", "0004_register_2026_flux")]

    operations = [migrations.RunPython(forwards, backwards)]
