"""Background jobs of the offer app: applying a large dispositifs file, checked first
(``srefop_portal.common.imports``). The view applies small files inline with the same function."""

from django.urls import reverse

from clefop.services import ClefopError
from srefop_portal.common.imports import register_stashed_import
from srefop_portal.common.jobs import JobContext, Link
from srefop_portal.common.wording import count

from .importers import validate_dispositifs_file


def apply_dispositif_import(result, *, by) -> str:
    from . import services

    counts = services.import_dispositifs(rows=result.rows, by=by)
    return (
        f"Import terminé : {count(counts['created'], 'dispositif créé', 'dispositifs créés')}, "
        f"{count(counts['updated'], 'mis à jour', 'mis à jour')}, "
        f"{count(counts['organisations'], 'structure créée', 'structures créées')}."
    )


@register_stashed_import(
    "offer.import_dispositifs",
    label="Import de dispositifs",
    checker=validate_dispositifs_file,
    apply_errors=(ClefopError,),
    context=lambda job: JobContext(links=[Link("Offre de services", reverse("offer:dispositif_list"))]),
)
def import_dispositifs_job(result, *, job, progress) -> str:
    return apply_dispositif_import(result, by=job.requester)
