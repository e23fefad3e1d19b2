"""Thin Celery tasks: take primary keys, call a service. The regional bundle's tasks are defined beside the fan-out
that queues them (``reports/bundle.py``) and imported here so that the workers' autodiscovery registers them."""

from celery import shared_task
from django.conf import settings

from .reports.bundle import build_bundle_part, bundle_bodies, merge_regional_bundle, start_regional_bundle  # noqa: F401
from .reports.service import request_territory_report
from .services import send_overdue_emails


@shared_task(name="roadmaps.tasks.send_overdue_action_emails")
def send_overdue_action_emails() -> int:
    """Weekly: one e-mail per pilot listing their overdue actions."""
    return send_overdue_emails()


@shared_task(name="roadmaps.tasks.send_monthly_reports")
def send_monthly_reports() -> int:
    """Monthly (beat), when SREFOP_MONTHLY_REPORTS is on: each Clefop's report, e-mailed to its co-chairs."""
    if not getattr(settings, "SREFOP_MONTHLY_REPORTS", False):
        return 0
    count = 0
    for body in bundle_bodies():
        request_territory_report(body=body, user=None, monthly=True)
        count += 1
    return count
