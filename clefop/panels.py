"""Panels: what clefop adds to a territory page, and the hook other apps use to add sections to a
body's home page.

A body panel: ``<app>/panels.py: body_panels(request, body) -> [{"template", "context", "order"}]``
(the template receives ``panel`` = the context), e.g. roadmaps shows the Clefop's roadmap there.
"""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from srefop_portal.common import versions
from srefop_portal.common.hooks import implementations

from .models import Body, BodyKind, Membership, Position


def collect_body_panels(request, body) -> list[dict]:
    panels = []
    for _config, body_panels in implementations("panels.body_panels"):
        panels.extend(body_panels(request, body))
    return sorted(panels, key=lambda panel: panel.get("order", 100))


def territory_clefop(territory) -> dict:
    """The territory's Clefop and the presentation of its co-chairs (public), cached until the bodies, memberships
    or people change (and at midnight: memberships start and end on a date)."""

    def build():
        body = Body.objects.filter(kind=BodyKind.CLEFOP, territory=territory).select_related("territory").first()
        if body is None:
            return {"body": None}
        cochairs = list(
            Membership.objects.active()
            .filter(body=body, position=Position.COCHAIR)
            .select_related("user", "organisation")
            .order_by("user__last_name")
        )
        summary = render_to_string("clefop/panels/_territory_clefop_summary.html", {"body": body, "cochairs": cochairs})
        return {"body": body, "summary": summary}

    return versions.cached(
        "clefop:territory-clefop",
        apps=("clefop", "accounts", "territories"),
        vary=(territory.pk, timezone.localdate().isoformat()),
        build=build,
    )


def territory_panels(request, territory) -> list[dict]:
    clefop = territory_clefop(territory)
    body = clefop["body"]
    if body is None:
        return []
    # Who may open the workspace is decided here, for this user, outside the cached part.
    can_read = request.user.is_authenticated and request.user.has_perm("clefop.view_body", body)
    return [
        {
            "template": "clefop/panels/territory_clefop.html",
            "context": {"body": body, "summary": mark_safe(clefop["summary"]), "can_read": can_read},
            "order": 10,
        }
    ]
