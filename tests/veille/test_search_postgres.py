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


def test_territory_and_theme_are_lexemes_of_the_vector_and_filters_are_one_lookup(staff_user):
    from territories.models import Territory
    from tests.veille.factories import tagged_item
    from veille.models import Theme

    item = tagged_item(title="Cholet : les apprentis du bâtiment", summary="")
    cholet, apprentissage = Territory.objects.get(code="49-CHO"), Theme.objects.get(slug="apprentissage")
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM veille_newsitem WHERE id = %s", [item.pk])
        vector = cursor.fetchone()[0]
    assert f"'territory {cholet.pk}'" in vector and f"'theme {apprentissage.pk}'" in vector
    queryset = NewsItem.objects.published().filtered(text="apprentis", territory=cholet, theme=apprentissage)
    sql = str(queryset.query)
    assert sql.count("@@") == 1 and "veille_territorytag" not in sql and "veille_newsitem_themes" not in sql
    assert list(queryset) == [item]
    # A visitor's words never reach the filter lexemes.
    assert not apply_search(NewsItem.objects.all(), f"territory {cholet.pk}").exists()
    assert not apply_search(NewsItem.objects.all(), f'"theme {apprentissage.pk}"').exists()


def test_vector_filters_agree_with_the_tag_tables_after_every_kind_of_write(staff_user):
    """Ingestion, staff edits and re-tagging: the lexemes always say what the tag tables say."""
    from territories.models import Territory
    from tests.veille.factories import tagged_item
    from veille.models import Theme
    from veille.services import save_item
    from veille.tagging import retag_items

    titles = [
        "Cholet : forum de l'emploi",
        "Laval et Saumur : les apprentis",
        "Nantes : une formation au numérique",
        "Pays de la Loire : l'insertion des jeunes",
        "Le Mans : l'usine recrute en CDI",
    ]
    items = [tagged_item(title=title, summary="") for title in titles]
    save_item(
        item=NewsItem.objects.get(pk=items[0].pk),
        territories=[Territory.objects.get(code="49-SAU")],
        themes=[Theme.objects.get(slug="handicap")],
        by=staff_user,
    )
    save_item(
        item=NewsItem.objects.get(pk=items[3].pk),
        territories=list(Territory.objects.filter(code__in=["44-NAN", "85-ROC"])),
        themes=[],
        by=staff_user,
    )
    retag_items(NewsItem.objects.filter(pk=items[1].pk))
    for territory in Territory.objects.all():
        by_vector = set(NewsItem.objects.filtered(territory=territory).values_list("pk", flat=True))
        by_tags = set(NewsItem.objects.filter(territory_tags__territory=territory).values_list("pk", flat=True))
        assert by_vector == by_tags, territory.code
    for theme in Theme.objects.all():
        by_vector = set(NewsItem.objects.filtered(theme=theme).values_list("pk", flat=True))
        by_tags = set(NewsItem.objects.filter(themes=theme).values_list("pk", flat=True))
        assert by_vector == by_tags, theme.slug


def test_search_with_filters_uses_the_gin_index():
    from territories.models import Territory
    from tests.veille.factories import tagged_item

    for n in range(30):
        tagged_item(title=f"Cholet : forum numéro {n}", summary="")
    cholet = Territory.objects.get(code="49-CHO")
    queryset = NewsItem.objects.filtered(text="forum", territory=cholet)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE veille_newsitem")
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    # One index condition holds the words and the territory.
    index_line = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "veille_newsitem_search_gin" in plan, plan
    assert "'forum'" in index_line and f"territory {cholet.pk}" in index_line, plan


def test_estimated_count_comes_from_the_planner():
    from veille.search import estimated_count

    for n in range(5):
        NewsItemFactory(title=f"Forum numéro {n}")
    estimate = estimated_count(apply_search(NewsItem.objects.published(), "forum"))
    assert isinstance(estimate, int) and estimate >= 0


def test_hyphenated_words_are_searched_as_their_compound_lexeme():
    from veille.search import text_query

    a = NewsItemFactory(title="Saint-Nazaire : les aides-soignants recrutés", summary="")
    b = NewsItemFactory(title="Des aides à domicile et des soignants", summary="")
    # Quoted, the phrase keeps French's parts and positions.
    c = NewsItemFactory(title="Forum : les aides-soignants de Nantes", summary="")
    update_search_vectors(NewsItem.objects.all())
    assert set(apply_search(NewsItem.objects.all(), "aides-soignants")) == {a, c}
    assert set(apply_search(NewsItem.objects.all(), "soignants")) == {a, b, c}
    assert set(apply_search(NewsItem.objects.all(), '"aides-soignants de Nantes"')) == {c}
    with connection.cursor() as cursor:
        query = NewsItem.objects.annotate(q=text_query("aides-soignants")).values("q").query
        sql, params = query.sql_with_params()
        cursor.execute(f"SELECT q::text FROM ({sql} LIMIT 1) sub", params)
        assert cursor.fetchone()[0] == "'aides-soign'"


def test_next_page_cursor_is_read_as_a_range_of_the_order_index():
    from tests.veille.factories import tagged_item
    from veille.listing import Cursor, public_items

    for n in range(30):
        tagged_item(title=f"Cholet : forum numéro {n}", summary="")
    cursor = Cursor.of(list(public_items({}))[19])
    queryset = cursor.after(public_items({"q": "forum"}))[:20]
    assert len(list(queryset)) == 10
    with connection.cursor() as db:
        db.execute("ANALYZE veille_newsitem")
        db.execute("SET LOCAL enable_bitmapscan = off")
        db.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    # The cursor bounds an index range of the date order. On these few rows the planner may take the list's order
    # index (the whole row comparison in the index condition) or the plain date index (its date part only, the rest
    # filtered): both read a range, never the whole table (bench/results/veille-plans.txt shows it at 200,000 rows).
    index_line = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "ROW(published_at, id) < ROW(" in index_line or "(published_at <= " in index_line, plan


def test_a_numbered_page_of_a_territory_is_counted_off_in_the_order_index_alone():
    """Without words, the filter lexemes are read from the list's order index (INCLUDE): no row of the table is
    read to skip the pages before (index-only scan), then the page's 20 rows are read by primary key."""
    from territories.models import Territory
    from tests.veille.factories import tagged_item
    from veille.listing import offset_rows, public_items

    for n in range(30):
        tagged_item(title=f"Cholet : forum numéro {n}", summary="")
    tagged_item(title="Laval : autre territoire", summary="")
    cholet = Territory.objects.get(code="49-CHO")
    queryset = public_items({"territoire": cholet.pk})
    assert [item.title for item in offset_rows(queryset, 20, 40)] == [item.title for item in list(queryset)[20:40]]
    assert len(list(offset_rows(queryset, 20, 40))) == 10
    with connection.cursor() as db:
        db.execute("ANALYZE veille_newsitem")
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_indexscan"):
            db.execute(f"SET LOCAL {setting} = off")
        plan = offset_rows(queryset, 20, 40).explain()
    assert "Index Only Scan using veille_item_published_order" in plan, plan
    assert f"filter_lexemes @@ '''territory {cholet.pk}'''" in plan, plan
