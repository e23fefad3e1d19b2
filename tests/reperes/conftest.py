"""Fixtures of the repères tests: a small catalogue (sum, ratio, weighted mean) and helpers to import files."""

import pytest

from reperes.models import ImportBatch, Indicator, Observation, Rule, Theme
from reperes.services import apply_import, create_batch
from territories.models import Commune


def make_csv(rows, *, sep=";", encoding="utf-8", bom=False) -> bytes:
    text = "\r\n".join(sep.join(str(cell) for cell in row) for row in rows) + "\r\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def import_file(data: bytes, *, filename="valeurs.csv", format=ImportBatch.Format.LONG, options=None, user=None):
    batch = create_batch(user=user, data=data, filename=filename, format=format, options=options or {})
    apply_import(batch=batch, queue_sheets=False)
    batch.refresh_from_db()
    return batch


LONG_HEADER = ["indicateur", "niveau", "code_geo", "periode", "valeur"]


def row(indicator, level, code, period="2024"):
    return Observation.objects.get(indicator__code=indicator, level=level, code=code, period=period)


def value(indicator, level, code, period="2024"):
    return row(indicator, level, code, period).value


def first_import(geo):
    """An import of 6 values (« emp » and « act » in communes a, b, c, 2024): what roll-back tests build on."""
    a, b, c = geo["a"].code, geo["b"].code, geo["c"].code
    return import_file(
        make_csv(
            [
                LONG_HEADER,
                ["emp", "commune", a, "2024", 100],
                ["emp", "commune", b, "2024", 50],
                ["emp", "commune", c, "2024", 30],
                ["act", "commune", a, "2024", 1000],
                ["act", "commune", b, "2024", 400],
                ["act", "commune", c, "2024", 600],
            ]
        )
    )


@pytest.fixture
def catalogue(db):
    emp = Indicator.objects.create(code="emp", label="Emplois", theme=Theme.EMPLOI, unit="emplois", is_key=True)
    act = Indicator.objects.create(code="act", label="Actifs", theme=Theme.EMPLOI, unit="personnes")
    rate = Indicator.objects.create(
        code="taux",
        label="Taux d’emploi",
        theme=Theme.EMPLOI,
        unit="%",
        decimals=1,
        rule=Rule.RATIO,
        numerator=emp,
        denominator=act,
        factor=100,
        is_key=True,
        chart="evolution",
    )
    wage = Indicator.objects.create(
        code="sal",
        label="Salaire horaire",
        theme=Theme.ECONOMIE,
        unit="€",
        decimals=2,
        rule=Rule.WEIGHTED_MEAN,
        weight=emp,
        is_public=False,
    )
    return {"emp": emp, "act": act, "taux": rate, "sal": wage}


@pytest.fixture
def geo(db):
    """Two communes of the same EPCI and territory (Nantes and a neighbour), and Angers (49)."""
    nantes = Commune.objects.select_related("epci", "territory", "departement").get(code="44109")
    neighbour = (
        Commune.objects.filter(epci=nantes.epci, territory=nantes.territory)
        .exclude(pk=nantes.pk)
        .order_by("code")
        .first()
    )
    angers = Commune.objects.select_related("epci", "territory", "departement").get(code="49007")
    return {"a": nantes, "b": neighbour, "c": angers}
