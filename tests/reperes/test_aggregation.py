"""Aggregation computed by hand: sums, ratios and weighted means at every level."""

from decimal import Decimal

import pytest

from reperes import aggregation
from reperes.models import ImportBatch, Level, Observation
from reperes.services import roll_back_import
from tests.reperes.conftest import import_file, make_csv

pytestmark = pytest.mark.django_db

HEADER = ["indicateur", "niveau", "code_geo", "periode", "valeur"]


def value(indicator, level, code, period="2024"):
    return Observation.objects.get(indicator=indicator, level=level, code=code, period=period).value


@pytest.fixture
def loaded(catalogue, geo):
    a, b, c = geo["a"].code, geo["b"].code, geo["c"].code
    rows = [HEADER]
    for code, emp, act, sal in ((a, 100, 1000, "12,5"), (b, 50, 400, "15"), (c, 30, 600, "20")):
        rows += [
            ["emp", "commune", code, "2024", emp],
            ["act", "commune", code, "2024", act],
            ["sal", "commune", code, "2024", sal],
        ]
    batch = import_file(make_csv(rows))
    return batch


def test_sums_at_every_level(loaded, catalogue, geo):
    a, c = geo["a"], geo["c"]
    emp = catalogue["emp"]
    assert value(emp, Level.EPCI, a.epci.siren) == 150
    assert value(emp, Level.TERRITORY, a.territory.code) == 150
    assert value(emp, Level.DEPARTEMENT, "44") == 150
    assert value(emp, Level.DEPARTEMENT, "49") == 30
    assert value(emp, Level.TERRITORY, c.territory.code) == 30
    assert value(emp, Level.REGION, "52") == 180
    assert Observation.objects.filter(indicator=emp, level=Level.REGION).get().is_computed


def test_ratios_use_the_sums_of_numerator_and_denominator(loaded, catalogue, geo):
    rate, a = catalogue["taux"], geo["a"]
    assert value(rate, Level.COMMUNE, geo["c"].code) == Decimal("5.0000")  # 30 / 600
    assert value(rate, Level.COMMUNE, a.code) == Decimal("10.0000")  # 100 / 1000
    assert value(rate, Level.EPCI, a.epci.siren) == Decimal("10.7143")  # 150 / 1400 × 100
    assert value(rate, Level.TERRITORY, a.territory.code) == Decimal("10.7143")
    assert value(rate, Level.DEPARTEMENT, "49") == Decimal("5.0000")  # 30 / 600
    assert value(rate, Level.REGION, "52") == Decimal("9.0000")  # 180 / 2000 × 100
    assert Decimal("9.0000") != (Decimal("10") + Decimal("12.5") + Decimal("5")) / 3  # not a mean of ratios


def test_weighted_means_use_the_weights(loaded, catalogue, geo):
    wage, a = catalogue["sal"], geo["a"]
    assert value(wage, Level.EPCI, a.epci.siren) == Decimal("13.3333")  # (12.5×100 + 15×50) / 150
    assert value(wage, Level.DEPARTEMENT, "44") == Decimal("13.3333")
    assert value(wage, Level.DEPARTEMENT, "49") == Decimal("20.0000")
    assert value(wage, Level.REGION, "52") == Decimal("14.4444")  # 2600 / 180


def test_values_imported_at_an_upper_level_are_not_overwritten(loaded, catalogue, geo):
    emp = catalogue["emp"]
    import_file(make_csv([HEADER, ["emp", "departement", "44", "2024", "160"]]))
    aggregation.rebuild()  # full rebuild too
    row = Observation.objects.get(indicator=emp, level=Level.DEPARTEMENT, code="44", period="2024")
    assert row.value == 160 and not row.is_computed
    # The ratio of the département uses the imported numerator: 160 / 1400 × 100.
    assert value(catalogue["taux"], Level.DEPARTEMENT, "44") == Decimal("11.4286")
    # Other levels are still computed from the communes.
    assert value(emp, Level.REGION, "52") == 180


def test_an_import_rebuilds_only_the_affected_indicators(loaded, catalogue, geo):
    before = value(catalogue["sal"], Level.REGION, "52")
    Observation.objects.filter(indicator=catalogue["sal"], level=Level.REGION).update(value=0)
    import_file(make_csv([HEADER, ["act", "commune", geo["a"].code, "2024", "1100"]]))
    assert value(catalogue["taux"], Level.REGION, "52") == Decimal("8.5714")  # 180 / 2100
    assert value(catalogue["sal"], Level.REGION, "52") == 0  # untouched: does not depend on "act"
    aggregation.rebuild()
    assert value(catalogue["sal"], Level.REGION, "52") == before


def test_roll_back_deletes_the_batch_values_and_rebuilds(loaded, catalogue, geo, staff_user):
    correction = import_file(make_csv([HEADER, ["emp", "commune", geo["a"].code, "2025", "70"]]))
    assert value(catalogue["emp"], Level.REGION, "52", "2025") == 70
    roll_back_import(batch=correction, user=staff_user)
    correction.refresh_from_db()
    assert correction.rolled_back and correction.status == ImportBatch.Status.ROLLED_BACK
    assert not Observation.objects.filter(indicator=catalogue["emp"], period="2025").exists()
    assert not Observation.objects.filter(indicator=catalogue["taux"], period="2025").exists()
    assert value(catalogue["emp"], Level.REGION, "52") == 180
    with pytest.raises(Exception, match="déjà|Seul"):
        roll_back_import(batch=correction, user=staff_user)


def test_reference_population_is_loaded_at_every_level():
    from reperes.models import Indicator

    population = Indicator.objects.get(code="population")
    assert value(population, Level.REGION, "52", "2026") == 3_907_156
    assert Observation.objects.filter(indicator=population, level=Level.TERRITORY).count() == 18
    assert Observation.objects.filter(indicator=population, level=Level.DEPARTEMENT).count() == 5
    assert Observation.objects.filter(indicator=population, level=Level.EPCI).count() == 71
    assert not population.is_demo
