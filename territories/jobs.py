"""Background jobs of the territories app: applying a large official composition file."""

from django.urls import reverse

from srefop_portal.common.imports import register_stashed_import
from srefop_portal.common.jobs import JobContext, Link

from .importers import apply_composition_import, validate_composition_file
from .services import CompositionError


def _context(job) -> JobContext:
    return JobContext(links=[Link("Historique de la composition", reverse("territories:composition_history"))])


@register_stashed_import(
    "territories.import_composition",
    label="Import de la composition officielle",
    checker=validate_composition_file,
    apply_errors=(CompositionError,),
    context=_context,
)
def import_composition(result, *, job, progress) -> str:
    return apply_composition_import(
        result,
        user=job.requester,
        source=job.params.get("filename", ""),
        create_territories=bool(job.params.get("options", {}).get("create_territories")),
    )
