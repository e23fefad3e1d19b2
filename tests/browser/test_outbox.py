"""Staff see the e-mails in failure and send them again; a job whose worker died says it will resume. axe-core finds
no violation on these pages."""

import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from srefop_portal.common.models import Job, OutboxMessage
from tests.accounts.factories import StaffFactory
from tests.browser.conftest import assert_accessible, assert_no_console_errors
from tests.second_factor import sign_in

pytestmark = pytest.mark.browser


def sign_in_staff(page):
    client = Client()
    sign_in(client, StaffFactory(email="equipe@exemple.fr"))  # a staff session that passed the second factor
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": page.base_url}]
    )  # fmt: skip


def shot(page, name):
    folder = os.environ.get("SREFOP_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_staff_resend_failed_emails(page):
    sign_in_staff(page)
    failed = OutboxMessage.objects.create(
        to=["elu@exemple.fr"],
        subject="[Portail Srefop] Feuille de route 2024-2026 de Clefop Nantes (version 1) : adoptée",
        body="Bonjour,",
        status=OutboxMessage.Status.FAILED,
        attempts=6,
        last_error="ConnectionRefusedError : [Errno 111] Connection refused",
    )
    page.goto(page.base_url + "/gestion/")
    page.get_by_role("link", name="Courriels envoyés et en échec").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Courriels du portail").is_visible()
    assert "Connection refused" in page.content()
    assert_accessible(page)
    shot(page, "outbox-failed")
    page.locator(f"label[for=message-{failed.pk}]").click()  # the DSFR box is drawn by its label
    assert page.get_by_label("Renvoyer le courriel « [Portail Srefop] Feuille de route").is_checked()
    page.get_by_role("button", name="Renvoyer les courriels cochés").click()
    page.wait_for_load_state()
    assert "1 courriel remis en file d’envoi." in page.content()
    assert_accessible(page)
    assert_no_console_errors(page)
    failed.refresh_from_db()
    assert failed.status == OutboxMessage.Status.SENT  # the embedded settings send at once


def test_job_page_of_an_interrupted_job(page):
    sign_in_staff(page)
    job = Job.objects.create(kind="common.diagnostic", status=Job.Status.RUNNING, attempts=1, progress=30)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=1))
    page.goto(page.base_url + job.get_absolute_url())
    assert page.get_by_text("elle va reprendre automatiquement").is_visible()
    assert_accessible(page)
    shot(page, "job-stalled")
