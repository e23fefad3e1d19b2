from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from srefop_portal.common.second_factor import has_staff_powers

from ..models import Body, BodyKind, Membership, Position
from . import ClefopError

logger = logging.getLogger(__name__)


def _yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


@transaction.atomic
def end_membership(*, membership: Membership, by) -> Membership:
    """Ends a membership as of yesterday: it leaves the perimeter at once and stays in the history."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        raise ClefopError("Cette appartenance est déjà terminée.")
    membership.end_date = _yesterday()
    membership.ended_by = by
    membership.save(update_fields=["end_date", "ended_by"])
    logger.info("membership %s ended by %s", membership.pk, getattr(by, "pk", None))
    return membership


@transaction.atomic
def leave_body(*, user, body: Body) -> int:
    memberships = list(Membership.objects.active().filter(user=user, body=body).select_for_update())
    if not memberships:
        raise ClefopError("Vous n’êtes pas membre de cette instance.")
    for membership in memberships:
        membership.end_date = _yesterday()
        membership.ended_by = user
        membership.save(update_fields=["end_date", "ended_by"])
    return len(memberships)


@transaction.atomic
def add_membership(*, user, body: Body, position: str, organisation=None, role_label: str = "") -> Membership:
    if position not in Position.values:
        raise ClefopError("Fonction inconnue.")
    existing = Membership.objects.active().filter(user=user, body=body, position=position).first()
    if existing is not None:
        raise ClefopError(f"{user} est déjà {existing.get_position_display().lower()} de {body}.")
    return Membership.objects.create(
        user=user,
        body=body,
        position=position,
        organisation=organisation,
        role_label=role_label,
        start_date=timezone.localdate(),
    )


def unique_slug(base: str) -> str:
    base = slugify(base)[:70] or "instance"
    slug, counter = base, 2
    while Body.objects.filter(slug=slug).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


@transaction.atomic
def create_working_group(*, parent: Body, name: str, description: str = "", by=None) -> Body:
    name = (name or "").strip()
    if not name:
        raise ClefopError("Donnez un nom au groupe de travail.")
    if parent.kind == BodyKind.WORKING_GROUP:
        raise ClefopError("Un groupe de travail ne peut pas contenir d’autre groupe de travail.")
    if parent.working_groups.filter(name__iexact=name).exists():
        raise ClefopError(f"Un groupe de travail « {name} » existe déjà dans cette instance.")
    group = Body.objects.create(
        kind=BodyKind.WORKING_GROUP,
        name=name,
        slug=unique_slug(f"{parent.slug}-{name}"),
        parent=parent,
        departement_id=parent.effective_departement_id,
        description=description,
    )
    if by is not None and by.is_authenticated and not has_staff_powers(by):
        # The animateur who creates a group runs it.
        Membership.objects.create(user=by, body=group, position=Position.ANIMATEUR, start_date=timezone.localdate())
    return group
