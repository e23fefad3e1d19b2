"""The 24 standing bodies: 1 Crefop, 5 Cdefop (one per département), 18 Clefop (one per territory)."""

from django.db import transaction
from django.utils.text import slugify

from territories.models import Departement, Territory

from .models import Body, BodyKind


@transaction.atomic
def load_reference() -> str:
    created = 0
    _, was_created = Body.objects.get_or_create(
        kind=BodyKind.CREFOP,
        defaults={
            "name": "Crefop des Pays de la Loire",
            "slug": "crefop",
            "description": "Comité régional de l’emploi, de la formation et de l’orientation professionnelles, "
            "co-présidé par le préfet de région et la présidente du Conseil régional.",
        },
    )
    created += was_created
    for departement in Departement.objects.all():
        _, was_created = Body.objects.get_or_create(
            kind=BodyKind.CDEFOP,
            departement=departement,
            defaults={
                "name": f"Cdefop {departement.name}",
                "slug": f"cdefop-{departement.code}",
                "description": "Comité départemental, co-présidé par le préfet de département et la Région ; "
                "il suit les Clefop du département.",
            },
        )
        created += was_created
    for territory in Territory.objects.select_related("departement"):
        body = Body.objects.filter(kind=BodyKind.CLEFOP, territory=territory).first()
        if body is None:
            Body.objects.create(
                kind=BodyKind.CLEFOP,
                territory=territory,
                departement=territory.departement,
                name=f"Clefop {territory.name}",
                slug=f"clefop-{slugify(territory.code)}",
                description="Comité local, co-présidé par le sous-préfet et un conseiller régional ; "
                "il pilote la feuille de route du territoire.",
            )
            created += 1
    total = Body.objects.standing().count()
    return f"{total} instances permanentes ({created} créées)"
