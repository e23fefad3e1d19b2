"""Search vectors carry the territory and theme filter lexemes (PostgreSQL only); listing indexes on published items.

- Every stored vector is rebuilt with one lexeme per territory tag (``territory 12``) and per theme (``theme 3``),
  so that words, territory and theme are one GIN lookup (see veille/search.py). SQLite has no vector: nothing to do.
- The listing index follows the public order (featured, newest, id) on published items only; a second one serves
  the feeds and digests (newest, id).
"""

from django.db import migrations, models

REBUILD_VECTORS = """
UPDATE veille_newsitem AS item SET search_vector =
    setweight(to_tsvector('french'::regconfig, COALESCE(item.title, '')), 'A')
    || setweight(to_tsvector('french'::regconfig, COALESCE(item.summary, '')), 'B')
    || array_to_tsvector(
        ARRAY(SELECT 'territory ' || tag.territory_id FROM veille_territorytag AS tag WHERE tag.item_id = item.id)
        || ARRAY(SELECT 'theme ' || link.theme_id FROM veille_newsitem_themes AS link WHERE link.newsitem_id = item.id)
    )
"""
TEXT_ONLY_VECTORS = """
UPDATE veille_newsitem AS item SET search_vector =
    setweight(to_tsvector('french'::regconfig, COALESCE(item.title, '')), 'A')
    || setweight(to_tsvector('french'::regconfig, COALESCE(item.summary, '')), 'B')
"""


def rebuild_vectors(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REBUILD_VECTORS)
        schema_editor.execute("ANALYZE veille_newsitem")


def text_only_vectors(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TEXT_ONLY_VECTORS)


class Migration(migrations.Migration):
    dependencies = [
        ("territories", "0001_initial"),
        ("veille", "0002_search_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="newsitem", name="veille_item_listing"),
        migrations.AddIndex(
            model_name="newsitem",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["-featured", "-published_at", "-id"],
                name="veille_item_published_order",
            ),
        ),
        migrations.AddIndex(
            model_name="newsitem",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["-published_at", "-id"],
                name="veille_item_published_date",
            ),
        ),
        migrations.RunPython(rebuild_vectors, text_only_vectors, elidable=True),
    ]
