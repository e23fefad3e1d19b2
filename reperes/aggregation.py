"""Rebuilding the upper levels (EPCI, territory, département, region) from commune values.

Everything is computed in memory: commune values are loaded with ``values_list``, grouped through the mapping
commune → EPCI / territory / département / region, then each indicator's computed rows are replaced
(delete + ``bulk_create``). Values imported directly at an upper level (``is_computed=False``) are never
overwritten: they win over the computed ones, and ratios and weighted means use them.

- sum: sum of the communes' values;
- ratio: ``factor × numerator / denominator``, at every level (communes included), from the (effective) values of
  the two indicators;
- weighted mean: ``Σ(value × weight) / Σ(weight)`` over the communes having both;
- not aggregable: nothing is computed.

Only communes of the region count (an EPCI straddling two regions gets the sum of its communes in the region).
"""

from __future__ import annotations

import time
from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from territories.models import Commune

from .models import Indicator, Level, Observation, Rule, period_date

QUANTUM = Decimal("0.0001")
REGION_CODE = "52"
BATCH_SIZE = 2000


def geography() -> dict[str, list[tuple[str, str]]]:
    """commune code → [(level, code), ...] of the upper areas it belongs to."""
    mapping = {}
    for code, siren, territory, dep in Commune.objects.values_list(
        "code", "epci__siren", "territory__code", "departement__code"
    ):
        parents = [(Level.REGION, REGION_CODE), (Level.DEPARTEMENT, dep)]
        if siren:
            parents.append((Level.EPCI, siren))
        if territory:
            parents.append((Level.TERRITORY, territory))
        mapping[code] = parents
    return mapping


def affected_indicators(indicator_ids) -> set[int]:
    """The indicators to rebuild when ``indicator_ids`` changed: themselves and the ratios/means using them."""
    result = set(indicator_ids)
    rows = list(Indicator.objects.values_list("pk", "numerator_id", "denominator_id", "weight_id"))
    changed = True
    while changed:
        changed = False
        for pk, *components in rows:
            if pk not in result and any(c in result for c in components if c):
                result.add(pk)
                changed = True
    return result


def _q(value: Decimal) -> Decimal:
    return value.quantize(QUANTUM)


@transaction.atomic
def rebuild(indicator_ids=None, progress=None) -> dict:
    """Rebuild the computed values of the given indicators (all if None). Returns counts and the duration."""
    started = time.perf_counter()
    indicators = {i.pk: i for i in Indicator.objects.all()}
    targets = set(indicators) if indicator_ids is None else affected_indicators(indicator_ids)
    targets = {pk for pk in targets if pk in indicators and indicators[pk].rule != Rule.NONE}
    needed = set(targets)
    for pk in targets:
        needed.update(indicators[pk].components())
    parents = geography()

    # Commune values and the values imported at upper levels, in memory.
    commune_values: dict[int, dict[tuple[str, str], Decimal]] = defaultdict(dict)
    imported_upper: dict[int, dict[tuple[str, str, str], Decimal]] = defaultdict(dict)
    rows = Observation.objects.filter(indicator_id__in=needed, is_computed=False).values_list(
        "indicator_id", "level", "code", "period", "value"
    )
    for indicator_id, level, code, period, value in rows.iterator(chunk_size=20000):
        if level == Level.COMMUNE:
            commune_values[indicator_id][(code, period)] = value
        else:
            imported_upper[indicator_id][(level, code, period)] = value
    if progress:
        progress(30, "Valeurs des communes chargées")

    sums: dict[int, dict[tuple[str, str, str], Decimal]] = {}

    def summed(pk: int) -> dict[tuple[str, str, str], Decimal]:
        """Commune values and their sums at upper levels, overlaid with the values imported there."""
        if pk not in sums:
            totals: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
            for (code, period), value in commune_values[pk].items():
                totals[(Level.COMMUNE, code, period)] = value
                for level, parent in parents.get(code, ()):
                    totals[(level, parent, period)] += value
            totals.update(imported_upper[pk])
            sums[pk] = totals
        return sums[pk]

    written = 0
    ordered = sorted(targets, key=lambda pk: (indicators[pk].rule != Rule.SUM, pk))
    for position, pk in enumerate(ordered, start=1):
        indicator = indicators[pk]
        computed: dict[tuple[str, str, str], Decimal] = {}
        if indicator.rule == Rule.SUM:
            computed = {key: value for key, value in summed(pk).items() if key[0] != Level.COMMUNE}
        elif indicator.rule == Rule.RATIO and indicator.numerator_id and indicator.denominator_id:
            numerators, denominators = summed(indicator.numerator_id), summed(indicator.denominator_id)
            factor = indicator.factor
            for key, numerator in numerators.items():
                denominator = denominators.get(key)
                if denominator:
                    computed[key] = _q(factor * numerator / denominator)
        elif indicator.rule == Rule.WEIGHTED_MEAN and indicator.weight_id:
            weights = commune_values[indicator.weight_id]
            weighted: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
            weight_totals: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
            for (code, period), value in commune_values[pk].items():
                weight = weights.get((code, period))
                if weight is None:
                    continue
                for level, parent in parents.get(code, ()):
                    weighted[(level, parent, period)] += value * weight
                    weight_totals[(level, parent, period)] += weight
            computed = {key: _q(weighted[key] / total) for key, total in weight_totals.items() if total}
        # Imported values win: the computed ones are not written where a value was imported.
        for key in imported_upper[pk]:
            computed.pop(key, None)
        if indicator.rule == Rule.RATIO:
            own_communes = {(Level.COMMUNE, c, p) for (c, p) in commune_values[pk]}
            for key in own_communes:
                computed.pop(key, None)
        Observation.objects.filter(indicator_id=pk, is_computed=True).delete()
        objects = [
            Observation(
                indicator_id=pk,
                level=level,
                code=code,
                period=period,
                period_date=_period_date(period),
                value=value,
                is_computed=True,
            )
            for (level, code, period), value in computed.items()
        ]
        Observation.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        written += len(objects)
        if progress:
            progress(30 + int(60 * position / max(len(ordered), 1)), f"Indicateur « {indicator.label} » agrégé")
    return {
        "indicators": len(ordered),
        "written": written,
        "seconds": round(time.perf_counter() - started, 2),
        "message": f"{len(ordered)} indicateur(s) agrégé(s), {written} valeur(s) calculée(s).",
    }


_PERIOD_DATES: dict[str, object] = {}


def _period_date(period: str):
    if period not in _PERIOD_DATES:
        _PERIOD_DATES[period] = period_date(period)
    return _PERIOD_DATES[period]
