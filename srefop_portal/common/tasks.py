"""Thin Celery tasks: take primary keys, call the job runner."""

from celery import shared_task
from django.db import OperationalError

from . import jobs


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(jobs.TransientJobError, OperationalError),
    retry_backoff=5,
    max_retries=3,
    soft_time_limit=20 * 60,
    time_limit=21 * 60,
)
def run_job(self, job_id: int):
    jobs.execute(job_id)


@shared_task
def requeue_stale_jobs():
    return jobs.requeue_stale()


@shared_task
def expire_job_files():
    return jobs.expire_files()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None, ignore_result=True)
def deliver_mail(self, message_id: int):
    """One try at sending an outbox message; a failed try is retried after its back-off (the outbox counts)."""
    from . import notifications

    outcome, delay = notifications.deliver(message_id)
    if outcome == notifications.Outcome.RETRY and delay is not None and not self.request.is_eager:
        raise self.retry(countdown=delay.total_seconds())
    return outcome


@shared_task
def flush_outbox():
    from . import notifications

    return notifications.flush_due()
