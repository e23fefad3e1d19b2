import datetime
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from srefop_portal.common import jobs
from srefop_portal.common.models import Job, Notice

pytestmark = pytest.mark.django_db

CALLS = []


@jobs.register_job_kind("tests.export", label="Export de test", can_view=lambda user, job: job.requester_id == user.pk)
def _export(job, progress):
    CALLS.append(job.pk)
    progress(50, "À mi-chemin")
    return jobs.JobOutput(filename="export.csv", content=b"a;b\n1;2\n", content_type="text/csv")


@jobs.register_job_kind("tests.failing", label="Tâche en échec")
def _failing(job, progress):
    raise jobs.JobFailure("Le fichier source est illisible.")


@jobs.register_job_kind("tests.crashing", label="Tâche qui plante", failure_message="Rien n’a été modifié.")
def _crashing(job, progress):
    raise ZeroDivisionError("division by zero")


@jobs.register_job_kind("tests.in_transaction", label="Tâche en une transaction")
def _in_transaction(job, progress):
    from django.db import transaction

    with transaction.atomic():
        progress(40, "Écriture en cours")
        return {"message": "Écrit.", "seen": _from_another_connection(job.pk)}


def _from_another_connection(job_pk):
    """The job's progress as another request (another connection) sees it."""
    import threading

    from django.db import connections

    seen = {}

    def read():
        try:
            seen.update(Job.objects.values("status", "progress", "message").get(pk=job_pk))
        finally:
            connections.close_all()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return seen


def run(kind, user, fingerprint=""):
    from django.test.utils import CaptureQueriesContext  # noqa: F401

    job = jobs.start_job(kind=kind, params={"x": 1}, requester=user, fingerprint=fingerprint)
    return job


def test_job_runs_produces_file_notifies_and_is_downloadable(client, role_user, django_capture_on_commit_callbacks):
    user = role_user("user")
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(kind="tests.export", requester=user, fingerprint="abc")
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.progress == 100 and job.has_file
    assert Notice.objects.filter(user=user).count() == 1
    assert len(mail.outbox) == 1 and job.get_absolute_url() in mail.outbox[0].body
    client.force_login(user)
    page = client.get(job.get_absolute_url())
    assert page.status_code == 200 and "Télécharger" in page.content.decode()
    download = client.get(job.get_download_url())
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"a;b\n1;2\n"


def test_same_fingerprint_is_served_without_rebuild(role_user, django_capture_on_commit_callbacks):
    user = role_user("user")
    with django_capture_on_commit_callbacks(execute=True):
        first = jobs.start_job(kind="tests.export", requester=user, fingerprint="same")
    calls = len(CALLS)
    with django_capture_on_commit_callbacks(execute=True):
        second = jobs.start_job(kind="tests.export", requester=user, fingerprint="same")
    assert second.pk == first.pk and len(CALLS) == calls


def test_other_users_get_404(client, role_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(kind="tests.export", requester=role_user("user"))
    client.force_login(role_user("member"))
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(job.get_download_url()).status_code == 404
    client.logout()
    assert client.get(job.get_download_url()).status_code == 302


def test_failure_is_recorded_with_french_message(role_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(kind="tests.failing", requester=role_user("user"))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "illisible" in job.message


def test_unexpected_failure_shows_the_kind_s_message_and_keeps_the_traceback(
    role_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(kind="tests.crashing", requester=role_user("user"))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.message == "Rien n’a été modifié."
    assert "ZeroDivisionError" in job.error


def test_the_last_poll_of_a_finished_job_triggers_job_finished(client, role_user, django_capture_on_commit_callbacks):
    user = role_user("user")
    client.force_login(user)
    job = jobs.start_job(kind="tests.export", requester=user)  # queued, not run yet
    running = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert "HX-Trigger" not in running and 'hx-trigger="every 1s"' in running.content.decode()
    jobs.execute(job.pk)
    finished = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert f'"job-finished": {{"uuid": "{job.uuid}"}}' in finished["HX-Trigger"]
    assert "HX-Trigger" not in client.get(job.get_absolute_url())  # the full page does not need it


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_required")
def test_progress_reported_inside_the_handler_s_transaction_is_seen_at_once(transactional_db):
    job = jobs.start_job(kind="tests.in_transaction")  # no test transaction: runs on commit, i.e. now
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.result["seen"] == {"status": "running", "progress": 40, "message": "Écriture en cours"}


def test_stale_running_job_is_requeued_and_finishes(role_user, django_capture_on_commit_callbacks):
    job = Job.objects.create(kind="tests.export", requester=role_user("user"), status=Job.Status.RUNNING, attempts=1)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.requeue_stale() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE


def test_job_page_says_a_stalled_job_will_resume_then_that_it_is_resumed(client, role_user):
    user = role_user("user")
    job = Job.objects.create(kind="tests.export", requester=user, status=Job.Status.RUNNING, attempts=1, progress=30)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=45))
    client.force_login(user)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "va reprendre automatiquement" in page
    assert jobs.requeue_stale() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING and "la tâche reprend, essai 2 sur 3" in job.message
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Reprise en cours" in page and "la tâche reprend" in page


def test_a_fresh_heartbeat_is_not_stale_and_a_fanned_out_kind_may_stay_silent_longer(role_user):
    job = Job.objects.create(kind="tests.export", requester=role_user("user"), status=Job.Status.RUNNING, attempts=1)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=10))
    assert jobs.requeue_stale() == 0
    job.refresh_from_db()
    assert not job.seems_stalled
    bundle = Job.objects.create(kind="roadmaps.regional_bundle", status=Job.Status.RUNNING, attempts=1)
    Job.objects.filter(pk=bundle.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=2))
    bundle.refresh_from_db()
    assert jobs.stale_after_for(bundle.kind) == timedelta(minutes=10) and not bundle.seems_stalled
    assert jobs.requeue_stale() == 0


def test_a_job_interrupted_at_every_try_fails_with_a_french_message(role_user):
    job = Job.objects.create(
        kind="tests.export", requester=role_user("user"), status=Job.Status.RUNNING, attempts=jobs.MAX_ATTEMPTS
    )
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=2))
    assert jobs.requeue_stale() == 0
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message.startswith("La tâche a été interrompue à chacun de ses 3 essais et n’a pas abouti")


def test_expired_files_are_deleted_but_job_kept(role_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(kind="tests.export", requester=role_user("user"))
    Job.objects.filter(pk=job.pk).update(file_expires_at=timezone.now() - timedelta(days=1))
    assert jobs.expire_files() == 1
    job.refresh_from_db()
    assert job.file_deleted and not job.has_file and job.status == Job.Status.DONE


def test_notices_page(client, role_user):
    user = role_user("user")
    Notice.objects.create(user=user, message="Votre rapport est prêt", url="/")
    client.force_login(user)
    html = client.get(reverse("common:notices")).content.decode()
    assert "Votre rapport est prêt" in html and "Notifications (1)" in html
    client.post(reverse("common:notices"))
    assert "Notifications (1)" not in client.get(reverse("common:notices")).content.decode()


def test_job_page_without_context_has_no_subject_nor_way_back(client, role_user):
    user = role_user("member")
    job = Job.objects.create(kind="tests.export", requester=user)
    unknown = jobs.job_context(Job(kind="tests.no-such-kind"))
    assert unknown.subject == "" and unknown.links == []
    client.force_login(user)
    html = client.get(job.get_absolute_url()).content.decode()
    assert "Export de test" in html and "Retour :" not in html


def test_ready_email_names_what_the_file_is_about_and_says_1er(role_user, django_capture_on_commit_callbacks):
    from django.core import mail

    from srefop_portal.common.jobs import JobContext

    user = role_user("user")
    job = Job.objects.create(kind="tests.export", requester=user, filename="x.csv")
    job.file_expires_at = timezone.make_aware(datetime.datetime(2027, 1, 1, 12, 0))
    with (
        mock.patch.object(
            jobs, "job_context", return_value=JobContext(subject="Clefop Nantes — territoire EFOP Nantes")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        jobs.notify_ready(job)
    (message,) = mail.outbox
    assert message.subject.endswith("— Clefop Nantes — territoire EFOP Nantes : votre fichier est prêt")
    assert "jusqu’au 1er janvier 2027" in message.body
    assert Notice.objects.get(user=user).message.startswith(jobs.kind_label("tests.export") + " — Clefop Nantes")


def test_progress_poll_reads_the_job_once(client, role_user):
    """Browsers poll the progress fragment every second: the job is read once per poll (the permission check and
    the view share it), and the page's context (subject, parent pages) is not built for the fragment."""
    user = role_user("user")
    client.force_login(user)
    job = jobs.start_job(kind="tests.export", requester=user)
    url = job.get_absolute_url()
    client.get(url, headers={"HX-Request": "true"})  # session and user warm
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "srefop-progress" in response.content.decode()
    # The job once; besides, the signed-in user and (unless the sessions are in the cache) the session.
    assert sum('FROM "common_job"' in q["sql"] for q in queries.captured_queries) == 1
    assert len(queries) <= 3
