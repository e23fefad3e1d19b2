"""Real data from the start: the municipal population (COG 2026) at every level. Idempotent."""

from __future__ import annotations

from django.db import transaction

from territories.models import Commune

from . import aggregation
from .models import Indicator, Level, Observation, Rule, Theme, period_date

POPULATION_CODE = "population"
POPULATION_PERIOD = "2026"


@transaction.atomic
def load_reference() -> str:
    indicator, _ = Indicator.objects.update_or_create(
        code=POPULATION_CODE,
        defaults={
            "label": "Population municipale",
            "short_label": "Population",
            "theme": Theme.DEMOGRAPHIE,
            "unit": "habitants",
            "decimals": 0,
            "source_producer": "Insee",
            "source_dataset": "Code officiel géographique 2026 — populations légales "
            "(via @etalab/decoupage-administratif 6.0.0)",
            "source_licence": "Licence Ouverte / Etalab 2.0",
            "source_vintage": "Population municipale en vigueur au 1er janvier 2026 (COG 2026)",
            "source_url": "https://www.npmjs.com/package/@etalab/decoupage-administratif",
            "method": "Population municipale des communes ; les niveaux supérieurs (EPCI limités aux communes de la "
            "région, territoire EFOP, département, région) sont la somme des communes.",
            "rule": Rule.SUM,
            "is_public": True,
            "is_demo": False,
            "is_key": True,
            "order": 1,
        },
    )
    date = period_date(POPULATION_PERIOD)
    objects = [
        Observation(
            indicator=indicator,
            level=Level.COMMUNE,
            code=code,
            period=POPULATION_PERIOD,
            period_date=date,
            value=population,
            is_computed=False,
        )
        for code, population in Commune.objects.values_list("code", "population")
    ]
    Observation.objects.bulk_create(
        objects,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["indicator", "level", "code", "period"],
        update_fields=["value", "period_date", "is_computed"],
    )
    summary = aggregation.rebuild([indicator.pk])
    from .services import after_data_change

    after_data_change()
    return f"population municipale (COG 2026) de {len(objects)} communes, {summary['written']} valeurs agrégées"
