"""Thin Celery tasks: take primary keys, call the job runner or the outbox. Each task is defined beside the code that
queues it (``jobs.run_job`` and ``jobs.requeue_stale_jobs`` beside the runner, ``notifications.deliver_mail`` beside
the outbox), so that those modules do not import this one; they are imported here so that the workers'
autodiscovery registers them under their ``srefop_portal.common.tasks.*`` names."""

from celery import shared_task

from . import jobs
from .jobs import requeue_stale_jobs, run_job  # noqa: F401  (registered as srefop_portal.common.tasks.*)
from .notifications import deliver_mail, flush_outbox  # noqa: F401  (registered as srefop_portal.common.tasks.*)


@shared_task
def expire_job_files():
    return jobs.expire_files()
