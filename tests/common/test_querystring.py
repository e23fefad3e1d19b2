"""The parameters a list page reads: its own only, the last value of each, bounded in length."""

from django.http import QueryDict

from srefop_portal.common.querystring import read_parameters


def test_only_the_names_read_the_last_value_each_cut_at_the_bound():
    query = QueryDict("q=emploi&q=formation&utm_source=lettre&page=3&echelon=" + "x" * 50)
    params = read_parameters(query, ("q", "echelon", "page", "theme"), max_length=10)
    assert params.urlencode() == "q=formation&echelon=xxxxxxxxxx&page=3"
    params["page"] = "4"  # a copy the caller may change (the links of the pagination)
    assert query["page"] == "3"
