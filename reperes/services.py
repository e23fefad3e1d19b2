"""Writes of the repères app: imports (apply, roll back), aggregation runs, sheet staleness, indicator catalogue."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from srefop_portal.common.charts import fr_number
from srefop_portal.common.forms import DomainError
from srefop_portal.common.jobs import start_job
from srefop_portal.common.models import Job
from srefop_portal.common.wording import count, plural

from . import aggregation
from .importers import validate_file
from .models import ImportBatch, Indicator, Observation, ReplacedObservation, Rule, Sheet, period_date

logger = logging.getLogger(__name__)
WRITE_BATCH = 5000


class ReperesError(DomainError):
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
        message = f"{count(len(result.errors), 'erreur', 'erreurs')} : aucune donnée n’a été modifiée. " + (
            str(result.errors[0]) if result.errors else ""
        )
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED, message=message[:500])
        raise ReperesError(message)
    progress(20, f"{len(result.values)} valeurs vérifiées, écriture en cours")
    indicator_ids = sorted({v.indicator_id for v in result.values})
    with transaction.atomic():
        if ImportBatch.objects.select_for_update().get(pk=batch.pk).status != ImportBatch.Status.PENDING:
            raise ReperesError("Cet import a déjà été traité.")
        _lock_indicators(indicator_ids)
        rows = Observation.objects.filter(
            indicator_id__in=indicator_ids, period__in=result.periods, level__in=result.levels
        ).values_list("indicator_id", "level", "code", "period", "value", "period_date", "is_computed", "batch_id")
        # key → (value, period_date, is_computed, batch_id) of the values there now
        existing = {row[:4]: row[4:] for row in rows.iterator(chunk_size=WRITE_BATCH)}
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
        # What this import replaces, as it is now, so that rolling it back puts it back. A computed value is not
        # kept: the aggregation computes it again.
        replaced = []
        for v in result.values:
            key = (v.indicator_id, v.level, v.code, v.period)
            previous = existing.get(key)
            if previous is not None and not previous[2]:
                replaced.append(
                    ReplacedObservation(
                        batch=batch,
                        indicator_id=v.indicator_id,
                        level=v.level,
                        code=v.code,
                        period=v.period,
                        period_date=previous[1],
                        value=previous[0],
                        previous_batch_id=previous[3],
                    )
                )
        ReplacedObservation.objects.bulk_create(replaced, batch_size=WRITE_BATCH)
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
            f"{count(len(objects), 'valeur importée', 'valeurs importées')} : "
            f"{count(batch.created_count, 'créée', 'créées')}, {count(updated, 'mise à jour', 'mises à jour')}."
        )
        batch.save()
    progress(50, "Valeurs écrites, agrégation des niveaux supérieurs")
    summary = aggregation.rebuild(indicator_ids)
    progress(90, "Agrégation terminée, fiches repères à mettre à jour")
    after_data_change(queue=queue_sheets)
    return {"message": f"{batch.message} {summary['message']}", "batch": batch.pk}


def _lock_indicators(indicator_ids) -> None:
    """Imports and roll-backs touching the same indicators run one after the other (PostgreSQL row locks), so
    that the values an import replaces are read after the previous write on them is committed."""
    list(Indicator.objects.select_for_update().filter(pk__in=indicator_ids).order_by("pk").values_list("pk"))


ROLLBACK_KIND = "reperes.rollback"


def check_can_roll_back(batch: ImportBatch) -> None:
    """Raise ReperesError (French message) when ``batch`` cannot be rolled back now."""
    if batch.status == ImportBatch.Status.PENDING:
        raise ReperesError(
            "Cet import est encore en cours d’application : il pourra être annulé une fois appliqué. "
            "Rien n’a été modifié."
        )
    if batch.status == ImportBatch.Status.APPLIED and batch.lost_replaced_values:
        raise ReperesError(
            f"Cet import a remplacé {count(batch.updated_count, 'valeur existante', 'valeurs existantes')} "
            "avant que le portail ne "
            "conserve les valeurs remplacées : l’annuler les supprimerait au lieu de les rétablir. Rien n’a été "
            "modifié ; importez plutôt un fichier avec les valeurs d’origine."
        )
    if not batch.can_roll_back:
        raise ReperesError("Seul un import appliqué et non encore annulé peut être annulé.")


def running_roll_back(batch: ImportBatch) -> Job | None:
    """The roll-back of ``batch`` waiting for or being run by a worker, if any."""
    if not batch.rollback_job_uuid:
        return None
    return Job.objects.filter(uuid=batch.rollback_job_uuid, status__in=[Job.Status.PENDING, Job.Status.RUNNING]).first()


def start_roll_back(*, batch: ImportBatch, user) -> Job:
    """Check that the import can be rolled back and queue its roll-back (background job with a progress bar).

    Refused (ReperesError, nothing changed) when it cannot be rolled back or when a roll-back of it is already
    waiting or running: the batch row is locked while checking, so two requests cannot both queue one."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if running_roll_back(batch) is not None:
            raise ReperesError("L’annulation de cet import est déjà en cours : suivez son avancement sur cette page.")
        check_can_roll_back(batch)
        job = start_job(kind=ROLLBACK_KIND, params={"batch": batch.pk}, requester=user)
        ImportBatch.objects.filter(pk=batch.pk).update(rollback_job_uuid=job.uuid)
    logger.info("Annulation de l’import %s demandée par %s (tâche %s)", batch.pk, user, job.uuid)
    return job


def roll_back_import(*, batch: ImportBatch, user, progress=None) -> dict:
    """Undo an import in one transaction: the values it created are deleted, the values it replaced are put back
    (chunk by chunk, reporting progress), then the upper levels are aggregated again; the sheets are rebuilt once
    it is committed. Any failure leaves everything as it was.

    A value changed since by a later import is left as that import set it (it is the most recent), and the later
    import's own roll-back will then lead back to what was there before this one: the chain of replaced values
    skips this import."""
    progress = progress or (lambda percent, message="": None)
    progress(2, "Vérification de l’import")
    with transaction.atomic():
        # Locked until the end: a second roll-back of it waits, then finds it rolled back (refused).
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        check_can_roll_back(batch)
        indicator_ids = list(Indicator.objects.filter(code__in=batch.indicator_codes).values_list("pk", flat=True))
        indicator_ids = sorted(
            set(indicator_ids)
            | set(Observation.objects.filter(batch=batch).values_list("indicator_id", flat=True).distinct().order_by())
        )
        _lock_indicators(indicator_ids)
        replaced = ReplacedObservation.objects.filter(batch=batch)

        def same_key(queryset):
            """The records of ``queryset`` with the key of the outer row (an index lookup each)."""
            return queryset.filter(
                indicator_id=OuterRef("indicator_id"),
                level=OuterRef("level"),
                code=OuterRef("code"),
                period=OuterRef("period"),
            )

        previous = same_key(replaced)

        # The values this import still holds: delete those it created, put back those it replaced. Set-based (one
        # DELETE and one UPDATE) on consecutive ranges of primary keys of WRITE_BATCH values each, for progress.
        holds = Observation.objects.filter(batch=batch)
        pks = list(holds.order_by("pk").values_list("pk", flat=True))
        deleted = restored = 0
        for start in range(0, len(pks), WRITE_BATCH):
            chunk = holds.filter(pk__gte=pks[start], pk__lte=pks[min(start + WRITE_BATCH, len(pks)) - 1])
            deleted += chunk.exclude(Exists(same_key(replaced))).delete()[0]
            restored += chunk.update(
                value=Subquery(previous.values("value")[:1]),
                period_date=Subquery(previous.values("period_date")[:1]),
                batch_id=Subquery(previous.values("previous_batch_id")[:1]),
                is_computed=False,
            )
            done = deleted + restored
            progress(
                5 + 45 * done // len(pks),
                f"{fr_number(done)} {plural(done, 'valeur', 'valeurs')} sur {fr_number(len(pks))} "
                f"{plural(done, 'supprimée ou rétablie', 'supprimées ou rétablies')}",
            )

        # Later imports that replaced this one's values keep them. What they replaced becomes what this one had
        # replaced; where this one had created the value, the later import's roll-back will delete it.
        later = ReplacedObservation.objects.filter(
            previous_batch=batch, batch__status=ImportBatch.Status.APPLIED, batch__rolled_back=False
        ).exclude(batch=batch)
        unlinked = later.exclude(Exists(same_key(replaced))).delete()[0]
        relinked = later.update(
            value=Subquery(previous.values("value")[:1]),
            period_date=Subquery(previous.values("period_date")[:1]),
            previous_batch_id=Subquery(previous.values("previous_batch_id")[:1]),
        )
        progress(50, "Valeurs rétablies, agrégation des niveaux supérieurs")

        kept = relinked + unlinked
        batch.rolled_back = True
        batch.rolled_back_at = timezone.now()
        batch.rolled_back_by = user
        batch.status = ImportBatch.Status.ROLLED_BACK
        batch.message = (
            f"Annulé : {count(deleted, 'valeur supprimée', 'valeurs supprimées')}, "
            f"{count(restored, 'valeur rétablie', 'valeurs rétablies')}"
            + (
                f", {count(kept, 'valeur modifiée', 'valeurs modifiées')} depuis par un import plus récent, "
                f"{plural(kept, 'conservée', 'conservées')}."
                if kept
                else "."
            )
        )
        batch.save()
        if indicator_ids:
            aggregation.rebuild(
                indicator_ids, progress=lambda percent, message="": progress(50 + percent * 45 // 100, message)
            )
        progress(96, "Agrégation terminée, fiches repères à mettre à jour")
        after_data_change()  # the sheets are queued once this transaction commits
    logger.info("Import %s annulé par %s : %s", batch.pk, user, batch.message)
    return {"deleted": deleted, "restored": restored, "kept": kept, "message": batch.message}


def run_full_aggregation(progress=None) -> dict:
    summary = aggregation.rebuild(None, progress=progress)
    after_data_change()
    return summary


def after_data_change(*, queue: bool = True) -> None:
    """Sheets show « en cours de mise à jour » and a rebuild of the stale ones is queued."""
    Sheet.objects.update(stale=True)
    if queue and Sheet.objects.exists():
        start_job(kind="reperes.build_sheets", params={"only_stale": True})


def after_geography_change(sender=None, *, territory_codes, **kwargs) -> None:
    """Receiver of ``territories.signals.composition_changed``: the sheets of the territories concerned show
    « mise à jour en cours » at once, and their figures (aggregation) and sheets are rebuilt in the background."""
    codes = sorted(set(territory_codes))
    if not codes:
        return
    Sheet.objects.filter(territory__code__in=codes).update(stale=True)
    start_job(kind="reperes.geography", params={"territories": codes})


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
