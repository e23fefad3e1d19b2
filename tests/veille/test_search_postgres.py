"""The PostgreSQL search path: French configuration (stemming), stored vector, GIN index."""

import pytest
from django.db import connection
from django.urls import reverse

from tests.veille.factories import NewsItemFactory
from veille.models import NewsItem
from veille.search import apply_search, update_search_vectors

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.usefixtures("postgres_required")]


def test_french_full_text_search_with_stemming_and_index(client):
    a = NewsItemFactory(title="Les apprentis boulangers formés à Cholet", summary="")
    b = NewsItemFactory(title="Forum", summary="Les formations numériques recrutent")
    NewsItemFactory(title="Rien à voir", summary="")
    update_search_vectors(NewsItem.objects.all())
    assert set(apply_search(NewsItem.objects.all(), "apprenti")) == {a}
    assert set(apply_search(NewsItem.objects.all(), "formation numérique")) == {b}
    html = client.get(reverse("veille:list"), {"q": "apprenti"}).content.decode()
    assert a.title in html and "Rien à voir" not in html
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'veille_newsitem_search_gin'")
        assert "gin" in cursor.fetchone()[0].lower()


def test_vector_is_filled_by_ingestion_and_manual_save(staff_user):
    from veille.services import save_item

    item = NewsItemFactory.build(title="Emploi saisonnier aux Sables", source=NewsItemFactory().source)
    save_item(item=item, territories=[], themes=[], by=staff_user)
    assert NewsItem.objects.filter(pk=item.pk, search_vector__isnull=False).exists()
