import pytest

from territories.models import Territory
from tests.veille.factories import NewsItemFactory, tagged_item
from veille.gazetteer import build_gazetteer
from veille.models import NewsItem, Theme
from veille.services import save_item
from veille.tagging import ThemeMatcher, retag_items

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def gazetteer(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return build_gazetteer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Les Sables-d'Olonne : forum", {"85-LIT"}),
        ("Aux Sables d’Olonne, la mission locale recrute", {"85-LIT"}),
        ("LES SABLES D'OLONNE : FORUM", {"85-LIT"}),
        ("St-Nazaire : les chantiers embauchent", {"44-STN"}),
        ("Ste-Luce-sur-Loire accueille un salon", {"44-NAN"}),
        ("Saint Herblain : un salon", {"44-NAN"}),
        ("Evron sans accent sur la capitale", {"53-NMA"}),
        ("Du Mans à Angers", {"72-LMA", "49-ANG"}),
        ("Point de vue : la formation", set()),
        ("Vue. Un atelier CV", {"44-RET"}),
        ("À Vue, un tiers-lieu", {"44-RET"}),
        ("Vue (44) : un tiers-lieu", {"44-RET"}),
        ("la flèche indique la sortie", set()),
        ("En Mayenne, le chômage baisse", set()),
        ("À Mayenne, la ville recrute", {"53-NMA"}),
        ("Record d'apprentis en Pays de la Loire", set()),
        ("Loiré : la commune", {"49-SEG"}),
        ("Changé (53) : usine", {"53-LAV"}),
        ("Changé, près de Laval", {"53-LAV"}),
        # « changé » is also a past participle: a place only in a place context.
        ("Le contrat a changé", set()),
        ("Le contrat a Changé", set()),
        ("LE CONTRAT A CHANGÉ", set()),
        ("Ce Qui A Changé Pour Les Apprentis", set()),
        ("Apprentissage : ce qui change. Changé en 2024, le contrat est plus souple", set()),
        ("À Changé (53), un entrepôt", {"53-LAV"}),
        ("A Changé (53), un entrepôt", {"53-LAV"}),
        ("Un forum près de Changé (72)", {"72-LMA"}),
        ("Laval, Changé et Bonchamp mutualisent", {"53-LAV"}),
        ("Bonchamp et Changé (53)", {"53-LAV"}),
        ("Changé, près du Mans : un entrepôt", {"72-LMA"}),
        ("La Croix-Rouge recrute", set()),
        ("Simple et rapide : la plateforme", set()),
        ("Allonnes, près de Saumur", {"49-SAU"}),
        ("Mauges Communauté lance un plan", {"49-CHO"}),
        ("CARENE et Cap Atlantique", {"44-STN"}),
        ("Nantesmétropole n'est pas un mot", set()),
        ("Les Nantais à la découverte", set()),
        # Issue #20 — where the place lies, read next to it.
        ("Saint-Berthevin (Mayenne) : un forum", {"53-LAV"}),  # the context is not a place itself
        ("Laval (53000) : un forum", {"53-LAV"}),  # a postal code gives the département
        ("Laval (Belgique) : un forum", set()),
        ("Laval (photo DR) : un forum", {"53-LAV"}),  # a parenthesis that names no place decides nothing
        ("À Laval, en réunion publique", {"53-LAV"}),  # « réunion » in lower case is not La Réunion
        ("Laval, Paris et Lyon : trois forums", {"53-LAV"}),  # a list, not « Laval, in Paris »
        ("En Vendée, à Avrillé, un camping recrute", {"85-LIT"}),
        ("Aéroport Nantes-Atlantique : 300 emplois", {"44-NAN"}),  # not a longer commune name
        ("Le Pin-en-Mauges accueille un forum", {"49-CHO"}),
        ("Le port de Basse-Indre recrute", set()),  # « Indre » (also a département) needs a place context
        ("Mont-Saint-Aignan : le campus recrute", set()),  # a commune elsewhere ending like one of the region
        ("TGV Paris-Nantes : des conducteurs formés", {"44-NAN"}),
        ("Le Mans-Tours : la ligne rouvre", {"72-LMA"}),
        ("Jean-Pierre Vallet, nouveau président", set()),
        ("M. Blain, maire adjoint", set()),
        ("Rencontre avec Pierre à Laval", {"53-LAV"}),
        ("Nantes au Québec : une mission économique", {"44-NAN"}),  # a trip, not where Nantes lies
        ("À Laval au Québec, les cégeps recrutent", set()),
        ("Laval, au Québec : les cégeps recrutent", set()),
    ],
)
def test_gazetteer_cases(gazetteer, text, expected):
    assert set(gazetteer.tag(text).territories) == expected


def test_unresolved_homonym_has_lower_confidence(gazetteer):
    found = gazetteer.tag("Avrillé : nouvelle école").territories
    assert found == {"49-ANG": {"confidence": 0.6, "terms": ["Avrillé"]}}


def test_theme_keywords_accent_and_case_insensitive():
    themes = Theme.objects.all()
    matcher = ThemeMatcher(themes)
    ids = matcher.match("Les APPRENTIS du BTP et l'insertion des bénéficiaires du RSA")
    slugs = set(Theme.objects.filter(pk__in=ids).values_list("slug", flat=True))
    assert slugs == {"apprentissage", "insertion"}


def test_staff_corrections_survive_retagging(staff_user):
    item = tagged_item(title="Cholet : forum de l'emploi", summary="")
    assert set(item.territories.values_list("code", flat=True)) == {"49-CHO"}
    cholet, saumur = Territory.objects.get(code="49-CHO"), Territory.objects.get(code="49-SAU")
    item = NewsItem.objects.get(pk=item.pk)
    save_item(item=item, territories=[saumur], themes=list(item.themes.all()), by=staff_user)
    retag_items(NewsItem.objects.filter(pk=item.pk))
    tags = {t.territory.code: t for t in item.territory_tags.select_related("territory")}
    assert set(tags) == {"49-SAU"} and tags["49-SAU"].is_manual
    assert list(item.excluded_territories.all()) == [cholet]
    # Staff add Cholet back: the exclusion is lifted.
    save_item(item=item, territories=[saumur, cholet], themes=[], by=staff_user)
    retag_items(NewsItem.objects.filter(pk=item.pk))
    assert set(item.territories.values_list("code", flat=True)) == {"49-SAU", "49-CHO"}


def test_keyword_edit_then_retag_applies_new_theme():
    item = NewsItemFactory(title="Les tiers-lieux de Laval se multiplient", summary="")
    theme = Theme.objects.create(name="Tiers-lieux", slug="tiers-lieux", keywords="tiers lieu*")
    retag_items(NewsItem.objects.filter(pk=item.pk))
    assert theme in item.themes.all()
    assert set(item.territories.values_list("code", flat=True)) == {"53-LAV"}
