"""Building the « fiche repères » of a territory into a stored snapshot (figures, series, SVG charts, map data).

A sheet exists per territory and audience (public indicators only, or members' indicators too). Pages, panels,
downloads and the PDF read the snapshot only: serving a sheet costs a constant number of queries whatever the
amount of data. Building runs in a background job after every change of the data.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from srefop_portal.common.charts import bar_chart, fr_number, hbar_chart, line_chart, pyramid_chart
from srefop_portal.common.maps import MapArea, choropleth, load_commune_geometries, render_map
from territories.models import Commune, Territory

from .models import ChartKind, Indicator, Level, Observation, Rule, Sheet

REGION_CODE = "52"
REGION_NAME = "Pays de la Loire"
DEMO_LABEL = "données de démonstration"


def is_rate(indicator) -> bool:
    return indicator.unit.strip() == "%" or indicator.rule in (Rule.RATIO, Rule.WEIGHTED_MEAN)


def format_value(value, decimals: int, unit: str = "") -> str:
    if value is None:
        return "–"
    text = fr_number(value, decimals)
    if unit.strip() in ("%", "€"):
        text += "\u00a0" + unit.strip()
    return text


def _signed(text: str, value: float) -> str:
    return ("+" if value > 0 else "") + text


def evolution(indicator, old, new) -> dict | None:
    if old is None or new is None:
        return None
    old, new = float(old), float(new)
    if is_rate(indicator):
        diff = new - old
        return {"value": diff, "text": _signed(fr_number(diff, max(indicator.decimals, 1)), diff) + "\u00a0pt"}
    if old == 0:
        return None
    pct = (new - old) / abs(old) * 100
    return {"value": pct, "text": _signed(fr_number(pct, 1), pct) + "\u00a0%"}


def five_years_before(period: str) -> str:
    return f"{int(period[:4]) - 5}{period[4:]}"


def _series(rows):
    """rows of (indicator_id, code, period, value) → {indicator_id: {code: {period: value}}}."""
    data: dict[int, dict[str, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for indicator_id, code, period, value in rows:
        data[indicator_id][code][period] = value
    return data


def _source(indicator) -> dict:
    return {
        "producer": indicator.source_producer,
        "dataset": indicator.source_dataset,
        "licence": indicator.source_licence,
        "vintage": indicator.source_vintage,
        "url": indicator.source_url,
    }


def build_snapshot(territory: Territory, audience: str) -> dict:
    indicators = list(Indicator.objects.for_audience(audience).order_by("order", "label"))
    by_id = {i.pk: i for i in indicators}
    ids = list(by_id)
    dep_code = territory.departement.code
    upper = Observation.objects.filter(indicator_id__in=ids).values_list("indicator_id", "code", "period", "value")
    territories = _series(upper.filter(level=Level.TERRITORY))
    departement = _series(upper.filter(level=Level.DEPARTEMENT, code=dep_code))
    region = _series(upper.filter(level=Level.REGION, code=REGION_CODE))
    communes = list(Commune.objects.filter(territory=territory).order_by("name").values_list("code", "name"))
    commune_rows = _series(upper.filter(level=Level.COMMUNE, code__in=[c for c, _n in communes]))
    territory_count = Territory.objects.count()

    figures, series = [], {}
    for indicator in indicators:
        own = territories[indicator.pk].get(territory.code, {})
        if not own:
            continue
        periods = sorted(own)
        last = periods[-1]
        value = own[last]
        previous = periods[-2] if len(periods) > 1 else None
        five = five_years_before(last)
        dep_series = departement[indicator.pk].get(dep_code, {})
        reg_series = region[indicator.pk].get(REGION_CODE, {})
        ranking = sorted(((v[last], code) for code, v in territories[indicator.pk].items() if last in v), reverse=True)
        rank = next((i + 1 for i, (_v, code) in enumerate(ranking) if code == territory.code), None)
        decimals, unit = indicator.decimals, indicator.unit
        figures.append(
            {
                "code": indicator.code,
                "label": indicator.label,
                "short_label": indicator.display_short_label,
                "theme": indicator.get_theme_display(),
                "unit": unit,
                "is_demo": indicator.is_demo,
                "is_key": indicator.is_key,
                "is_public": indicator.is_public,
                "period": last,
                "value": float(value),
                "value_text": format_value(value, decimals, unit),
                "previous_period": previous or "",
                "previous_evolution": evolution(indicator, own.get(previous), value) if previous else None,
                "five_period": five if five in own else "",
                "five_evolution": evolution(indicator, own.get(five), value),
                "departement_text": format_value(dep_series.get(last), decimals, unit),
                "region_text": format_value(reg_series.get(last), decimals, unit),
                "rank": rank,
                "rank_of": len(ranking),
                "source": _source(indicator),
                "method": indicator.method,
            }
        )
        series[indicator.code] = {
            "label": indicator.label,
            "unit": unit,
            "decimals": decimals,
            "is_demo": indicator.is_demo,
            "periods": periods,
            "territory": [float(own[p]) for p in periods],
            "departement": [_float(dep_series.get(p)) for p in periods],
            "region": [_float(reg_series.get(p)) for p in periods],
        }

    charts = _charts(territory, indicators, series, territories)
    map_data = _map_data(indicators, commune_rows, communes, figures)
    sources = _sources(indicators, series)
    snapshot = {
        "territory": {
            "code": territory.code,
            "name": territory.name,
            "departement": territory.departement.name,
            "departement_code": dep_code,
            "region": REGION_NAME,
            "count": territory_count,
        },
        "audience": audience,
        "figures": figures,
        "key_figures": [f for f in figures if f["is_key"]][:8],
        "series": series,
        "charts": charts,
        "map": map_data,
        "sources": sources,
        "has_demo": any(f["is_demo"] for f in figures),
    }
    return snapshot


def _float(value):
    return None if value is None else float(value)


def _charts(territory, indicators, series, territories) -> list[dict]:
    charts = []
    slug = territory.code.lower()
    for indicator in indicators:
        if indicator.chart != ChartKind.EVOLUTION or indicator.code not in series:
            continue
        data = series[indicator.code]
        if len(data["periods"]) < 2:
            continue
        periods = data["periods"]
        decimals = indicator.decimals
        title = f"{indicator.label} — évolution ({periods[0]}-{periods[-1]})"
        if is_rate(indicator):
            svg = line_chart(
                title=title,
                desc=f"Courbes de {indicator.label.lower()} pour le territoire {territory.name}, "
                f"le département {territory.departement.name} et la région.",
                labels=periods,
                series=[
                    (territory.name, data["territory"]),
                    (territory.departement.name, data["departement"]),
                    (REGION_NAME, data["region"]),
                ],
                decimals=decimals,
                chart_id=f"graphique-{slug}-{indicator.code}",
            )
            headers = ["Période", territory.name, territory.departement.name, REGION_NAME]
            rows = [
                [
                    p,
                    format_value(t, decimals, indicator.unit),
                    format_value(d, decimals, indicator.unit),
                    format_value(r, decimals, indicator.unit),
                ]
                for p, t, d, r in zip(periods, data["territory"], data["departement"], data["region"], strict=True)
            ]
        else:
            svg = bar_chart(
                title=title,
                desc=f"Barres de {indicator.label.lower()} pour le territoire {territory.name}, par période.",
                labels=periods,
                values=data["territory"],
                decimals=decimals,
                chart_id=f"graphique-{slug}-{indicator.code}",
            )
            headers = ["Période", f"{territory.name}" + (f" ({indicator.unit})" if indicator.unit else "")]
            rows = [
                [p, format_value(t, decimals, indicator.unit)] for p, t in zip(periods, data["territory"], strict=True)
            ]
        charts.append(
            {
                "id": f"{slug}-{indicator.code}",
                "title": title,
                "svg": svg,
                "is_demo": indicator.is_demo,
                "table": {"caption": f"Données du graphique : {title}", "headers": headers, "rows": rows},
            }
        )
    # Breakdowns: indicators sharing a chart group, at their latest common period.
    groups: dict[str, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        if indicator.chart == ChartKind.BREAKDOWN and indicator.code in series:
            groups[indicator.chart_group or indicator.get_theme_display()].append(indicator)
    for name, members in groups.items():
        common = set.intersection(*(set(series[i.code]["periods"]) for i in members))
        if not common:
            continue
        period = max(common)
        values = [series[i.code]["territory"][series[i.code]["periods"].index(period)] for i in members]
        total = sum(values) or 1
        decimals = members[0].decimals
        title = f"{name} ({period})"
        charts.append(
            {
                "id": f"{slug}-groupe-{len(charts)}",
                "title": title,
                "svg": hbar_chart(
                    title=title,
                    desc=f"Barres horizontales : {name.lower()} dans le territoire {territory.name} en {period}.",
                    labels=[i.display_short_label for i in members],
                    values=values,
                    decimals=decimals,
                    chart_id=f"graphique-{slug}-groupe-{len(charts)}",
                ),
                "is_demo": any(i.is_demo for i in members),
                "table": {
                    "caption": f"Données du graphique : {title}",
                    "headers": ["Catégorie", "Valeur", "Part"],
                    "rows": [
                        [
                            i.display_short_label,
                            format_value(v, decimals, i.unit),
                            fr_number(v / total * 100, 1) + "\u00a0%",
                        ]
                        for i, v in zip(members, values, strict=True)
                    ],
                },
            }
        )
    # Age pyramid, where age data exists.
    men = [i for i in indicators if i.chart == ChartKind.PYRAMID_MEN and i.code in series]
    women = [i for i in indicators if i.chart == ChartKind.PYRAMID_WOMEN and i.code in series]
    if men and len(men) == len(women):
        common = set.intersection(*(set(series[i.code]["periods"]) for i in men + women))
        if common:
            period = max(common)

            def at(indicator):
                return series[indicator.code]["territory"][series[indicator.code]["periods"].index(period)]

            bands = [i.display_short_label for i in men]
            title = f"Pyramide des âges ({period})"
            charts.append(
                {
                    "id": f"{slug}-pyramide",
                    "title": title,
                    "svg": pyramid_chart(
                        title=title,
                        desc=f"Population du territoire {territory.name} par tranche d’âge, hommes à gauche, "
                        "femmes à droite.",
                        bands=bands,
                        left_values=[at(i) for i in men],
                        right_values=[at(i) for i in women],
                        chart_id=f"graphique-{slug}-pyramide",
                    ),
                    "is_demo": any(i.is_demo for i in men + women),
                    "table": {
                        "caption": f"Données du graphique : {title}",
                        "headers": ["Tranche d’âge", "Hommes", "Femmes"],
                        "rows": [
                            [band, fr_number(at(m)), fr_number(at(w))]
                            for band, m, w in zip(bands, men, women, strict=True)
                        ],
                    },
                }
            )
    return charts


def _map_data(indicators, commune_rows, communes, figures) -> dict:
    choices, values = [], {}
    for indicator in indicators:
        rows = commune_rows[indicator.pk]
        if not rows:
            continue
        last = max(p for by_period in rows.values() for p in by_period)
        values[indicator.code] = {code: float(by_period[last]) for code, by_period in rows.items() if last in by_period}
        choices.append(
            {
                "code": indicator.code,
                "label": indicator.label,
                "period": last,
                "unit": indicator.unit,
                "decimals": indicator.decimals,
                "is_demo": indicator.is_demo,
            }
        )
    key_codes = [f["code"] for f in figures if f["is_key"]]
    rates = [c["code"] for c in choices if c["code"] in key_codes and c["unit"].strip() == "%"]
    default = (rates or [c["code"] for c in choices if c["code"] in key_codes] or [c["code"] for c in choices] or [""])[
        0
    ]
    return {"default": default, "choices": choices, "values": values, "communes": communes}


def _sources(indicators, series) -> list[dict]:
    grouped: dict[tuple, dict] = {}
    for indicator in indicators:
        if indicator.code not in series:
            continue
        key = (indicator.source_producer, indicator.source_dataset, indicator.source_vintage)
        entry = grouped.setdefault(key, {**_source(indicator), "indicators": [], "is_demo": indicator.is_demo})
        entry["indicators"].append(indicator.label)
    return list(grouped.values())


def map_choice(snapshot: dict, code: str | None = None) -> dict | None:
    """The indicator mapped (``code`` if the snapshot has it, else the default) with the list of commune values."""
    data = snapshot.get("map") or {}
    code = code if code in data.get("values", {}) else data.get("default")
    choice = next((c for c in data.get("choices", []) if c["code"] == code), None)
    if not choice:
        return None
    values = data["values"][code]
    decimals, unit = choice["decimals"], choice["unit"]
    territory = snapshot["territory"]
    title = f"{choice['label']} ({choice['period']}) par commune — {territory['name']}"
    if choice["is_demo"]:
        title += f" ({DEMO_LABEL})"
    rows = [(name, format_value(values.get(c), decimals, unit)) for c, name in data["communes"]]
    return {**choice, "title": title, "rows": rows, "values": values}


def render_sheet_map(snapshot: dict, code: str | None = None, *, width: int = 600) -> tuple[str, dict | None]:
    """Choropleth of the territory's communes for one indicator of the snapshot (no query)."""
    choice = map_choice(snapshot, code)
    if not choice:
        return "", None
    values = choice["values"]
    communes = snapshot["map"]["communes"]

    def formatter(value):
        return format_value(value, choice["decimals"], choice["unit"])

    fills, legend = choropleth({c: values.get(c) for c, _name in communes}, formatter=formatter)
    areas = [
        MapArea(key=c, label=name, commune_codes=[c], fill=fills.get(c), description=formatter(values.get(c)))
        for c, name in communes
    ]
    territory_code = snapshot["territory"]["code"].lower()
    svg = render_map(areas, title=choice["title"], legend=legend, width=width, map_id=f"carte-reperes-{territory_code}")
    return svg, choice


def fingerprint(snapshot: dict) -> str:
    payload = {k: snapshot.get(k) for k in ("territory", "audience", "figures", "series", "map", "sources")}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def build_sheet(territory: Territory, audience: str) -> Sheet:
    snapshot = build_snapshot(territory, audience)
    map_svg, _choice = render_sheet_map(snapshot)
    sheet, _created = Sheet.objects.update_or_create(
        territory=territory,
        audience=audience,
        defaults={
            "snapshot": snapshot,
            "map_svg": map_svg,
            "built_at": timezone.now(),
            "stale": False,
            "fingerprint": fingerprint(snapshot),
        },
    )
    return sheet


def build_sheets(*, territory_codes=None, audiences=None, only_stale: bool = False, progress=None) -> dict:
    territories = list(Territory.objects.select_related("departement").order_by("code"))
    if territory_codes:
        territories = [t for t in territories if t.code in territory_codes]
    audiences = audiences or list(Sheet.Audience.values)
    stale = set()
    if only_stale:
        stale = set(Sheet.objects.filter(stale=True).values_list("territory_id", "audience"))
    todo = [(t, a) for t in territories for a in audiences if not only_stale or (t.pk, a) in stale]
    if len(todo) > 2:
        # One read of the region's outlines (cached in process) instead of one per territory.
        load_commune_geometries(Commune.objects.values_list("code", flat=True))
    for position, (territory, audience) in enumerate(todo, start=1):
        build_sheet(territory, audience)
        if progress:
            progress(int(100 * position / max(len(todo), 1)) - 1, f"Fiche {territory.name} construite")
    return {"message": f"{len(todo)} fiche(s) repères construite(s).", "count": len(todo)}
