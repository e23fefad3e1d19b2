"""The territory panel of the offre de services: the dispositifs available in the territory."""

from django.db.models import Count

from .models import Dispositif, DispositifLevel


def dispositif_panels(request, territory) -> list[dict]:
    available = Dispositif.objects.for_user(request.user).available_in(territory)
    levels = dict(DispositifLevel.choices)
    counts = dict(available.order_by().values_list("level").annotate(n=Count("pk")))
    by_level = [(levels[value], counts[value]) for value in DispositifLevel.values if counts.get(value)]
    local = list(
        Dispositif.objects.for_user(request.user)
        .filter(territories=territory)
        .select_related("carrier")
        .order_by("name")[:10]
    )
    return [
        {
            "template": "clefop/panels/territory_dispositifs.html",
            "context": {"territory": territory, "total": sum(counts.values()), "by_level": by_level, "local": local},
            "order": 40,
        }
    ]
