"""Sections added to other apps' pages: the Clefop workspace (body_panels) and the territory page (territory_panels)."""

from django.db.models import Avg, Count, Q
from django.template.loader import render_to_string

from clefop.models import BodyKind
from srefop_portal.common import versions

from .models import ActionStatus, Roadmap, RoadmapStatus


def body_panels(request, body):
    """The Clefop's current roadmap (latest non-archived version), for readers of the body."""
    if body.kind != BodyKind.CLEFOP or not request.user.has_perm("roadmaps.view_roadmap", body):
        return []
    roadmaps = list(
        Roadmap.objects.filter(body=body)
        .exclude(status=RoadmapStatus.ARCHIVED)
        .with_stats()
        .order_by("-start_year", "-version")[:2]
    )
    return [
        {
            "template": "roadmaps/panels/body_roadmap.html",
            "context": {
                "body": body,
                "roadmap": roadmaps[0] if roadmaps else None,
                "published": next((r for r in roadmaps if r.status == RoadmapStatus.ADOPTED), None),
                "can_create": request.user.has_perm("roadmaps.create_roadmap", body),
                "can_report": request.user.has_perm("roadmaps.download_report", body),
            },
            "order": 10,
        }
    ]


def territory_panels(request, territory):
    """The adopted roadmap of the territory's Clefop (public; restricted actions left out): the same for every
    reader, rendered once and cached until the roadmaps, the bodies or the territories change."""

    def build():
        public = Q(actions__restricted=False)
        roadmap = (
            Roadmap.objects.published()
            .filter(body__territory=territory)
            .select_related("body")
            .annotate(
                action_total=Count("actions", filter=public, distinct=True),
                progress_value=Avg("actions__progress", filter=public & ~Q(actions__status=ActionStatus.ABANDONED)),
                done_total=Count("actions", filter=public & Q(actions__status=ActionStatus.DONE), distinct=True),
            )
            .order_by("-start_year", "-version")
            .first()
        )
        return render_to_string(
            "roadmaps/panels/territory_roadmap.html", {"panel": {"roadmap": roadmap, "territory": territory}}
        )

    html = versions.cached_html(
        "roadmaps:territory-roadmap", apps=("roadmaps", "clefop", "territories"), vary=(territory.pk,), build=build
    )
    return [{"html": html, "order": 20}]
