"""A real Celery worker on Redis builds a territory report, and a regional bundle fanned out over two processes.

Same harness as tests/common/test_worker.py (PostgreSQL shared with the worker, a private queue): skipped without
Redis/PostgreSQL, failing instead when SREFOP_REQUIRE_REDIS=1.
"""

import io
import os
import subprocess
import sys
import zipfile

import pytest
from django.conf import settings
from django.db import connection

from roadmaps.models import Roadmap
from roadmaps.reports import BUNDLE_KIND
from roadmaps.reports.service import request_regional_bundle, request_territory_report
from srefop_portal.common.models import Job
from srefop_portal.common.pdf import pdf_text
from tests.clefop.factories import clefop
from tests.common.test_worker import ROOT, real_broker, stop, wait_for  # noqa: F401  (fixture)

from .report_fixtures import nantes_roadmap

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture(autouse=True)
def reference_data(real_broker):  # noqa: F811 (fixture imported from tests.common.test_worker)
    """transactional_db flushes the database after each test: load the reference data again."""
    from django.core.management import call_command

    if not clefop_exists():
        call_command("load_reference_data", stdout=io.StringIO())


def clefop_exists() -> bool:
    from clefop.models import Body

    return Body.objects.clefops().exists()


def start_worker(url: str, queue: str, concurrency: int = 1) -> subprocess.Popen:
    """As tests/common/test_worker.start_worker, with a prefork pool when more than one process is asked for."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "srefop_portal.settings.test",
        "DATABASE_URL": "postgres://{}@{}:{}/{}".format(
            db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["NAME"]
        ),
        "REDIS_URL": url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    pool = ["-P", "solo"] if concurrency == 1 else ["-P", "prefork", f"--concurrency={concurrency}"]
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "srefop_portal", "worker", *pool, "-Q", queue, "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_real_worker_builds_a_territory_report(real_broker, role_user):  # noqa: F811
    url, queue = real_broker
    nantes_roadmap()
    worker = start_worker(url, queue)
    try:
        job = request_territory_report(body=clefop(), user=role_user("cochair"))
        assert wait_for(lambda: Job.objects.get(pk=job.pk).is_finished, timeout=120), Job.objects.get(pk=job.pk)
        job.refresh_from_db()
        assert job.status == Job.Status.DONE, job.error
        with job.file.open("rb") as handle:
            text = pdf_text(handle.read())
        assert "Job dating trimestriel" in text and "Bloquée" in text
        # Unchanged data: the finished report is served at once.
        assert request_territory_report(body=clefop(), user=role_user("cdefop")).pk == job.pk
    finally:
        stop(worker)


def test_real_workers_fan_out_the_regional_bundle(real_broker, role_user):  # noqa: F811
    url, queue = real_broker
    nantes_roadmap()
    nantes_roadmap(territory="49-ANG")
    assert Roadmap.objects.count() == 2
    worker = start_worker(url, queue, concurrency=2)
    try:
        job = request_regional_bundle(user=role_user("crefop"))
        assert wait_for(lambda: Job.objects.get(pk=job.pk).is_finished, timeout=180), Job.objects.get(pk=job.pk)
        job.refresh_from_db()
        assert job.status == Job.Status.DONE, job.error
        assert job.kind == BUNDLE_KIND and (job.parts_total, job.parts_done) == (3, 3)
        with job.file.open("rb") as handle:
            names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
        assert names[0] == "00-synthese-regionale.pdf" and len(names) == 3
    finally:
        stop(worker)
