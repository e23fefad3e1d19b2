"""Running long work in Celery with progress: imports, exports, PDF builds.

An app registers a job kind::

    @register_job_kind("reperes.import", label="Import d'indicateurs", can_view=lambda user, job: ...)
    def run_import(job, progress):
        progress(10, "Lecture du fichier")
        ...
        return JobOutput(filename="x.pdf", content=b"...", content_type="application/pdf")  # or a dict / None

then starts it from a view with ``start_job(kind=..., params=..., requester=request.user)`` and shows
``{% include "common/job_progress.html" with job=job %}`` (HTMX polling, works without JS too).

- Same fingerprint as a finished job whose file is still there: that job is returned, nothing is rebuilt.
- Tasks acknowledge late, retry on transient errors, have time limits. A running job's heartbeat is written every
  ``HEARTBEAT_INTERVAL`` seconds by a thread of its own; a job whose heartbeat is older than ``STALE_AFTER`` (its
  worker died, e.g. SIGKILL) is resumed by ``requeue_stale`` — at worker start-up (``worker_ready``, then once more
  when the dead worker's last heartbeat has aged) and by beat every 30 seconds — so it is resumed within about a
  minute of a worker being there; its page says it is being resumed. After ``MAX_ATTEMPTS`` it fails with a French
  message, never left "en cours".
- The requester gets an e-mail and a notice in the portal when a job that produced a file is done.
- Progress reported from inside the handler's own transaction is written through a separate connection on
  PostgreSQL, so that the progress bar moves while the transaction is still open (all-or-nothing jobs).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, DatabaseError, OperationalError, connections, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Job
from .second_factor import has_staff_powers

logger = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 5  # seconds
STALE_AFTER = Job.STALE_AFTER  # no heartbeat for this long: the worker running it is gone
PENDING_STALE_AFTER = timedelta(minutes=10)  # queued and never started (lost message): queued again
MAX_ATTEMPTS = 3
RESUMED_MESSAGE = (
    "Le traitement a été interrompu (arrêt du serveur de traitement) : la tâche reprend, essai {n} sur {max}."
)
GAVE_UP_MESSAGE = (
    "La tâche a été interrompue à chacun de ses {max} essais et n’a pas abouti : relancez-la ; "
    "si cela se reproduit, prévenez l’équipe du Carif-Oref."
)
TRANSIENT_GAVE_UP_MESSAGE = (
    "La tâche n’a pas pu aboutir après {max} essais (service momentanément indisponible) : relancez-la plus tard."
)
FINGERPRINT_MAX = 200
UNEXPECTED_FAILURE = "Erreur inattendue : l’équipe technique a été prévenue."
SIDE_PROGRESS_INTERVAL = 0.3  # seconds between two progress writes through a separate connection


@dataclass
class JobOutput:
    filename: str
    content: bytes
    content_type: str
    message: str = ""
    result: dict | None = None


class Link(NamedTuple):
    """A page a job belongs to (includes/breadcrumb.html reads ``label`` and ``url``)."""

    label: str
    url: str


@dataclass
class JobContext:
    """What a job is about, for its page: a subject line and the pages it belongs to (breadcrumb, way back)."""

    subject: str = ""
    links: list[Link] = field(default_factory=list)  # from the widest to the closest


@dataclass
class JobKind:
    name: str
    label: str
    handler: Callable
    can_view: Callable | None
    notify: bool
    failure_message: str = ""
    context: Callable | None = None
    stale_after: timedelta | None = None


_REGISTRY: dict[str, JobKind] = {}


class TransientJobError(Exception):
    """Raise from a handler for an error worth retrying (lost connection, lock timeout...)."""


class JobFailure(Exception):
    """Raise from a handler with a French message shown to the user as the job's failure reason."""


def register_job_kind(
    name: str,
    *,
    label: str,
    can_view: Callable | None = None,
    notify: bool = True,
    failure_message: str = "",
    context: Callable | None = None,
    stale_after: timedelta | None = None,
):
    """``failure_message``: what the user reads when the handler fails unexpectedly (default: a generic message);
    the traceback is kept in the job's ``error`` as for any job. ``context(job) -> JobContext | None``: what the job
    is about (e.g. « Clefop Nantes ») and the pages it belongs to, shown on the job's page. ``stale_after``: for a
    kind whose heartbeat is not written by one running handler (work fanned out to several tasks), how long
    without a heartbeat means its work was lost (default STALE_AFTER)."""

    def decorator(handler):
        _REGISTRY[name] = JobKind(
            name=name,
            label=label,
            handler=handler,
            can_view=can_view,
            notify=notify,
            failure_message=failure_message,
            context=context,
            stale_after=stale_after,
        )
        if stale_after is not None:  # read by Job.seems_stalled (the model does not import this module)
            Job.stale_after_by_kind[name] = stale_after
        return handler

    return decorator


def get_kind(name: str) -> JobKind:
    if name not in _REGISTRY:
        _autodiscover()
    return _REGISTRY[name]


def _autodiscover():
    from .hooks import implementations

    list(implementations("jobs"))


def stale_after_for(name: str) -> timedelta:
    try:
        return get_kind(name).stale_after or STALE_AFTER
    except KeyError:
        return STALE_AFTER


def kind_label(name: str) -> str:
    try:
        return get_kind(name).label
    except KeyError:
        return name


def job_context(job: Job) -> JobContext:
    """The job's subject and parent pages (an empty context when its kind says nothing or is unknown)."""
    try:
        kind = get_kind(job.kind)
    except KeyError:
        return JobContext()
    return (kind.context(job) if kind.context else None) or JobContext()


def user_can_view(user, job: Job) -> bool:
    if has_staff_powers(user):
        return True
    try:
        kind = get_kind(job.kind)
    except KeyError:
        return False
    if kind.can_view is not None:
        return bool(kind.can_view(user, job))
    return job.requester_id == user.pk


def normalise_fingerprint(fingerprint: str) -> str:
    """Fingerprints fit the column: longer ones are replaced by their SHA-256."""
    if len(fingerprint) > FINGERPRINT_MAX:
        return hashlib.sha256(fingerprint.encode()).hexdigest()
    return fingerprint


def reusable_job(kind: str, fingerprint: str) -> Job | None:
    if not fingerprint:
        return None
    fingerprint = normalise_fingerprint(fingerprint)
    candidates = Job.objects.filter(kind=kind, fingerprint=fingerprint).exclude(status=Job.Status.FAILED)
    for job in candidates.order_by("-created_at")[:5]:
        if job.status == Job.Status.DONE and job.has_file and job.file.storage.exists(job.file.name):
            return job
        if job.status in (Job.Status.PENDING, Job.Status.RUNNING):
            return job
    return None


def start_job(*, kind: str, params: dict | None = None, requester=None, fingerprint: str = "") -> Job:
    """Create the job and queue it once the transaction commits (or reuse an identical finished one)."""
    get_kind(kind)  # unknown kinds fail loudly, before anything is written
    fingerprint = normalise_fingerprint(fingerprint)
    existing = reusable_job(kind, fingerprint)
    if existing is not None:
        return existing
    job = Job.objects.create(kind=kind, params=params or {}, requester=requester, fingerprint=fingerprint)
    enqueue(job)
    return job


@shared_task(
    name="srefop_portal.common.tasks.run_job",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(TransientJobError, OperationalError),
    retry_backoff=5,
    max_retries=3,
    soft_time_limit=20 * 60,
    time_limit=21 * 60,
)
def run_job(self, job_id: int):
    """The Celery task of one job (thin: the primary key in, :func:`execute` does the work)."""
    execute(job_id)


def enqueue(job: Job) -> None:
    transaction.on_commit(lambda: run_job.delay(job.pk))


def report_progress(job: Job, percent: int, message: str = "") -> None:
    percent = max(0, min(100, int(percent)))
    job.progress = percent
    if message:
        job.message = message[:500]
    job.heartbeat_at = timezone.now()
    fields = {"progress": percent, "message": job.message, "heartbeat_at": job.heartbeat_at}
    if _inside_handler_transaction():
        _write_progress_aside(job, fields)
    else:
        Job.objects.filter(pk=job.pk).update(**fields)


def _inside_handler_transaction() -> bool:
    """On PostgreSQL, inside a transaction opened by the job's handler: a progress written there would only be seen
    (by the progress page, by ``requeue_stale``) once the whole job commits. The transactions the test suite wraps
    every test in do not count (Django marks them ``_from_testcase``): there the write stays on the connection."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return False
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _write_progress_aside(job: Job, fields: dict) -> None:
    """Write the progress through a connection of its own (a short-lived thread: Django connections are per
    thread), committed at once. Never waits on a lock (the row is skipped if the handler's transaction holds it)
    and never fails the job: progress is informative. At most one write every SIDE_PROGRESS_INTERVAL seconds."""
    now = time.monotonic()
    if now - getattr(job, "_aside_written_at", 0.0) < SIDE_PROGRESS_INTERVAL:
        return
    job._aside_written_at = now

    def write():
        try:
            with transaction.atomic():
                if Job.objects.select_for_update(skip_locked=True).filter(pk=job.pk).values_list("pk"):
                    Job.objects.filter(pk=job.pk).update(**fields)
        except DatabaseError:
            logger.warning("Progress of job %s not written", job.pk, exc_info=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=write, name=f"job-{job.pk}-progress", daemon=True)
    thread.start()
    thread.join()


class Heartbeat:
    """Writes the job's heartbeat every HEARTBEAT_INTERVAL seconds from a thread of its own (its own database
    connection, committed at once), so that a long step without progress reports is not taken for a dead worker,
    and a dead worker's job is recognised within STALE_AFTER. PostgreSQL only (the embedded SQLite setup runs jobs
    inline, where there is no worker to lose)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.stop = threading.Event()
        self.thread = None

    def __enter__(self):
        if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
            self.thread = threading.Thread(target=self.run, name=f"job-{self.job_id}-heartbeat", daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=HEARTBEAT_INTERVAL + 5)

    def run(self):
        try:
            while not self.stop.wait(HEARTBEAT_INTERVAL):
                try:
                    with transaction.atomic():
                        row = Job.objects.select_for_update(skip_locked=True).filter(
                            pk=self.job_id, status=Job.Status.RUNNING
                        )
                        if row.values_list("pk"):
                            row.update(heartbeat_at=timezone.now())
                except DatabaseError:
                    logger.warning("Heartbeat of job %s not written", self.job_id, exc_info=True)
        finally:
            connections.close_all()


def execute(job_id: int) -> Job | None:
    """Run a job in this process (called by the Celery task)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return job
        job.status = Job.Status.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "heartbeat_at", "attempts"])
    kind = get_kind(job.kind)
    try:
        with Heartbeat(job.pk):
            output = kind.handler(job, lambda percent, message="": report_progress(job, percent, message))
    except TransientJobError:
        if job.attempts >= MAX_ATTEMPTS:
            _fail(job, TRANSIENT_GAVE_UP_MESSAGE.format(max=MAX_ATTEMPTS), detail=traceback.format_exc())
            return job
        Job.objects.filter(pk=job.pk).update(status=Job.Status.PENDING, heartbeat_at=timezone.now())
        raise
    except JobFailure as exc:
        _fail(job, str(exc))
        return job
    except Exception as exc:
        logger.exception("Job %s failed", job.pk)
        _fail(job, kind.failure_message or UNEXPECTED_FAILURE, detail=traceback.format_exc())
        if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False) and getattr(settings, "SREFOP_JOBS_RAISE", False):
            raise exc
        return job
    _finish(job, output)
    return job


def _fail(job: Job, message: str, detail: str = ""):
    job.status = Job.Status.FAILED
    job.message = message[:500]
    job.error = detail or message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "error", "finished_at"])


def _finish(job: Job, output) -> None:
    job.refresh_from_db()
    job.status = Job.Status.DONE
    job.progress = 100
    job.finished_at = timezone.now()
    if isinstance(output, JobOutput):
        job.file.save(output.filename, ContentFile(output.content), save=False)
        job.filename = output.filename
        job.content_type = output.content_type
        job.file_expires_at = timezone.now() + timedelta(days=settings.SREFOP_EXPORT_RETENTION_DAYS)
        job.message = output.message or "Le fichier est prêt."
        if output.result:
            job.result = output.result
    elif isinstance(output, dict):
        job.result = output
        job.message = output.get("message", job.message or "Terminé.")[:500]
    elif isinstance(output, str):
        job.message = output[:500]
    job.save()
    if job.has_file and job.requester_id and get_kind(job.kind).notify:
        notify_ready(job)


def notify_ready(job: Job) -> None:
    """A notice and an e-mail (through the outbox, after commit) naming what the file is about."""
    from django.template.loader import render_to_string

    from . import notifications

    label = kind_label(job.kind)
    subject = job_context(job).subject
    what = f"{label} — {subject}" if subject else label
    notifications.notify(
        [job.requester],
        subject="",
        message=f"{what} : votre fichier est prêt.",
        url=job.get_absolute_url(),
        email=False,
    )
    if job.requester.email:
        context = {
            "job": job,
            "label": label,
            "subject": subject,
            "url": notifications.absolute_url(job.get_absolute_url()),
            "expires": job.file_expires_at,
        }
        notifications.queue_mail(
            to=[job.requester.email],
            subject=f"{what} : votre fichier est prêt",
            body=render_to_string("common/emails/job_ready.txt", context),
            html_body=render_to_string("common/emails/job_ready.html", context),
            kind=f"jobs.{job.kind}",
        )
    Job.objects.filter(pk=job.pk).update(notified=True)


def requeue_stale() -> int:
    """Jobs left "en cours" by a dead worker (no heartbeat for STALE_AFTER) and jobs queued but never started are
    queued again (their page says they are being resumed), or failed after MAX_ATTEMPTS with a French message."""
    now = timezone.now()
    count = 0
    stale = Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    stale |= Job.objects.filter(status=Job.Status.PENDING, created_at__lt=now - PENDING_STALE_AFTER).filter(
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - PENDING_STALE_AFTER)
    )
    for job in stale:
        if job.status == Job.Status.RUNNING and job.heartbeat_at >= now - stale_after_for(job.kind):
            continue  # a kind with a longer silence allowed (work fanned out to several tasks)
        if job.attempts >= MAX_ATTEMPTS:
            _fail(job, GAVE_UP_MESSAGE.format(max=MAX_ATTEMPTS))
            continue
        message = job.message
        if job.attempts:
            message = RESUMED_MESSAGE.format(n=job.attempts + 1, max=MAX_ATTEMPTS)
        updated = Job.objects.filter(pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at).update(
            status=Job.Status.PENDING, heartbeat_at=now, message=message
        )
        if updated:  # not taken meanwhile by another check or a worker
            enqueue(job)
            count += 1
    return count


@shared_task(name="srefop_portal.common.tasks.requeue_stale_jobs")
def requeue_stale_jobs():
    return requeue_stale()


def resume_after_worker_start() -> int:
    """At worker start-up: resume the jobs of a dead worker now, and check again once a heartbeat written just
    before the crash has had time to age (the worker may come back within seconds of being killed)."""
    count = requeue_stale()
    try:
        requeue_stale_jobs.apply_async(countdown=STALE_AFTER.total_seconds() + HEARTBEAT_INTERVAL)
    except Exception:  # noqa: BLE001 — beat's periodic check does it anyway
        logger.warning("Second check of interrupted jobs not queued", exc_info=True)
    return count


def expire_files() -> int:
    count = 0
    for job in Job.objects.filter(file_deleted=False, file_expires_at__lt=timezone.now()).exclude(file=""):
        job.file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(file_deleted=True, file="")
        count += 1
    return count
