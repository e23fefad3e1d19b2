"""Background jobs of the repères app (run by the shared runner, srefop_portal.common.jobs)."""

from __future__ import annotations

from django.urls import reverse

from srefop_portal.common.jobs import JobContext, JobFailure, JobOutput, Link, register_job_kind

from .models import ImportBatch, Sheet, can_see_members_indicators


def _batch_context(job) -> JobContext:
    links = [Link("Imports d’indicateurs", reverse("reperes_staff:import_list"))]
    batch = ImportBatch.objects.filter(pk=job.params.get("batch")).only("pk", "filename").first()
    if batch is None:
        return JobContext(links=links)
    return JobContext(
        subject=f"Fichier « {batch.filename} »", links=[*links, Link(f"Import n° {batch.pk}", batch.get_absolute_url())]
    )


def _sheet_context(job) -> JobContext | None:
    sheet = Sheet.objects.filter(pk=job.params.get("sheet")).first()
    territory = (sheet.snapshot or {}).get("territory", {}) if sheet else {}
    if not territory.get("code"):
        return None
    return JobContext(
        subject=f"Territoire EFOP {territory.get('name', territory['code'])}",
        links=[Link("Repères", reverse("reperes:index")), Link("Fiche repères", sheet.get_absolute_url())],
    )


@register_job_kind("reperes.import", label="Import d’indicateurs", notify=False, context=_batch_context)
def run_import(job, progress):
    from .services import ReperesError, apply_import

    batch = ImportBatch.objects.filter(pk=job.params.get("batch")).first()
    if batch is None:
        raise JobFailure("Import introuvable.")
    try:
        return apply_import(batch=batch, progress=progress)
    except ReperesError as exc:
        raise JobFailure(str(exc)) from exc


@register_job_kind(
    "reperes.rollback",
    label="Annulation d’un import d’indicateurs",
    notify=False,
    context=_batch_context,
    failure_message=(
        "L’annulation a échoué sur une erreur inattendue : rien n’a été modifié, l’import reste appliqué. "
        "L’équipe technique a été prévenue ; vous pouvez relancer l’annulation."
    ),
)
def run_rollback(job, progress):
    """Thin: the service does the work in one transaction and reports its progress."""
    from .services import ReperesError, roll_back_import

    batch = ImportBatch.objects.filter(pk=job.params.get("batch")).first()
    if batch is None:
        raise JobFailure("Import introuvable.")
    try:
        summary = roll_back_import(batch=batch, user=job.requester, progress=progress)
    except ReperesError as exc:
        raise JobFailure(str(exc)) from exc
    return {**summary, "message": f"{summary['message']} Agrégats recalculés, fiches repères en cours de mise à jour."}


@register_job_kind("reperes.aggregate", label="Agrégation des indicateurs", notify=False)
def run_aggregation(job, progress):
    from .services import run_full_aggregation

    return run_full_aggregation(progress=progress)


@register_job_kind(
    "reperes.build_sheets", label="Construction des fiches repères", can_view=lambda user, job: True, notify=False
)
def run_build_sheets(job, progress):
    from .sheets import build_sheets

    return build_sheets(
        territory_codes=job.params.get("territories"),
        audiences=job.params.get("audiences"),
        only_stale=bool(job.params.get("only_stale")),
        progress=progress,
    )


@register_job_kind("reperes.geography", label="Repères après un changement de composition", notify=False)
def run_geography_change(job, progress):
    """Territories gained or lost communes: their figures are aggregated again, then their sheets rebuilt."""
    from . import aggregation
    from .sheets import build_sheets

    codes = job.params.get("territories") or []
    progress(5, "Agrégation des indicateurs sur la nouvelle composition")
    summary = aggregation.rebuild(None, progress=lambda p, m="": progress(min(p, 60), m))
    built = build_sheets(
        territory_codes=codes, progress=lambda p, m="": progress(60 + int(p * 0.4), m) if p >= 0 else None
    )
    names = ", ".join(codes)
    return {
        "message": f"Repères à jour pour {names} : {summary['written']} valeurs recalculées, "
        f"{built['count']} fiches reconstruites.",
        "territories": codes,
    }


def _can_view_pdf(user, job) -> bool:
    return job.params.get("audience") == Sheet.Audience.PUBLIC or can_see_members_indicators(user)


@register_job_kind(
    "reperes.sheet_pdf", label="Fiche repères (PDF)", can_view=_can_view_pdf, notify=False, context=_sheet_context
)
def run_sheet_pdf(job, progress):
    from .pdf import render_sheet_pdf

    sheet = Sheet.objects.select_related("territory").filter(pk=job.params.get("sheet")).first()
    if sheet is None or not sheet.snapshot:
        raise JobFailure("La fiche repères n’est pas encore construite.")
    progress(20, "Mise en page du PDF")
    content = render_sheet_pdf(sheet)
    return JobOutput(
        filename=f"fiche-reperes-{sheet.territory.code.lower()}.pdf",
        content=content,
        content_type="application/pdf",
        message="La fiche repères en PDF est prête.",
    )
