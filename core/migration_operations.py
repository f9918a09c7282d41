"""Migration operations shared by the apps."""

from django.db import migrations, models


class AddConstraintNotValid(migrations.AddConstraint):
    """AddConstraint that, on PostgreSQL, adds a CHECK constraint as NOT VALID: every new
    or updated row is checked, rows stored before are left as they are (so the migration
    never fails on a production database holding legacy values). `manage.py check_dates`
    lists those rows; once corrected, `ALTER TABLE … VALIDATE CONSTRAINT …` makes it whole.

    Other databases (SQLite for `make run` and the tests) get a plain constraint.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if schema_editor.connection.vendor != "postgresql" or not isinstance(
            self.constraint, models.CheckConstraint
        ):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        statement = self.constraint.create_sql(model, schema_editor)
        schema_editor.execute(f"{statement} NOT VALID", params=None)

    def describe(self):
        return f"{super().describe()} (NOT VALID on PostgreSQL)"
