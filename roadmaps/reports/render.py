"""Print templates → PDF (srefop_portal.common.pdf: PDF/UA-1, language fr, title and author metadata)."""

from __future__ import annotations

import re

from django.utils import timezone

from srefop_portal.common import pdf
from srefop_portal.common.charts import hbar_chart
from srefop_portal.common.pdf import html_to_pdf, render_html, render_pdf
from territories.maps import region_map_svg, territory_map_svg
from territories.models import Territory

from ..models import ActionStatus, Roadmap, RoadmapStatus

AUTHOR = "Portail Srefop — Carif-Oref des Pays de la Loire"
DEMO_LABEL = "Données de démonstration"
REPORT_STYLESHEET = "pdf/roadmap_report.css"
SYNTHESIS_STYLESHEET = "pdf/roadmap_synthesis.css"
_LINK = re.compile(r"</?a\b[^>]*>")
# Progress classes of the regional map (DSFR blue scale, darker = further along).
PROGRESS_CLASSES = [
    (0, 25, "#e3e3fd", "moins de 25 %"),
    (25, 50, "#a6a6f4", "de 25 à 49 %"),
    (50, 75, "#6a6af4", "de 50 à 74 %"),
    (75, 101, "#000091", "75 % et plus"),
]
NO_ROADMAP_FILL = "#ffffff"
NO_PROGRESS_LABEL = "pas de feuille de route ou pas d’action"


def report_title(data: dict) -> str:
    return f"Rapport d’avancement — {data['territory']['name']} — {data['today']:%d/%m/%Y}"


def report_filename(data: dict) -> str:
    return f"rapport-avancement-{data['territory']['code'].lower()}-{data['today']:%Y-%m-%d}.pdf"


def css_text(text: str) -> str:
    """A text placed in a CSS string (running header and footer): no quote, backslash or line break."""
    return " ".join(str(text).replace('"', "’").replace("\\", " ").replace("<", " ").split())


def status_chart(data: dict) -> str:
    statuses = data["summary"]["by_status"]
    return hbar_chart(
        title="Actions par statut",
        desc=f"Nombre d’actions de la feuille de route par statut, territoire {data['territory']['name']}.",
        labels=[s["label"] for s in statuses],
        values=[s["count"] for s in statuses],
        width=420,
        label_width=110,
        chart_id="graphique-statuts",
    )


def territory_map(data: dict) -> str:
    """The territory's map by EPCI (cached by territories.maps), without links (a PDF has no portal pages)."""
    territory = data["territory"]
    instance = Territory(pk=territory["id"], code=territory["code"], name=territory["name"])
    return _LINK.sub("", territory_map_svg(instance))


def territory_report_html(data: dict, changes: dict | None) -> str:
    """The print template rendered (what WeasyPrint lays out): the report's HTML."""
    context = {
        "data": data,
        "changes": changes,
        "chart": status_chart(data) if data["summary"]["total"] else "",
        "map_svg": territory_map(data),
        "demo_label": DEMO_LABEL,
        "generated_at": timezone.localtime(),
        "running_title": css_text(f"Rapport d’avancement — {data['territory']['name']}"),
        "running_footer": css_text(
            f"Rapport d’avancement {data['territory']['name']} au {data['today']:%d/%m/%Y}"
            + (" — démonstration" if data["has_demo"] else "")
        ),
    }
    return render_html("pdf/roadmap_report.html", context, title=report_title(data), author=AUTHOR)


def render_territory_report(data: dict, changes: dict | None) -> bytes:
    return html_to_pdf(territory_report_html(data, changes), stylesheets=[REPORT_STYLESHEET])


def warm_up() -> None:
    """Parse the report style sheets and load the fonts (worker process start-up)."""
    pdf.warm_up([REPORT_STYLESHEET])
    pdf.stylesheet(SYNTHESIS_STYLESHEET)


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
        legend.append((NO_ROADMAP_FILL, NO_PROGRESS_LABEL))
    svg = region_map_svg(fills=fills, legend=legend, title="Avancement moyen des feuilles de route par territoire")
    return _LINK.sub("", svg)


def map_classes(rows: list[dict]) -> list[dict]:
    """The map's facts as text: the territories of each progress class (only the classes in use)."""
    groups: dict[str, list[str]] = {}
    for row in rows:
        klass = _progress_class(row["progress"])
        groups.setdefault(klass[3] if klass else NO_PROGRESS_LABEL, []).append(row["name"])
    order = [label for *_rest, label in PROGRESS_CLASSES] + [NO_PROGRESS_LABEL]
    return [{"label": label, "territories": groups[label]} for label in order if label in groups]


def render_synthesis(body_ids=None) -> bytes:
    rows = synthesis_rows(body_ids)
    today = timezone.localdate()
    measured = [r for r in rows if r["progress"] is not None]
    context = {
        "rows": rows,
        "today": today,
        "map_svg": progress_map(rows),
        "classes": map_classes(rows),
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
    context["running_footer"] = css_text(
        f"Synthèse régionale au {today:%d/%m/%Y}" + (" — démonstration" if context["has_demo"] else "")
    )
    title = f"Synthèse régionale des feuilles de route — Pays de la Loire — {today:%d/%m/%Y}"
    return render_pdf(
        "pdf/roadmap_synthesis.html", context, title=title, author=AUTHOR, stylesheets=[SYNTHESIS_STYLESHEET]
    )
