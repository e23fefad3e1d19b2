"""GIN index on the stored search vector, on PostgreSQL only (SQLite searches with icontains)."""

from django.db import migrations

INDEX = "veille_newsitem_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON veille_newsitem USING gin (search_vector)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("veille", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
