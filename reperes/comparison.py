"""The comparison of the territories on one indicator and period (page, map, CSV/XLSX), from cached parts.

What it shows depends on the indicator and period asked for, and on the reader only through which indicators they
may see (members' indicators: ``can_see_members_indicators``): two reader classes, « public » and « members ». Two
parts are cached by ``srefop_portal.common.versions`` until the repères (indicators, values) or the territories
change:
- the *index* of a reader class: the indicators having values by territory, with their periods — what a request is
  checked against (an unknown indicator is a 404, an unknown period is the latest), so that the page's cache keys
  are bounded by the data, never by what a visitor types;
- the *body* of the page for one reader class, indicator and period (form, ranking table, map).
Without them, each request read every territory value of every indicator (a join growing with the data) to list
the indicators.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.template.loader import render_to_string

from srefop_portal.common import versions
from srefop_portal.common.maps import choropleth
from territories.maps import region_map_svg
from territories.models import Territory

from .models import Indicator, Level, Observation, Sheet, can_see_members_indicators
from .sheets import DEMO_LABEL, REGION_CODE, format_value

APPS = ("reperes", "territories")


def audience_of(user) -> str:
    """The reader class of the comparison: members (members' indicators included) or public."""
    return Sheet.Audience.MEMBERS if can_see_members_indicators(user) else Sheet.Audience.PUBLIC


def comparison_index(audience: str) -> dict:
    """``{"indicators": [Indicator...], "periods": {indicator pk: [period...]}}``: the indicators the audience may see
    that have values by territory (in the page's order), with their periods by territory (sorted)."""

    def build():
        with_values = Exists(Observation.objects.filter(indicator=OuterRef("pk"), level=Level.TERRITORY))
        indicators = list(Indicator.objects.for_audience(audience).filter(with_values).order_by("order", "label"))
        periods = defaultdict(set)
        rows = (
            Observation.objects.filter(level=Level.TERRITORY, indicator__in=[i.pk for i in indicators])
            .values_list("indicator_id", "period")
            .distinct()
        )
        for indicator_id, period in rows:
            periods[indicator_id].add(period)
        return {"indicators": indicators, "periods": {pk: sorted(found) for pk, found in periods.items()}}

    return versions.cached("reperes:compare-index", apps=APPS, vary=(audience,), build=build)


def chosen(index: dict, requested_indicator: str, requested_period: str) -> tuple[Indicator, str] | None:
    """The indicator and period to show (None: no indicator has values by territory). An indicator the reader may
    not see or that does not exist is a 404; without one, a key indicator in %; a period without values: the
    latest."""
    indicators = index["indicators"]
    if not indicators:
        return None
    indicator = next((i for i in indicators if i.code == requested_indicator), None)
    if requested_indicator and indicator is None:
        raise Http404("Indicateur inconnu.")
    indicator = indicator or next((i for i in indicators if i.is_key and i.unit.strip() == "%"), indicators[0])
    periods = index["periods"].get(indicator.pk) or [""]
    period = requested_period if requested_period in periods else periods[-1]
    return indicator, period


def comparison(index: dict, indicator: Indicator, period: str) -> dict:
    """The ranking of the territories on ``indicator`` in ``period`` (with their départements and the region)."""
    rows = Observation.objects.filter(
        indicator=indicator, period=period, level__in=[Level.TERRITORY, Level.DEPARTEMENT, Level.REGION]
    ).values_list("level", "code", "value")
    values = {(level, code): value for level, code, value in rows}
    territories = list(Territory.objects.select_related("departement"))
    ranked = sorted(
        (t for t in territories if (Level.TERRITORY, t.code) in values),
        key=lambda t: values[(Level.TERRITORY, t.code)],
        reverse=True,
    )
    table = [
        {
            "rank": i + 1,
            "territory": t,
            "value": values[(Level.TERRITORY, t.code)],
            "text": format_value(values[(Level.TERRITORY, t.code)], indicator.decimals, indicator.unit),
            "departement_text": format_value(
                values.get((Level.DEPARTEMENT, t.departement.code)), indicator.decimals, indicator.unit
            ),
        }
        for i, t in enumerate(ranked)
    ]
    return {
        "indicators": index["indicators"],
        "indicator": indicator,
        "periods": index["periods"].get(indicator.pk, []),
        "period": period,
        "table": table,
        "region_text": format_value(values.get((Level.REGION, REGION_CODE)), indicator.decimals, indicator.unit),
        "missing": [t for t in territories if (Level.TERRITORY, t.code) not in values],
    }


def comparison_map(data: dict) -> str:
    indicator = data["indicator"]

    def formatter(value):
        return format_value(value, indicator.decimals, indicator.unit)

    fills, legend = choropleth(
        {row["territory"].code: float(row["value"]) for row in data["table"]} | {t.code: None for t in data["missing"]},
        formatter=formatter,
    )
    title = f"{indicator.label} ({data['period']}) par territoire EFOP"
    if indicator.is_demo:
        title += f" ({DEMO_LABEL})"
    return region_map_svg(fills=fills, legend=legend, title=title)


def comparison_body(audience: str, requested_indicator: str = "", requested_period: str = "") -> str:
    """The HTML of the comparison page's content for a reader class and what they asked for (404: see ``chosen``)."""
    index = comparison_index(audience)
    choice = chosen(index, requested_indicator, requested_period)
    indicator, period = choice if choice else (None, "")

    def build():
        data = comparison(index, indicator, period) if indicator else None
        return render_to_string(
            "reperes/_compare_body.html",
            {"data": data, "demo_label": DEMO_LABEL, "map_svg": comparison_map(data) if data else ""},
        )

    return versions.cached_html(
        "reperes:compare-body", apps=APPS, vary=(audience, indicator.code if indicator else "", period), build=build
    )
