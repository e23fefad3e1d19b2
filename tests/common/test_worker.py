"""A real Celery worker on Redis runs jobs; a worker killed mid-job leaves a job that finishes after restart.

Needs PostgreSQL (the worker process must share the test database) and Redis: skipped otherwise,
failing instead when SREFOP_REQUIRE_REDIS=1.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from srefop_portal.common import jobs
from srefop_portal.common.models import Job
from tests.conftest import require_or_skip

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.redis, pytest.mark.slow]


def redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture
def real_broker(transactional_db):
    url = os.environ.get("REDIS_URL", "")
    require_or_skip("redis", bool(url) and redis_answers(url), "REDIS_URL absent ou Redis ne répond pas")
    require_or_skip("redis", settings.USING_POSTGRES, "le worker doit partager la base de test (PostgreSQL)")
    from srefop_portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    queue = f"tests-{os.getpid()}-{time.time_ns()}"
    app.conf.task_default_queue = queue
    yield url, queue
    app.conf.task_always_eager = previous


def start_worker(url: str, queue: str, **extra_env) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "srefop_portal.settings.test",
        "DATABASE_URL": "postgres://{}@{}:{}/{}".format(
            db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["NAME"]
        ),
        "REDIS_URL": url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "SREFOP_TEST_CELERY_QUEUE": queue,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **extra_env,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "srefop_portal",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def stop(worker):
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)


def test_real_worker_runs_a_job(real_broker, role_user):
    url, queue = real_broker
    worker = start_worker(url, queue)
    try:
        job = jobs.start_job(kind="common.diagnostic", params={"seconds": 0}, requester=role_user("staff"))
        assert wait_for(lambda: Job.objects.get(pk=job.pk).status == Job.Status.DONE), Job.objects.get(pk=job.pk)
        job.refresh_from_db()
        assert job.has_file
        with job.file.open("rb") as handle:
            assert b"postgresql" in handle.read()
    finally:
        stop(worker)


def test_job_of_a_killed_worker_finishes_within_two_minutes_of_restart(real_broker, role_user):
    """SIGKILL mid-job, the worker restarted at once (its job's heartbeat is still fresh): no beat, no manual call —
    the restarted worker resumes it (worker_ready, then a second check once the heartbeat has aged)."""
    url, queue = real_broker
    worker = start_worker(url, queue)
    try:
        job = jobs.start_job(kind="common.diagnostic", params={"seconds": 8}, requester=role_user("staff"))
        assert wait_for(lambda: Job.objects.get(pk=job.pk).progress >= 10, timeout=60)
        os.killpg(worker.pid, signal.SIGKILL)  # the worker dies in the middle of the job
        worker.wait(timeout=10)
        job.refresh_from_db()
        assert job.status == Job.Status.RUNNING and not job.seems_stalled
        restarted = time.monotonic()
        worker = start_worker(url, queue)
        assert wait_for(lambda: Job.objects.get(pk=job.pk).status == Job.Status.DONE, timeout=120)
        assert time.monotonic() - restarted < 120
        job.refresh_from_db()
        assert job.attempts == 2 and job.has_file
    finally:
        stop(worker)


def test_mail_server_down_during_submit_and_adopt_then_back_every_mail_once(real_broker, role_user):
    """Real worker, real SMTP server on loopback (aiosmtpd): the server refuses connections while a roadmap is
    submitted and adopted through the web; the pages answer; once it accepts, every e-mail arrives, none twice."""
    pytest.importorskip("aiosmtpd")
    from aiosmtpd.controller import Controller
    from django.test import Client
    from django.urls import reverse

    from roadmaps.models import RoadmapStatus
    from srefop_portal.common.models import OutboxMessage
    from tests.common.test_notifications import Recorder, free_port
    from tests.roadmaps.factories import roadmap_with

    url, queue = real_broker
    port = free_port()
    worker = start_worker(
        url,
        queue,
        SREFOP_TEST_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_TIMEOUT="5",
        SREFOP_MAIL_RETRY_BASE="2",
        SREFOP_MAIL_MAX_ATTEMPTS="12",
    )
    controller = None
    try:
        from clefop.models import Body

        if not Body.objects.exists():  # an earlier transactional test flushed the reference data
            import io

            from django.core.management import call_command

            call_command("load_reference_data", stdout=io.StringIO())
        role_user("cochair"), role_user("member")
        roadmap = roadmap_with()
        steps = (("submit", {}, "animateur"), ("adopt", {"plenary_date": "2024-03-15"}, "cochair"))
        for transition, data, role in steps:
            client = Client()
            client.force_login(role_user(role))
            response = client.post(
                reverse("roadmaps:roadmap_transition", args=[roadmap.body.slug, roadmap.pk, transition]), data
            )
            assert response.status_code == 302, response.content.decode()[:500]
        roadmap.refresh_from_db()
        assert roadmap.status == RoadmapStatus.ADOPTED
        expected = sorted(address for to in OutboxMessage.objects.values_list("to", flat=True) for address in to)
        assert len(expected) >= 2
        # The worker tried and was refused: the messages wait for their next try.
        assert wait_for(lambda: all(m.attempts >= 1 for m in OutboxMessage.objects.all()), timeout=60)
        assert not OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).exists()
        assert all("refused" in m.last_error.lower() for m in OutboxMessage.objects.all())

        recorder = Recorder()
        controller = Controller(recorder, hostname="127.0.0.1", port=port)
        controller.start()
        assert wait_for(
            lambda: not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists(), timeout=90
        ), list(OutboxMessage.objects.values_list("status", "attempts", "last_error"))
        time.sleep(3)  # a duplicate delivery would arrive meanwhile
        assert sorted(rcpt for rcpts, _ in recorder.messages for rcpt in rcpts) == expected
    finally:
        if controller is not None:
            controller.stop()
        stop(worker)
