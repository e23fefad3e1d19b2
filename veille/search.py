"""Full-text search: PostgreSQL French configuration on a stored, GIN-indexed vector; icontains elsewhere."""

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q

from .text import TOKEN_RE


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def search_vector_expression():
    return SearchVector("title", weight="A", config="french") + SearchVector("summary", weight="B", config="french")


def update_search_vectors(queryset) -> None:
    """Refresh the stored vectors of these items (one UPDATE); nothing to do on SQLite."""
    if uses_postgres():
        queryset.update(search_vector=search_vector_expression())


def apply_search(queryset, text: str):
    text = (text or "").strip()[:200]
    if not text:
        return queryset
    if uses_postgres():
        return queryset.filter(search_vector=SearchQuery(text, config="french", search_type="websearch"))
    for word in TOKEN_RE.findall(text)[:8]:
        queryset = queryset.filter(Q(title__icontains=word) | Q(summary__icontains=word))
    return queryset
