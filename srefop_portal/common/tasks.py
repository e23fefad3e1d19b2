"""Thin Celery tasks: take primary keys, call the job runner. ``run_job`` (one job) is defined beside the runner
that queues it (``jobs.enqueue``), so that the runner does not import this module; it is imported here so that the
workers' autodiscovery registers it."""

from celery import shared_task

from . import jobs
from .jobs import run_job  # noqa: F401  (registered as srefop_portal.common.tasks.run_job)


@shared_task
def requeue_stale_jobs():
    return jobs.requeue_stale()


@shared_task
def expire_job_files():
    return jobs.expire_files()
