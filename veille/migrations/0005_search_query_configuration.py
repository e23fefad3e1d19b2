"""Text search configuration of the visitors' words (PostgreSQL only): French, without the parts of hyphenated
words (``veille/search.py``).

With ``french``, « aides-soignants » gives ``'aides-soign' <-> 'aid' <-> 'soign'``: the same items as the compound
lexeme alone, but a phrase that the planner estimates as three independent words (rows underestimated tenfold, hence
bad plans) and that the index cannot answer without reading each row. ``veille_query`` gives ``'aides-soign'``."""

from django.db import migrations

CREATE = """
CREATE TEXT SEARCH CONFIGURATION veille_query (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION veille_query DROP MAPPING FOR hword_asciipart, hword_part, hword_numpart;
"""
DROP = "DROP TEXT SEARCH CONFIGURATION IF EXISTS veille_query"


def create_configuration(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
        schema_editor.execute(CREATE)


def drop_configuration(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("veille", "0004_title_block_index")]

    operations = [migrations.RunPython(create_configuration, drop_configuration)]
