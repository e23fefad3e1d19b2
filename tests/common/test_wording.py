"""French wording helpers: counted nouns (0, 1, 2), « 1er », French collation."""

import datetime

from django.template import Context, Template

from srefop_portal.common.wording import collation_key, count, long_date, plural, sort_names


def test_counted_nouns_follow_french_usage():
    assert [count(n, "article", "articles") for n in (0, 1, 2)] == [
        "0\u00a0article",
        "1\u00a0article",
        "2\u00a0articles",
    ]
    assert count(12345, "valeur", "valeurs") == "12\u00a0345\u00a0valeurs"
    assert plural(1, "n’a pas été revu", "n’ont pas été revus") == "n’a pas été revu"
    assert plural(3, "n’a pas été revu", "n’ont pas été revus") == "n’ont pas été revus"


def test_first_of_the_month_is_1er():
    assert long_date(datetime.date(2026, 1, 1)) == "1er janvier 2026"
    assert long_date(datetime.date(2026, 1, 11)) == "11 janvier 2026"
    assert long_date(datetime.date(2026, 12, 21)) == "21 décembre 2026"
    rendered = Template('{{ d|fr_date:"j F Y" }} / {{ d|fr_date }}').render(Context({"d": datetime.date(2026, 3, 1)}))
    assert rendered == "1er mars 2026 / 1er mars 2026"


def test_names_sorted_as_in_french():
    names = ["Zénith", "Éducation nationale", "DDETS", "ecole", "France Travail", "Œuvres"]
    assert sort_names(names) == ["DDETS", "ecole", "Éducation nationale", "France Travail", "Œuvres", "Zénith"]
    assert collation_key("Éducation") < collation_key("Emploi") < collation_key("Zone")
