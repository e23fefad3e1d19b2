"""Writes of the repères app: imports (apply, roll back), aggregation runs, sheet staleness, indicator catalogue."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from srefop_portal.common.jobs import start_job

from . import aggregation
from .importers import validate_file
from .models import ImportBatch, Indicator, Observation, Rule, Sheet, period_date

logger = logging.getLogger(__name__)
WRITE_BATCH = 5000


class ReperesError(Exception):
    """A business rule refused the action (French message for the user)."""


def create_batch(*, user, data: bytes, filename: str, format: str, options: dict, is_demo: bool = False) -> ImportBatch:
    batch = ImportBatch(created_by=user, filename=filename[:255], format=format, options=options, is_demo=is_demo)
    batch.file.save(f"import-{timezone.now():%Y%m%d-%H%M%S}.bin", ContentFile(data), save=False)
    batch.save()
    return batch


def start_import(*, user, data: bytes, filename: str, format: str, options: dict):
    """Store the checked file and queue its application (background job with a progress bar)."""
    batch = create_batch(user=user, data=data, filename=filename, format=format, options=options)
    job = start_job(kind="reperes.import", params={"batch": batch.pk}, requester=user)
    ImportBatch.objects.filter(pk=batch.pk).update(job_uuid=job.uuid)
    batch.job_uuid = job.uuid
    return batch, job


def apply_import(*, batch: ImportBatch, progress=None, queue_sheets: bool = True) -> dict:
    """Validate the stored file again, write every value in one transaction, rebuild the affected aggregates."""
    progress = progress or (lambda percent, message="": None)
    if batch.status != ImportBatch.Status.PENDING:
        raise ReperesError("Cet import a déjà été traité.")
    progress(5, "Vérification du fichier")
    with batch.file.open("rb") as handle:
        data = handle.read()
    result = validate_file(data, batch.filename, format=batch.format, options=batch.options)
    if not result.is_valid:
        message = f"{len(result.errors)} erreur(s) : aucune donnée n’a été modifiée. " + (
            str(result.errors[0]) if result.errors else ""
        )
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED, message=message[:500])
        raise ReperesError(message)
    progress(20, f"{len(result.values)} valeurs vérifiées, écriture en cours")
    indicator_ids = sorted({v.indicator_id for v in result.values})
    with transaction.atomic():
        existing = set(
            Observation.objects.filter(
                indicator_id__in=indicator_ids, period__in=result.periods, level__in=result.levels
            ).values_list("indicator_id", "level", "code", "period")
        )
        dates = {p: period_date(p) for p in result.periods}
        objects = [
            Observation(
                indicator_id=v.indicator_id,
                level=v.level,
                code=v.code,
                period=v.period,
                period_date=dates[v.period],
                value=v.value,
                is_computed=False,
                batch=batch,
            )
            for v in result.values
        ]
        updated = sum(1 for v in result.values if (v.indicator_id, v.level, v.code, v.period) in existing)
        for start in range(0, len(objects), WRITE_BATCH):
            Observation.objects.bulk_create(
                objects[start : start + WRITE_BATCH],
                update_conflicts=True,
                unique_fields=["indicator", "level", "code", "period"],
                update_fields=["value", "period_date", "is_computed", "batch"],
            )
        batch.status = ImportBatch.Status.APPLIED
        batch.applied_at = timezone.now()
        batch.row_count = result.row_count
        batch.value_count = len(objects)
        batch.updated_count = updated
        batch.created_count = len(objects) - updated
        batch.indicator_codes = result.indicator_codes
        batch.message = (
            f"{len(objects)} valeur(s) importée(s) : {batch.created_count} créée(s), {updated} mise(s) à jour."
        )
        batch.save()
    progress(50, "Valeurs écrites, agrégation des niveaux supérieurs")
    summary = aggregation.rebuild(indicator_ids)
    progress(90, "Agrégation terminée, fiches repères à mettre à jour")
    after_data_change(queue=queue_sheets)
    return {"message": f"{batch.message} {summary['message']}", "batch": batch.pk}


@transaction.atomic
def roll_back_import(*, batch: ImportBatch, user) -> dict:
    """Delete the values this batch brought and rebuild the affected aggregates."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if not batch.can_roll_back:
        raise ReperesError("Seul un import appliqué et non encore annulé peut être annulé.")
    indicator_ids = list(
        Observation.objects.filter(batch=batch).values_list("indicator_id", flat=True).distinct().order_by()
    )
    deleted, _ = Observation.objects.filter(batch=batch).delete()
    batch.rolled_back = True
    batch.rolled_back_at = timezone.now()
    batch.rolled_back_by = user
    batch.status = ImportBatch.Status.ROLLED_BACK
    batch.message = f"Annulé : {deleted} valeur(s) supprimée(s)."
    batch.save()
    if indicator_ids:
        aggregation.rebuild(indicator_ids)
    after_data_change()
    return {"deleted": deleted}


def run_full_aggregation(progress=None) -> dict:
    summary = aggregation.rebuild(None, progress=progress)
    after_data_change()
    return summary


def after_data_change(*, queue: bool = True) -> None:
    """Sheets show « en cours de mise à jour » and a rebuild of the stale ones is queued."""
    Sheet.objects.update(stale=True)
    if queue and Sheet.objects.exists():
        start_job(kind="reperes.build_sheets", params={"only_stale": True})


@transaction.atomic
def save_indicator(*, indicator: Indicator, user) -> Indicator:
    if indicator.rule == Rule.RATIO and not (indicator.numerator_id and indicator.denominator_id):
        raise ReperesError("Un rapport demande un numérateur et un dénominateur.")
    if indicator.rule == Rule.WEIGHTED_MEAN and not indicator.weight_id:
        raise ReperesError("Une moyenne pondérée demande un indicateur de pondération.")
    if indicator.pk and indicator.pk in (indicator.numerator_id, indicator.denominator_id, indicator.weight_id):
        raise ReperesError("Un indicateur ne peut pas être calculé à partir de lui-même.")
    created = indicator.pk is None
    indicator.save()
    logger.info("Indicateur %s %s par %s", indicator.code, "créé" if created else "modifié", user)
    if not created:
        aggregation.rebuild([indicator.pk])
        after_data_change()
    return indicator
