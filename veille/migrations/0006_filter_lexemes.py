"""The territory and theme lexemes in a narrow vector of their own, read from the list's order index (PostgreSQL).

Filters without words (a territory, a theme, a source, dates) used to check each row's search vector in the table:
page 30 of a territory meant reading some 20,000 rows. ``filter_lexemes`` holds the same lexemes as the search vector's
``territory N`` / ``theme N`` (about 40 bytes); the order index carries it and the source as non-key columns
(INCLUDE), so that such a page is counted off in the index alone (index-only scan), and a small GIN index serves the
small territories (bitmap, then sort). SQLite has no vectors: only the (empty) column is added there.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import migrations

FILL = """
UPDATE veille_newsitem AS item SET filter_lexemes = array_to_tsvector(
    ARRAY(SELECT 'territory ' || tag.territory_id FROM veille_territorytag AS tag WHERE tag.item_id = item.id)
    || ARRAY(SELECT 'theme ' || link.theme_id FROM veille_newsitem_themes AS link WHERE link.newsitem_id = item.id)
)
"""
ORDER_INDEX = (
    'CREATE INDEX "veille_item_published_order" ON "veille_newsitem" ("featured" DESC, "published_at" DESC, "id" DESC)'
    " {include} WHERE \"status\" = 'published'"
)
GIN = "veille_newsitem_filter_gin"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FILL)
    schema_editor.execute('DROP INDEX IF EXISTS "veille_item_published_order"')
    schema_editor.execute(ORDER_INDEX.format(include='INCLUDE ("filter_lexemes", "source_id")'))
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {GIN} ON veille_newsitem USING gin (filter_lexemes)")
    schema_editor.execute("ANALYZE veille_newsitem")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {GIN}")
    schema_editor.execute('DROP INDEX IF EXISTS "veille_item_published_order"')
    schema_editor.execute(ORDER_INDEX.format(include=""))


class Migration(migrations.Migration):
    dependencies = [("veille", "0005_search_query_configuration")]

    operations = [
        migrations.AddField(
            model_name="newsitem",
            name="filter_lexemes",
            field=SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forward, backward),
    ]
