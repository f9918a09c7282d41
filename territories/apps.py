from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _register_sqlite_functions(sender, connection, **kwargs):
    """SQLite has no unaccent: give it the same folding as PostgreSQL's (see models.fold)."""
    if connection.vendor != "sqlite":
        return
    from territories.models import fold

    connection.connection.create_function(
        "kc_unaccent",
        1,
        lambda value: fold(value) if value is not None else None,
        deterministic=True,
    )


class TerritoriesConfig(AppConfig):
    name = "territories"
    verbose_name = "Territoires et établissements (FINESS)"

    def ready(self):
        connection_created.connect(_register_sqlite_functions, dispatch_uid="kc_unaccent")
