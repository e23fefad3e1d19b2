"""Search and filters of the public news watch.

PostgreSQL: each item stores one GIN-indexed ``search_vector`` holding
- the French full-text lexemes of its title (weight A) and summary (weight B),
- one filter lexeme per territory tag (``territory 12``) and per theme (``theme 3``).
The filter lexemes contain a space, which the text parser never produces: a visitor's words can never match them.
A search « forum emploi » in territory 12 and theme 3 is then ONE index lookup,
``search_vector @@ (websearch_to_tsquery('french', 'forum emploi') && 'territory 12' & 'theme 3')``,
instead of joins on the tag tables that the planner cannot combine with the text index.

The vector is derived from the tag tables (``veille_territorytag``, ``veille_newsitem_themes``) by
``update_search_vectors``, called by every write that changes an item's text or tags (``NewsItem.save``,
``tagging.tag_items``, ``services.save_item``, the admin). The tag tables stay the source of truth.

Without words, the territory and theme lexemes are looked up in a second, narrow vector, ``filter_lexemes`` (the same
lexemes only, about 40 bytes), which the list's order index carries (``INCLUDE``) and a small GIN index serves: a
territory's page 30 is then read from the order index alone (index-only scan), not from 20,000 rows of the table.

SQLite (tests, development): no vector; the same filters go through the tag tables and ``icontains``.
"""

import json

from django.apps import apps
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import (
    SearchQuery,
    SearchVector,
    SearchVectorCombinable,
    SearchVectorField,
)
from django.db import connection
from django.db.models import Func, OuterRef, Q, TextField, Value
from django.db.models.functions import Cast, Concat

from .text import TOKEN_RE

MAX_QUERY_LENGTH = 200
QUERY_CONFIG = "veille_query"
TERRITORY_PREFIX = "territory "
THEME_PREFIX = "theme "


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def territory_lexeme(territory_id: int) -> str:
    return f"{TERRITORY_PREFIX}{int(territory_id)}"


def theme_lexeme(theme_id: int) -> str:
    return f"{THEME_PREFIX}{int(theme_id)}"


class LexemeVector(SearchVectorCombinable, Func):
    """``array_to_tsvector(array)``: lexemes taken as they are (no parsing, no stemming, no position)."""

    function = "array_to_tsvector"
    output_field = SearchVectorField()


class LexemeQuery(SearchQuery):
    """A tsquery requiring every given lexeme, written as a literal (never parsed): ``'territory 12' & 'theme 3'``."""

    template = "%(expressions)s::tsquery"

    def __init__(self, lexemes: list[str]):
        literal = " & ".join("'" + lexeme.replace("'", "''") + "'" for lexeme in lexemes)
        super().__init__(Value(literal), search_type="raw")


def _tag_lexemes():
    # The models are looked up in the app registry: veille.models builds its queries with this module, which must
    # not import it back.
    NewsItem = apps.get_model("veille", "NewsItem")
    TerritoryTag = apps.get_model("veille", "TerritoryTag")

    territories = ArraySubquery(
        TerritoryTag.objects.filter(item_id=OuterRef("pk"))
        .order_by()
        .values(lexeme=Concat(Value(TERRITORY_PREFIX), Cast("territory_id", TextField()), output_field=TextField()))
    )
    themes = ArraySubquery(
        NewsItem.themes.through.objects.filter(newsitem_id=OuterRef("pk"))
        .order_by()
        .values(lexeme=Concat(Value(THEME_PREFIX), Cast("theme_id", TextField()), output_field=TextField()))
    )
    return LexemeVector(Func(territories, themes, function="array_cat", output_field=ArrayField(TextField())))


def search_vector_expression():
    """The stored vector: French text of the title (A) and summary (B), then the filter lexemes of the tags."""
    return (
        SearchVector("title", weight="A", config="french")
        + SearchVector("summary", weight="B", config="french")
        + _tag_lexemes()
    )


def vector_update() -> dict:
    """The ``update()`` argument refreshing the vectors (none on SQLite), to merge with another UPDATE of the rows:
    each UPDATE writes a new version of every row and of its index entries."""
    if not uses_postgres():
        return {}
    return {"search_vector": search_vector_expression(), "filter_lexemes": _tag_lexemes()}


def update_search_vectors(queryset) -> None:
    """Refresh the stored vectors (search and filters) of these items (one UPDATE); nothing to do on SQLite."""
    if uses_postgres():
        queryset.order_by().update(**vector_update())


def estimated_count(queryset) -> int | None:
    """The planner's estimate of the number of rows (PostgreSQL; None elsewhere): no row is read. It comes from the
    statistics of the vector's lexemes (``ANALYZE``), the filter lexemes included."""
    if not uses_postgres():
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def text_query(text: str):
    """The visitor's words (websearch syntax: « "phrase" », « -exclu », « ou »). Without quotes, hyphenated words are
    read as their compound lexeme only (configuration ``veille_query``, migration 0005): « aides-soignants » →
    ``'aides-soign'``, the same items as French's phrase ``'aides-soign' <-> 'aid' <-> 'soign'`` but estimated
    right by the planner and answered by the index alone. Quoted phrases keep ``french`` (positions of the parts)."""
    text = (text or "").strip()[:MAX_QUERY_LENGTH]
    if not text:
        return None
    return SearchQuery(text, config=QUERY_CONFIG if '"' not in text else "french", search_type="websearch")


def apply_filters(queryset, *, text: str = "", territory=None, theme=None):
    """Items matching the words (French full text), tagged with the territory and with the theme.

    On PostgreSQL the three conditions are one ``@@`` on the GIN-indexed vector; without words, territory and theme
    are one ``@@`` on the narrow ``filter_lexemes`` (answered by the list's order index alone)."""
    text = (text or "").strip()[:MAX_QUERY_LENGTH]
    if uses_postgres():
        lexemes = []
        if territory is not None:
            lexemes.append(territory_lexeme(getattr(territory, "pk", territory)))
        if theme is not None:
            lexemes.append(theme_lexeme(getattr(theme, "pk", theme)))
        query = text_query(text)
        if query is None:
            return queryset.filter(filter_lexemes=LexemeQuery(lexemes)) if lexemes else queryset
        if lexemes:
            query = query & LexemeQuery(lexemes)
        return queryset.filter(search_vector=query)
    if territory is not None:
        queryset = queryset.filter(territory_tags__territory=territory)
    if theme is not None:
        queryset = queryset.filter(themes=theme)
    for word in TOKEN_RE.findall(text)[:8]:
        queryset = queryset.filter(Q(title__icontains=word) | Q(summary__icontains=word))
    return queryset


def apply_search(queryset, text: str):
    return apply_filters(queryset, text=text)
