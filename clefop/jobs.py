"""Background jobs of the clefop app: applying a large members file or a large dispositifs file, checked first
(``srefop_portal.common.imports``). The views apply small files inline with the same functions."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from srefop_portal.common.imports import register_stashed_import
from srefop_portal.common.jobs import JobContext, Link

from .importers import validate_members_file
from .offer_importers import validate_dispositifs_file
from .services import ClefopError


def apply_member_import(result, *, by) -> str:
    from .services.directory import import_members

    summary = import_members(members=result.members, by=by)
    return (
        f"Import terminé : {summary['memberships']} appartenance(s), {summary['users']} compte(s) et "
        f"{summary['organisations']} structure(s) créés."
    )


def apply_dispositif_import(result, *, by) -> str:
    from .services import offer

    counts = offer.import_dispositifs(rows=result.rows, by=by)
    return (
        f"Import terminé : {counts['created']} dispositif(s) créé(s), {counts['updated']} mis à jour, "
        f"{counts['organisations']} structure(s) créée(s)."
    )


def _requester(job):
    return get_user_model().objects.filter(pk=job.requester_id).first()


@register_stashed_import(
    "clefop.import_members",
    label="Import de membres",
    checker=validate_members_file,
    apply_errors=(ClefopError,),
    context=lambda job: JobContext(links=[Link("Annuaire", reverse("clefop:directory"))]),
)
def import_members_job(result, *, job, progress) -> str:
    return apply_member_import(result, by=_requester(job))


@register_stashed_import(
    "clefop.import_dispositifs",
    label="Import de dispositifs",
    checker=validate_dispositifs_file,
    apply_errors=(ClefopError,),
    context=lambda job: JobContext(links=[Link("Offre de services", reverse("clefop:dispositif_list"))]),
)
def import_dispositifs_job(result, *, job, progress) -> str:
    return apply_dispositif_import(result, by=_requester(job))
