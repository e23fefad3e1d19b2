"""Background jobs of the clefop app: applying a large members file, checked first (``srefop_portal.common.imports``).
The view applies small files inline with the same function."""

from django.urls import reverse

from srefop_portal.common.imports import register_stashed_import
from srefop_portal.common.jobs import JobContext, Link
from srefop_portal.common.wording import count

from .importers import validate_members_file
from .services import ClefopError


def apply_member_import(result, *, by) -> str:
    from .services.directory import import_members

    summary = import_members(members=result.members, by=by)
    return (
        f"Import terminé : {count(summary['memberships'], 'appartenance créée', 'appartenances créées')}, "
        f"{count(summary['users'], 'compte créé', 'comptes créés')} et "
        f"{count(summary['organisations'], 'structure créée', 'structures créées')}."
    )


@register_stashed_import(
    "clefop.import_members",
    label="Import de membres",
    checker=validate_members_file,
    apply_errors=(ClefopError,),
    context=lambda job: JobContext(links=[Link("Annuaire", reverse("clefop:directory"))]),
)
def import_members_job(result, *, job, progress) -> str:
    return apply_member_import(result, by=job.requester)
