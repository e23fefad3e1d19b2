"""Changing the composition of the territories. Every change is recorded, per commune."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import transaction

from srefop_portal.common.forms import DomainError

from .models import Commune, CompositionChange, CompositionStatus, Epci, Territory
from .signals import composition_changed


class CompositionError(DomainError):
    """A composition change that cannot be made (message in French for the user)."""


def _announce(territory_ids: set[int]) -> None:
    """Tell the apps that depend on the composition (figures, sheets) which territories changed."""
    if territory_ids:
        codes = sorted(Territory.objects.filter(pk__in=territory_ids).values_list("code", flat=True))
        composition_changed.send(sender=Territory, territory_codes=codes)


def _move(
    *, communes: Iterable[Commune], territory: Territory, kind: str, user, reason: str, epci=None, touched=None
) -> int:
    batch = uuid.uuid4()
    changes = []
    moved_ids = []
    for commune in communes:
        if commune.territory_id == territory.pk:
            continue
        changes.append(
            CompositionChange(
                batch=batch,
                kind=kind,
                commune=commune,
                epci=epci or commune.epci,
                from_territory_id=commune.territory_id,
                to_territory=territory,
                reason=reason,
                changed_by=user,
            )
        )
        moved_ids.append(commune.pk)
    if not moved_ids:
        return 0
    Commune.objects.filter(pk__in=moved_ids).update(territory=territory)
    CompositionChange.objects.bulk_create(changes)
    if touched is not None:
        touched.update({territory.pk, *(c.from_territory_id for c in changes if c.from_territory_id)})
    return len(moved_ids)


@transaction.atomic
def move_commune(*, commune: Commune, territory: Territory, user, reason: str = "") -> int:
    """Attach one commune to another territory."""
    commune = Commune.objects.select_for_update().get(pk=commune.pk)
    if commune.territory_id == territory.pk:
        raise CompositionError(f"La commune {commune.name} fait déjà partie du territoire {territory.name}.")
    touched: set[int] = set()
    moved = _move(
        communes=[commune],
        territory=territory,
        kind=CompositionChange.Kind.COMMUNE,
        user=user,
        reason=reason,
        touched=touched,
    )
    _announce(touched)
    return moved


@transaction.atomic
def move_epci(*, epci: Epci, territory: Territory, user, reason: str = "") -> int:
    """Attach all the region's communes of an EPCI to another territory."""
    communes = list(Commune.objects.select_for_update().filter(epci=epci))
    if not communes:
        raise CompositionError(f"L’EPCI {epci.name} n’a aucune commune dans la région.")
    if all(c.territory_id == territory.pk for c in communes):
        raise CompositionError(f"Toutes les communes de {epci.name} font déjà partie du territoire {territory.name}.")
    touched: set[int] = set()
    moved = _move(
        communes=communes,
        territory=territory,
        kind=CompositionChange.Kind.EPCI,
        user=user,
        reason=reason,
        epci=epci,
        touched=touched,
    )
    _announce(touched)
    return moved


@transaction.atomic
def apply_official_composition(
    *, assignments: dict[str, tuple[str, str]], user, source: str, create_territories: bool = False
) -> dict:
    """Apply a validated official file: commune code → (territory code, territory name).

    Creates the territories that do not exist yet (in the département of their communes) only when
    ``create_territories`` says the person confirmed it; moves every commune, and marks the composition as official.
    """
    communes = {c.code: c for c in Commune.objects.select_for_update().select_related("departement")}
    territories = {t.code: t for t in Territory.objects.all()}
    unknown = sorted({code for code, _name in assignments.values()} - set(territories))
    if unknown and not create_territories:
        raise CompositionError(
            f"le fichier crée {len(unknown)} territoire{'s' if len(unknown) > 1 else ''} "
            f"({', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''}) : confirmez la création pour l’appliquer."
        )
    created = 0
    renamed = 0
    for code, (territory_code, territory_name) in assignments.items():
        if territory_code not in territories:
            territories[territory_code] = Territory.objects.create(
                code=territory_code, name=territory_name, departement=communes[code].departement
            )
            created += 1
        elif territory_name and territories[territory_code].name != territory_name:
            territory = territories[territory_code]
            territory.name = territory_name
            territory.save(update_fields=["name"])
            renamed += 1
    by_territory: dict[str, list[Commune]] = {}
    for code, (territory_code, _name) in assignments.items():
        by_territory.setdefault(territory_code, []).append(communes[code])
    moved = 0
    touched: set[int] = set()
    for territory_code, members in by_territory.items():
        moved += _move(
            communes=members,
            territory=territories[territory_code],
            kind=CompositionChange.Kind.IMPORT,
            user=user,
            reason=f"Import du fichier officiel {source}",
            touched=touched,
        )
    _announce(touched)
    status = CompositionStatus.current()
    status.is_official = True
    status.source = f"Fichier officiel « {source} »"
    status.updated_by = user
    status.save()
    return {"moved": moved, "created": created, "renamed": renamed, "communes": len(assignments)}
