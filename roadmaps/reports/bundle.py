"""The regional bundle: one Celery task per territory (plus one for the synthesis) renders and stores its part;
the task finishing the last part queues the merge, which runs the job's handler through the shared runner
(``jobs.execute``: file, notice and e-mail as for any job).

- ``fan_out`` (task ``start_regional_bundle``): the job goes « en cours », ``parts_total`` is set, the group of part
  tasks is queued (run inline when tasks are eager: dev and tests);
- ``build_part`` (task ``build_bundle_part``): renders one part into storage, then counts it under a row lock
  (``parts_done`` = F() + 1, once per part even if the task runs twice); the last one queues ``merge_regional_bundle``;
- ``merge`` (the job handler): renders inline any part still missing (a bundle re-queued after a worker died is thus
  finished by the standard stale-job mechanism), then zips the parts. A ZIP of PDF/UA files keeps every report tagged
  and accessible, which merging PDFs page by page would not.
"""

from __future__ import annotations

import io
import zipfile

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clefop.models import Body
from srefop_portal.common.jobs import JobFailure, JobOutput, reusable_job
from srefop_portal.common.models import Job

from . import TERRITORY_KIND
from .data import collect, fingerprint, previous_snapshot
from .render import render_synthesis, render_territory_report, report_filename

SYNTHESIS = "synthese"


def part_keys(job: Job) -> list[str]:
    return [SYNTHESIS] + [str(pk) for pk in job.params.get("bodies", [])]


def _part_path(job: Job, key: str) -> str:
    return f"jobs/{job.kind.replace('.', '-')}/{job.uuid}/parts/{key}.pdf"


def _part_name(job: Job, key: str) -> str:
    return f"jobs/{job.kind.replace('.', '-')}/{job.uuid}/parts/{key}.name"


def render_part(key: str, body_ids: list[int]) -> tuple[str, bytes]:
    """(file name inside the bundle, PDF bytes) of one part; an identical territory report already built is reused."""
    if key == SYNTHESIS:
        return "00-synthese-regionale.pdf", render_synthesis(set(body_ids))
    body = Body.objects.filter(pk=int(key)).first()
    if body is None:
        raise JobFailure("Un Clefop du recueil a été supprimé : relancez la production.")
    data = collect(body)
    position = body_ids.index(body.pk) + 1 if body.pk in body_ids else 99
    name = f"{position:02d}-{report_filename(data)}"
    done = reusable_job(TERRITORY_KIND, fingerprint(data))
    if done is not None and done.status == Job.Status.DONE:
        with done.file.open("rb") as handle:
            return name, handle.read()
    return name, render_territory_report(data, None if data["roadmap"] is None else _changes(body, data))


def _changes(body, data):
    from .data import changes_since

    return changes_since(data, previous_snapshot(body.pk))


def _store_part(job: Job, key: str) -> None:
    path = _part_path(job, key)
    if default_storage.exists(path):
        return
    name, content = render_part(key, [int(pk) for pk in job.params.get("bodies", [])])
    default_storage.save(_part_name(job, key), ContentFile(name.encode()))
    default_storage.save(path, ContentFile(content))


def fan_out(job_id: int, *, queue: str | None = None) -> None:
    from ..tasks import build_bundle_part

    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return
        keys = part_keys(job)
        job.status = Job.Status.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.parts_total = len(keys)
        job.parts_done = 0
        job.progress = 2
        job.message = f"Production de {len(keys) - 1} rapports et de la synthèse régionale"
        job.result = {"parts": []}
        job.save(
            update_fields=[
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
    from celery import group

    options = {"queue": queue} if queue else {}
    group(build_bundle_part.si(job_id, key) for key in keys).apply_async(**options)


def build_part(job_id: int, key: str, *, queue: str | None = None) -> None:
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    _store_part(job, key)
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job_id)
        counted = list(locked.result.get("parts", [])) if isinstance(locked.result, dict) else []
        if key in counted:
            return  # this part was already counted (the task ran twice)
        counted.append(key)
        Job.objects.filter(pk=job_id).update(
            parts_done=F("parts_done") + 1, result={"parts": counted}, heartbeat_at=timezone.now()
        )
        locked.refresh_from_db(fields=["parts_done", "parts_total"])
        done, total = locked.parts_done, locked.parts_total
        Job.objects.filter(pk=job_id).update(
            progress=min(95, 2 + int(93 * done / max(total, 1))),
            message=f"{done} partie{'s' if done > 1 else ''} sur {total} produite{'s' if done > 1 else ''}",
        )
    if done >= total:
        from ..tasks import merge_regional_bundle

        merge_regional_bundle.apply_async((job_id,), **({"queue": queue} if queue else {}))


def merge(job: Job, progress) -> JobOutput:
    """The job handler: the parts (rendering inline those still missing), zipped with the synthesis first."""
    keys = part_keys(job)
    missing = [k for k in keys if not default_storage.exists(_part_path(job, k))]
    for position, key in enumerate(missing, start=1):
        progress(5 + int(85 * position / len(missing)), f"Production de la partie {position} sur {len(missing)}")
        _store_part(job, key)
    progress(96, "Assemblage du recueil")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for key in keys:
            with default_storage.open(_part_name(job, key), "rb") as handle:
                name = handle.read().decode()
            with default_storage.open(_part_path(job, key), "rb") as handle:
                archive.writestr(name, handle.read())
    for key in keys:
        default_storage.delete(_part_path(job, key))
        default_storage.delete(_part_name(job, key))
    count = len(keys) - 1
    return JobOutput(
        filename=f"rapports-avancement-pays-de-la-loire-{timezone.localdate():%Y-%m-%d}.zip",
        content=buffer.getvalue(),
        content_type="application/zip",
        message=f"Le recueil régional est prêt : synthèse et {count} rapport{'s' if count > 1 else ''} de territoire.",
        result={"parts": keys, "reports": count},
    )
