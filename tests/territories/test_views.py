import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from territories.models import Commune, CompositionChange, Epci, Territory

pytestmark = pytest.mark.django_db


def test_reference_data_is_the_real_region():
    assert Territory.objects.count() == 18
    assert Epci.objects.count() == 71
    assert Commune.objects.count() == 1228
    assert sum(Commune.objects.values_list("population", flat=True)) == 3_907_156
    assert not Commune.objects.filter(territory__isnull=True).exists()
    assert Commune.objects.get(code="85113").epci is None  # L'Île-d'Yeu


def test_home_lists_territories_by_departement_with_map(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Loire-Atlantique" in html and "Vendée" in html
    assert "3\u00a0907\u00a0156" in html or "3 907 156" in html
    assert "<svg" in html
    assert "Composition indicative" in html
    for territory in Territory.objects.all():
        assert territory.get_absolute_url() in html


def test_territory_page_shows_composition(client):
    territory = Territory.objects.get(code="85-NVE") if Territory.objects.filter(code="85-NVE").exists() else None
    territory = Commune.objects.get(code="85113").territory
    response = client.get(territory.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "L'Île-d'Yeu" in html or "L&#x27;Île-d&#x27;Yeu" in html
    assert "aucun EPCI" in html
    assert "composition indicative" in html.lower()


def test_straddling_epci_keeps_only_region_communes():
    redon = Epci.objects.get(siren="243500741")
    assert redon.communes.count() > 0
    assert all(c.departement.code == "44" for c in redon.communes.all())


def test_departement_page(client):
    response = client.get(reverse("territories:departement", args=["53"]))
    assert response.status_code == 200
    assert "Mayenne" in response.content.decode()


def test_unknown_territory_is_404(client):
    assert client.get("/territoires/99-XXX/").status_code == 404


def test_staff_moves_an_epci_and_the_change_is_recorded(staff_client, staff_user):
    epci = Epci.objects.get(siren="244900882")  # CC Baugeois Vallée
    source = epci.communes.first().territory
    target = Territory.objects.get(code="49-ANG")
    assert source != target
    url = reverse("territories:composition_edit", args=[target.code])
    response = staff_client.post(
        url, {"action": "epci", "epci-epci": epci.pk, "epci-territory": target.pk, "epci-reason": "Décision du Crefop"}
    )
    assert response.status_code == 302
    assert set(epci.communes.values_list("territory", flat=True)) == {target.pk}
    changes = CompositionChange.objects.filter(kind="epci", epci=epci)
    assert changes.count() == epci.communes.count()
    change = changes.first()
    assert change.from_territory == source and change.to_territory == target and change.changed_by == staff_user
    history = staff_client.get(reverse("territories:composition_history")).content.decode()
    assert "CC Baugeois Vallée" in history and "Décision du Crefop" in history


def test_moving_to_same_territory_is_refused_and_nothing_changes(staff_client):
    commune = Commune.objects.get(code="44109")
    before = CompositionChange.objects.count()
    url = reverse("territories:composition_edit", args=[commune.territory.code])
    response = staff_client.post(
        url, {"action": "commune", "commune-commune": commune.pk, "commune-territory": commune.territory.pk}
    )
    assert response.status_code == 400
    assert "fait déjà partie" in response.content.decode()
    assert CompositionChange.objects.count() == before


def _queries(client, url) -> tuple[int, int]:
    """Queries of a page with its cached fragments to build, then served from the cache."""
    counts = []
    for clear in (True, False):
        if clear:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    return tuple(counts)


def _more_data():
    """More of everything the territory pages show: members and co-chairs, dispositifs, roadmap actions."""
    from clefop.models import Position
    from roadmaps.models import RoadmapStatus
    from tests.clefop.factories import MembershipFactory, clefop
    from tests.offer.factories import DispositifFactory
    from tests.roadmaps.factories import roadmap_with

    nantes = Territory.objects.get(code="44-NAN")
    MembershipFactory.create_batch(3, body=clefop(), position=Position.COCHAIR)
    MembershipFactory.create_batch(10, body=clefop())
    DispositifFactory.create_batch(12, territories=[nantes])
    DispositifFactory.create_batch(5)
    roadmap_with(status=RoadmapStatus.ADOPTED, priorities=3, actions=30)


@pytest.mark.parametrize("role", ["anonymous", "member"])
def test_public_pages_query_counts_do_not_grow_with_data(client_for, role):
    client = client_for(role)
    urls = [reverse("home"), reverse("territories:list"), reverse("territories:detail", args=["44-NAN"])]
    client.get(urls[0])  # session, DSFR configuration
    small = [_queries(client, url) for url in urls]
    _more_data()
    assert [_queries(client, url) for url in urls] == small
    home, _list, territory = small
    if role == "anonymous":
        assert home[1] == 0  # served from the cache, the home page reads nothing
        assert territory[1] <= 3  # the territory, the repères figures, the veille panel


def test_territory_pages_show_a_composition_change_at_once(client, staff_user):
    from territories.services import move_epci

    epci = Epci.objects.get(siren="244900882")  # CC Baugeois Vallée
    source = epci.communes.first().territory
    target = Territory.objects.get(code="49-ANG")
    pages = [reverse("home"), source.get_absolute_url(), target.get_absolute_url()]
    before = [client.get(url).content.decode() for url in pages]  # now cached
    assert "CC Baugeois Vallée" in before[1] and "CC Baugeois Vallée" not in before[2]
    move_epci(epci=epci, territory=target, user=staff_user, reason="Décision du Crefop")
    after = [client.get(url).content.decode() for url in pages]
    assert "CC Baugeois Vallée" not in after[1] and "CC Baugeois Vallée" in after[2]
    assert after[0] != before[0]  # populations of the two territories on the home page


def test_territory_page_clefop_panel_link_depends_on_the_reader(client_for):
    from tests.clefop.factories import clefop

    url = reverse("territories:detail", args=["44-NAN"])
    workspace = clefop().get_absolute_url()
    assert workspace not in client_for("anonymous").get(url).content.decode()  # the panel is now cached
    assert workspace in client_for("member").get(url).content.decode()
    assert workspace not in client_for("other_member").get(url).content.decode()
