"""The parameters a list page reads: its own only, the last value of each, bounded in length."""

from django.http import QueryDict

from srefop_portal.common.querystring import read_parameters


def test_only_the_names_read_the_last_value_each_cut_at_the_bound():
    query = QueryDict("q=emploi&q=formation&utm_source=lettre&page=3&echelon=" + "x" * 50)
    params = read_parameters(query, ("q", "echelon", "page", "theme"), max_length=10)
    assert params.urlencode() == "q=formation&echelon=xxxxxxxxxx&page=3"
    params["page"] = "4"  # a copy the caller may change (the links of the pagination)
    assert query["page"] == "3"


def test_page_links_keep_the_filters_and_set_the_page():
    from django.core.paginator import Paginator

    from srefop_portal.common.querystring import page_links

    page = Paginator(range(45), 20).page(2)
    links = page_links(QueryDict("q=l’emploi&page=2&echelon=local"), page)
    assert links == {
        "first": "?q=l%E2%80%99emploi&echelon=local&page=1",
        "previous": "?q=l%E2%80%99emploi&echelon=local&page=1",
        "next": "?q=l%E2%80%99emploi&echelon=local&page=3",
        "last": "?q=l%E2%80%99emploi&echelon=local&page=3",
    }
    first = page_links({"domaine": "A"}, Paginator(range(5), 20).page(1))
    assert first["previous"] == first["next"] == "" and first["last"] == "?domaine=A&page=1"
