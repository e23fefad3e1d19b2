"""Staff tagging corrections: kept as a list the tagging learns from (per source or per term), applied at
ingestion and re-tagging, listed and removable on a staff page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from territories.models import Territory
from tests.veille.factories import SourceFactory, tagged_item
from veille import services
from veille.ingestion import Entry
from veille.models import NewsItem, TagCorrection, TerritoryTag
from veille.tagging import retag_items

pytestmark = pytest.mark.django_db

QUEBEC_HEADLINE = "Laval : la ville embauche 200 animateurs de camps de jour"


def territory(code):
    return Territory.objects.get(code=code)


def codes(item):
    return set(TerritoryTag.objects.filter(item=item).values_list("territory__code", flat=True))


_links = iter(range(10**6))


def ingest(source, title, summary=""):
    entry = Entry(
        title=title,
        summary=summary,
        link=f"https://presse.example.fr/a-{next(_links)}",
        published_at=timezone.now() - dt.timedelta(minutes=next(_links)),
    )
    (item,) = services.ingest_entries(source=source, entries=[entry])
    return item


def remove_all_territories(item, *, scope, by=None):
    return services.save_item(item=item, territories=[], themes=[], by=by, correction_scope=scope)


def test_a_removal_for_the_source_stops_the_same_false_tag_on_the_next_item_of_that_source(role_user):
    staff = role_user("staff")
    quebec, regional = SourceFactory(name="Courrier de Laval (Québec)"), SourceFactory(name="Ouest-France")
    first = ingest(quebec, QUEBEC_HEADLINE)
    assert codes(first) == {"53-LAV"}

    remove_all_territories(first, scope="source", by=staff)

    correction = TagCorrection.objects.get()
    assert (correction.term, correction.territory.code, correction.source, correction.kind, correction.author) == (
        "Laval",
        "53-LAV",
        quebec,
        TagCorrection.Kind.EXCLUDE,
        staff,
    )
    assert codes(ingest(quebec, "Laval : le métro prolongé, 300 emplois")) == set()
    # Another source, the same word: still the Laval of the region.
    assert codes(ingest(regional, "Laval : le salon de l'emploi ouvre samedi")) == {"53-LAV"}


def test_a_correction_keeps_other_terms_of_the_same_territory():
    quebec = SourceFactory()
    services.create_tag_correction(term="Laval", territory=territory("53-LAV"), kind="exclude", source=quebec)
    item = ingest(quebec, "Laval et Changé (53) : deux forums de l'emploi")
    assert codes(item) == {"53-LAV"}
    assert TerritoryTag.objects.get(item=item).matched_terms == ["Changé"]


def test_a_removal_for_all_sources_applies_everywhere():
    first = ingest(SourceFactory(), QUEBEC_HEADLINE)
    remove_all_territories(first, scope="all")
    assert TagCorrection.objects.get().source is None
    assert codes(ingest(SourceFactory(), "Laval : le métro prolongé")) == set()


def test_a_removal_for_this_item_only_teaches_nothing():
    source = SourceFactory()
    first = ingest(source, QUEBEC_HEADLINE)
    remove_all_territories(first, scope="item")
    assert not TagCorrection.objects.exists()
    assert codes(first) == set()  # the item itself keeps the correction
    assert codes(ingest(source, "Laval : le métro prolongé")) == {"53-LAV"}


def test_an_inclusion_adds_the_territory_when_the_term_is_in_the_text():
    source = SourceFactory()
    services.create_tag_correction(term="pays yonnais", territory=territory("85-ROC"), kind="include")
    item = ingest(source, "Le pays yonnais veut attirer des infirmiers")
    tag = TerritoryTag.objects.get(item=item)
    assert (tag.territory.code, tag.matched_terms, tag.is_manual) == ("85-ROC", ["pays yonnais"], False)
    assert codes(ingest(source, "Les pays voisins recrutent")) == set()


def test_retagging_applies_corrections_and_keeps_the_staff_choices():
    source = SourceFactory()
    item = tagged_item(source=source, title=QUEBEC_HEADLINE)
    assert codes(item) == {"53-LAV"}
    services.create_tag_correction(term="LAVAL", territory=territory("53-LAV"), kind="exclude", source=source)
    retag_items(NewsItem.objects.filter(pk=item.pk))
    assert codes(item) == set()


def test_creating_and_deleting_a_correction_retags_the_items_that_name_the_term(
    django_capture_on_commit_callbacks,
):
    source = SourceFactory()
    item = tagged_item(source=source, title=QUEBEC_HEADLINE)
    other = tagged_item(title="Laval : le salon de l'emploi ouvre samedi")  # another source: untouched
    with django_capture_on_commit_callbacks(execute=True):
        correction = services.create_tag_correction(
            term="Laval", territory=territory("53-LAV"), kind="exclude", source=source
        )
    assert codes(item) == set()
    assert codes(other) == {"53-LAV"}
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_tag_correction(correction=correction)
    assert codes(item) == {"53-LAV"}
    assert not TagCorrection.objects.exists()


@pytest.mark.parametrize(
    ("term", "message"),
    [("  ", "au moins un mot"), ("« » !", "au moins un mot"), ("x" * 201, "trop long")],
)
def test_bad_terms_are_refused_in_french(term, message):
    with pytest.raises(services.VeilleError, match=message):
        services.create_tag_correction(term=term, territory=territory("53-LAV"), kind="exclude")
    assert not TagCorrection.objects.exists()


def test_duplicate_and_contrary_corrections_are_refused():
    laval = territory("53-LAV")
    services.create_tag_correction(term="Laval", territory=laval, kind="exclude")
    with pytest.raises(services.VeilleError, match="existe déjà"):
        services.create_tag_correction(term="laval", territory=laval, kind="exclude")
    with pytest.raises(services.VeilleError, match="contraire"):
        services.create_tag_correction(term="Laval", territory=laval, kind="include")
    with pytest.raises(services.VeilleError, match="inconnu"):
        services.create_tag_correction(term="Laval", territory=laval, kind="maybe")
    assert TagCorrection.objects.count() == 1


def test_unknown_scope_changes_nothing():
    item = ingest(SourceFactory(), QUEBEC_HEADLINE)
    with pytest.raises(services.VeilleError, match="Portée"):
        remove_all_territories(item, scope="everywhere")
    assert codes(item) == {"53-LAV"}


# --- staff pages ----------------------------------------------------------------------------------------------
def test_item_form_removal_records_a_correction_for_the_source(staff_client):
    source = SourceFactory()
    item = ingest(source, QUEBEC_HEADLINE)
    response = staff_client.get(reverse("veille_staff:item_update", args=[item.pk]))
    assert "Cet article et les prochains articles de cette source" in response.content.decode()
    data = {
        "source": source.pk,
        "title": item.title,
        "summary": "",
        "link": item.link,
        "published_at": timezone.localtime(item.published_at).strftime("%Y-%m-%dT%H:%M"),
        "status": "published",
        "correction_scope": "source",
    }
    response = staff_client.post(reverse("veille_staff:item_update", args=[item.pk]), data)
    assert response.status_code == 302
    assert TagCorrection.objects.filter(term="Laval", source=source, territory__code="53-LAV").exists()


def test_staff_list_add_and_remove(staff_client, django_capture_on_commit_callbacks):
    laval = territory("53-LAV")
    source = SourceFactory(name="Courrier de Laval (Québec)")
    response = staff_client.post(
        reverse("veille_staff:correction_create"),
        {"term": "Laval", "territory": laval.pk, "kind": "exclude", "source": source.pk, "note": "Laval au Québec"},
    )
    assert response.status_code == 302
    correction = TagCorrection.objects.get()
    page = staff_client.get(reverse("veille_staff:correction_list")).content.decode()
    assert "« Laval »" in page and "Courrier de Laval (Québec)" in page and "Ne plus étiqueter" in page

    response = staff_client.post(
        reverse("veille_staff:correction_create"),
        {"term": "Laval", "territory": laval.pk, "kind": "include", "source": source.pk},
    )
    assert response.status_code == 400
    assert "Une correction contraire existe déjà" in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("veille_staff:correction_delete", args=[correction.pk]))
    assert response.status_code == 302
    assert not TagCorrection.objects.exists()
    assert "Aucune correction." in staff_client.get(reverse("veille_staff:correction_list")).content.decode()


def test_corrections_are_read_once_per_batch(django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.veille.factories import NewsItemFactory
    from veille.tagging import compute_tags

    source = SourceFactory()
    services.create_tag_correction(term="Laval", territory=territory("53-LAV"), kind="exclude", source=source)
    services.create_tag_correction(term="pays yonnais", territory=territory("85-ROC"), kind="include")
    one = [NewsItemFactory(source=source, title=QUEBEC_HEADLINE)]
    many = [NewsItemFactory(source=source, title=f"{QUEBEC_HEADLINE} ({n}), pays yonnais") for n in range(20)]
    compute_tags(one)  # the gazetteer is built once
    with CaptureQueriesContext(connection) as small:
        compute_tags(one)
    with django_assert_num_queries(len(small)):
        results = compute_tags(many)
    codes_found = {Territory.objects.get(pk=pk).code for territories, _themes in results for pk in territories}
    assert codes_found == {"85-ROC"}
