"""Panels: what clefop adds to a territory page, and the hook other apps use to add sections to a
body's home page.

A body panel: ``<app>/panels.py: body_panels(request, body) -> [{"template", "context", "order"}]``
(the template receives ``panel`` = the context), e.g. roadmaps shows the Clefop's roadmap there.
"""

from srefop_portal.common.plugins import app_modules

from .models import Body, BodyKind, Membership, Position


def collect_body_panels(request, body) -> list[dict]:
    panels = []
    for _config, module in app_modules("panels"):
        if hasattr(module, "body_panels"):
            panels.extend(module.body_panels(request, body))
    return sorted(panels, key=lambda panel: panel.get("order", 100))


def territory_panels(request, territory) -> list[dict]:
    body = Body.objects.filter(kind=BodyKind.CLEFOP, territory=territory).first()
    if body is None:
        return []
    cochairs = list(
        Membership.objects.active()
        .filter(body=body, position=Position.COCHAIR)
        .select_related("user", "organisation")
        .order_by("user__last_name")
    )
    can_read = request.user.is_authenticated and request.user.has_perm("clefop.view_body", body)
    return [
        {
            "template": "clefop/panels/territory_clefop.html",
            "context": {"body": body, "cochairs": cochairs, "can_read": can_read},
            "order": 10,
        }
    ]


_governance_territory_panels = territory_panels


def territory_panels(request, territory) -> list[dict]:  # noqa: F811 — adds the offre de services panel
    from .offer_panels import dispositif_panels

    return _governance_territory_panels(request, territory) + dispositif_panels(request, territory)
