"""The regional bundle: one Celery task per territory (plus one for the synthesis) produces its part; the task
finishing the last part queues the merge, which runs the job's handler through the shared runner
(``jobs.execute``: file, notice and e-mail as for any job).

- ``fan_out`` (task ``start_regional_bundle``): the data of every territory is hashed (the request itself stays
  cheap); an identical finished bundle is served again (its file copied, nothing rendered). Otherwise the job goes
  « en cours », ``parts_total`` is set and one task per part is queued (run inline when tasks are eager: dev and
  tests); with a worker of 2 processes, two parts are built at a time (prefetch 1, late acknowledgement);
- ``build_part`` (task ``build_bundle_part``): a territory part *is* a territory progress report: an identical
  finished report (same data fingerprint) is used as it is, otherwise the report is rendered and kept as a finished
  territory report job, which the territory's page lists and the next request or bundle reuses. The synthesis is
  rendered into the bundle's folder. The part is then counted under a row lock (``parts_done``, once per part even if
  the task runs twice); the last one queues ``merge_regional_bundle``;
- ``merge`` (the job handler): produces inline any part still missing (a bundle re-queued after a worker died is thus
  finished by the standard stale-job mechanism), then stores the parts in a ZIP without recompressing them (PDFs are
  already compressed): a few file reads and writes. A ZIP of PDF/UA files keeps every report tagged and accessible,
  which merging PDFs page by page would not.
"""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.utils import timezone

from clefop.models import Body
from srefop_portal.common import jobs
from srefop_portal.common.jobs import JobFailure, JobOutput, normalise_fingerprint, notify_ready, reusable_job
from srefop_portal.common.models import Job

from . import BUNDLE_KIND, TERRITORY_KIND
from .data import changes_since, collect, fingerprint, previous_snapshot, snapshot
from .render import render_synthesis, render_territory_report, report_filename

RELIABLE = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": 5,
    "max_retries": 3,
    "soft_time_limit": 10 * 60,
    "time_limit": 11 * 60,
}


def _queue(task) -> str | None:
    """The queue this task came from: the fanned-out tasks follow it (None when run inline)."""
    info = getattr(task.request, "delivery_info", None) or {}
    return info.get("routing_key") or None


SYNTHESIS = "synthese"
SYNTHESIS_NAME = "00-synthese-regionale.pdf"


def part_keys(job: Job) -> list[str]:
    return [SYNTHESIS] + [str(pk) for pk in job.params.get("bodies", [])]


def _synthesis_path(job: Job) -> str:
    return f"jobs/{job.kind.replace('.', '-')}/{job.uuid}/parts/{SYNTHESIS}.pdf"


def _parts(job: Job) -> dict:
    parts = job.result.get("parts") if isinstance(job.result, dict) else None
    return parts if isinstance(parts, dict) else {}


def territory_report(body: Body, *, requester_id: int | None, bundle_id: int | None = None) -> Job:
    """The finished progress report of ``body`` for its current data: an identical one is reused, else it is
    rendered now and kept as a finished territory report job (listed on the territory's page, reusable)."""
    data = collect(body)
    digest = fingerprint(data)
    existing = reusable_job(TERRITORY_KIND, digest)
    if existing is not None and existing.status == Job.Status.DONE:
        return existing
    changes = changes_since(data, previous_snapshot(body.pk))
    content = render_territory_report(data, changes)
    now = timezone.now()
    report = Job(
        kind=TERRITORY_KIND,
        params={"body": body.pk, "bundle": bundle_id},
        requester_id=requester_id,
        fingerprint=normalise_fingerprint(digest),
        status=Job.Status.DONE,
        progress=100,
        started_at=now,
        finished_at=now,
        filename=report_filename(data),
        content_type="application/pdf",
        message="Rapport produit pour le recueil régional.",
        result={"snapshot": snapshot(data), "territory": data["territory"]["code"], "data": digest},
        file_expires_at=now + timedelta(days=settings.SREFOP_EXPORT_RETENTION_DAYS),
        attempts=1,
    )
    report.file.save(report.filename, ContentFile(content), save=False)
    report.save()
    return report


def produce_part(job: Job, key: str) -> dict:
    """Build one part of the bundle; returns what the merge needs: the file name inside the ZIP and where to read."""
    body_ids = [int(pk) for pk in job.params.get("bodies", [])]
    if key == SYNTHESIS:
        path = _synthesis_path(job)
        if default_storage.exists(path):
            default_storage.delete(path)
        default_storage.save(path, ContentFile(render_synthesis(set(body_ids))))
        return {"name": SYNTHESIS_NAME, "path": path}
    body = Body.objects.filter(pk=int(key)).first()
    if body is None:
        raise JobFailure("Un Clefop du recueil a été supprimé : relancez la production.")
    report = territory_report(body, requester_id=job.requester_id, bundle_id=job.pk)
    position = body_ids.index(body.pk) + 1 if body.pk in body_ids else 99
    reused = report.params.get("bundle") != job.pk
    return {"name": f"{position:02d}-{report.filename}", "report": report.pk, "reused": reused}


def _serve_identical(job: Job, same: Job) -> None:
    """Finish ``job`` with the file of an identical finished bundle (nothing rendered), as the job runner would."""
    with same.file.open("rb") as handle:
        content = handle.read()
    now = timezone.now()
    job.file.save(same.filename, ContentFile(content), save=False)
    job.filename, job.content_type = same.filename, same.content_type
    job.status, job.progress, job.finished_at, job.heartbeat_at = Job.Status.DONE, 100, now, now
    job.file_expires_at = now + timedelta(days=settings.SREFOP_EXPORT_RETENTION_DAYS)
    job.parts_total = job.parts_done = same.parts_total
    job.message = "Les données n’ont pas changé depuis le recueil précédent : il vous est servi à nouveau."
    job.result = {**(same.result or {}), "same_as": same.pk}
    job.save()
    if job.requester_id:
        notify_ready(job)


def bundle_bodies() -> list[Body]:
    """Clefops with a current (non-archived) roadmap, in the order of the synthesis."""
    from ..models import Roadmap, RoadmapStatus

    with_roadmap = Roadmap.objects.exclude(status=RoadmapStatus.ARCHIVED).values("body_id")
    return list(
        Body.objects.clefops()
        .filter(pk__in=with_roadmap)
        .select_related("territory__departement")
        .order_by("territory__departement__code", "territory__name")
    )


def bundle_fingerprint(bodies: list[Body]) -> str:
    """Hash of every territory's fingerprint (one data collection per territory: computed by the fan-out task)."""
    parts = [f"{body.pk}:{fingerprint(collect(body))}" for body in bodies]
    return hashlib.sha256(f"{timezone.localdate()}|{'|'.join(parts)}".encode()).hexdigest()


def fan_out(job_id: int, *, queue: str | None = None) -> None:
    """Compare the data with the last bundles (identical: served again), else queue one task per part."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.is_finished or job.parts_total:
        return  # gone, finished, or already fanned out (the task was delivered twice)
    body_ids = [int(pk) for pk in job.params.get("bodies", [])]
    bodies = sorted(Body.objects.filter(pk__in=body_ids), key=lambda body: body_ids.index(body.pk))
    digest = bundle_fingerprint(bodies)
    same = reusable_job(BUNDLE_KIND, digest)
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished or job.parts_total:
            return
        if same is not None and same.pk != job.pk and same.status == Job.Status.DONE:
            _serve_identical(job, same)
            return
        keys = part_keys(job)
        job.fingerprint = digest
        job.status = Job.Status.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.parts_total = len(keys)
        job.parts_done = 0
        job.progress = 2
        job.message = f"Production de {len(keys) - 1} rapports et de la synthèse régionale"
        job.result = {"parts": {}, "timings": {}}
        job.save(
            update_fields=[
                "fingerprint",
                "status",
                "started_at",
                "heartbeat_at",
                "parts_total",
                "parts_done",
                "progress",
                "message",
                "result",
            ]
        )
    options = {"queue": queue} if queue else {}
    # One message per part: each worker process takes one at a time (prefetch 1), the synthesis first.
    for key in keys:
        build_bundle_part.apply_async((job_id, key), **options)


def build_part(job_id: int, key: str, *, queue: str | None = None) -> None:
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.is_finished or key in _parts(job):
        return
    started = time.perf_counter()
    part = produce_part(job, key)
    elapsed = round(time.perf_counter() - started, 3)
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job_id)
        parts, result = _parts(locked), locked.result if isinstance(locked.result, dict) else {}
        if key in parts:
            return  # this part was already counted (the task ran twice)
        parts[key] = part
        timings = {**(result.get("timings") or {}), key: elapsed}
        done, total = len(parts), locked.parts_total
        Job.objects.filter(pk=job_id).update(
            parts_done=done,
            result={**result, "parts": parts, "timings": timings},
            heartbeat_at=timezone.now(),
            progress=min(95, 2 + int(93 * done / max(total, 1))),
            message=f"{done} partie{'s' if done > 1 else ''} sur {total} produite{'s' if done > 1 else ''}",
        )
    if done >= total:
        merge_regional_bundle.apply_async((job_id,), **({"queue": queue} if queue else {}))


def _content(part: dict) -> bytes | None:
    if "path" in part:
        if not default_storage.exists(part["path"]):
            return None
        with default_storage.open(part["path"], "rb") as handle:
            return handle.read()
    report = Job.objects.filter(pk=part.get("report"), status=Job.Status.DONE).first()
    if report is None or not report.has_file or not report.file.storage.exists(report.file.name):
        return None
    with report.file.open("rb") as handle:
        return handle.read()


def merge(job: Job, progress) -> JobOutput:
    """The job handler: the parts (producing inline those still missing), zipped with the synthesis first."""
    keys = part_keys(job)
    parts = _parts(job)
    files: dict[str, tuple[str, bytes]] = {}
    missing = []
    for key in keys:
        content = _content(parts[key]) if key in parts else None
        if content is None:
            missing.append(key)
        else:
            files[key] = (parts[key]["name"], content)
    for position, key in enumerate(missing, start=1):
        progress(5 + int(85 * position / len(missing)), f"Production de la partie {position} sur {len(missing)}")
        part = produce_part(job, key)
        files[key] = (part["name"], _content(part))
    progress(96, "Assemblage du recueil")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for key in keys:
            archive.writestr(*files[key])
    default_storage.delete(_synthesis_path(job))
    count = len(keys) - 1
    reused = sum(1 for key in keys[1:] if parts.get(key, {}).get("reused"))
    return JobOutput(
        filename=f"rapports-avancement-pays-de-la-loire-{timezone.localdate():%Y-%m-%d}.zip",
        content=buffer.getvalue(),
        content_type="application/zip",
        message=f"Le recueil régional est prêt : synthèse et {count} rapport{'s' if count > 1 else ''} de territoire.",
        result={
            "parts": keys,
            "reports": count,
            "report_jobs": {key: parts[key].get("report") for key in keys[1:] if key in parts},
            "timings": (job.result or {}).get("timings", {}) if isinstance(job.result, dict) else {},
            "reused_parts": reused,
        },
    )


# --------------------------------------------------------------------------------------------------------------------
# The Celery tasks of the bundle (thin: primary keys in), registered by roadmaps.tasks.


@shared_task(name="roadmaps.tasks.start_regional_bundle", **RELIABLE)
def start_regional_bundle(self, job_id: int):
    """Fan out: one task per territory report plus one for the regional synthesis."""
    fan_out(job_id, queue=_queue(self))


@shared_task(name="roadmaps.tasks.build_bundle_part", **RELIABLE)
def build_bundle_part(self, job_id: int, key: str):
    build_part(job_id, key, queue=_queue(self))


@shared_task(name="roadmaps.tasks.merge_regional_bundle", **RELIABLE)
def merge_regional_bundle(self, job_id: int):
    """The last part done: zip the parts through the shared job runner (file, notice, e-mail)."""
    jobs.execute(job_id)
