"""Thin Celery tasks: take primary keys, call a service."""

from celery import shared_task
from django.db import OperationalError

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


@shared_task(name="roadmaps.tasks.send_overdue_action_emails")
def send_overdue_action_emails() -> int:
    """Weekly: one e-mail per pilot listing their overdue actions."""
    from .services import send_overdue_emails

    return send_overdue_emails()


@shared_task(name="roadmaps.tasks.start_regional_bundle", **RELIABLE)
def start_regional_bundle(self, job_id: int):
    """Fan out: one task per territory report plus one for the regional synthesis."""
    from .reports.bundle import fan_out

    fan_out(job_id, queue=_queue(self))


@shared_task(name="roadmaps.tasks.build_bundle_part", **RELIABLE)
def build_bundle_part(self, job_id: int, key: str):
    from .reports.bundle import build_part

    build_part(job_id, key, queue=_queue(self))


@shared_task(name="roadmaps.tasks.merge_regional_bundle", **RELIABLE)
def merge_regional_bundle(self, job_id: int):
    """The last part done: zip the parts through the shared job runner (file, notice, e-mail)."""
    from srefop_portal.common import jobs

    jobs.execute(job_id)


@shared_task(name="roadmaps.tasks.send_monthly_reports")
def send_monthly_reports() -> int:
    """Monthly (beat), when SREFOP_MONTHLY_REPORTS is on: each Clefop's report, e-mailed to its co-chairs."""
    from django.conf import settings

    from .reports.service import bundle_bodies, request_territory_report

    if not getattr(settings, "SREFOP_MONTHLY_REPORTS", False):
        return 0
    count = 0
    for body in bundle_bodies():
        request_territory_report(body=body, user=None, monthly=True)
        count += 1
    return count
