"""Background jobs of the roadmaps app: the import of a large préconisations file, the territory progress report
and the regional bundle of reports (see roadmaps/reports/)."""

from datetime import timedelta

from django.urls import reverse

from srefop_portal.common.jobs import JobContext, JobFailure, JobOutput, Link, register_job_kind
from srefop_portal.common.second_factor import has_staff_powers
from srefop_portal.common.uploads import discard_stashed_file, read_stashed_file
from srefop_portal.common.wording import count

from .reports import BUNDLE_KIND, TERRITORY_KIND
from .reports.service import can_view_regional_bundle, can_view_territory_report


def _can_view(user, job) -> bool:
    return has_staff_powers(user)


def _referential_context(job) -> JobContext:
    return JobContext(links=[Link("Référentiel Srefop", reverse("roadmaps:referential"))])


def _territory_context(job) -> JobContext | None:
    from clefop.models import Body, BodyKind

    body = Body.objects.filter(pk=job.params.get("body"), kind=BodyKind.CLEFOP).select_related("territory").first()
    if body is None:
        return None
    return JobContext(
        subject=f"{body.name} — territoire EFOP {body.territory.name}" if body.territory else body.name,
        links=[
            Link(body.name, body.get_absolute_url()),
            Link("Rapport d’avancement", reverse("roadmaps:territory_report", args=[body.slug])),
        ],
    )


def _bundle_context(job) -> JobContext:
    return JobContext(
        subject="Les 18 territoires EFOP et la synthèse régionale",
        links=[
            Link("Pilotage", reverse("roadmaps:dashboard")),
            Link("Rapports d’avancement", reverse("roadmaps:regional_reports")),
        ],
    )


@register_job_kind(
    "roadmaps.import_recommendations",
    label="Import de préconisations",
    can_view=_can_view,
    notify=False,
    context=_referential_context,
)
def import_recommendations(job, progress):
    from .importers import apply_recommendations, validate_recommendations

    token = str(job.params.get("token", ""))
    data = read_stashed_file(token)
    if data is None:
        raise JobFailure("Le fichier déposé n’est plus disponible : déposez-le à nouveau.")
    progress(5, "Vérification du fichier")
    result = validate_recommendations(data, job.params.get("filename", ""))
    if not result.is_valid:
        raise JobFailure(
            f"Le fichier contient {count(len(result.errors), 'erreur', 'erreurs')} : aucune modification n’a été faite."
        )
    progress(30, "Enregistrement")
    counts = apply_recommendations(result, progress=progress)
    discard_stashed_file(token)
    return {
        "message": f"Import appliqué : {count(counts['created'], 'préconisation créée', 'préconisations créées')}, "
        f"{count(counts['updated'], 'mise à jour', 'mises à jour')}, "
        f"{count(counts['unchanged'], 'inchangée', 'inchangées')}.",
        "result": counts,
    }


@register_job_kind(
    TERRITORY_KIND,
    label="Rapport d’avancement du territoire",
    can_view=can_view_territory_report,
    context=_territory_context,
)
def build_territory_report(job, progress):
    from clefop.models import Body, BodyKind

    from .reports.data import changes_since, collect, fingerprint, previous_snapshot, snapshot
    from .reports.render import render_territory_report, report_filename
    from .reports.service import email_report_to_cochairs

    body = Body.objects.filter(pk=job.params.get("body"), kind=BodyKind.CLEFOP).first()
    if body is None:
        raise JobFailure("Ce Clefop n’existe plus : le rapport ne peut pas être produit.")
    progress(10, "Collecte des données de la feuille de route")
    data = collect(body)
    changes = changes_since(data, previous_snapshot(body.pk, exclude_job=job.pk))
    progress(30, "Mise en page du PDF")
    content = render_territory_report(data, changes)
    filename = report_filename(data)
    if job.params.get("monthly"):
        progress(90, "Envoi du lien aux co-présidents")
        email_report_to_cochairs(body=body, job=job)
    return JobOutput(
        filename=filename,
        content=content,
        content_type="application/pdf",
        message="Le rapport d’avancement est prêt.",
        result={"snapshot": snapshot(data), "territory": data["territory"]["code"], "data": fingerprint(data)},
    )


@register_job_kind(
    BUNDLE_KIND,
    label="Recueil régional des rapports d’avancement",
    can_view=can_view_regional_bundle,
    context=_bundle_context,
    stale_after=timedelta(minutes=10),  # parts are rendered by other tasks: silent while they wait in the queue
)
def build_regional_bundle(job, progress):
    from .reports.bundle import merge

    return merge(job, progress)
