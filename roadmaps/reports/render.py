"""Print templates → PDF (srefop_portal.common.pdf: PDF/UA-1, language fr, title and author metadata)."""

from __future__ import annotations

import re

from django.utils import timezone

from srefop_portal.common.charts import hbar_chart
from srefop_portal.common.pdf import render_pdf
from territories.maps import region_map_svg, territory_map_svg
from territories.models import Territory

from ..models import ActionStatus, Roadmap, RoadmapStatus

AUTHOR = "Portail Srefop — Carif-Oref des Pays de la Loire"
DEMO_LABEL = "Données de démonstration"
_LINK = re.compile(r"</?a\b[^>]*>")
# Progress classes of the regional map (DSFR blue scale, darker = further along).
PROGRESS_CLASSES = [
    (0, 25, "#e3e3fd", "moins de 25 %"),
    (25, 50, "#a6a6f4", "de 25 à 49 %"),
    (50, 75, "#6a6af4", "de 50 à 74 %"),
    (75, 101, "#000091", "75 % et plus"),
]
NO_ROADMAP_FILL = "#ffffff"


def report_title(data: dict) -> str:
    return f"Rapport d’avancement — {data['territory']['name']} — {data['today']:%d/%m/%Y}"


def report_filename(data: dict) -> str:
    return f"rapport-avancement-{data['territory']['code'].lower()}-{data['today']:%Y-%m-%d}.pdf"


def status_chart(data: dict) -> str:
    statuses = data["summary"]["by_status"]
    return hbar_chart(
        title="Actions par statut",
        desc=f"Nombre d’actions de la feuille de route par statut, territoire {data['territory']['name']}.",
        labels=[s["label"] for s in statuses],
        values=[s["count"] for s in statuses],
        width=520,
        label_width=130,
        chart_id="graphique-statuts",
    )


def progress_css(values) -> str:
    """Widths of the progress bars (print template: classes, the values known in advance)."""
    return " ".join(f".progressbar .w{n} {{ width: {n}%; }}" for n in sorted(set(values)))


def render_territory_report(data: dict, changes: dict | None) -> bytes:
    territory = Territory.objects.get(pk=data["territory"]["id"])
    context = {
        "data": data,
        "changes": changes,
        "chart": status_chart(data) if data["summary"]["total"] else "",
        "map_svg": _LINK.sub("", territory_map_svg(territory)),
        "demo_label": DEMO_LABEL,
        "generated_at": timezone.localtime(),
        "progress_css": progress_css(a["progress"] for a in data["actions"]),
    }
    return render_pdf("pdf/roadmap_report.html", context, title=report_title(data), author=AUTHOR)


def _progress_class(value):
    if value is None:
        return None
    return next(c for c in PROGRESS_CLASSES if c[0] <= value < c[1])


def synthesis_rows(body_ids=None) -> list[dict]:
    """One row per territory: the roadmap reported on (adopted version first) with its statistics."""
    territories = list(Territory.objects.select_related("departement", "clefop").order_by("departement__code", "name"))
    roadmaps = (
        Roadmap.objects.filter(body__territory__isnull=False)
        .exclude(status=RoadmapStatus.ARCHIVED)
        .with_stats()
        .order_by("body_id", "-start_year", "-version")
    )
    chosen: dict[int, Roadmap] = {}
    for roadmap in roadmaps:
        current = chosen.get(roadmap.body_id)
        if current is None or (roadmap.status == RoadmapStatus.ADOPTED and current.status != RoadmapStatus.ADOPTED):
            chosen[roadmap.body_id] = roadmap
    rows = []
    for territory in territories:
        body = getattr(territory, "clefop", None)
        roadmap = chosen.get(body.pk) if body else None
        progress = None if roadmap is None or roadmap.progress_value is None else round(roadmap.progress_value)
        rows.append(
            {
                "code": territory.code,
                "name": territory.name,
                "departement": territory.departement.name,
                "body": body.name if body else "",
                "slug": body.slug if body else "",
                "in_bundle": bool(body and (body_ids is None or body.pk in body_ids)),
                "roadmap": roadmap.get_status_display() if roadmap else "Aucune",
                "version": roadmap.version if roadmap else None,
                "actions": roadmap.action_total if roadmap else 0,
                "done": getattr(roadmap, f"status_{ActionStatus.DONE}", 0) if roadmap else 0,
                "overdue": roadmap.overdue_total if roadmap else 0,
                "progress": progress,
                "is_demo": bool(roadmap and roadmap.is_demo),
            }
        )
    return rows


def progress_map(rows: list[dict]) -> str:
    fills, used = {}, set()
    for row in rows:
        klass = _progress_class(row["progress"])
        fills[row["code"]] = klass[2] if klass else NO_ROADMAP_FILL
        used.add(klass[3] if klass else None)
    legend = [(colour, label) for _low, _high, colour, label in PROGRESS_CLASSES if label in used]
    if None in used:
        legend.append((NO_ROADMAP_FILL, "pas de feuille de route ou pas d’action"))
    svg = region_map_svg(fills=fills, legend=legend, title="Avancement moyen des feuilles de route par territoire")
    return _LINK.sub("", svg)


def render_synthesis(body_ids=None) -> bytes:
    rows = synthesis_rows(body_ids)
    today = timezone.localdate()
    measured = [r for r in rows if r["progress"] is not None]
    context = {
        "rows": rows,
        "today": today,
        "map_svg": progress_map(rows),
        "classes": [(label, colour) for _l, _h, colour, label in PROGRESS_CLASSES],
        "totals": {
            "actions": sum(r["actions"] for r in rows),
            "done": sum(r["done"] for r in rows),
            "overdue": sum(r["overdue"] for r in rows),
            "with_roadmap": sum(1 for r in rows if r["version"]),
            "progress": round(sum(r["progress"] for r in measured) / len(measured)) if measured else None,
        },
        "has_demo": any(r["is_demo"] for r in rows),
        "demo_label": DEMO_LABEL,
    }
    title = f"Synthèse régionale des feuilles de route — Pays de la Loire — {today:%d/%m/%Y}"
    return render_pdf("pdf/roadmap_synthesis.html", context, title=title, author=AUTHOR)
