from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..importers import PlannedMember, existing_organisations, organisation_key
from ..models import Membership, Organisation
from . import ClefopError
from .member_emails import queue_import_emails


@transaction.atomic
def import_members(*, members: list[PlannedMember], by) -> dict:
    """Applies a validated plan: users, organisations and memberships, all or nothing."""
    if not members:
        raise ClefopError("Aucun membre à importer.")
    emails = {m.email for m in members}
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    new_users = []
    for member in members:
        if member.email not in users:
            user = User(email=member.email, first_name=member.first_name, last_name=member.last_name)
            user.set_unusable_password()
            users[member.email] = user
            new_users.append(user)
    User.objects.bulk_create(new_users)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in new_users]
    )
    organisations = existing_organisations()
    created_organisations = 0
    today = timezone.localdate()
    memberships = []
    for member in members:
        organisation = None
        if member.organisation_name:
            departement_id = member.departement.pk if member.departement else None
            key = organisation_key(member.organisation_name, member.organisation_kind, departement_id)
            organisation = organisations.get(key)
            if organisation is None:
                organisation = Organisation.objects.create(
                    name=member.organisation_name, kind=member.organisation_kind, departement_id=departement_id
                )
                organisations[key] = organisation
                created_organisations += 1
        if (
            Membership.objects.active()
            .filter(user=users[member.email], body=member.body, position=member.position)
            .exists()
        ):
            raise ClefopError(f"ligne {member.line} : {member.email} occupe déjà cette fonction dans {member.body}.")
        memberships.append(
            Membership(
                user=users[member.email],
                body=member.body,
                position=member.position,
                organisation=organisation,
                role_label=member.role_label,
                start_date=today,
            )
        )
    Membership.objects.bulk_create(memberships)
    # Welcome e-mails (new accounts) and « ajouté·e à l'instance » (existing ones), once this transaction commits.
    queue_import_emails(memberships=memberships, new_user_ids=[u.pk for u in new_users], by=by)
    return {"users": len(new_users), "organisations": created_organisations, "memberships": len(memberships)}


@transaction.atomic
def save_organisation(*, organisation: Organisation) -> Organisation:
    duplicate = Organisation.objects.filter(
        name__iexact=organisation.name.strip(), kind=organisation.kind, departement=organisation.departement
    ).exclude(pk=organisation.pk)
    if duplicate.exists():
        raise ClefopError("Une structure de ce nom, de ce type et de ce département existe déjà.")
    organisation.name = organisation.name.strip()
    organisation.save()
    return organisation
